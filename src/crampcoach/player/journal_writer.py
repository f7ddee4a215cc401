"""The player's link to the journal: sessions recorded as they happen, and the worsening
check behind the red-flag advice.

Writes go through one writer thread, in order, so the session's timing never waits for a
commit to reach the disk (``synchronous=FULL`` makes each one an fsync), and the first
sound does not wait for the journal to be imported and opened. ``finished`` returns only
when every write has been committed. A journal fault never stops a session; it is kept in
``error`` and reported when the session is over.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from crampcoach.errors import JournalError
from crampcoach.player.record import SessionRecord, SessionStart

if TYPE_CHECKING:
    from crampcoach.journal import Journal, SessionStatus

#: How long the writer lets the session start before its first write (see the module doc).
FIRST_WRITE_AFTER_S = 0.3

_Write = Callable[["Journal"], None]


class JournalRecorder:
    """A :class:`~crampcoach.player.session.SessionRecorder` writing to the journal file.

    Each write opens the journal, commits one short transaction and closes it, so a kill or
    power cut at any moment loses nothing that was already written.
    """

    def __init__(self, path: Path, routine_hash: str | None,
                 first_write_after_s: float = FIRST_WRITE_AFTER_S) -> None:
        self.path = path
        self.routine_hash = routine_hash
        self.session_id: str | None = None
        self.error: JournalError | None = None
        self._delay = first_write_after_s
        self._writes: queue.Queue[_Write | None] = queue.Queue()
        self._writer: threading.Thread | None = None
        # Set when the session ends: the first write then waits no longer.
        self._ending = threading.Event()
        # The end of the timed part has been written (the rating may come after it).
        self._ended = False

    def _run(self) -> None:
        from crampcoach.journal import Journal

        self._ending.wait(self._delay)
        while True:
            write = self._writes.get()
            try:
                if write is None:
                    return
                if self.error is None:
                    with Journal.open(self.path) as journal:
                        write(journal)
            except JournalError as e:
                self.error = e
            finally:
                self._writes.task_done()

    def _put(self, write: _Write) -> None:
        if self._writer is None:
            self._writer = threading.Thread(target=self._run, name="crampcoach-journal",
                                             daemon=True)
            self._writer.start()
        self._writes.put(write)

    def started(self, start: SessionStart) -> None:
        def write(journal: Journal) -> None:
            self.session_id = journal.start_session(
                start.routine, self.routine_hash, start.steps, rating_before=start.rating_before)
        self._put(write)

    def reached(self, step_index: int, step_title: str) -> None:
        def write(journal: Journal) -> None:
            if self.session_id is not None:
                journal.reach_step(self.session_id, step_index, step_title)
        self._put(write)

    def ended(self, record: SessionRecord) -> None:
        # Written now, not after the rating: a process killed while the question waits
        # for an answer still leaves a session that shows how it ended.
        self._ended = True
        self._put(self._end_write(record))

    def finished(self, record: SessionRecord) -> None:
        if not self._ended:
            self._put(self._end_write(record))
        elif record.rating_after is not None or record.audio_note is not None:
            def write(journal: Journal) -> None:
                if self.session_id is not None:
                    journal.rate_session(self.session_id, record.rating_after,
                                         note=record.audio_note)
            self._put(write)
        self._put_end()

    def _end_write(self, record: SessionRecord) -> _Write:
        # The journal knows finished and stopped; Ctrl-C and SIGTERM count as stopped.
        status: SessionStatus = "finished" if record.outcome == "finished" else "stopped"

        def write(journal: Journal) -> None:
            if self.session_id is not None:
                journal.finish_session(
                    self.session_id, status, record.step_reached, record.step_title,
                    rating_after=record.rating_after, note=record.audio_note)
        return write

    def _put_end(self) -> None:
        self._ending.set()
        self._writes.put(None)
        self._writes.join()
        if self._writer is not None:
            self._writer.join()
            self._writer = None


def journal_worsening(path: Path, now: Callable[[], datetime] = lambda: datetime.now(UTC),
                      ) -> Callable[[int], bool]:
    """Whether the last week's ratings, with a new one given now, are getting worse
    (the journal's own red-flag rule). An unreadable journal counts as not worsening."""

    def worsening(rating: int) -> bool:
        from crampcoach.journal import Journal
        from crampcoach.journal.flags import worsening_with

        moment = now()
        try:
            with Journal.open(path, create=False) as journal:
                return worsening_with(journal, rating, now=moment)
        except JournalError:
            return False

    return worsening
