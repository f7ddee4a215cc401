"""Helpers for the controls' tests: fake speech whose sound tells which phrase it is."""

from __future__ import annotations

from typing import Any

from crampcoach.audio.base import SAMPLE_RATE, SAMPLE_WIDTH, Clip
from crampcoach.audio.mix import frame_at
from crampcoach.routines.timeline import Voice
from support.fakes import FakeCueSounds, FakeSpeech, RecordingSink
from support.player import FakeSession, run_session


class SpelledSpeech(FakeSpeech):
    """Fake speech as long as FakeSpeech's, whose sound spells the text (each character
    its own level), so a test can tell which phrase was played."""

    def clip(self, text: str, voice: Voice) -> Clip:
        frames, n = round(len(text) * self.seconds_per_char * SAMPLE_RATE), len(text)
        return Clip(b"".join(
            (100 + ord(c)).to_bytes(2, "little") * ((i + 1) * frames // n - i * frames // n)
            for i, c in enumerate(text)))


def said(text: str) -> Clip:
    """The sound of ``text`` with :class:`SpelledSpeech`."""
    return SpelledSpeech().clip(text, Voice())


def starts_with(sound: Clip, piece: Clip, at_s: float = 0.0) -> bool:
    """``piece`` is in ``sound`` from ``at_s`` seconds on."""
    start = frame_at(at_s) * SAMPLE_WIDTH
    return sound.pcm[start:start + len(piece.pcm)] == piece.pcm


def played(sink: RecordingSink, text: str) -> list[float]:
    """When a sound starting with ``text`` (its spelled sound) began."""
    return [t for t, clip in sink.played if starts_with(clip, said(text))]


def spelled_session(script: list[tuple[float, str]], **kwargs: Any) -> FakeSession:
    """:func:`run_session` with spelled speech."""
    return run_session(script, sounds=FakeCueSounds(SpelledSpeech()), **kwargs)
