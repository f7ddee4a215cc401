"""Export the journal for the neurologist (CSV or JSON) and import an export back.

Both formats hold the same records with the same fields, one record per session or lone
rating, in time order. Every record carries its journal id, so importing the same export
twice adds nothing the second time. An import is checked completely before anything is
written; a file with one bad record imports nothing and the error names the CSV line or
the JSON record.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from crampcoach.errors import JournalError
from crampcoach.journal.store import (
    MAX_TEXT,
    Rating,
    Session,
    SessionStatus,
    to_text,
)

ExportFormat = Literal["csv", "json"]
FORMAT_NAME = "crampcoach journal"
FORMAT_VERSION = 1
MAX_IMPORT_BYTES = 64 * 1024 * 1024
MAX_ID = 64

COLUMNS = (
    "record",
    "id",
    "time_utc",
    "end_utc",
    "routine",
    "routine_hash",
    "status",
    "step_reached",
    "step_title",
    "steps_total",
    "rating_before",
    "rating_after",
    "rating",
    "note",
)
SESSION_ONLY = ("end_utc", "routine_hash", "status", "step_reached", "step_title",
                "steps_total", "rating_before", "rating_after")

# No commas: in the CSV this is a comment line, and a spreadsheet should keep it in one cell.
ABOUT = (
    "Self-reported cramp ratings from crampcoach (0 = no cramps; 10 = worst). crampcoach gives "
    "guidance and not diagnosis. Times are UTC (ISO 8601); step_reached counts from 1."
)
CSV_COMMENT = "#"


@dataclass(frozen=True, slots=True)
class Records:
    sessions: tuple[Session, ...]
    ratings: tuple[Rating, ...]


class _Bad(Exception):
    """One problem in one record; the caller adds where it is."""


# --- export ------------------------------------------------------------------------------------


def _session_fields(s: Session) -> dict[str, str | int | None]:
    return {
        "record": "session",
        "id": s.id,
        "time_utc": to_text(s.started_at),
        "end_utc": None if s.ended_at is None else to_text(s.ended_at),
        "routine": s.routine,
        "routine_hash": s.routine_hash,
        "status": s.outcome,
        "step_reached": None if s.step_index is None else s.step_index + 1,
        "step_title": s.step_title,
        "steps_total": s.steps_total,
        "rating_before": s.rating_before,
        "rating_after": s.rating_after,
        "rating": None,
        "note": s.note,
    }


def _rating_fields(r: Rating) -> dict[str, str | int | None]:
    fields: dict[str, str | int | None] = dict.fromkeys(COLUMNS)
    fields.update(
        record="rating", id=r.id, time_utc=to_text(r.at), routine=r.routine, rating=r.value,
        note=r.note,
    )
    return fields


def _in_time_order(
    sessions: Sequence[Session], ratings: Sequence[Rating]
) -> list[dict[str, str | int | None]]:
    keyed = [(s.started_at, 0, _session_fields(s)) for s in sessions]
    keyed += [(r.at, 1, _rating_fields(r)) for r in ratings]
    keyed.sort(key=lambda k: (k[0], k[1], str(k[2]["id"])))
    return [fields for _, _, fields in keyed]


def export_text(
    sessions: Sequence[Session],
    ratings: Sequence[Rating],
    fmt: ExportFormat,
    exported_at: datetime,
) -> str:
    records = _in_time_order(sessions, ratings)
    if fmt == "json":
        document = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "about": ABOUT,
            "exported_at": to_text(exported_at),
            "records": records,
        }
        return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    out = io.StringIO()
    out.write(f"{CSV_COMMENT} {FORMAT_NAME} export format {FORMAT_VERSION} "
              f"made {to_text(exported_at)}\n")
    out.write(f"{CSV_COMMENT} {ABOUT}\n")
    out.write(",".join(COLUMNS) + "\n")
    for fields in records:
        out.write(",".join(_csv_field(fields[c]) for c in COLUMNS) + "\n")
    return out.getvalue()


# A spreadsheet takes a cell that starts with one of these as a formula (OWASP's CSV
# injection guidance): such a cell is written with a single quote in front, which the
# spreadsheet shows as text. A cell that starts with a quote gets one more, so that import
# can take the first one off every quoted cell and the round trip stays exact.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"


def _csv_field(value: str | int | None) -> str:
    # Written by hand rather than with csv.writer, which leaves a lone carriage return
    # unquoted when lines end in "\n", and such a note would not read back the same.
    if value is None:
        return ""
    text = str(value)
    if text.startswith((*FORMULA_STARTS, TEXT_MARK)):
        text = TEXT_MARK + text
    if any(c in text for c in ',"\r\n') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def write_export(path: Path, text: str) -> None:
    """Write all of it or nothing: a half-written backup is worse than none."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as e:
        raise JournalError(f"cannot write {path}: {e.strerror or e}") from None


# --- import ------------------------------------------------------------------------------------

_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_MAX_DIGITS = 9
# Outside these years a time cannot be moved to every time zone or stored as four digits.
_YEARS = (1900, 9998)


def _text(fields: Mapping[str, str], key: str) -> str | None:
    value = fields.get(key, "")
    if value == "":
        return None
    if "\x00" in value:
        raise _Bad(f"{key} contains a NUL character")
    if len(value) > MAX_TEXT:
        raise _Bad(f"{key} is too long ({len(value)} characters; at most {MAX_TEXT})")
    return value


def _number(fields: Mapping[str, str], key: str, low: int, high: int | None) -> int | None:
    value = fields.get(key, "")
    if value == "":
        return None
    if not _WHOLE_NUMBER.fullmatch(value.strip()):
        raise _Bad(f"{key} must be a whole number, not {value!r}")
    # Longer numbers overflow int() (4300 digits) or SQLite's INTEGER, and mean nothing here.
    if len(value.strip().lstrip("+-").lstrip("0")) > _MAX_DIGITS:
        raise _Bad(f"{key} must be a whole number of at most {_MAX_DIGITS} digits")
    number = int(value)
    if number < low or (high is not None and number > high):
        span = f"from {low} to {high}" if high is not None else f"{low} or more"
        raise _Bad(f"{key} must be {span}, not {number}")
    return number


def _time(fields: Mapping[str, str], key: str) -> datetime | None:
    value = fields.get(key, "")
    if value == "":
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _Bad(f"{key} is not a time like 2026-03-01T22:15:00.000000Z: {value!r}") from None
    if moment.tzinfo is None:
        raise _Bad(f"{key} has no time zone (end it with Z for UTC): {value!r}")
    if not _YEARS[0] <= moment.year <= _YEARS[1]:
        raise _Bad(f"{key} must be in the years {_YEARS[0]} to {_YEARS[1]}, not {value!r}")
    return moment.astimezone(UTC)


def _record(fields: Mapping[str, str]) -> Session | Rating:
    unknown = sorted(set(fields) - set(COLUMNS))
    if unknown:
        raise _Bad(f"unknown field {unknown[0]!r}")
    record_id = fields.get("id", "")
    if not record_id:
        raise _Bad("id is missing")
    if len(record_id) > MAX_ID or any(c.isspace() or not c.isprintable() for c in record_id):
        raise _Bad(f"id must be up to {MAX_ID} printable characters without spaces")
    at = _time(fields, "time_utc")
    if at is None:
        raise _Bad("time_utc is missing")
    kind = fields.get("record", "")
    if kind == "rating":
        for key in SESSION_ONLY:
            if fields.get(key, ""):
                raise _Bad(f"{key} belongs to sessions; leave it empty on a rating")
        value = _number(fields, "rating", 0, 10)
        if value is None:
            raise _Bad("rating is missing")
        return Rating(record_id, at, value, _text(fields, "note"), _text(fields, "routine"))
    if kind != "session":
        raise _Bad(f"record must be session or rating, not {kind!r}")
    if fields.get("rating", ""):
        raise _Bad("rating belongs to lone ratings; use rating_before and rating_after")
    routine = _text(fields, "routine")
    if routine is None:
        raise _Bad("routine is missing")
    ended = _time(fields, "end_utc")
    status_text = fields.get("status", "") or "interrupted"
    status: SessionStatus | None
    if status_text == "interrupted":
        status = None
    elif status_text in ("finished", "stopped"):
        status = "finished" if status_text == "finished" else "stopped"
    else:
        raise _Bad(f"status must be finished, stopped or interrupted, not {status_text!r}")
    if (status is None) != (ended is None):
        raise _Bad("end_utc must be given for a finished or stopped session, and only then")
    if ended is not None and ended < at:
        raise _Bad("end_utc is before time_utc")
    step = _number(fields, "step_reached", 1, None)
    return Session(
        id=record_id,
        routine=routine,
        routine_hash=_text(fields, "routine_hash"),
        started_at=at,
        ended_at=ended,
        status=status,
        step_index=None if step is None else step - 1,
        step_title=_text(fields, "step_title"),
        steps_total=_number(fields, "steps_total", 0, None),
        rating_before=_number(fields, "rating_before", 0, 10),
        rating_after=_number(fields, "rating_after", 0, 10),
        note=_text(fields, "note"),
    )


def _collect(
    records: list[tuple[str, Session | Rating]], path: Path
) -> Records:
    seen: set[str] = set()
    sessions: list[Session] = []
    ratings: list[Rating] = []
    for where, rec in records:
        if rec.id in seen:
            raise _refuse(path, where, f"id {rec.id} appears twice in the file")
        seen.add(rec.id)
        if isinstance(rec, Session):
            sessions.append(rec)
        else:
            ratings.append(rec)
    return Records(tuple(sessions), tuple(ratings))


def _refuse(path: Path, where: str, problem: str) -> JournalError:
    return JournalError(f"{path}{where}: {problem}. Nothing was imported.")


def _parse_csv(text: str, path: Path) -> Records:
    stream = io.StringIO(text, newline="")
    skipped = 0
    while True:
        start = stream.tell()
        if not stream.readline().startswith(CSV_COMMENT):
            stream.seek(start)
            break
        skipped += 1
    reader = csv.reader(stream, strict=True)
    line_before = 0
    try:
        header = next(reader, None)
    except csv.Error as e:
        raise _refuse(path, f":{skipped + 1}", f"not valid CSV ({e})") from None
    if header is None:
        raise _refuse(path, "", "no header line (record,id,time_utc,...) was found")
    header_line = skipped + reader.line_num
    missing = [c for c in ("record", "id", "time_utc") if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if unknown or missing or len(set(header)) != len(header):
        problem = (
            f"unknown column {unknown[0]!r}" if unknown
            else f"column {missing[0]!r} is missing" if missing
            else "a column appears twice"
        )
        raise _refuse(path, f":{header_line}", f"{problem} in the header")
    line_before = reader.line_num
    records: list[tuple[str, Session | Rating]] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise _refuse(path, f":{skipped + line_before + 1}", f"not valid CSV ({e})") from None
        where = f":{skipped + line_before + 1}"
        line_before = reader.line_num
        if not any(row):
            continue  # a blank line, as spreadsheets sometimes leave at the end
        if len(row) != len(header):
            raise _refuse(path, where, f"{len(row)} fields where the header has {len(header)}")
        row = [cell.removeprefix(TEXT_MARK) for cell in row]  # see FORMULA_STARTS
        try:
            records.append((where, _record(dict(zip(header, row, strict=True)))))
        except _Bad as e:
            raise _refuse(path, where, str(e)) from None
    return _collect(records, path)


def _json_value(value: object, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _Bad(f"{key} must be text, a whole number or null")
    return str(value)


def _parse_json(text: str, path: Path) -> Records:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        raise _refuse(path, f":{e.lineno}", f"not valid JSON ({e.msg})") from None
    except RecursionError:
        raise _refuse(path, "", "not valid JSON (nested too deeply)") from None
    except ValueError:  # int() refuses a number of more than 4300 digits
        raise _refuse(path, "", "not valid JSON (a number is far too large)") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise _refuse(path, "", f'not a {FORMAT_NAME} export (no "format": "{FORMAT_NAME}")')
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise _refuse(
            path, "", f"export format version {version!r}; this crampcoach reads version "
            f"{FORMAT_VERSION} (update crampcoach)"
        )
    items = document.get("records")
    if not isinstance(items, list):
        raise _refuse(path, "", '"records" must be a list')
    records: list[tuple[str, Session | Rating]] = []
    for index, item in enumerate(items):
        where = f": records[{index}]"
        try:
            if not isinstance(item, dict):
                raise _Bad("a record must be an object")
            fields = {str(k): _json_value(v, str(k)) for k, v in item.items()}
            records.append((where, _record(fields)))
        except _Bad as e:
            raise _refuse(path, where, str(e)) from None
    return _collect(records, path)


def read_export(path: Path) -> Records:
    """Read and check a whole export (CSV or JSON, told apart by its first character)."""
    try:
        # Opened without blocking and checked through its descriptor: a FIFO or a device
        # is refused before a byte is read, so nothing hangs on it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise _refuse(path, "", "not a regular file (a FIFO, device or socket)")
            if info.st_size > MAX_IMPORT_BYTES:
                raise _refuse(path, "", f"the file is too large ({info.st_size} bytes) for an "
                                        "export")
            os.set_blocking(fd, True)
            # A bounded read, in case the file grows while it is read.
            raw = f.read(MAX_IMPORT_BYTES + 1)
    except OSError as e:
        raise JournalError(f"cannot read {path}: {e.strerror or e}") from None
    if len(raw) > MAX_IMPORT_BYTES:
        raise _refuse(path, "", f"the file is too large (more than {MAX_IMPORT_BYTES} bytes) "
                                "for an export")
    try:
        # utf-8-sig: a spreadsheet that saved the CSV again may have added a byte-order mark.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise _refuse(path, f":{line}", "not UTF-8 text") from None
    if text.lstrip().startswith("{"):
        return _parse_json(text, path)
    return _parse_csv(text, path)
