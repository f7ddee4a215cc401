"""Journals written by every earlier version open, keep every record, and are upgraded once.

The old schemas are written out by hand here, as those versions wrote them, rather than
taken from the code that is being tested.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crampcoach.errors import JournalError
from crampcoach.journal.store import SCHEMA_VERSION, Journal
from support.journal import utc

CRCJ = 0x6372636A

VERSION_1 = f"""
PRAGMA application_id = {CRCJ};
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    routine TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT CHECK (status IN ('finished', 'stopped')),
    rating_before INTEGER CHECK (rating_before BETWEEN 0 AND 10),
    rating_after INTEGER CHECK (rating_after BETWEEN 0 AND 10)
);
CREATE TABLE ratings (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    value INTEGER NOT NULL CHECK (value BETWEEN 0 AND 10),
    note TEXT
);
INSERT INTO sessions VALUES (1, 'Evening calf relief', '2025-01-05 21:00:00',
                             '2025-01-05 21:12:00', 'finished', 6, 3);
INSERT INTO sessions VALUES (2, 'Box breathing', '2025-01-06 22:00:00', NULL, NULL, 5, NULL);
-- A crash between two of version 1's writes could leave a status without an end.
INSERT INTO sessions VALUES (3, 'Box breathing', '2025-01-07 22:00:00', NULL, 'stopped',
                             NULL, NULL);
INSERT INTO ratings VALUES (1, '2025-01-05 03:10:00', 8, 'woke at 3');
INSERT INTO ratings VALUES (2, '2025-01-06 07:00:00', 4, '');
PRAGMA user_version = 1;
"""


def write_version_1(path: Path) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.executescript(VERSION_1)
    finally:
        db.close()


def test_an_empty_file_is_version_0_and_is_brought_up_to_date(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    path.touch()
    with Journal.open(path) as j:
        assert j.schema_version == SCHEMA_VERSION
        assert j.integrity_check() == "ok"


def test_version_1_keeps_every_record(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    write_version_1(path)
    with Journal.open(path) as j:
        assert j.schema_version == SCHEMA_VERSION == 4
        sessions = j.sessions()
        ratings = j.ratings()
        assert j.integrity_check() == "ok"
    assert [
        (s.routine, s.started_at, s.ended_at, s.outcome, s.rating_before, s.rating_after)
        for s in sessions
    ] == [
        ("Evening calf relief", utc("2025-01-05T21:00:00"), utc("2025-01-05T21:12:00"),
         "finished", 6, 3),
        ("Box breathing", utc("2025-01-06T22:00:00"), None, "interrupted", 5, None),
        ("Box breathing", utc("2025-01-07T22:00:00"), None, "interrupted", None, None),
    ]
    assert [(r.at, r.value, r.note, r.routine) for r in ratings] == [
        (utc("2025-01-05T03:10:00"), 8, "woke at 3", None),
        (utc("2025-01-06T07:00:00"), 4, None, None),
    ]
    # Each record got its own stable id, and the new columns start empty.
    ids = [s.id for s in sessions] + [r.id for r in ratings]
    assert len(set(ids)) == 5
    assert all(len(i) == 32 for i in ids)
    assert {(s.routine_hash, s.step_index, s.step_title, s.steps_total, s.note)
            for s in sessions} == {(None, None, None, None, None)}


def test_a_migrated_journal_takes_new_records_and_keeps_its_ids(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    write_version_1(path)
    with Journal.open(path) as j:
        first_ids = [r.id for r in j.ratings()]
        j.add_rating(2, routine="Box breathing")
        sid = j.start_session("Evening calf relief", "sha256:1", 5, rating_before=5)
        j.finish_session(sid, "finished", 4, "Rest", rating_after=2)
    with Journal.open(path) as j:
        assert [r.id for r in j.ratings()][:2] == first_ids
        assert len(j.ratings()) == 3
        assert j.session(sid).effect == 3
    db = sqlite3.connect(path)
    try:
        indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master "
                                                "WHERE type = 'index' AND sql IS NOT NULL")}
        assert indexes == {"sessions_by_start", "ratings_by_time", "episodes_by_time",
                           "medicines_by_day", "checkins_by_time"}
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO ratings (uuid, at, value) "
                       "VALUES ('x', '2025-01-01T00:00:00.000000Z', 11)")
    finally:
        db.close()


def test_a_failed_migration_leaves_version_1_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    write_version_1(path)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("INSERT INTO ratings VALUES (3, 'not a time', 5, NULL)")
    db.close()
    with pytest.raises(JournalError, match=r"refused a record: NOT NULL constraint failed"):
        Journal.open(path)
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone() == (1,)
        assert db.execute("SELECT count(*) FROM ratings").fetchone() == (3,)
        assert db.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE '%v2'"
                          ).fetchone() == (0,)
    finally:
        db.close()


MIGRATE_AND_RATE = """
import sys
from crampcoach.journal.store import Journal
with Journal.open(sys.argv[1]) as j:
    j.add_rating(int(sys.argv[2]))
"""


def test_two_programs_opening_an_old_journal_at_once_migrate_it_once(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    write_version_1(path)
    procs = [
        subprocess.Popen([sys.executable, "-c", MIGRATE_AND_RATE, str(path), str(n)])
        for n in range(4)
    ]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0, 0]
    with Journal.open(path) as j:
        assert sorted(r.value for r in j.ratings()) == [0, 1, 2, 3, 4, 8]
        assert len(j.sessions()) == 3
        assert j.integrity_check() == "ok"


# Version 2 as crampcoach 0.1 left it (its CHECKs shortened: they do not change the rows).
VERSION_2 = f"""
PRAGMA application_id = {CRCJ};
CREATE TABLE "sessions" (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE CHECK (length(uuid) BETWEEN 1 AND 64),
    routine TEXT NOT NULL CHECK (length(routine) > 0),
    routine_hash TEXT,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT CHECK (status IN ('finished', 'stopped')),
    step_index INTEGER,
    step_title TEXT,
    steps_total INTEGER,
    rating_before INTEGER,
    rating_after INTEGER,
    note TEXT,
    CHECK ((status IS NULL) = (ended_at IS NULL))
);
CREATE TABLE "ratings" (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE CHECK (length(uuid) BETWEEN 1 AND 64),
    at TEXT NOT NULL,
    value INTEGER NOT NULL,
    note TEXT,
    routine TEXT
);
CREATE INDEX sessions_by_start ON sessions (started_at);
CREATE INDEX ratings_by_time ON ratings (at);
INSERT INTO sessions VALUES (1, 's1', 'Evening calf relief', 'sha256:aa', '2026-01-05T21:00:00.000000Z',
    '2026-01-05T21:12:00.000000Z', 'finished', 5, 'Rest', 6, 6, 3, 'warm legs');
INSERT INTO sessions VALUES (2, 's2', 'Box breathing', NULL, '2026-01-06T02:00:00.000000Z',
    NULL, NULL, 1, 'Box breathing', 2, NULL, NULL, NULL);
INSERT INTO ratings VALUES (1, 'r1', '2026-01-06T03:00:00.000000Z', 7, 'woke at 3', NULL);
PRAGMA user_version = 2;
"""  # noqa: E501


def test_version_2_keeps_every_record_and_gains_the_care_record(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(VERSION_2)
    db.close()
    with Journal.open(path) as j:
        assert j.schema_version == SCHEMA_VERSION
        assert [(s.id, s.routine, s.routine_hash, s.started_at, s.ended_at, s.outcome,
                 s.step_index, s.step_title, s.steps_total, s.rating_before, s.rating_after,
                 s.note) for s in j.sessions()] == [
            ("s1", "Evening calf relief", "sha256:aa", utc("2026-01-05T21:00:00"),
             utc("2026-01-05T21:12:00"), "finished", 5, "Rest", 6, 6, 3, "warm legs"),
            ("s2", "Box breathing", None, utc("2026-01-06T02:00:00"), None, "interrupted",
             1, "Box breathing", 2, None, None, None),
        ]
        assert [(r.id, r.at, r.value, r.note) for r in j.ratings()] == [
            ("r1", utc("2026-01-06T03:00:00"), 7, "woke at 3")]
        # The new tables start empty and take records at once.
        assert len(j.care()) == 0
        episode = j.episode_for_session("s2")
        assert (episode.at, episode.routine, episode.complete) == (
            utc("2026-01-06T02:00:00"), "Box breathing", False)
        assert j.integrity_check() == "ok"


def test_version_1_goes_all_the_way_to_the_care_record(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    write_version_1(path)
    with Journal.open(path) as j:
        assert j.schema_version == SCHEMA_VERSION
        j.add_episode(kind="cramp", body_part="calf", side="left", duration_s=300, severity=7)
        assert len(j.sessions()) == 3
        assert len(j.ratings()) == 2
        assert len(j.episodes()) == 1
