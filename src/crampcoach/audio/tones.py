"""Generated tones for breathing and for starts and ends, made by code (no sound files).

Each tone is exactly :data:`crampcoach.routines.compiler.TONE_SECONDS` long, starts and
ends in silence through raised-cosine fades (nothing clicks), and stays at a moderate
level: they are heard at night, in a quiet bedroom.
"""

from __future__ import annotations

import contextlib
import math
import sys
from array import array
from functools import cache
from pathlib import Path

from crampcoach import locations
from crampcoach.audio.base import SAMPLE_RATE, Clip
from crampcoach.audio.mix import frame_at
from crampcoach.files import write_atomically
from crampcoach.routines.compiler import TONE_SECONDS
from crampcoach.routines.timeline import ToneName

#: Peak level of a tone, as a share of full scale (about -14 dBFS).
LEVEL = 0.2
#: Fade in and out at both ends of every glide.
FADE_S = 0.04
# Pitches (Hz): a calm range, a fifth apart; breathing in rises, out falls.
_LOW_HZ = 261.63   # C4
_HIGH_HZ = 392.00  # G4
_HOLD_HZ = 329.63  # E4
_CHIME_HZ = (523.25, 659.25)  # C5 then E5


def _fade_gains(frames: int, fade: int) -> list[float]:
    """Raised-cosine gain per sample: rises over ``fade`` samples, falls over the last ones."""
    fade = min(fade, frames // 2)
    gains = [1.0] * frames
    for i in range(fade):
        g = 0.5 * (1.0 - math.cos(math.pi * i / fade))
        gains[i] = g
        gains[frames - 1 - i] = g
    return gains


def _glide(frames: int, start_hz: float, end_hz: float) -> list[float]:
    """A sine whose pitch moves smoothly (on a log scale) from ``start_hz`` to ``end_hz``.

    The phase is accumulated, so the pitch changes without jumps in the wave.
    """
    ratio = end_hz / start_hz
    step = 2.0 * math.pi * start_hz / SAMPLE_RATE
    last = max(frames - 1, 1)
    phases: list[float] = []
    phase = 0.0
    for i in range(frames):
        p = i / last
        phases.append(phase)
        # Smoothstep: the glide eases in and out, like a breath.
        phase += step * ratio ** (p * p * (3.0 - 2.0 * p))
    gains = _fade_gains(frames, frame_at(FADE_S))
    return [math.sin(ph) * g for ph, g in zip(phases, gains, strict=True)]


def _chime(frames: int) -> list[float]:
    """Two soft bell-like notes, the second starting a third of the way in."""
    out = [0.0] * frames
    second_at = frames // 3
    for hz, start in zip(_CHIME_HZ, (0, second_at), strict=True):
        n = frames - start
        w = 2 * math.pi * hz / SAMPLE_RATE
        decay = math.exp(-4.0 / n)
        attack = _fade_gains(n, frame_at(0.02))
        # A quieter octave gives the sine a softer, bell-like colour.
        note = [
            0.6 * decay**k * a * (math.sin(w * k) + 0.25 * math.sin(2 * w * k))
            for k, a in zip(range(n), attack, strict=True)
        ]
        out[start:] = [x + y for x, y in zip(out[start:], note, strict=True)]
    # The decay never reaches zero on its own: end in a fade, like the glides.
    fade = min(frame_at(FADE_S), frames)
    for k in range(fade):
        out[frames - 1 - k] *= 0.5 * (1.0 - math.cos(math.pi * k / fade))
    return out


def _to_clip(shape: list[float], level: float) -> Clip:
    peak = max((abs(s) for s in shape), default=0.0) or 1.0
    scale = level * 32767 / peak
    samples = array("h", (round(s * scale) for s in shape))
    if sys.byteorder == "big":
        samples.byteswap()
    return Clip(samples.tobytes())


#: Bump when the tones' sound changes, so copies kept on disk are made again.
TONES_VERSION = 1


def _kept_path(name: ToneName, level: float) -> Path:
    return locations.cache_dir() / "tones" / f"{name}-{level:.4f}-v{TONES_VERSION}.pcm"


@cache
def tone(name: ToneName, level: float = LEVEL) -> Clip:
    """The tone ``name`` ("in", "hold", "out", "chime") in the project's format.

    Made by :func:`make_tone`; a copy is kept in the cache folder because making the chime
    in pure Python takes tens of milliseconds, and it is the first sound of every session.
    """
    path = _kept_path(name, level)
    expected = frame_at(TONE_SECONDS[name]) * 2
    with contextlib.suppress(OSError):
        data = path.read_bytes()
        if len(data) == expected:
            return Clip(data)
    clip = make_tone(name, level)
    with contextlib.suppress(OSError):
        write_atomically(path, clip.pcm)
    return clip


def make_tone(name: ToneName, level: float = LEVEL) -> Clip:
    """Generate the tone ``name`` from scratch."""
    frames = frame_at(TONE_SECONDS[name])
    if name == "in":
        shape = _glide(frames, _LOW_HZ, _HIGH_HZ)
    elif name == "out":
        shape = _glide(frames, _HIGH_HZ, _LOW_HZ)
    elif name == "hold":
        shape = _glide(frames, _HOLD_HZ, _HOLD_HZ)
    elif name == "chime":
        shape = _chime(frames)
    else:
        raise ValueError(f"no tone named {name!r}")
    return _to_clip(shape, level)


#: The speaker-wake tone's level, as a share of full scale (about -46 dBFS): faint in a
#: quiet room, yet well above the -60 to -70 dBFS below which sleeping speakers call a
#: stream silent. It is not scaled by the volume or night mode, which could push it under.
WAKE_LEVEL = 0.005
#: Speaker wake: this much of the hum before the first cue.
WAKE_LEAD_S = 1.0
#: Its pitch: 22050 / 105 Hz, so one period is exactly 105 samples and any length of the
#: tone is a whole number of repeats, in phase from one piece to the next.
_WAKE_PERIOD = 105


@cache
def _wake_period() -> bytes:
    samples = array("h", (round(WAKE_LEVEL * 32767 * math.sin(2 * math.pi * k / _WAKE_PERIOD))
                          for k in range(_WAKE_PERIOD)))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()


def wake_tone(seconds: float) -> Clip:
    """A low, steady hum ``seconds`` long that keeps a Bluetooth or USB speaker (and a
    sound server that suspends idle outputs) awake: sound, unlike digital silence."""
    frames = frame_at(seconds)
    period = _wake_period()
    whole, part = divmod(frames, _WAKE_PERIOD)
    return Clip(period * whole + period[: part * 2])
