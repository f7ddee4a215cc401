"""A compiled session: every cue at an exact offset from the start.

The timeline is the contract between the compiler and everything that makes sound
(the real-time player and the WAV renderer). Offsets are seconds from the session's
first cue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

CueKind = Literal["speech", "tone"]
# Tones are generated, not files: rising for breathing in, level for holding,
# falling for breathing out, a soft chime for starts and ends.
ToneName = Literal["in", "hold", "out", "chime"]
# What a cue is for; the player's display and the tests use it.
CueRole = Literal[
    "opening", "say", "intro", "hold", "countdown", "release", "phase",
    "start", "checkin", "end", "closing",
]


@dataclass(frozen=True, slots=True)
class Cue:
    at: float
    kind: CueKind
    text: str
    step: int
    role: CueRole
    # Seconds of sound: the measured speech length, or the tone's length.
    length: float
    tone: ToneName | None = None

    @property
    def end(self) -> float:
        return self.at + self.length

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "at": round(self.at, 6), "kind": self.kind, "text": self.text,
            "step": self.step, "role": self.role, "length": round(self.length, 6),
        }
        if self.tone is not None:
            out["tone"] = self.tone
        return out


@dataclass(frozen=True, slots=True)
class StepSpan:
    """Where one step of the routine lies in the session."""

    index: int
    kind: str
    title: str
    start: float
    end: float
    # What is announced as next after this step (see compiler.next_title); not in the JSON.
    next_title: str | None = None


#: The speech engine unless one is chosen (see crampcoach.audio.engine).
DEFAULT_ENGINE = "espeak-ng"


@dataclass(frozen=True, slots=True)
class Voice:
    """What the speech is synthesized with: the language (or the engine's voice), words
    per minute, and the engine that speaks it (phrases are cached per engine)."""

    language: str = "en"
    rate: int = 140
    engine: str = DEFAULT_ENGINE


@dataclass(frozen=True, slots=True)
class Timeline:
    name: str
    total: float
    cues: tuple[Cue, ...]
    steps: tuple[StepSpan, ...]
    voice: Voice = Voice()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "total": round(self.total, 6),
            "language": self.voice.language,
            "rate": self.voice.rate,
            "cues": [c.to_json() for c in self.cues],
            "steps": [
                {"index": s.index, "kind": s.kind, "title": s.title,
                 "start": round(s.start, 6), "end": round(s.end, 6)}
                for s in self.steps
            ],
        }

    def step_at(self, t: float) -> StepSpan | None:
        """The step under way at offset ``t`` (None before the first or after the last)."""
        for span in self.steps:
            if span.start <= t < span.end:
                return span
        return None
