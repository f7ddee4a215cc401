"""The durable history of sessions and ratings (SQLite), trends, export and import.

The player records a session with :class:`Journal`::

    with Journal.open(journal_path()) as journal:
        session_id = journal.start_session(
            routine.name, routine_hash(routine_file_bytes), steps_total, rating_before=None
        )
        ...                                     # journal.reach_step(session_id, i, title)
        journal.finish_session(session_id, "finished", i, title, rating_after=3)
        flags = red_flags(journal, now=utc_now(), threshold=settings.red_flag_threshold)

After a session started hands-free, ``journal.episode_for_session(session_id)`` keeps it as
an episode to complete; once a week ``checkin_due(journal, now)`` says to ask the check-in
with ``run_checkin(journal, ask)``. The care record's other calls (``add_episode``,
``set_factors``, ``add_medicine``, ...) are methods of :class:`Journal`; every one returns
the record as stored and raises :class:`~crampcoach.errors.RecordError` for a value it
cannot take.
"""

from crampcoach.journal.checkin import checkin_due, record_checkin, run_checkin
from crampcoach.journal.flags import RedFlag, red_flags
from crampcoach.journal.store import (
    BloodResult,
    CareRecords,
    Checkin,
    DayFactors,
    Episode,
    Journal,
    MedicineEvent,
    Question,
    Rating,
    Session,
    SessionStatus,
    routine_hash,
    utc_now,
)

__all__ = [
    "BloodResult",
    "CareRecords",
    "Checkin",
    "DayFactors",
    "Episode",
    "Journal",
    "MedicineEvent",
    "Question",
    "Rating",
    "RedFlag",
    "Session",
    "SessionStatus",
    "checkin_due",
    "record_checkin",
    "red_flags",
    "routine_hash",
    "run_checkin",
    "utc_now",
]
