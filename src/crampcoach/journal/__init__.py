"""The durable history of sessions and ratings (SQLite), trends, export and import.

The player records a session with :class:`Journal`::

    with Journal.open(journal_path()) as journal:
        session_id = journal.start_session(
            routine.name, routine_hash(routine_file_bytes), steps_total, rating_before=None
        )
        ...                                     # journal.reach_step(session_id, i, title)
        journal.finish_session(session_id, "finished", i, title, rating_after=3)
        flags = red_flags(journal, now=utc_now(), high_at=settings.red_flag_threshold)

After a session started hands-free, ``journal.episode_for_session(session_id)`` keeps it as
an episode to complete. ``checkin_due(journal, now, after_style=routine.style,
at_night=...)`` says whether to ask the weekly check-in now; ``record_checkin(journal,
answers)`` keeps the answers (or ``run_checkin(journal, ask)`` asks through ``ask``).
The modules by purpose are listed in docs/architecture.md ("The journal"). The care
record's other calls (``add_episode``, ``set_factors``, ``add_medicine``, ...) are methods
of :class:`Journal`; every one returns the record as stored and raises
:class:`~crampcoach.errors.RecordError` for a value it cannot take.
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
