"""The audio contracts shared by the player, the renderer and their fakes.

All sound inside crampcoach is one format: mono, 16-bit signed little-endian PCM at
``SAMPLE_RATE``. espeak-ng synthesizes at 22050 Hz, so nothing is resampled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from crampcoach.routines.timeline import Cue, Voice

SAMPLE_RATE = 22050
SAMPLE_WIDTH = 2
CHANNELS = 1


@dataclass(frozen=True, slots=True)
class Clip:
    """A piece of sound in the one format: ``pcm`` holds int16 LE mono frames."""

    pcm: bytes

    @property
    def frames(self) -> int:
        return len(self.pcm) // SAMPLE_WIDTH

    @property
    def seconds(self) -> float:
        return self.frames / SAMPLE_RATE


class AudioSink(Protocol):
    """Where sound goes. One stream at a time: ``play`` replaces anything still playing.

    ``play`` returns as soon as the sound has started; it never waits for the end.
    Raises :class:`crampcoach.errors.AudioDeviceError` when the device is missing or busy.
    """

    def play(self, clip: Clip) -> None: ...

    def stop(self) -> None: ...

    def is_playing(self) -> bool: ...

    def close(self) -> None: ...


class SpeechSource(Protocol):
    """Speech as sound, and its length (both of the leading-silence-trimmed phrase).

    Raises :class:`crampcoach.errors.SynthesisError` when a phrase cannot be made.
    """

    def clip(self, text: str, voice: Voice) -> Clip: ...

    def seconds(self, text: str, voice: Voice) -> float: ...


class CueSounds(Protocol):
    """The sound of one cue: synthesized speech for speech cues, a generated tone for tones.

    Thread-safe: the player asks for later cues from a background thread ahead of need.
    """

    def clip_for(self, cue: Cue, voice: Voice) -> Clip: ...
