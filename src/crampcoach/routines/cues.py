"""What every step kind builds its cues with: the builder, the quiet between sounds, the
tones' lengths and how speech is measured."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from crampcoach.phrases import Phrasebook, phrasebook
from crampcoach.routines.timeline import Cue, CueRole, ToneName, Voice

#: Quiet after a step's last sound before the next step begins.
SETTLE_S = 1.0
#: The least quiet between an introduction's speech and the cue that follows it.
GAP_S = 0.5
#: Lengths of the generated tones; the audio layer makes tones exactly this long.
TONE_SECONDS: dict[ToneName, float] = {"in": 0.6, "hold": 0.4, "out": 0.6, "chime": 1.2}
#: Overlaps shorter than this are rounding, not a routine problem.
EPS = 1e-9


class SpeechMeter(Protocol):
    """Tells how long a phrase sounds when spoken with a voice, in seconds."""

    def seconds(self, text: str, voice: Voice) -> float: ...


@dataclass
class StepBuilder:
    """Collects one step's cues while keeping the cursor."""

    step: int
    meter: SpeechMeter
    voice: Voice
    cues: list[Cue]

    @property
    def book(self) -> Phrasebook:
        """The fixed sentences in the session's language."""
        return phrasebook(self.voice.language)

    def speech(self, at: float, text: str, role: CueRole) -> Cue:
        cue = Cue(at=at, kind="speech", text=text, step=self.step, role=role,
                  length=self.meter.seconds(text, self.voice))
        self.cues.append(cue)
        return cue

    def tone(self, at: float, tone: ToneName, text: str, role: CueRole) -> Cue:
        cue = Cue(at=at, kind="tone", text=text, step=self.step, role=role,
                  length=TONE_SECONDS[tone], tone=tone)
        self.cues.append(cue)
        return cue

    def window(self, at: float, text: str, role: CueRole, least: float) -> float:
        """Speak ``text`` at ``at``; return when the window ends (``least`` or longer)."""
        cue = self.speech(at, text, role)
        return at + max(least, cue.length + GAP_S)

    def settled(self) -> float:
        """When a step that speaks ends: ``SETTLE_S`` after its last sound."""
        return max(c.end for c in self.cues) + SETTLE_S


def with_next(book: Phrasebook, text: str, next_title: str | None) -> str:
    """``text`` followed by what is next, when something is announced."""
    return book.next_up.format(text=text, title=next_title) if next_title else text
