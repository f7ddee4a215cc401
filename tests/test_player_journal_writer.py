"""Sessions played are kept in the real journal, and a journal fault never stops one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from crampcoach.journal import Journal
from crampcoach.player.journal_writer import JournalRecorder, journal_worsening
from crampcoach.player.record import SessionRecord, SessionStart

START = datetime(2026, 11, 20, 21, 30, tzinfo=UTC)


def record(outcome: str, step: int | None, rating: int | None) -> SessionRecord:
    return SessionRecord(
        routine="Evening calf relief", source="builtin:evening-calf-relief.yaml",
        started_at=START, ended_at=START + timedelta(minutes=7), outcome=outcome,  # type: ignore[arg-type]
        step_reached=step, step_title=None if step is None else "Calf stretch", steps=11,
        elapsed_s=420.0, rating_before=None, rating_after=rating, audio_note=None,
        advised=False)


def test_a_finished_session_is_kept_with_its_rating(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    recorder = JournalRecorder(path, "sha256:abc", first_write_after_s=0)
    recorder.started(SessionStart("Evening calf relief", "x", START, 11, None))
    recorder.reached(0, "Lie down")
    recorder.reached(4, "Calf stretch")
    recorder.finished(record("finished", 10, 3))
    assert recorder.error is None
    with Journal.open(path, create=False) as journal:
        (session,) = journal.sessions()
    assert (session.routine, session.outcome, session.rating_after, session.steps_total) == (
        "Evening calf relief", "finished", 3, 11)
    assert session.step_index == 10


def test_an_interrupted_session_is_kept_as_stopped_at_its_step(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    recorder = JournalRecorder(path, None, first_write_after_s=0)
    recorder.started(SessionStart("Evening calf relief", "x", START, 11, 5))
    recorder.reached(4, "Calf stretch")
    recorder.finished(record("interrupted", 4, None))
    with Journal.open(path, create=False) as journal:
        (session,) = journal.sessions()
    assert (session.outcome, session.step_index, session.step_title) == (
        "stopped", 4, "Calf stretch")
    assert (session.rating_before, session.rating_after) == (5, None)


def test_a_journal_that_cannot_be_opened_is_reported_not_raised(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    recorder = JournalRecorder(folder, None, first_write_after_s=0)
    recorder.started(SessionStart("R", "x", START, 1, None))
    recorder.finished(record("finished", 0, 2))
    assert recorder.error is not None
    assert str(folder) in str(recorder.error)


def test_worsening_counts_the_new_rating(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    now = datetime.now(UTC)
    # Three weeks at 2 or 3, then three days at 3: a 7 now lifts the week well above the
    # weeks before (the journal's own rule), a 1 does not.
    for days_ago in range(1, 31):
        if 7 <= days_ago <= 9:
            continue
        at = now - timedelta(days=days_ago)
        with Journal.open(path, clock=lambda at=at: at) as journal:
            journal.add_rating(3 if days_ago < 7 or days_ago % 2 else 2)
    worsening = journal_worsening(path, now=lambda: now)
    assert worsening(7) is True
    assert worsening(1) is False
    assert journal_worsening(tmp_path / "missing.sqlite3", now=lambda: now)(9) is False


def test_a_session_that_ends_at_once_is_written_without_waiting_out_the_delay(
        tmp_path: Path) -> None:
    import time

    path = tmp_path / "journal.sqlite3"
    recorder = JournalRecorder(path, None, first_write_after_s=30)
    began = time.monotonic()
    recorder.started(SessionStart("R", "x", START, 1, None))
    recorder.finished(record("interrupted", None, None))
    assert time.monotonic() - began < 10
    with Journal.open(path, create=False) as journal:
        (session,) = journal.sessions()
    assert session.outcome == "stopped"
