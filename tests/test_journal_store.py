"""The journal file: what is kept, what it refuses, and files it must never touch."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import warnings
from pathlib import Path

import pytest

from crampcoach.errors import JournalError
from crampcoach.journal.store import APPLICATION_ID, SCHEMA_VERSION, Journal, routine_hash
from crampcoach.locations import journal_path
from support.journal import NOW, MovableClock, utc


def fingerprint(directory: Path) -> dict[str, str]:
    """Every file in the folder and a hash of its bytes."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.iterdir())
        if p.is_file()
    }


def test_default_location_follows_xdg_data_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    assert journal_path() == tmp_path / "share" / "crampcoach" / "journal.sqlite3"


def test_a_new_journal_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "journal.sqlite3"
    with Journal.open(path) as j:
        assert j.schema_version == SCHEMA_VERSION
        j.add_rating(3)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    finally:
        db.close()


def test_a_session_from_start_to_finish(tmp_path: Path) -> None:
    clock = MovableClock().at("2026-03-01T21:00:00")
    with Journal.open(tmp_path / "j.sqlite3", clock=clock) as j:
        sid = j.start_session("Evening calf relief", "sha256:ff", 7, rating_before=6)
        running = j.session(sid)
        assert (running.outcome, running.ended_at, running.status) == ("interrupted", None, None)
        j.reach_step(sid, 2, "Calf stretch")
        clock.at("2026-03-01T21:14:00")
        done = j.finish_session(sid, "stopped", 3, "Warm compress", rating_after=4, note="tired")
    assert done.started_at == utc("2026-03-01T21:00:00")
    assert done.ended_at == utc("2026-03-01T21:14:00")
    assert (done.status, done.outcome, done.step_index, done.step_title) == (
        "stopped", "stopped", 3, "Warm compress")
    assert (done.routine, done.routine_hash, done.steps_total) == (
        "Evening calf relief", "sha256:ff", 7)
    assert (done.rating_before, done.rating_after, done.effect, done.note) == (6, 4, 2, "tired")


def test_a_killed_session_stays_interrupted_with_its_last_step(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with Journal.open(path) as j:
        sid = j.start_session("Box breathing", None, 3)
        j.reach_step(sid, 1, "Box breathing")
    with Journal.open(path) as j:
        [s] = j.sessions()
    assert (s.id, s.outcome, s.step_index, s.step_title, s.ended_at) == (
        sid, "interrupted", 1, "Box breathing", None)


def test_a_session_is_finished_once(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.sqlite3") as j:
        sid = j.start_session("Box breathing", None, 3)
        j.finish_session(sid, "finished", 2, None)
        with pytest.raises(JournalError, match=f"^no running session {sid} in "):
            j.finish_session(sid, "stopped", 1, None)
        with pytest.raises(JournalError, match=r"^no running session nope in "):
            j.reach_step("nope", 0, None)


@pytest.mark.parametrize("value", [-1, 11, True])
def test_ratings_outside_0_to_10_are_refused(tmp_path: Path, value: int) -> None:
    with Journal.open(tmp_path / "j.sqlite3") as j:
        with pytest.raises(JournalError, match=r"^a rating is a whole number from 0 \(no cramps\)"
                           r" to 10 \(worst\); got "):
            j.add_rating(value)
        with pytest.raises(JournalError, match=r"^the rating before the session is a whole"):
            j.start_session("R", None, 1, rating_before=value)
        assert j.ratings() == []
        assert j.sessions() == []


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO ratings (uuid, at, value) VALUES ('a', '2026-01-01T00:00:00.000000Z', 11)",
        "INSERT INTO ratings (uuid, at, value) VALUES ('a', '2026-01-01T00:00:00.000000Z', 2.5)",
        "INSERT INTO ratings (uuid, at, value) VALUES ('a', '2026-01-01 00:00:00', 2)",
        "INSERT INTO sessions (uuid, routine, started_at, status) "
        "VALUES ('b', 'R', '2026-01-01T00:00:00.000000Z', 'paused')",
        "INSERT INTO sessions (uuid, routine, started_at, status) "
        "VALUES ('b', 'R', '2026-01-01T00:00:00.000000Z', 'finished')",
        "INSERT INTO sessions (uuid, routine, started_at, ended_at, status) VALUES "
        "('b', 'R', '2026-01-01T00:00:00.000000Z', '2025-01-01T00:00:00.000000Z', 'stopped')",
        "INSERT INTO sessions (uuid, routine, started_at, rating_after) "
        "VALUES ('b', 'R', '2026-01-01T00:00:00.000000Z', -1)",
    ],
)
def test_the_schema_checks_what_other_programs_write(tmp_path: Path, statement: str) -> None:
    path = tmp_path / "j.sqlite3"
    Journal.open(path).close()
    db = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            db.execute(statement)
    finally:
        db.close()


def test_notes_are_kept_exactly_and_empty_means_none(tmp_path: Path) -> None:
    note = "calf, then foot\n«ouch» ünïcode 🦵 'quotes' \"double\""
    with Journal.open(tmp_path / "j.sqlite3") as j:
        assert j.add_rating(2, note=note).note == note
        assert j.add_rating(2, note="", routine="").note is None
        assert [(r.note, r.routine) for r in j.ratings()] == [(note, None), (None, None)]
        with pytest.raises(JournalError, match=r"^the note cannot contain a NUL character$"):
            j.add_rating(1, note="a\x00b")


def test_queries_by_time_window(tmp_path: Path) -> None:
    clock = MovableClock()
    with Journal.open(tmp_path / "j.sqlite3", clock=clock) as j:
        for day in (1, 2, 3):
            clock.at(f"2026-03-0{day}T12:00:00")
            j.add_rating(day)
            j.start_session("R", None, 1)
        since, until = utc("2026-03-02T00:00:00"), utc("2026-03-03T00:00:00")
        assert [r.value for r in j.ratings(since, until)] == [2]
        assert [s.started_at.day for s in j.sessions(since)] == [2, 3]
        assert [r.value for r in j.ratings(until=until)] == [1, 2]


def test_times_must_carry_a_zone(tmp_path: Path) -> None:
    naive = NOW.replace(tzinfo=None)
    with (
        Journal.open(tmp_path / "j.sqlite3", clock=lambda: naive) as j,
        pytest.raises(ValueError, match="journal times must carry a time zone"),
    ):
        j.add_rating(2)


# --- files that must not be touched ------------------------------------------------------------


def refused(path: Path, message: str) -> None:
    before = fingerprint(path.parent)
    for create in (True, False):
        with pytest.raises(JournalError) as caught:
            Journal.open(path, create=create)
        assert str(caught.value) == message
    assert fingerprint(path.parent) == before


def test_a_text_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    path.write_text("shopping list\n")
    refused(path, f"{path} is not a crampcoach journal (it is not an SQLite database). It was "
                  "left untouched; move it aside or choose another file with --journal.")


def test_random_bytes_are_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    path.write_bytes(os.urandom(8192))
    refused(path, f"{path} is not a crampcoach journal (it is not an SQLite database). It was "
                  "left untouched; move it aside or choose another file with --journal.")


def test_a_damaged_journal_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal.open(path) as j:
        j.add_rating(3)
    data = bytearray(path.read_bytes())
    data[100:4096] = os.urandom(4096 - 100)  # the schema page
    path.write_bytes(bytes(data))
    before = fingerprint(tmp_path)
    with pytest.raises(JournalError) as caught:
        Journal.open(path)
    assert str(caught.value).startswith(f"the journal {path} is damaged (")
    assert str(caught.value).endswith(
        "). It was left untouched: keep a copy of it and run 'crampcoach help damaged-journal' "
        "to see how to recover it."
    )
    assert fingerprint(tmp_path) == before


def test_another_programs_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "photos.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE photos (name TEXT)")
    db.execute("INSERT INTO photos VALUES ('beach.jpg')")
    db.commit()
    db.close()
    refused(path, f"{path} is an SQLite database but not a crampcoach journal. It was left "
                  "untouched; choose another file with --journal.")


def test_a_newer_journal_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal.open(path) as j:
        j.add_rating(4)
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    refused(path, f"{path} was written by a newer crampcoach (journal version "
                  f"{SCHEMA_VERSION + 1}; this one reads up to version {SCHEMA_VERSION}). It was "
                  "left untouched; update crampcoach to use it.")


def test_a_folder_is_not_a_journal(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match=r"is not a regular file\. Choose the journal file"):
        Journal.open(tmp_path)


def test_a_journal_held_too_long_is_reported_and_nothing_written(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal.open(path) as j:
        j.add_rating(4)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        with Journal.open(path, busy_timeout_s=0.2) as j, pytest.raises(JournalError) as caught:
            j.add_rating(9)
        assert str(caught.value) == (
            f"the journal {path} is busy: another program held it for more than 0.2 s. "
            "Nothing was written; try again in a moment."
        )
        holder.execute("ROLLBACK")
    finally:
        holder.close()
    with Journal.open(path) as j:
        assert [r.value for r in j.ratings()] == [4]


def _opened_as_nobody(path: Path) -> str:
    """Open the journal in a child process that has given up root: the message it got."""
    reader, writer = os.pipe()
    with warnings.catch_warnings():
        # Fork with threads about: the child only opens a file and exits.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        os.close(reader)
        message = "opened"
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            Journal.open(path).close()
        except JournalError as e:
            message = str(e)
        except BaseException as e:
            message = f"unexpected {type(e).__name__}: {e}"
        os.write(writer, message.encode())
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        message = pipe.read().decode()
    os.waitpid(pid, 0)
    return message


def test_an_unreadable_journal_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    Journal.open(path).close()
    path.chmod(0)
    try:
        if os.geteuid() == 0:
            # Root reads any file: the child drops to nobody, who may enter the folder.
            tmp_path.chmod(0o755)
            for parent in tmp_path.parents:
                if parent.stat().st_mode & 0o001 == 0:
                    parent.chmod(parent.stat().st_mode | 0o001)
            message = _opened_as_nobody(path)
            assert "permission denied" in message, message
        else:
            with pytest.raises(JournalError, match="permission denied"):
                Journal.open(path)
    finally:
        path.chmod(0o600)


def test_a_folder_that_cannot_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(JournalError) as caught:
        Journal.open(blocker / "journal.sqlite3")
    assert str(caught.value) == (
        f"cannot create the journal {blocker / 'journal.sqlite3'}: {blocker} is a file, not a "
        "folder. Choose a folder you can write to with --journal."
    )


def test_reading_a_missing_journal_creates_nothing(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "none" / "j.sqlite3", create=False) as j:
        assert (j.sessions(), j.ratings()) == ([], [])
    assert list(tmp_path.iterdir()) == []


def test_an_empty_file_becomes_a_journal(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    path.touch()
    with Journal.open(path) as j:
        j.add_rating(1)
        assert j.integrity_check() == "ok"


def test_routine_hash_tells_edited_routines_apart() -> None:
    assert routine_hash(b"name: A\n") == (
        "sha256:" + hashlib.sha256(b"name: A\n").hexdigest()
    )
    assert routine_hash(b"name: A\n") != routine_hash(b"name: A \n")


def test_every_connection_syncs_fully_and_waits_its_turn(tmp_path: Path) -> None:
    # FULL (2) syncs the WAL at each commit: what makes a confirmed rating survive power loss.
    with Journal.open(tmp_path / "j.sqlite3", busy_timeout_s=7) as j:
        db = j._db
        assert db.execute("PRAGMA synchronous").fetchone() == (2,)
        assert db.execute("PRAGMA busy_timeout").fetchone() == (7000,)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert not db.in_transaction
        j.add_rating(5)
        assert not db.in_transaction
