"""The durable history of sessions and ratings (SQLite), trends, export and import.

The player records a session with :class:`Journal`::

    with Journal.open(journal_path()) as journal:
        session_id = journal.start_session(
            routine.name, routine_hash(routine_file_bytes), steps_total, rating_before=None
        )
        ...                                     # journal.reach_step(session_id, i, title)
        journal.finish_session(session_id, "finished", i, title, rating_after=3)
        flags = red_flags(journal, now=utc_now())
"""

from crampcoach.journal.store import (
    Journal,
    Rating,
    Session,
    SessionStatus,
    routine_hash,
    utc_now,
)
from crampcoach.journal.trends import RedFlag, red_flags

__all__ = [
    "Journal",
    "Rating",
    "RedFlag",
    "Session",
    "SessionStatus",
    "red_flags",
    "routine_hash",
    "utc_now",
]
