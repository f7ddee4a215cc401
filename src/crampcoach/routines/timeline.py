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
    "start", "checkin", "end", "closing", "wait",
]


@dataclass(frozen=True, slots=True)
class WaitMark:
    """Marks a cue after which the session waits until the person is ready.

    Offsets after it are relative: the timeline assumes the person is ready at once; the
    player shifts everything after it by however long the wait really took.
    """

    max_wait_s: float
    remind_every_s: float  # 0: no reminders
    reminder: str


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
    wait: WaitMark | None = None

    @property
    def end(self) -> float:
        return self.at + self.length

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "at": round(self.at, 6), "kind": self.kind, "text": self.text,
            "step": self.step, "step_number": self.step + 1, "role": self.role,
            "length": round(self.length, 6),
        }
        if self.tone is not None:
            out["tone"] = self.tone
        if self.wait is not None:
            out["wait"] = True
            out["max_wait"] = round(self.wait.max_wait_s, 6)
            out["remind_every"] = round(self.wait.remind_every_s, 6)
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


#: Speech rates, in words per minute, a routine or the settings may ask for. espeak-ng
#: speaks no slower than 80 (it quietly speeds a lower rate up), and above 300 the voice
#: is no longer calm guidance. The night rate is bounded the same way.
RATE_RANGE = (80, 300)
# More digits than this is a slip of the keyboard (int() refuses more than 4300).
_MAX_RATE_DIGITS = 9


def rate_problem(text: str) -> str | None:
    """Why ``text`` (as written in a file or the environment) is not a speech rate, as
    the end of a sentence that starts with the key's name; None when it is one."""
    low, high = RATE_RANGE
    plain = text.strip()
    if not plain.lstrip("+-").isdigit() or not plain.isascii():
        return f"must be a whole number, not '{plain}'"
    digits = len(plain.lstrip("+-").lstrip("0"))
    shown = f"a {digits}-digit number" if digits > _MAX_RATE_DIGITS else str(int(plain))
    if digits > _MAX_RATE_DIGITS or not low <= int(plain) <= high:
        return f"must be between {low} and {high} words per minute, not {shown}"
    return None


@dataclass(frozen=True, slots=True)
class Voice:
    """What the speech is synthesized with: the language (or the engine's voice), words
    per minute, and the engine that speaks it (phrases are cached per engine)."""

    language: str = "en"
    rate: int = 140
    engine: str = DEFAULT_ENGINE
    #: The engine's own voice, for an engine that speaks with a voice file (Piper's
    #: ``.onnx``); None for espeak-ng, whose voice follows the language.
    voice_file: str | None = None


@dataclass(frozen=True, slots=True)
class Timeline:
    name: str
    total: float
    cues: tuple[Cue, ...]
    steps: tuple[StepSpan, ...]
    voice: Voice = Voice()

    @property
    def max_wait(self) -> float:
        """The most the waits can add to ``total`` (each wait carries on by itself then)."""
        return sum(c.wait.max_wait_s for c in self.cues if c.wait is not None)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "total": round(self.total, 6),
            "max_wait": round(self.max_wait, 6),
            "language": self.voice.language,
            "rate": self.voice.rate,
            "engine": self.voice.engine,
            "cues": [c.to_json() for c in self.cues],
            "steps": [
                {"index": s.index, "number": s.index + 1, "kind": s.kind, "title": s.title,
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
