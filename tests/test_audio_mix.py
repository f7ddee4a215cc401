"""Mixing sounds that overlap into one buffer."""

from __future__ import annotations

from array import array

from crampcoach.audio.base import SAMPLE_RATE, Clip
from crampcoach.audio.mix import frame_at, mix


def clip(*samples: int) -> Clip:
    return Clip(array("h", samples).tobytes())


def test_frame_at_is_the_nearest_frame() -> None:
    assert frame_at(1.0) == SAMPLE_RATE
    assert frame_at(0.5 / SAMPLE_RATE + 1e-9) == 1
    assert frame_at(1800.0) == 1800 * SAMPLE_RATE


def test_apart_sounds_are_placed_with_silence_between() -> None:
    assert mix([(3, clip(5, 6)), (0, clip(1, 2))]) == clip(1, 2, 0, 5, 6)


def test_overlapping_sounds_add_and_clip() -> None:
    mixed = mix([(0, clip(100, 30000, 30000)), (1, clip(1, 10000, -1))], frames=5)
    assert mixed == clip(100, 30001, 32767, -1, 0)


def test_frames_cuts_the_end() -> None:
    assert mix([(0, clip(1, 2, 3)), (10, clip(9))], frames=2) == clip(1, 2)
