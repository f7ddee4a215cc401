"""Generated tones: exact lengths, no clicks, pitch that moves the right way."""

from __future__ import annotations

import itertools
from array import array
from pathlib import Path

import pytest

from crampcoach.audio.base import SAMPLE_RATE
from crampcoach.audio.mix import frame_at
from crampcoach.audio.tones import LEVEL, tone
from crampcoach.routines.compiler import TONE_SECONDS
from crampcoach.routines.timeline import ToneName

TONES: list[ToneName] = ["in", "hold", "out", "chime"]


def crossings(samples: array[int]) -> int:
    return sum(1 for a, b in itertools.pairwise(samples) if (a < 0) != (b < 0))


def pitch_hz(samples: array[int]) -> float:
    """Zero crossings per second / 2 (fine for a single sine)."""
    return crossings(samples) / 2 / (len(samples) / SAMPLE_RATE)


@pytest.mark.parametrize("name", TONES)
def test_tone_lasts_exactly_its_planned_length(name: ToneName) -> None:
    assert tone(name).frames == frame_at(TONE_SECONDS[name])


@pytest.mark.parametrize("name", TONES)
def test_tone_starts_and_ends_in_silence(name: ToneName) -> None:
    samples = array("h", tone(name).pcm)
    edge = round(0.002 * SAMPLE_RATE)
    assert max(abs(s) for s in samples[:edge]) < 300
    assert max(abs(s) for s in samples[-edge:]) < 300
    # No sample-to-sample jump anywhere that would click.
    assert max(abs(a - b) for a, b in itertools.pairwise(samples)) < 2000


@pytest.mark.parametrize("name", TONES)
def test_tone_is_moderate(name: ToneName) -> None:
    peak = max(abs(s) for s in array("h", tone(name).pcm))
    assert peak == round(LEVEL * 32767)


def test_breathing_in_rises_out_falls_hold_stays() -> None:
    def ends(name: ToneName) -> tuple[float, float]:
        samples = array("h", tone(name).pcm)
        third = len(samples) // 3
        return pitch_hz(samples[:third]), pitch_hz(samples[-third:])

    first, last = ends("in")
    assert last > first * 1.25
    first, last = ends("out")
    assert first > last * 1.25
    first, last = ends("hold")
    assert abs(first - last) < 15


def test_chime_has_two_notes() -> None:
    samples = array("h", tone("chime").pcm)
    third = len(samples) // 3
    before = pitch_hz(samples[third // 4: third - 100])
    after = pitch_hz(samples[third + 100: third + third // 2])
    assert 450 < before < 600
    assert after > before * 1.1


def test_tones_are_made_once() -> None:
    assert tone("in") is tone("in")


def test_a_kept_tone_is_the_generated_one_and_a_damaged_copy_is_remade(
        isolated_home: Path) -> None:
    from crampcoach.audio import tones

    tones.tone.cache_clear()
    first = tones.tone("chime")
    kept = tones._kept_path("chime", tones.LEVEL)
    assert kept.read_bytes() == first.pcm == tones.make_tone("chime").pcm
    kept.write_bytes(b"\x00" * 10)
    tones.tone.cache_clear()
    assert tones.tone("chime").pcm == first.pcm
    assert kept.read_bytes() == first.pcm
    tones.tone.cache_clear()
