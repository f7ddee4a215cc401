"""Fakes behind the real audio interfaces, for fast tests of the player and renderer.

They record what would have been heard instead of making sound.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from crampcoach.audio.base import SAMPLE_RATE, Clip
from crampcoach.errors import AudioDeviceError, SynthesisError
from crampcoach.routines.compiler import SpeechMeter
from crampcoach.routines.timeline import Cue, Voice


class _Now(Protocol):
    def now(self) -> float: ...


@dataclass
class RecordingSink:
    """An :class:`AudioSink` that records ``(time, clip)`` for every ``play``.

    ``clock`` (anything with ``now()``) stamps each play; a stopped or replaced clip
    counts as finished. ``fail_with`` makes every ``play`` raise, as a missing device would.
    """

    clock: _Now
    played: list[tuple[float, Clip]] = field(default_factory=list)
    stops: list[float] = field(default_factory=list)
    fail_with: AudioDeviceError | None = None
    closed: bool = False
    _until: float = 0.0

    def play(self, clip: Clip) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        now = self.clock.now()
        self.played.append((now, clip))
        self._until = now + clip.seconds

    def stop(self) -> None:
        self.stops.append(self.clock.now())
        self._until = self.clock.now()

    def is_playing(self) -> bool:
        return self.clock.now() < self._until

    def close(self) -> None:
        self.closed = True


class FakeSpeech:
    """A :class:`~crampcoach.audio.engine.SpeechEngine` whose phrase lasts
    ``seconds_per_char`` per character; nothing is cached, nothing ever fails.

    The clip is a constant non-zero level, so onsets can be found in rendered audio.
    """

    name = "fake"

    def __init__(self, seconds_per_char: float = 0.05, level: int = 8000) -> None:
        self.seconds_per_char = seconds_per_char
        self.level = level
        self.requests: list[str] = []
        self._lock = threading.Lock()

    def seconds(self, text: str, voice: Voice) -> float:
        return round(len(text) * self.seconds_per_char * SAMPLE_RATE) / SAMPLE_RATE

    def clip(self, text: str, voice: Voice) -> Clip:
        with self._lock:
            self.requests.append(text)
        frames = round(len(text) * self.seconds_per_char * SAMPLE_RATE)
        return Clip(self.level.to_bytes(2, "little", signed=True) * frames)

    def cached_meter(self, otherwise: SpeechMeter) -> SpeechMeter:
        return self

    def prepare(self, texts: Iterable[str], voice: Voice) -> dict[str, SynthesisError]:
        return {}

    def close(self) -> None:
        return None

    def __enter__(self) -> FakeSpeech:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FakeCueSounds:
    """A :class:`CueSounds` built on a speech source, with tones as plain level blocks."""

    def __init__(self, speech: FakeSpeech) -> None:
        self.speech = speech

    def clip_for(self, cue: Cue, voice: Voice) -> Clip:
        if cue.kind == "speech":
            return self.speech.clip(cue.text, voice)
        frames = round(cue.length * SAMPLE_RATE)
        return Clip((4000).to_bytes(2, "little", signed=True) * frames)


class FakeButton:
    """A :class:`~crampcoach.inputs.protocol.ButtonInput` that is connected and never
    pressed (tests push its presses as ``BUTTON`` keys on the clock)."""

    def __init__(self) -> None:
        self.rating_begun = 0

    def start_session(self, on_press: Callable[[], None]) -> None:
        pass

    def begin_rating(self, *, hint: bool = True,
                     on_rating: Callable[[int], None] | None = None) -> None:
        self.rating_begun += 1

    def end_rating(self) -> int | None:
        return None

    def close(self) -> None:
        pass
