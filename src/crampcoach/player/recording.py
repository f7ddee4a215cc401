"""The player's link to the journal: sessions recorded as they happen, and the worsening
check behind the red-flag advice. A journal fault never stops a session; it is kept and
reported when the session is over."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crampcoach.errors import JournalError
from crampcoach.journal import Journal, SessionStatus
from crampcoach.journal.trends import RED_FLAG_DAYS, RatingPoint, flags_from, rating_points
from crampcoach.player.session import SessionRecord, SessionStart


class JournalRecorder:
    """A :class:`~crampcoach.player.session.SessionRecorder` writing to the journal file.

    Each write opens the journal, commits and closes it: one short transaction, so a
    kill or power cut at any moment loses nothing that was written before.
    """

    def __init__(self, path: Path, routine_hash: str | None) -> None:
        self.path = path
        self.routine_hash = routine_hash
        self.session_id: str | None = None
        self.error: JournalError | None = None

    def _write(self, action: Callable[[Journal], None]) -> None:
        if self.error is not None:
            return
        try:
            with Journal.open(self.path) as journal:
                action(journal)
        except JournalError as e:
            self.error = e

    def started(self, start: SessionStart) -> None:
        def write(journal: Journal) -> None:
            self.session_id = journal.start_session(
                start.routine, self.routine_hash, start.steps, rating_before=start.rating_before)
        self._write(write)

    def reached(self, step_index: int, step_title: str) -> None:
        session_id = self.session_id
        if session_id is not None:
            self._write(lambda journal: journal.reach_step(session_id, step_index, step_title))

    def finished(self, record: SessionRecord) -> None:
        session_id = self.session_id
        if session_id is None:
            return
        status: SessionStatus = "finished" if record.outcome == "finished" else "stopped"

        def write(journal: Journal) -> None:
            journal.finish_session(session_id, status, record.step_reached, record.step_title,
                                   rating_after=record.rating_after, note=record.audio_note)
        self._write(write)


def journal_worsening(path: Path, now: Callable[[], datetime] = lambda: datetime.now(UTC),
                      ) -> Callable[[int], bool]:
    """Whether the last week's ratings, with a new one given now, are getting worse
    (the journal's own red-flag rule). An unreadable journal counts as not worsening."""

    def worsening(rating: int) -> bool:
        moment = now()
        try:
            with Journal.open(path, create=False) as journal:
                since = moment - timedelta(days=RED_FLAG_DAYS + 1)
                points = rating_points(journal.sessions(since, moment),
                                       journal.ratings(since, moment))
        except JournalError:
            return False
        points.append(RatingPoint(moment, rating, "after"))
        return any(flag.kind == "worsening" for flag in flags_from(points, now=moment))

    return worsening
