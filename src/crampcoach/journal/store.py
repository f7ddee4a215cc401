"""The journal file: an SQLite database of sessions, lone ratings and the care record
(episodes, daily factors, medicines, blood results, questions and weekly check-ins).

Durability is the point of this module. Every write is one short transaction, committed
with ``synchronous=FULL`` in WAL mode before the call returns, so a rating whose command
exited 0 survives ``kill -9`` and a power cut. A file that cannot be opened safely (not a
database, someone else's database, a newer journal version, damaged, busy, not readable)
is never written to: :class:`JournalError` names the file and says what to do.

Timestamps are stored in UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` text, which sorts in time
order and reads plainly in any SQLite tool; they are shown in local time elsewhere.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import os
import sqlite3
import stat
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, Self, TypeVar

from crampcoach.care import Outcome
from crampcoach.errors import JournalError, RecordError
from crampcoach.journal import rules

SessionStatus = Literal["finished", "stopped"]
_Record = TypeVar("_Record")
Clock = Callable[[], datetime]
EpisodeKind = Literal["cramp", "spasm", "twitching", "stiffness"]
Side = Literal["left", "right", "both"]
MedicineChange = Literal["start", "change", "stop"]

EPISODE_KINDS: tuple[EpisodeKind, ...] = ("cramp", "spasm", "twitching", "stiffness")
SIDES: tuple[Side, ...] = ("left", "right", "both")
#: Signs in the limb an episode can carry (any of them calls for the urgent tier).
LIMB_SIGNS: tuple[str, ...] = ("swollen", "red", "warm", "painful")
MEDICINE_CHANGES: tuple[MedicineChange, ...] = ("start", "change", "stop")
#: Upper bounds that catch a slip of the finger, not medical limits.
MAX_GLASSES = 40
MAX_DRINKS = 30
MAX_EPISODE_S = 24 * 3600
MAX_NAME = rules.MAX_NAME
MAX_TAG = 40

SCHEMA_VERSION = 4
# Marks the file as a crampcoach journal, so another program's SQLite database is refused
# rather than migrated ("crcj" in ASCII).
APPLICATION_ID = 0x6372636A
SQLITE_HEADER = b"SQLite format 3\x00"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
DEFAULT_BUSY_TIMEOUT_S = 10.0
MAX_TEXT = rules.MAX_TEXT


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
class Episode:
    """One cramp, spasm, bout of twitching or stiffness: when, what, where, how long, how
    bad (0-10), what helped. ``session_id`` links the one recorded for a session started
    hands-free, which has only its time, routine and rating until it is completed."""

    id: str
    at: datetime
    kind: EpisodeKind | None = None
    body_part: str | None = None
    side: Side | None = None
    duration_s: int | None = None
    severity: int | None = None
    helped: str | None = None
    note: str | None = None
    routine: str | None = None
    session_id: str | None = None
    #: Whether it eased (None: not said); ``signs`` from :data:`LIMB_SIGNS`.
    eased: bool | None = None
    signs: tuple[str, ...] = ()
    #: What happened since, in the person's words: it answers an urgent episode's flag.
    follow_up: str | None = None

    @property
    def complete(self) -> bool:
        """What, where and how long are known (what helped may rightly be nothing)."""
        return None not in (self.kind, self.body_part, self.duration_s)


@dataclass(frozen=True, slots=True)
class DayFactors:
    """What may drive the cramps on one local day; every field may be left out."""

    day: date
    fluids_glasses: int | None = None
    caffeine_drinks: int | None = None
    alcohol_drinks: int | None = None
    heat: bool | None = None
    exertion: int | None = None
    stress: int | None = None
    sleep_hours: float | None = None
    sleep_quality: int | None = None
    bladder_bowel: bool | None = None
    infection: bool | None = None
    tags: tuple[str, ...] = ()


#: The factor fields in the order they are shown, stored and exported.
FACTOR_FIELDS = (
    "fluids_glasses", "caffeine_drinks", "alcohol_drinks", "heat", "exertion", "stress",
    "sleep_hours", "sleep_quality", "bladder_bowel", "infection",
)


@dataclass(frozen=True, slots=True)
class MedicineEvent:
    """A medicine or supplement started, changed (new dose) or stopped on a day."""

    id: str
    day: date
    name: str
    change: MedicineChange
    dose: str | None = None
    supplement: bool = False
    note: str | None = None
    recorded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class BloodResult:
    """A blood test result exactly as the person typed it: never read as a number."""

    id: str
    day: date
    test: str
    value: str
    unit: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Question:
    """Something the person wants to ask the neurologist."""

    id: str
    at: datetime
    text: str
    done_at: datetime | None = None


#: The four check-in questions' keys, in the order they are asked.
CHECKIN_KEYS = ("painful", "more_often", "weakness", "daily_life")


@dataclass(frozen=True, slots=True)
class Checkin:
    """The weekly check-in: a yes (True), no (False) or no answer (None) to each question."""

    id: str
    at: datetime
    painful: bool | None
    more_often: bool | None
    weakness: bool | None
    daily_life: bool | None

    def answer(self, key: str) -> bool | None:
        value: bool | None = getattr(self, key)
        return value


@dataclass(frozen=True, slots=True)
class CareRecords:
    """Everything in the care record, as read out of the journal or from an export."""

    episodes: tuple[Episode, ...] = ()
    factors: tuple[DayFactors, ...] = ()
    medicines: tuple[MedicineEvent, ...] = ()
    blood: tuple[BloodResult, ...] = ()
    questions: tuple[Question, ...] = ()
    checkins: tuple[Checkin, ...] = ()

    def __len__(self) -> int:
        return (len(self.episodes) + len(self.factors) + len(self.medicines) + len(self.blood)
                + len(self.questions) + len(self.checkins))


@dataclass(frozen=True, slots=True)
class ImportResult:
    sessions_added: int
    ratings_added: int
    already_present: int
    care_added: int = 0


def check_rating(value: int, what: str = "a rating") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise JournalError(
            f"{what} is a whole number from 0 (no cramps) to 10 (worst); got {rules.echo(value)}"
        )
    return value


def clean_text(value: str | None, what: str) -> str | None:
    """Empty text is kept as None, so an export and its import agree on what is missing."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RecordError(f"{what} must be text")
    return rules.check_text(value, what)


def check_whole(value: int | None, what: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RecordError(f"{what} is a whole number from {low} to {high}; got {rules.echo(value)}")
    return value


def check_hours(value: float | None, what: str) -> float | None:
    if value is None:
        return None
    if (isinstance(value, bool) or not isinstance(value, int | float)
            or not math.isfinite(value) or not 0 <= value <= 24):
        raise RecordError(f"{what} is a number of hours from 0 to 24; got {rules.echo(value)}")
    return float(value)


def clean_name(value: str | None, what: str) -> str | None:
    """A short one-line name (a body part, a medicine, a blood test, a tag)."""
    text = clean_text(value.strip() if value is not None else None, what)
    if text is None:
        return None
    if len(text) > MAX_NAME or any(not c.isprintable() for c in text):
        raise RecordError(
            f"{what} is one line of at most {MAX_NAME} printable characters; got {rules.echo(text)}"
        )
    return text


def clean_tag(value: str) -> str:
    tag = value.strip().lower()
    if not tag or len(tag) > MAX_TAG or "," in tag or any(not c.isprintable() for c in tag):
        raise RecordError(
            f"a tag is a word or two (at most {MAX_TAG} characters, no commas); "
            f"got {rules.echo(value)}"
        )
    return tag


def check_choice(value: str | None, what: str, choices: Sequence[str]) -> str | None:
    if value is None:
        return None
    if value not in choices:
        raise RecordError(f"{what} is one of {', '.join(choices)}; got {rules.echo(value)}")
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


_DAY_CHECK = "GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'"


def _whole_check(column: str, low: int, high: int) -> str:
    return (f"CHECK ({column} IS NULL OR "
            f"(typeof({column}) = 'integer' AND {column} BETWEEN {low} AND {high}))")


def _flag_check(column: str) -> str:
    return f"CHECK ({column} IS NULL OR {column} IN (0, 1))"


# Version 3: the care record. Episodes, daily factors (one row per local day), medicine and
# supplement changes, blood results as typed, the person's questions and weekly check-ins.
# Days are local calendar dates (YYYY-MM-DD): a factor or a dose belongs to the day the
# person lived, whatever the time zone later.
_V3_TABLES = f"""
CREATE TABLE episodes (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE CHECK (length(uuid) BETWEEN 1 AND 64),
    at TEXT NOT NULL CHECK (at {_TIME_CHECK}),
    kind TEXT CHECK (kind IS NULL OR kind IN ('cramp', 'spasm', 'twitching', 'stiffness')),
    body_part TEXT,
    side TEXT CHECK (side IS NULL OR side IN ('left', 'right', 'both')),
    duration_s INTEGER {_whole_check("duration_s", 0, MAX_EPISODE_S)},
    severity INTEGER {_rating_check("severity")},
    helped TEXT,
    note TEXT,
    routine TEXT,
    session_uuid TEXT
);
CREATE INDEX episodes_by_time ON episodes (at);
CREATE TABLE factors (
    day TEXT PRIMARY KEY CHECK (day {_DAY_CHECK}),
    fluids_glasses INTEGER {_whole_check("fluids_glasses", 0, MAX_GLASSES)},
    caffeine_drinks INTEGER {_whole_check("caffeine_drinks", 0, MAX_DRINKS)},
    alcohol_drinks INTEGER {_whole_check("alcohol_drinks", 0, MAX_DRINKS)},
    heat INTEGER {_flag_check("heat")},
    exertion INTEGER {_whole_check("exertion", 0, 10)},
    stress INTEGER {_whole_check("stress", 0, 10)},
    sleep_hours REAL CHECK (sleep_hours IS NULL OR sleep_hours BETWEEN 0 AND 24),
    sleep_quality INTEGER {_whole_check("sleep_quality", 0, 10)},
    bladder_bowel INTEGER {_flag_check("bladder_bowel")},
    infection INTEGER {_flag_check("infection")},
    tags TEXT
) WITHOUT ROWID;
CREATE TABLE medicines (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE CHECK (length(uuid) BETWEEN 1 AND 64),
    day TEXT NOT NULL CHECK (day {_DAY_CHECK}),
    name TEXT NOT NULL CHECK (length(name) > 0),
    change TEXT NOT NULL CHECK (change IN ('start', 'change', 'stop')),
    dose TEXT,
    supplement INTEGER NOT NULL DEFAULT 0 CHECK (supplement IN (0, 1)),
    note TEXT,
    recorded_at TEXT CHECK (recorded_at IS NULL OR recorded_at {_TIME_CHECK})
);
CREATE INDEX medicines_by_day ON medicines (day);
CREATE TABLE blood_results (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE CHECK (length(uuid) BETWEEN 1 AND 64),
    day TEXT NOT NULL CHECK (day {_DAY_CHECK}),
    test TEXT NOT NULL CHECK (length(test) > 0),
    value TEXT NOT NULL CHECK (length(value) > 0),
    unit TEXT,
    note TEXT
);
CREATE TABLE questions (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE CHECK (length(uuid) BETWEEN 1 AND 64),
    at TEXT NOT NULL CHECK (at {_TIME_CHECK}),
    text TEXT NOT NULL CHECK (length(text) > 0),
    done_at TEXT CHECK (done_at IS NULL OR done_at {_TIME_CHECK})
);
CREATE TABLE checkins (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE CHECK (length(uuid) BETWEEN 1 AND 64),
    at TEXT NOT NULL CHECK (at {_TIME_CHECK}),
    painful INTEGER {_flag_check("painful")},
    more_often INTEGER {_flag_check("more_often")},
    weakness INTEGER {_flag_check("weakness")},
    daily_life INTEGER {_flag_check("daily_life")}
);
CREATE INDEX checkins_by_time ON checkins (at);
"""


def _migrate_2_to_3(db: sqlite3.Connection) -> None:
    # Only new tables: every session and rating stays exactly as it was.
    for statement in _V3_TABLES.split(";"):
        if statement.strip():
            db.execute(statement)


def _migrate_3_to_4(db: sqlite3.Connection) -> None:
    # Version 4: what the urgent tier needs of an episode, asked in structured form (did it
    # ease, signs in the limb), and the follow-up that answers its flag. Old rows: not said.
    db.execute(f"ALTER TABLE episodes ADD COLUMN eased INTEGER {_flag_check('eased')}")
    db.execute("ALTER TABLE episodes ADD COLUMN signs TEXT")
    db.execute("ALTER TABLE episodes ADD COLUMN follow_up TEXT")


# MIGRATIONS[n] takes a journal from version n to n + 1.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _migrate_0_to_1, _migrate_1_to_2, _migrate_2_to_3, _migrate_3_to_4,
)
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

    def rate_session(self, session_id: str, rating_after: int | None,
                     note: str | None = None) -> Session:
        """Add what came after a session's end was recorded: the rating after it, and a
        note (kept as it was when None). The end itself is not moved."""
        if rating_after is not None:
            check_rating(rating_after, "the rating after the session")
        with self._write() as db:
            found = db.execute(
                "UPDATE sessions SET rating_after = coalesce(?, rating_after), "
                "note = coalesce(?, note) WHERE uuid = ? AND ended_at IS NOT NULL",
                (rating_after, clean_text(note, "the note"), session_id),
            ).rowcount
            if not found:
                raise JournalError(f"no ended session {session_id} in {self.path}")
        return self.session(session_id)

    def add_rating(
        self, value: int, note: str | None = None, routine: str | None = None,
        at: datetime | None = None,
    ) -> Rating:
        """Record a lone 0-10 rating (at ``at``, else now). It is on disk when this returns."""
        rating = Rating(
            id=new_id(),
            at=self._clock() if at is None else _check_moment(at, "the rating's time"),
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

    def merge(
        self,
        sessions: Iterable[Session],
        ratings: Iterable[Rating],
        care: CareRecords | None = None,
    ) -> ImportResult:
        """Add records from an export in one transaction: all of them or, on error, none.

        A record whose id is already here is not added again; a session that is
        interrupted here but has an end in the import gets that end.
        """
        added_sessions = added_ratings = seen = care_added = 0
        with self._write() as db:
            if care is not None:
                care_added, seen = _merge_care(db, care)
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
        return ImportResult(added_sessions, added_ratings, seen, care_added)

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

    def iter_ratings(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> Iterator[Rating]:
        """The ratings of :meth:`ratings`, in the same order, read a few hundred rows at a
        time: a dense journal is never held whole (``history`` over years of them)."""
        where, args = _time_window("at", since, until)
        with self._guard():
            cursor = self._db.execute(
                f"SELECT {_RATING_COLUMNS} FROM ratings {where} ORDER BY at, uuid", args)
        while True:
            with self._guard():
                rows = cursor.fetchmany(512)
            if not rows:
                return
            yield from self._from_rows(rows, _rating_from_row, "rating", (1,))

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

    # -- the care record: writing ---------------------------------------------------------

    def add_episode(
        self,
        *,
        at: datetime | None = None,
        kind: str | None = None,
        body_part: str | None = None,
        side: str | None = None,
        duration_s: int | None = None,
        severity: int | None = None,
        helped: str | None = None,
        note: str | None = None,
        routine: str | None = None,
        session_id: str | None = None,
        eased: bool | None = None,
        signs: Iterable[str] = (),
        follow_up: str | None = None,
    ) -> Episode:
        """Record an episode (at ``at``, else now). Anything not known yet may be left out
        and added later with :meth:`update_episode`."""
        episode = _checked_episode(Episode(
            new_id(), self._clock() if at is None else at, kind,  # type: ignore[arg-type]
            body_part, side, duration_s, severity, helped, note,  # type: ignore[arg-type]
            routine, session_id, eased, tuple(signs), follow_up,
        ))
        with self._write() as db:
            db.execute(f"INSERT INTO episodes ({_EPISODE_COLUMNS}) VALUES ({_marks(14)})",
                       _episode_row(episode))
        return episode

    def episode_for_session(self, session_id: str) -> Episode:
        """The episode of a session started hands-free (the bedside button at night): its
        time, routine and rating, to be completed later. Asking twice gives the same one."""
        with self._guard():
            row = self._db.execute(
                f"SELECT {_EPISODE_COLUMNS} FROM episodes WHERE session_uuid = ?", (session_id,)
            ).fetchone()
        if row is not None:
            return _episode_from_row(row)
        session = self.session(session_id)
        ratings = [r for r in (session.rating_before, session.rating_after) if r is not None]
        return self.add_episode(at=session.started_at, severity=max(ratings, default=None),
                                routine=session.routine, session_id=session_id)

    def update_episode(self, episode_id: str, **changes: object) -> Episode:
        """Complete or correct an episode: each given field (not None) replaces the old one."""
        unknown = sorted(set(changes) - set(_EPISODE_EDITABLE))
        if unknown:
            raise RecordError(f"an episode has no field {unknown[0]!r}")
        current = self.episode(episode_id)
        given = {k: (_sign_list(v) if k == "signs" else v)
                 for k, v in changes.items() if v is not None and v != ()}
        episode = _checked_episode(_replace(current, given))
        with self._write() as db:
            row = dict(zip(_EPISODE_COLUMNS.split(", "), _episode_row(episode), strict=True))
            db.execute(
                "UPDATE episodes SET " + ", ".join(f"{k} = ?" for k in _EPISODE_EDITABLE)
                + " WHERE uuid = ?",
                (*(row[k] for k in _EPISODE_EDITABLE), episode_id),
            )
        return episode

    def set_factors(self, day: date, *, tags: Iterable[str] = (), **values: object) -> DayFactors:
        """Record factors for a local day. Given values replace that day's old ones; tags
        are added to the day's tags. Returns the whole day as now recorded."""
        unknown = sorted(set(values) - set(FACTOR_FIELDS))
        if unknown:
            raise RecordError(f"there is no daily factor {unknown[0]!r}")
        current = self.day_factors(day) or DayFactors(day)
        given = {k: v for k, v in values.items() if v is not None}
        new_tags = tuple(dict.fromkeys((*current.tags, *(clean_tag(t) for t in tags))))
        factors = _checked_factors(_replace(current, {**given, "tags": new_tags}))
        with self._write() as db:
            db.execute(f"INSERT OR REPLACE INTO factors ({_FACTOR_COLUMNS}) "
                       f"VALUES ({_marks(12)})", _factors_row(factors))
        return factors

    def add_medicine(
        self,
        name: str,
        change: str,
        day: date,
        *,
        dose: str | None = None,
        supplement: bool = False,
        note: str | None = None,
    ) -> MedicineEvent:
        """Record that a medicine or supplement was started, changed or stopped on ``day``.

        A change or stop needs the medicine to be taken on that day (a start recorded on or
        before it), and a start needs it not to be; the name matches whatever its case."""
        clean = clean_name(name, "the medicine's name")
        if clean is None:
            raise RecordError("a medicine needs its name")
        check_choice(change, "what happened to the medicine", MEDICINE_CHANGES)
        before = [m for m in self.medicines() if m.name.casefold() == clean.casefold()
                  and m.day <= day]
        taking = bool(before) and before[-1].change != "stop"
        if change == "start" and taking:
            raise RecordError(
                f"{before[-1].name} is already recorded as taken on {day} (started "
                f"{_last_start(before).day}); record a new dose with 'change' instead"
            )
        if change != "start" and not taking:
            raise RecordError(
                f"{clean} is not recorded as taken on {day}; record its start first (with the "
                "day it began)"
            )
        if before:
            clean = before[-1].name  # one spelling per medicine, the first one used
            supplement = supplement or before[-1].supplement
        if change == "change" and not dose:
            raise RecordError("a change of medicine needs the new dose")
        event = _checked_medicine(MedicineEvent(
            new_id(), day, clean, change, dose, supplement, note,  # type: ignore[arg-type]
            self._clock(),
        ))
        with self._write() as db:
            db.execute(f"INSERT INTO medicines ({_MEDICINE_COLUMNS}) VALUES ({_marks(8)})",
                       _medicine_row(event))
        return event

    def add_blood_result(
        self, day: date, test: str, value: str, unit: str | None = None,
        note: str | None = None,
    ) -> BloodResult:
        """Record a blood result as typed; the value is kept as text and never interpreted."""
        result = _checked_blood(BloodResult(new_id(), day, test, value, unit, note))
        with self._write() as db:
            db.execute(f"INSERT INTO blood_results ({_BLOOD_COLUMNS}) VALUES ({_marks(6)})",
                       _blood_row(result))
        return result

    def add_question(self, text: str, at: datetime | None = None) -> Question:
        """Note a question for the neurologist (asked at ``at``, else now)."""
        question = _checked_question(Question(new_id(), self._clock() if at is None else at,
                                              text))
        with self._write() as db:
            db.execute(f"INSERT INTO questions ({_QUESTION_COLUMNS}) VALUES ({_marks(4)})",
                       _question_row(question))
        return question

    def question_done(self, question_id: str) -> Question:
        """Mark a question as asked: it no longer goes in the report."""
        with self._write() as db:
            found = db.execute(
                "UPDATE questions SET done_at = max(?, at) WHERE uuid = ? AND done_at IS NULL",
                (to_text(self._clock()), question_id),
            ).rowcount
        if not found:
            raise JournalError(f"no open question {question_id} in {self.path}")
        return next(q for q in self.questions(include_done=True) if q.id == question_id)

    def add_checkin(self, answers: dict[str, bool | None],
                    at: datetime | None = None) -> Checkin:
        """Record the weekly check-in's answers (keys from :data:`CHECKIN_KEYS`), given at
        ``at`` (else now)."""
        unknown = sorted(set(answers) - set(CHECKIN_KEYS))
        if unknown:
            raise RecordError(f"the check-in has no question {unknown[0]!r}")
        checkin = _checked_checkin(Checkin(
            new_id(), self._clock() if at is None else at, *(answers.get(k) for k in CHECKIN_KEYS)
        ))
        with self._write() as db:
            db.execute(f"INSERT INTO checkins ({_CHECKIN_COLUMNS}) VALUES ({_marks(6)})",
                       _checkin_row(checkin))
        return checkin

    # -- the care record: reading ---------------------------------------------------------

    def episode(self, episode_id: str) -> Episode:
        with self._guard():
            row = self._db.execute(
                f"SELECT {_EPISODE_COLUMNS} FROM episodes WHERE uuid = ?", (episode_id,)
            ).fetchone()
        if row is None:
            raise JournalError(f"no episode {episode_id} in {self.path}")
        return _episode_from_row(row)

    def episodes(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[Episode]:
        """Episodes in ``[since, until)``, oldest first."""
        where, args = _time_window("at", since, until)
        with self._guard():
            rows = self._db.execute(
                f"SELECT {_EPISODE_COLUMNS} FROM episodes {where} ORDER BY at, uuid", args
            ).fetchall()
        return [_episode_from_row(r) for r in rows]

    def pending_episodes(self) -> list[Episode]:
        """Episodes still missing what, where or how long, oldest first."""
        with self._guard():
            rows = self._db.execute(
                f"SELECT {_EPISODE_COLUMNS} FROM episodes WHERE kind IS NULL OR "
                "body_part IS NULL OR duration_s IS NULL ORDER BY at, uuid"
            ).fetchall()
        return [_episode_from_row(r) for r in rows]

    def latest_episode(self) -> Episode | None:
        """The latest episode not yet completed, else the latest of all (None if none)."""
        pending = self.pending_episodes()
        if pending:
            return pending[-1]
        return self.last_episode()

    def first_record_at(self) -> datetime | None:
        """When the person began logging: the earliest session, rating, episode or
        check-in (indexed lookups; daily records count from their day's start in UTC)."""
        with self._guard():
            # One query each: SQLite answers a lone min() from the index at once.
            found = [row[0] for row in (
                self._db.execute(f"SELECT min({column}) FROM {table}").fetchone()
                for table, column in (("sessions", "started_at"), ("ratings", "at"),
                                      ("episodes", "at"), ("checkins", "at")))
                if row[0] is not None]
            day = self._db.execute("SELECT min(day) FROM factors").fetchone()[0]
        moments = [from_text(t) for t in found]
        if day is not None:
            moments.append(datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC))
        return min(moments, default=None)

    def last_episode(self) -> Episode | None:
        """The latest episode by its time (None if none)."""
        with self._guard():
            # The latest time from the index first: an ORDER BY over two columns sorted
            # every episode.
            row = self._db.execute(
                f"SELECT {_EPISODE_COLUMNS} FROM episodes WHERE at = "
                "(SELECT max(at) FROM episodes) ORDER BY uuid DESC LIMIT 1"
            ).fetchone()
        return None if row is None else _episode_from_row(row)

    def day_factors(self, day: date) -> DayFactors | None:
        found = self.factors(day, day)
        return found[0] if found else None

    def factors(self, first: date | None = None, last: date | None = None) -> list[DayFactors]:
        """Each local day's factors from ``first`` to ``last`` (both included), in order."""
        clauses = [c for c, v in (("day >= ?", first), ("day <= ?", last)) if v is not None]
        args = tuple(v.isoformat() for v in (first, last) if v is not None)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        with self._guard():
            rows = self._db.execute(
                f"SELECT {_FACTOR_COLUMNS} FROM factors {where} ORDER BY day", args
            ).fetchall()
        return [_factors_from_row(r) for r in rows]

    def medicines(self) -> list[MedicineEvent]:
        """Every medicine and supplement change, in the order they happened."""
        with self._guard():
            rows = self._db.execute(
                f"SELECT {_MEDICINE_COLUMNS} FROM medicines ORDER BY day, id"
            ).fetchall()
        return [_medicine_from_row(r) for r in rows]

    def blood_results(self) -> list[BloodResult]:
        with self._guard():
            rows = self._db.execute(
                f"SELECT {_BLOOD_COLUMNS} FROM blood_results ORDER BY day, id"
            ).fetchall()
        return [_blood_from_row(r) for r in rows]

    def questions(self, *, include_done: bool = False) -> list[Question]:
        where = "" if include_done else "WHERE done_at IS NULL"
        with self._guard():
            rows = self._db.execute(
                f"SELECT {_QUESTION_COLUMNS} FROM questions {where} ORDER BY at, id"
            ).fetchall()
        return [_question_from_row(r) for r in rows]

    def checkins(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[Checkin]:
        where, args = _time_window("at", since, until)
        with self._guard():
            rows = self._db.execute(
                f"SELECT {_CHECKIN_COLUMNS} FROM checkins {where} ORDER BY at, uuid", args
            ).fetchall()
        return [_checkin_from_row(r) for r in rows]

    def care(
        self, since: datetime | None = None, until: datetime | None = None,
        first_day: date | None = None, last_day: date | None = None,
    ) -> CareRecords:
        """The care record: timed records in ``[since, until)``, daily ones from
        ``first_day`` to ``last_day``; medicines and open questions always whole (a dose
        started years ago is still the dose taken)."""
        blood = self.blood_results()
        if first_day is not None or last_day is not None:
            blood = [b for b in blood if (first_day is None or b.day >= first_day)
                     and (last_day is None or b.day <= last_day)]
        return CareRecords(
            episodes=tuple(self.episodes(since, until)),
            factors=tuple(self.factors(first_day, last_day)),
            medicines=tuple(self.medicines()),
            blood=tuple(blood),
            questions=tuple(self.questions(include_done=True)),
            checkins=tuple(self.checkins(since, until)),
        )


# --- the care record's rows ----------------------------------------------------------------------

_EPISODE_COLUMNS = ("uuid, at, kind, body_part, side, duration_s, severity, helped, note, "
                    "routine, session_uuid, eased, signs, follow_up")
_EPISODE_EDITABLE = ("at", "kind", "body_part", "side", "duration_s", "severity", "helped",
                     "note", "routine", "eased", "signs", "follow_up")
_FACTOR_COLUMNS = "day, " + ", ".join(FACTOR_FIELDS) + ", tags"
_MEDICINE_COLUMNS = "uuid, day, name, change, dose, supplement, note, recorded_at"
_BLOOD_COLUMNS = "uuid, day, test, value, unit, note"
_QUESTION_COLUMNS = "uuid, at, text, done_at"
_CHECKIN_COLUMNS = "uuid, at, " + ", ".join(CHECKIN_KEYS)


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _replace(record: Any, changes: dict[str, Any]) -> Any:
    return dataclasses.replace(record, **changes)


def _optional_time(moment: datetime | None) -> str | None:
    return None if moment is None else to_text(moment)


def _flag(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def _flag_value(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _check_flag(value: object, what: str) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise RecordError(f"{what} is yes or no; got {rules.echo(value)}")
    return value


def _check_moment(value: object, what: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise RecordError(f"{what} must be a time with its time zone; got {value!r}")
    return rules.check_moment(value, what)


def _check_day(value: object, what: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise RecordError(f"{what} must be a calendar day; got {value!r}")
    return rules.check_day(value, what)


def _checked_episode(e: Episode) -> Episode:
    return Episode(
        id=e.id,
        at=_check_moment(e.at, "the episode's time"),
        kind=check_choice(e.kind, "the kind of episode", EPISODE_KINDS),  # type: ignore[arg-type]
        body_part=clean_name(e.body_part, "the body part"),
        side=check_choice(e.side, "the side", SIDES),  # type: ignore[arg-type]
        duration_s=check_whole(e.duration_s, "how long it lasted (seconds)", 0, MAX_EPISODE_S),
        severity=check_whole(e.severity, "how bad it was (0 none, 10 worst)", 0, 10),
        helped=clean_text(e.helped, "what helped"),
        note=clean_text(e.note, "the note"),
        routine=clean_text(e.routine, "the routine name"),
        session_id=clean_text(e.session_id, "the session id"),
        eased=_check_flag(e.eased, "whether it eased"),
        signs=_check_signs(e.signs),
        follow_up=clean_text(e.follow_up, "the follow-up"),
    )


def _sign_list(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


def _check_signs(signs: object) -> tuple[str, ...]:
    """Signs in the limb, each one of :data:`LIMB_SIGNS`, in that order, without repeats."""
    if isinstance(signs, str) or not isinstance(signs, Iterable):
        raise RecordError(f"the signs are a list of {', '.join(LIMB_SIGNS)}; got {signs!r}")
    given = set()
    for sign in signs:
        if sign not in LIMB_SIGNS:
            raise RecordError(
                f"{sign!r} is not a sign this records: use {', '.join(LIMB_SIGNS)}")
        given.add(sign)
    return tuple(s for s in LIMB_SIGNS if s in given)


def _checked_factors(f: DayFactors) -> DayFactors:
    return DayFactors(
        day=_check_day(f.day, "the day"),
        fluids_glasses=check_whole(f.fluids_glasses, "fluids (glasses)", 0, MAX_GLASSES),
        caffeine_drinks=check_whole(f.caffeine_drinks, "caffeine (drinks)", 0, MAX_DRINKS),
        alcohol_drinks=check_whole(f.alcohol_drinks, "alcohol (drinks)", 0, MAX_DRINKS),
        heat=_check_flag(f.heat, "heat exposure"),
        exertion=check_whole(f.exertion, "exertion", 0, 10),
        stress=check_whole(f.stress, "stress", 0, 10),
        sleep_hours=check_hours(f.sleep_hours, "sleep"),
        sleep_quality=check_whole(f.sleep_quality, "sleep quality", 0, 10),
        bladder_bowel=_check_flag(f.bladder_bowel, "bladder or bowel trouble"),
        infection=_check_flag(f.infection, "signs of infection"),
        tags=tuple(dict.fromkeys(clean_tag(t) for t in f.tags)),
    )


def _checked_medicine(m: MedicineEvent) -> MedicineEvent:
    name = clean_name(m.name, "the medicine's name")
    if name is None:
        raise RecordError("a medicine needs its name")
    return MedicineEvent(
        id=m.id,
        day=_check_day(m.day, "the day"),
        name=name,
        change=check_choice(m.change, "what happened", MEDICINE_CHANGES),  # type: ignore[arg-type]
        dose=clean_name(m.dose, "the dose"),
        supplement=bool(_check_flag(m.supplement, "supplement")),
        note=clean_text(m.note, "the note"),
        recorded_at=None if m.recorded_at is None else _check_moment(m.recorded_at, "the time"),
    )


def _checked_blood(b: BloodResult) -> BloodResult:
    test = clean_name(b.test, "the test's name")
    value = clean_name(b.value, "the value")
    if test is None or value is None:
        raise RecordError("a blood result needs the test's name and its value")
    return BloodResult(b.id, _check_day(b.day, "the day"), test, value,
                       clean_name(b.unit, "the unit"), clean_text(b.note, "the note"))


def _checked_question(q: Question) -> Question:
    text = clean_text(q.text.strip() if isinstance(q.text, str) else q.text, "the question")
    if text is None:
        raise RecordError("a question needs its words")
    at = _check_moment(q.at, "the question's time")
    done = None if q.done_at is None else _check_moment(q.done_at, "when it was asked")
    return Question(q.id, at, text, None if done is None else max(done, at))


def _checked_checkin(c: Checkin) -> Checkin:
    return Checkin(c.id, _check_moment(c.at, "the check-in's time"),
                   *(_check_flag(c.answer(k), k) for k in CHECKIN_KEYS))


def validated(record: Any) -> Any:
    """A care record checked as the journal checks it on the way in (an import uses the
    same rules as the commands); raises :class:`JournalError` with what is wrong."""
    checks: dict[type, Callable[[Any], Any]] = {
        Episode: _checked_episode, DayFactors: _checked_factors,
        MedicineEvent: _checked_medicine, BloodResult: _checked_blood,
        Question: _checked_question, Checkin: _checked_checkin,
    }
    return checks[type(record)](record)


def _episode_row(e: Episode) -> tuple[object, ...]:
    return (e.id, to_text(e.at), e.kind, e.body_part, e.side, e.duration_s, e.severity,
            e.helped, e.note, e.routine, e.session_id, _flag_value(e.eased),
            ",".join(e.signs) or None, e.follow_up)


def _episode_from_row(row: Sequence[Any]) -> Episode:
    uid, at, kind, body_part, side, duration_s, severity, helped, note, routine, session, \
        eased, signs, follow_up = row
    return Episode(uid, from_text(at), kind, body_part, side, duration_s, severity, helped,
                   note, routine, session, eased=_flag(eased),
                   signs=tuple(signs.split(",")) if signs else (), follow_up=follow_up)


def _factors_row(f: DayFactors) -> tuple[object, ...]:
    values = [getattr(f, k) for k in FACTOR_FIELDS]
    return (f.day.isoformat(),
            *(_flag_value(v) if isinstance(v, bool) else v for v in values),
            ",".join(f.tags) or None)


def _factors_from_row(row: Sequence[Any]) -> DayFactors:
    day, *values, tags = row
    fields = dict(zip(FACTOR_FIELDS, values, strict=True))
    for key in ("heat", "bladder_bowel", "infection"):
        fields[key] = _flag(fields[key])
    return DayFactors(date.fromisoformat(day), **fields,
                      tags=tuple(tags.split(",")) if tags else ())


def _medicine_row(m: MedicineEvent) -> tuple[object, ...]:
    return (m.id, m.day.isoformat(), m.name, m.change, m.dose, int(m.supplement), m.note,
            _optional_time(m.recorded_at))


def _medicine_from_row(row: Sequence[Any]) -> MedicineEvent:
    uid, day, name, change, dose, supplement, note, recorded = row
    return MedicineEvent(uid, date.fromisoformat(day), name, change, dose, bool(supplement),
                         note, None if recorded is None else from_text(recorded))


def _blood_row(b: BloodResult) -> tuple[object, ...]:
    return (b.id, b.day.isoformat(), b.test, b.value, b.unit, b.note)


def _blood_from_row(row: Sequence[Any]) -> BloodResult:
    uid, day, *rest = row
    return BloodResult(uid, date.fromisoformat(day), *rest)


def _question_row(q: Question) -> tuple[object, ...]:
    return (q.id, to_text(q.at), q.text, _optional_time(q.done_at))


def _question_from_row(row: Sequence[Any]) -> Question:
    uid, at, text, done = row
    return Question(uid, from_text(at), text, None if done is None else from_text(done))


def _checkin_row(c: Checkin) -> tuple[object, ...]:
    return (c.id, to_text(c.at), *(_flag_value(c.answer(k)) for k in CHECKIN_KEYS))


def _checkin_from_row(row: Sequence[Any]) -> Checkin:
    uid, at, *answers = row
    return Checkin(uid, from_text(at), *(_flag(a) for a in answers))


def _merge_care(db: sqlite3.Connection, care: CareRecords) -> tuple[int, int]:
    """Add an export's care records; returns (added, already here). Records with an id
    already here are skipped; a day's factors fill only what the journal does not have for
    that day yet (what was typed here wins), and add its tags."""
    added = seen = 0
    tables: tuple[tuple[str, str, int, Iterable[tuple[object, ...]]], ...] = (
        ("episodes", _EPISODE_COLUMNS, 14, map(_episode_row, care.episodes)),
        ("medicines", _MEDICINE_COLUMNS, 8, map(_medicine_row, care.medicines)),
        ("blood_results", _BLOOD_COLUMNS, 6, map(_blood_row, care.blood)),
        ("questions", _QUESTION_COLUMNS, 4, map(_question_row, care.questions)),
        ("checkins", _CHECKIN_COLUMNS, 6, map(_checkin_row, care.checkins)),
    )
    for table, columns, count, rows in tables:
        for row in rows:
            inserted = db.execute(
                f"INSERT INTO {table} ({columns}) VALUES ({_marks(count)}) "
                "ON CONFLICT (uuid) DO NOTHING", row,
            ).rowcount
            added += inserted
            seen += 1 - inserted
    if care.medicines:
        every = [_medicine_from_row(r) for r in db.execute(
            f"SELECT {_MEDICINE_COLUMNS} FROM medicines ORDER BY day, id")]
        problem = rules.medicine_order_problem(every)
        if problem is not None:
            raise RecordError(f"the medicines imported would not make sense: {problem}. "
                              "Nothing was imported.")
    for f in care.factors:
        here = db.execute(f"SELECT {_FACTOR_COLUMNS} FROM factors WHERE day = ?",
                          (f.day.isoformat(),)).fetchone()
        merged = f
        if here is not None:
            mine = _factors_from_row(here)
            fill: dict[str, object] = {
                k: getattr(f, k) for k in FACTOR_FIELDS if getattr(mine, k) is None
            }
            fill["tags"] = tuple(dict.fromkeys((*mine.tags, *f.tags)))
            merged = _replace(mine, fill)
            if merged == mine:
                seen += 1
                continue
        db.execute(f"INSERT OR REPLACE INTO factors ({_FACTOR_COLUMNS}) "
                   f"VALUES ({_marks(12)})", _factors_row(merged))
        added += 1
    return added, seen


def _last_start(events: Sequence[MedicineEvent]) -> MedicineEvent:
    # An older journal may hold a change with no start before it: its first event stands in.
    return next((m for m in reversed(events) if m.change == "start"), events[0])


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
