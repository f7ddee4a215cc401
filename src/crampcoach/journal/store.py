"""The journal file: an SQLite database of sessions and lone ratings.

Durability is the point of this module. Every write is one short transaction, committed
with ``synchronous=FULL`` in WAL mode before the call returns, so a rating whose command
exited 0 survives ``kill -9`` and a power cut. A file that cannot be opened safely (not a
database, someone else's database, a newer journal version, damaged, busy, not readable)
is never written to: :class:`JournalError` names the file and says what to do.

Timestamps are stored in UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` text, which sorts in time
order and reads plainly in any SQLite tool; they are shown in local time elsewhere.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Self, TypeVar

from crampcoach.care import Outcome
from crampcoach.errors import JournalError

SessionStatus = Literal["finished", "stopped"]
_Record = TypeVar("_Record")
Clock = Callable[[], datetime]

SCHEMA_VERSION = 2
# Marks the file as a crampcoach journal, so another program's SQLite database is refused
# rather than migrated ("crcj" in ASCII).
APPLICATION_ID = 0x6372636A
SQLITE_HEADER = b"SQLite format 3\x00"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
DEFAULT_BUSY_TIMEOUT_S = 10.0
MAX_TEXT = 2000


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_text(moment: datetime) -> str:
    """A moment as stored: UTC, microseconds, ``Z``. Naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("journal times must carry a time zone")
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def from_text(text: str) -> datetime:
    # fromisoformat is many times faster than strptime, which matters over years of rows;
    # the schema's CHECK has already held the text to TIME_FORMAT.
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


def routine_hash(source: bytes) -> str:
    """What a session records as its routine's file hash: ``sha256:`` and the hex digest of
    the routine file's bytes, so a session can be told from one of an edited routine."""
    return "sha256:" + hashlib.sha256(source).hexdigest()


@dataclass(frozen=True, slots=True)
class Session:
    """One played routine. ``step_index`` is 0-based (as in the timeline); ``status`` and
    ``ended_at`` are both None while it runs, and stay None if the process was killed."""

    id: str
    routine: str
    routine_hash: str | None
    started_at: datetime
    ended_at: datetime | None
    status: SessionStatus | None
    step_index: int | None
    step_title: str | None
    steps_total: int | None
    rating_before: int | None
    rating_after: int | None
    note: str | None

    @property
    def outcome(self) -> Outcome:
        """``interrupted`` for a session whose end was never recorded (killed, power cut)."""
        return self.status if self.status is not None else "interrupted"

    @property
    def effect(self) -> int | None:
        """Rating before minus rating after: positive when the routine helped."""
        if self.rating_before is None or self.rating_after is None:
            return None
        return self.rating_before - self.rating_after


@dataclass(frozen=True, slots=True)
class Rating:
    """A lone 0-10 rating recorded without a session (``crampcoach rate``)."""

    id: str
    at: datetime
    value: int
    note: str | None
    routine: str | None


@dataclass(frozen=True, slots=True)
class ImportResult:
    sessions_added: int
    ratings_added: int
    already_present: int


def check_rating(value: int, what: str = "a rating") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise JournalError(
            f"{what} is a whole number from 0 (no cramps) to 10 (worst); got {value!r}"
        )
    return value


def clean_text(value: str | None, what: str) -> str | None:
    """Empty text is kept as None, so an export and its import agree on what is missing."""
    if value is None or value == "":
        return None
    if "\x00" in value:
        raise JournalError(f"{what} cannot contain a NUL character")
    if len(value) > MAX_TEXT:
        raise JournalError(f"{what} is too long ({len(value)} characters; at most {MAX_TEXT})")
    return value


# --- schema ------------------------------------------------------------------------------------

# Version 1 (crampcoach 0.0.x) kept the bare minimum, with SQLite's own "YYYY-MM-DD HH:MM:SS"
# UTC times and integer ids only. It is still created step by step for an empty file so the
# migration below runs on every new journal, not only on old ones.
_V1 = """
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
"""

_TIME_CHECK = "GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z'"  # noqa: E501


def _rating_check(column: str) -> str:
    return (
        f"CHECK ({column} IS NULL OR "
        f"(typeof({column}) = 'integer' AND {column} BETWEEN 0 AND 10))"
    )


# Version 2: a stable id per record (so importing an export twice adds nothing), the routine
# file's hash, how far the session got, a note; ISO times with microseconds; stricter checks.
_V2_TABLES = f"""
CREATE TABLE sessions_v2 (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE CHECK (length(uuid) BETWEEN 1 AND 64),
    routine TEXT NOT NULL CHECK (length(routine) > 0),
    routine_hash TEXT,
    started_at TEXT NOT NULL CHECK (started_at {_TIME_CHECK}),
    ended_at TEXT CHECK (ended_at IS NULL OR (ended_at {_TIME_CHECK} AND ended_at >= started_at)),
    status TEXT CHECK (status IN ('finished', 'stopped')),
    step_index INTEGER CHECK (step_index IS NULL OR (typeof(step_index) = 'integer' AND step_index >= 0)),
    step_title TEXT,
    steps_total INTEGER CHECK (steps_total IS NULL OR (typeof(steps_total) = 'integer' AND steps_total >= 0)),
    rating_before INTEGER {_rating_check("rating_before")},
    rating_after INTEGER {_rating_check("rating_after")},
    note TEXT,
    CHECK ((status IS NULL) = (ended_at IS NULL))
);
CREATE TABLE ratings_v2 (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE CHECK (length(uuid) BETWEEN 1 AND 64),
    at TEXT NOT NULL CHECK (at {_TIME_CHECK}),
    value INTEGER NOT NULL {_rating_check("value")},
    note TEXT,
    routine TEXT
);
"""  # noqa: E501


def _v1_time(column: str) -> str:
    # "2024-03-01 22:15:00" -> "2024-03-01T22:15:00.000000Z"; NULL stays NULL.
    return f"strftime('%Y-%m-%dT%H:%M:%S.000000Z', {column})"


def _migrate_0_to_1(db: sqlite3.Connection) -> None:
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for statement in _V1.split(";"):
        if statement.strip():
            db.execute(statement)


def _migrate_1_to_2(db: sqlite3.Connection) -> None:
    for statement in _V2_TABLES.split(";"):
        if statement.strip():
            db.execute(statement)
    # Version 1 could leave a status without an end (or the reverse) after a crash between
    # two of its writes; such a session is kept as interrupted rather than dropped.
    db.execute(
        f"""
        INSERT INTO sessions_v2 (id, uuid, routine, started_at, ended_at, status,
                                 rating_before, rating_after)
        SELECT id, lower(hex(randomblob(16))), routine, {_v1_time("started_at")},
               CASE WHEN status IS NULL OR ended_at IS NULL THEN NULL
                    ELSE max({_v1_time("ended_at")}, {_v1_time("started_at")}) END,
               CASE WHEN ended_at IS NULL THEN NULL ELSE status END,
               rating_before, rating_after
        FROM sessions ORDER BY id
        """
    )
    db.execute(
        f"""
        INSERT INTO ratings_v2 (id, uuid, at, value, note)
        SELECT id, lower(hex(randomblob(16))), {_v1_time("at")}, value, nullif(note, '')
        FROM ratings ORDER BY id
        """
    )
    db.execute("DROP TABLE sessions")
    db.execute("DROP TABLE ratings")
    db.execute("ALTER TABLE sessions_v2 RENAME TO sessions")
    db.execute("ALTER TABLE ratings_v2 RENAME TO ratings")
    db.execute("CREATE INDEX sessions_by_start ON sessions (started_at)")
    db.execute("CREATE INDEX ratings_by_time ON ratings (at)")


# MIGRATIONS[n] takes a journal from version n to n + 1.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_migrate_0_to_1, _migrate_1_to_2)
assert len(MIGRATIONS) == SCHEMA_VERSION


# --- opening -----------------------------------------------------------------------------------

_SESSION_COLUMNS = (
    "uuid, routine, routine_hash, started_at, ended_at, status, step_index, step_title, "
    "steps_total, rating_before, rating_after, note"
)
_RATING_COLUMNS = "uuid, at, value, note, routine"


def _session_from_row(row: Sequence[Any]) -> Session:
    # SQLite hands back the types the CHECK constraints hold the columns to.
    (uid, routine, routine_hash, started, ended, status, step_index, step_title, steps_total,
     before, after, note) = row
    return Session(
        uid, routine, routine_hash, from_text(started),
        None if ended is None else from_text(ended), status, step_index, step_title,
        steps_total, before, after, note,
    )


def _rating_from_row(row: Sequence[Any]) -> Rating:
    uid, at, value, note, routine = row
    return Rating(uid, from_text(at), value, note, routine)


def _refuse_foreign_file(path: Path) -> None:
    """Look at the file's first bytes before SQLite does, so nothing can write to it."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise JournalError(
                f"{path} is not a regular file. Choose the journal file itself with --journal."
            )
        if info.st_size == 0:
            return
        with path.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except PermissionError:
        raise JournalError(
            f"cannot read the journal {path}: permission denied. Check that the file "
            "belongs to you (ls -l), or choose another file with --journal."
        ) from None
    if header != SQLITE_HEADER:
        raise JournalError(
            f"{path} is not a crampcoach journal (it is not an SQLite database). It was left "
            "untouched; move it aside or choose another file with --journal."
        )


def _fsync_directory(directory: Path) -> None:
    # A new file (the journal, or its -wal file) only survives a power cut once its
    # directory entry is on disk too.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _create_private_file(path: Path) -> None:
    """Make the journal file readable by its owner only: it holds health information."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process made it first; that is fine
    os.close(fd)
    _fsync_directory(path.parent)


def _refuse_orphan_wal(path: Path) -> None:
    """A write-ahead log without its journal (or beside an empty one) holds records SQLite
    would throw away on opening: it is left alone, and the person told."""
    wal = path.with_name(path.name + "-wal")
    try:
        orphan = wal.stat().st_size > 0 and (not path.exists() or path.stat().st_size == 0)
    except OSError:
        return
    if orphan:
        raise JournalError(
            f"{wal} is there without its journal {path}: it may hold records. It was left "
            "untouched; put the journal back beside it, or move it aside to start afresh."
        )


def _read_only_uri(path: Path) -> str | None:
    """How to read a journal in a folder (or a file) this user cannot write to; None when
    it can be written. SQLite needs its -shm file for WAL: when it cannot make one and none
    is there, the file is opened as immutable, which is safe only with no -wal waiting."""
    if os.access(path.parent, os.W_OK) and os.access(path, os.W_OK):
        return None
    quoted = urllib.parse.quote(str(path.absolute()))
    shm, wal = (path.with_name(path.name + suffix) for suffix in ("-shm", "-wal"))
    if shm.exists():
        return f"file:{quoted}?mode=ro"
    if wal.exists() and wal.stat().st_size > 0:
        raise JournalError(
            f"cannot read the journal {path}: its folder cannot be written to and its last "
            f"records are still in {wal.name}. Open it once where it can be written."
        )
    return f"file:{quoted}?immutable=1"


class Journal:
    """An open journal. Use :meth:`open`; every method commits before it returns."""

    def __init__(
        self, db: sqlite3.Connection, path: Path, busy_timeout_s: float, clock: Clock,
        read_only: bool = False,
    ) -> None:
        self._db = db
        self.path = path
        self._busy_timeout_s = busy_timeout_s
        self._clock = clock
        self._directory_synced = False
        self.read_only = read_only

    # -- lifecycle --------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        create: bool = True,
        busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
        clock: Clock = utc_now,
    ) -> Self:
        """Open the journal at ``path``, creating it (and its folder) when ``create`` is true.

        With ``create=False`` a missing file gives an empty journal in memory, so reading
        commands never leave a file behind. An older journal is migrated in one transaction.
        """
        path = Path(path)
        try:
            _refuse_orphan_wal(path)
            exists = path.exists()
        except PermissionError:
            # A folder on the way that this user may not enter.
            raise JournalError(
                f"cannot read the journal {path}: permission denied. Check that the file "
                "and its folders belong to you (ls -l), or choose another file with --journal."
            ) from None
        if exists:
            _refuse_foreign_file(path)
        elif create:
            try:
                _create_private_file(path)
            except OSError as e:
                blocked = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
                reason = f"{blocked} is a file, not a folder" if blocked else e.strerror or e
                raise JournalError(
                    f"cannot create the journal {path}: {reason}. Choose a folder you can "
                    "write to with --journal."
                ) from None
        target = str(path) if exists or create else ":memory:"
        # Reading commands read a journal they cannot write (a read-only folder, a copy).
        uri = _read_only_uri(path) if exists and not create else None
        try:
            db = sqlite3.connect(
                uri or target, timeout=busy_timeout_s, isolation_level=None,
                check_same_thread=True, uri=uri is not None,
            )
        except sqlite3.Error as e:
            raise _translate(path, e, busy_timeout_s) from None
        journal = cls(db, path, busy_timeout_s, clock, read_only=uri is not None)
        try:
            journal._prepare()
        except BaseException:
            db.close()
            raise
        return journal

    def _prepare(self) -> None:
        with self._guard():
            self._db.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_s * 1000)}")
            # Check what the file is before anything that could write to it.
            version, app_id, has_tables = self._identity()
            self._refuse_unknown(version, app_id, has_tables)
            if self.read_only:
                if version < SCHEMA_VERSION and has_tables:
                    raise JournalError(
                        f"the journal {self.path} is from an older crampcoach and must be "
                        "upgraded, which cannot be written here. It was left untouched; open "
                        "it once where it can be written."
                    )
                return
            self._db.execute("PRAGMA foreign_keys = ON")
            if version < SCHEMA_VERSION or self._db.execute(
                "PRAGMA journal_mode"
            ).fetchone()[0] != "wal":
                # Persistent in the file: readers never block the one writer.
                self._db.execute("PRAGMA journal_mode = WAL")
            # FULL: the WAL is synced at every commit, so a confirmed write survives power loss.
            self._db.execute("PRAGMA synchronous = FULL")
            if version < SCHEMA_VERSION:
                self._migrate()

    def _identity(self) -> tuple[int, int, bool]:
        """The file's schema version, application id and whether it has tables.

        One statement, so one read snapshot: read one by one, another process creating the
        journal in between made a real journal look like someone else's database.
        """
        version, app_id, tables = self._db.execute(
            "SELECT (SELECT user_version FROM pragma_user_version),"
            " (SELECT application_id FROM pragma_application_id),"
            " (SELECT count(*) FROM sqlite_master)"
        ).fetchone()
        return int(version), int(app_id), bool(tables)

    def _refuse_unknown(self, version: int, app_id: int, has_tables: bool) -> None:
        if app_id != APPLICATION_ID and (has_tables or version != 0):
            raise JournalError(
                f"{self.path} is an SQLite database but not a crampcoach journal. It was left "
                "untouched; choose another file with --journal."
            )
        if version > SCHEMA_VERSION:
            raise JournalError(
                f"{self.path} was written by a newer crampcoach (journal version {version}; "
                f"this one reads up to version {SCHEMA_VERSION}). It was left untouched; "
                "update crampcoach to use it."
            )

    def _migrate(self) -> None:
        # IMMEDIATE takes the write lock first, so two processes opening a new or old
        # journal at once cannot both migrate it: the second sees the new version.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            version, app_id, has_tables = self._identity()
            self._refuse_unknown(version, app_id, has_tables)
            for step in range(version, SCHEMA_VERSION):
                MIGRATIONS[step](self._db)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._after_write()

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        with self._guard():
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def integrity_check(self) -> str:
        with self._guard():
            return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])

    # -- writing ----------------------------------------------------------------------------

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as e:
            raise _translate(self.path, e, self._busy_timeout_s) from None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One short transaction, committed (and synced) before the caller goes on."""
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        self._after_write()

    def _after_write(self) -> None:
        if not self._directory_synced and self.path.exists():
            _fsync_directory(self.path.parent)
            self._directory_synced = True

    def start_session(
        self,
        routine: str,
        routine_hash: str | None,
        steps_total: int,
        rating_before: int | None = None,
    ) -> str:
        """Record that a session has begun and return its id. Call it before the first cue:
        if the process is then killed, the session stays in the journal as interrupted."""
        routine_name = clean_text(routine, "the routine name")
        if routine_name is None:
            raise JournalError("a session needs the routine's name")
        if rating_before is not None:
            check_rating(rating_before, "the rating before the session")
        session_id = new_id()
        with self._write() as db:
            db.execute(
                "INSERT INTO sessions (uuid, routine, routine_hash, started_at, steps_total, "
                "rating_before) VALUES (?, ?, ?, ?, ?, ?)",
                (session_id, routine_name, routine_hash, to_text(self._clock()), steps_total,
                 rating_before),
            )
        return session_id

    def reach_step(self, session_id: str, step_index: int, step_title: str | None) -> None:
        """Note how far a running session got, so a killed session still shows it."""
        with self._write() as db:
            found = db.execute(
                "UPDATE sessions SET step_index = ?, step_title = ? "
                "WHERE uuid = ? AND ended_at IS NULL",
                (step_index, clean_text(step_title, "the step title"), session_id),
            ).rowcount
            if not found:
                raise JournalError(f"no running session {session_id} in {self.path}")

    def finish_session(
        self,
        session_id: str,
        status: SessionStatus,
        step_index: int | None,
        step_title: str | None,
        rating_after: int | None = None,
        note: str | None = None,
    ) -> Session:
        """Record how a session ended (``finished``, or ``stopped`` early at a step)."""
        if status not in ("finished", "stopped"):
            raise JournalError(f"a session ends finished or stopped, not {status!r}")
        if rating_after is not None:
            check_rating(rating_after, "the rating after the session")
        with self._write() as db:
            found = db.execute(
                "UPDATE sessions SET ended_at = max(?, started_at), status = ?, "
                "step_index = ?, step_title = ?, rating_after = ?, note = ? "
                "WHERE uuid = ? AND ended_at IS NULL",
                (to_text(self._clock()), status, step_index,
                 clean_text(step_title, "the step title"), rating_after,
                 clean_text(note, "the note"), session_id),
            ).rowcount
            if not found:
                raise JournalError(f"no running session {session_id} in {self.path}")
        return self.session(session_id)

    def add_rating(
        self, value: int, note: str | None = None, routine: str | None = None
    ) -> Rating:
        """Record a lone 0-10 rating now. It is on disk when this returns."""
        rating = Rating(
            id=new_id(),
            at=self._clock(),
            value=check_rating(value),
            note=clean_text(note, "the note"),
            routine=clean_text(routine, "the routine name"),
        )
        with self._write() as db:
            db.execute(
                f"INSERT INTO ratings ({_RATING_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                (rating.id, to_text(rating.at), rating.value, rating.note, rating.routine),
            )
        return rating

    def merge(self, sessions: Iterable[Session], ratings: Iterable[Rating]) -> ImportResult:
        """Add records from an export in one transaction: all of them or, on error, none.

        A record whose id is already here is not added again; a session that is
        interrupted here but has an end in the import gets that end.
        """
        added_sessions = added_ratings = seen = 0
        with self._write() as db:
            for s in sessions:
                here = db.execute(
                    "SELECT ended_at IS NULL FROM sessions WHERE uuid = ?", (s.id,)
                ).fetchone()
                if here is None:
                    db.execute(
                        f"INSERT INTO sessions ({_SESSION_COLUMNS}) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        _session_row(s),
                    )
                    added_sessions += 1
                    continue
                seen += 1
                if here[0] and s.ended_at is not None:
                    db.execute(
                        "UPDATE sessions SET ended_at = ?, status = ?, step_index = ?, "
                        "step_title = ?, rating_after = ?, note = ? WHERE uuid = ?",
                        (to_text(s.ended_at), s.status, s.step_index, s.step_title,
                         s.rating_after, s.note, s.id),
                    )
            for r in ratings:
                inserted = db.execute(
                    f"INSERT INTO ratings ({_RATING_COLUMNS}) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (uuid) DO NOTHING",
                    (r.id, to_text(r.at), r.value, r.note, r.routine),
                ).rowcount
                if inserted:
                    added_ratings += 1
                else:
                    seen += 1
        return ImportResult(added_sessions, added_ratings, seen)

    # -- reading ----------------------------------------------------------------------------

    def session(self, session_id: str) -> Session:
        with self._guard():
            row = self._db.execute(
                f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE uuid = ?", (session_id,)
            ).fetchone()
        if row is None:
            raise JournalError(f"no session {session_id} in {self.path}")
        return self._from_rows([row], _session_from_row, "session", (3, 4))[0]

    def sessions(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[Session]:
        """Sessions that started in ``[since, until)``, oldest first."""
        where, args = _time_window("started_at", since, until)
        with self._guard():
            rows = self._db.execute(
                f"SELECT {_SESSION_COLUMNS} FROM sessions {where} ORDER BY started_at, uuid", args
            ).fetchall()
        return self._from_rows(rows, _session_from_row, "session", (3, 4))

    def ratings(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[Rating]:
        """Lone ratings made in ``[since, until)``, oldest first."""
        where, args = _time_window("at", since, until)
        with self._guard():
            rows = self._db.execute(
                f"SELECT {_RATING_COLUMNS} FROM ratings {where} ORDER BY at, uuid", args
            ).fetchall()
        return self._from_rows(rows, _rating_from_row, "rating", (1,))

    def _from_rows(self, rows: Sequence[Sequence[Any]],
                   make: Callable[[Sequence[Any]], _Record], what: str,
                   times: tuple[int, ...]) -> list[_Record]:
        """Records from rows; a row edited by hand into an impossible time (month 13 passes
        the schema's pattern) is named, never shown as a traceback, and left as it is."""
        try:
            return [make(r) for r in rows]
        except ValueError:
            pass
        for row in rows:
            for column in times:
                text = row[column]
                try:
                    if text is not None:
                        from_text(text)
                except ValueError:
                    raise JournalError(
                        f"the journal {self.path} holds a {what} (id {row[0]}) with an "
                        f"impossible time {text!r}. It was left untouched; correct that time "
                        "with the sqlite3 program."
                    ) from None
        raise JournalError(f"the journal {self.path} holds a {what} that cannot be read")


def _session_row(s: Session) -> tuple[object, ...]:
    return (
        s.id, s.routine, s.routine_hash, to_text(s.started_at),
        None if s.ended_at is None else to_text(s.ended_at), s.status, s.step_index,
        s.step_title, s.steps_total, s.rating_before, s.rating_after, s.note,
    )


def _time_window(
    column: str, since: datetime | None, until: datetime | None
) -> tuple[str, tuple[str, ...]]:
    clauses: list[str] = []
    args: list[str] = []
    if since is not None:
        clauses.append(f"{column} >= ?")
        args.append(to_text(since))
    if until is not None:
        clauses.append(f"{column} < ?")
        args.append(to_text(until))
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), tuple(args)


def _translate(path: Path, error: sqlite3.Error, busy_timeout_s: float) -> JournalError:
    """Say what went wrong with the file and what to do; the file is never repaired."""
    text = str(error)
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return JournalError(
            f"the journal {path} is busy: another program held it for more than "
            f"{busy_timeout_s:g} s. Nothing was written; try again in a moment."
        )
    if "not a database" in lowered or "encrypted" in lowered:
        return JournalError(
            f"{path} is not a crampcoach journal (it is not an SQLite database). It was left "
            "untouched; move it aside or choose another file with --journal."
        )
    if "malformed" in lowered or "corrupt" in lowered:
        return JournalError(
            f"the journal {path} is damaged ({text}). It was left untouched: keep a copy of it "
            "and run 'crampcoach help damaged-journal' to see how to recover it."
        )
    if "readonly" in lowered or "unable to open" in lowered or "permission" in lowered:
        return JournalError(
            f"cannot write to the journal {path} ({text}). Check that the file and its folder "
            "belong to you (ls -l), or choose another file with --journal."
        )
    if isinstance(error, sqlite3.IntegrityError):
        return JournalError(f"the journal {path} refused a record: {text}")
    return JournalError(f"cannot use the journal {path}: {text}. It was left untouched.")
