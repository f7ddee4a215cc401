"""What a session is started from: the request and its parts, all passed in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from crampcoach.inputs.protocol import HandsFree
    from crampcoach.player.clock import Clock
    from crampcoach.player.rating import WorseningCheck
    from crampcoach.player.record import SessionRecorder
    from crampcoach.routines.model import Routine
    from crampcoach.session.sound import SoundMaker
    from crampcoach.settings import Settings


class KeyState(Protocol):
    """Whoever can answer with keys. Read while the session plays, not when it starts."""

    @property
    def live(self) -> bool:
        """Keys can still come (False once the input has ended)."""
        ...

    @property
    def is_terminal(self) -> bool:
        """A person at a terminal: a rating may be asked even after an interrupt."""
        ...


class NoKeys:
    """No keys at all (a session started by a button or a service)."""

    live = False
    is_terminal = False


@dataclass(frozen=True, slots=True)
class SessionInputs:
    """How the person steers the session. Keys reach the session through its clock
    (``clock.push``); ``keys`` only tells whether anyone can still press one.
    ``hands_free`` None: the GPIO button and spoken rating the settings ask for."""

    keys: KeyState = field(default_factory=NoKeys)
    hands_free: HandsFree | None = None


@dataclass(frozen=True, slots=True)
class SessionJournal:
    """Where the session is recorded, and the worsening check behind the advice."""

    recorder: SessionRecorder | None = None
    worsening: WorseningCheck | None = None

    @property
    def error(self) -> Exception | None:
        """Why the session could not be recorded, once it is over; None if it was."""
        error = getattr(self.recorder, "error", None)
        return error if isinstance(error, Exception) else None


@dataclass(frozen=True, slots=True)
class RatingRequest:
    """``given``: the rating after, already known (not asked). ``ask`` False: no rating.
    ``before`` None: ``rate_before`` in the settings decides."""

    given: int | None = None
    ask: bool = True
    before: bool | None = None

    def asks_before(self, settings: Settings, routine: Routine) -> bool:
        """Whether a rating is asked before the routine (``care.asks_rating_before``)."""
        from crampcoach.care import asks_rating_before

        before = settings.rate_before if self.before is None else self.before
        return asks_rating_before(before and self.ask, routine.rescue)


@dataclass(frozen=True, slots=True)
class SessionRequest:
    """Everything a session is made from.

    ``sound`` None: text only. ``starts_at``: the local time of day it starts (night mode).
    """

    routine: Routine
    settings: Settings
    clock: Clock
    starts_at: datetime
    sound: SoundMaker | None = None
    inputs: SessionInputs = SessionInputs()
    journal: SessionJournal = SessionJournal()
    rating: RatingRequest = RatingRequest()
