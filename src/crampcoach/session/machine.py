"""The parts of the machine a session started from a terminal uses: sound, clock, keys,
journal and the time of day. The ``play`` command takes them from one :class:`Machine`;
tests give it fakes behind the same protocols."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from crampcoach.session.request import SessionJournal
from crampcoach.session.sound import SoundMaker, real_sound

if TYPE_CHECKING:
    from crampcoach.audio.engine import SpeechEngine
    from crampcoach.player.clock import Clock
    from crampcoach.routines.model import Routine


class KeyInput(Protocol):
    """Keys read while a session plays, pushed to its clock: open while in ``with``."""

    @property
    def live(self) -> bool: ...

    @property
    def is_terminal(self) -> bool: ...

    def __enter__(self) -> KeyInput: ...

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None: ...


def monotonic_clock() -> Clock:
    from crampcoach.player.clock import MonotonicClock

    return MonotonicClock()


def terminal_keys(clock: Clock) -> KeyInput:
    """Keys from standard input (a terminal, a pipe, or nothing)."""
    from crampcoach.inputs.terminal import KeyReader

    return KeyReader(sys.stdin, clock.push)


def journal_at(path: Path, routine: Routine) -> SessionJournal:
    """The journal file ``path``: sessions recorded there, and its worsening check."""
    from crampcoach.player.journal_writer import JournalRecorder, journal_worsening

    return SessionJournal(JournalRecorder(path, f"sha256:{routine.sha256}"),
                          journal_worsening(path))


def local_now() -> datetime:
    return datetime.now()


def default_engine() -> SpeechEngine:
    from crampcoach.audio.engine import open_engine

    return open_engine()


@dataclass(frozen=True)
class Machine:
    """Where a session's parts come from. ``now``: the local time of day (night mode,
    the time stamps a display shows, and the journal's "now": the one way to say what
    time it is); ``zone``: the time zone ``now`` and the journal's days are in (None: the
    system's, with its own summer-time rules). ``speech``: the engine that measures and
    makes speech for ``check``, ``plan``, ``list`` and ``render``."""

    sound: SoundMaker = real_sound
    speech: Callable[[], SpeechEngine] = default_engine
    clock: Callable[[], Clock] = monotonic_clock
    keys: Callable[[Clock], KeyInput] = terminal_keys
    journal: Callable[[Path, Routine], SessionJournal] = journal_at
    now: Callable[[], datetime] = field(default=local_now)
    zone: tzinfo | None = None

    def utc_now(self) -> datetime:
        """``now`` as an aware moment in UTC (a naive ``now`` is read in ``zone``)."""
        moment = self.now()
        if moment.tzinfo is None:
            moment = (moment.astimezone() if self.zone is None
                      else moment.replace(tzinfo=self.zone))
        return moment.astimezone(UTC)
