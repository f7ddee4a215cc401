"""What a session leaves behind: its start, its record, and where they are written.

Kept apart from the session itself so that the journal's recorder (and whoever starts a
session) can use these types without importing the player.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from crampcoach.care import Outcome


@dataclass(frozen=True, slots=True)
class SessionStart:
    routine: str
    source: str
    started_at: datetime
    steps: int
    rating_before: int | None


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """What the journal keeps of one session, finished or stopped."""

    routine: str
    source: str
    started_at: datetime
    ended_at: datetime
    outcome: Outcome  # "interrupted": Ctrl-C or SIGTERM (the journal may call it stopped)
    step_reached: int | None  # index of the last step begun; None if stopped in the opening
    step_title: str | None
    steps: int
    elapsed_s: float  # seconds of the session played, pauses excluded
    rating_before: int | None
    rating_after: int | None
    audio_note: str | None  # why the session went on in text, if it did
    advised: bool  # the advice to talk to the neurologist was given


class SessionRecorder(Protocol):
    """Where sessions are recorded (the journal). ``started`` comes before the first cue
    and ``reached`` at each step, so that a session cut short by a power cut still shows
    how far it got; ``ended`` as soon as the timed part is over (before the rating after
    it, which may wait minutes); ``finished`` always follows unless the process dies."""

    def started(self, start: SessionStart) -> None: ...

    def reached(self, step_index: int, step_title: str) -> None: ...

    def ended(self, record: SessionRecord) -> None: ...

    def finished(self, record: SessionRecord) -> None: ...
