"""Mixing overlapping sounds into one buffer, so only one output stream is ever open."""

from __future__ import annotations

from array import array
from collections.abc import Iterable

from crampcoach.audio.base import SAMPLE_RATE, Clip

_MAX = 32767
_MIN = -32768


def frame_at(seconds: float) -> int:
    """The frame index of an offset in seconds (nearest frame: sample-exact placement)."""
    return round(seconds * SAMPLE_RATE)


def mix(placed: Iterable[tuple[int, Clip]], frames: int | None = None) -> Clip:
    """One clip holding every ``(start_frame, clip)`` at its frame, summed with clipping.

    The result is ``frames`` long, or long enough for the last sound to end.
    Silence costs only a slice copy; summing happens only where sounds overlap.
    """
    items = sorted(placed, key=lambda p: p[0])
    if frames is None:
        frames = max((start + clip.frames for start, clip in items), default=0)
    out = array("h", bytes(frames * 2))
    covered = 0  # frames [0, covered) may already hold sound
    for start, clip in items:
        if start >= frames:
            continue
        samples = array("h", clip.pcm[: (frames - start) * 2])
        end = start + len(samples)
        if start >= covered:
            out[start:end] = samples
        else:
            overlap = min(end, covered)
            for i in range(start, overlap):
                s = out[i] + samples[i - start]
                out[i] = _MAX if s > _MAX else _MIN if s < _MIN else s
            if end > overlap:
                out[overlap:end] = samples[overlap - start:]
        covered = max(covered, end)
    return Clip(out.tobytes())
