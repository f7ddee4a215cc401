"""Export the journal and import an export back.

* The JSON export (format 2) is the machine's: every record of every table with its
  journal id, so importing it gives back everything and importing it twice adds nothing.
  Format 1 (sessions and ratings only, JSON or CSV, as crampcoach 0.1 wrote them) is still
  read; :func:`export_text` with ``"csv"`` still writes format 1's CSV.
* The doctor's CSV (:func:`doctor_csv`) is for a spreadsheet: one table, local times,
  plain column names, no ids unless asked, and cells a spreadsheet could run as a formula
  made plain text. It is for reading, not for importing.

An import is checked completely before anything is written; a file with one bad record
imports nothing and the error names the CSV line or the JSON record.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any, Literal

from crampcoach.errors import JournalError, RecordError
from crampcoach.files import write_atomically
from crampcoach.journal import rules
from crampcoach.journal.store import (
    CHECKIN_KEYS,
    FACTOR_FIELDS,
    BloodResult,
    CareRecords,
    Checkin,
    DayFactors,
    Episode,
    MedicineEvent,
    Question,
    Rating,
    Session,
    SessionStatus,
    to_text,
    validated,
)

ExportFormat = Literal["csv", "json"]
FORMAT_NAME = "crampcoach journal"
FORMAT_VERSION = 2
READS_VERSIONS = (1, 2)
MAX_IMPORT_BYTES = 64 * 1024 * 1024
#: Records one import may hold, all tables together: memory is bounded by the records, not
#: only the bytes (63 MB of minimal ratings are 850,000 records and took 782 MB). Ten years
#: of a busy diary are about 30,000.
MAX_IMPORT_RECORDS = 250_000
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
    care: CareRecords = field(default_factory=CareRecords)


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
    care: CareRecords | None = None,
) -> str:
    """The JSON export (format 2, with the care record) or format 1's CSV (sessions and
    ratings only)."""
    records = _in_time_order(sessions, ratings)
    if fmt == "json":
        document: dict[str, object] = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "about": ABOUT,
            "exported_at": to_text(exported_at),
            "records": records,
        }
        document.update(_care_json(care or CareRecords()))
        return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    out = io.StringIO()
    out.write(f"{CSV_COMMENT} {FORMAT_NAME} export format 1 "
              f"made {to_text(exported_at)}; {FORMULAS_MARKED}\n")
    out.write(f"{CSV_COMMENT} {ABOUT}\n")
    out.write(",".join(COLUMNS) + "\n")
    for fields in records:
        out.write(",".join(_csv_field(fields[c]) for c in COLUMNS) + "\n")
    return out.getvalue()


# A spreadsheet takes a cell that starts with one of these as a formula (OWASP's CSV
# injection guidance): such a cell is written with a single quote in front, which the
# spreadsheet shows as text. In format 1's CSV a cell that starts with a quote gets one
# more, and the file says so in its first line, so that import takes the first quote off
# every cell and the round trip stays exact (files written before carry no such line, and
# their cells are read as they are).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"
FORMULAS_MARKED = "cells that start like a formula have a ' in front"


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
    """Write all of it or nothing: a half-written backup is worse than none. A new backup
    is private (it holds health data); one replaced keeps its mode."""
    try:
        write_atomically(path, text.encode("utf-8"), mode=0o600)
    except OSError as e:
        raise JournalError(f"cannot write {path}: {e.strerror or e}") from None


# --- the care record in JSON ---------------------------------------------------------------------

_Kind = Literal["id", "time", "day", "text", "int", "number", "bool", "tags"]
_ANY_ID: dict[str, _Kind] = {"id": "id"}
#: Each care table's JSON list, record type and fields (the dataclass's own names).
CARE_JSON: tuple[tuple[str, type, dict[str, _Kind]], ...] = (
    ("episodes", Episode, {**_ANY_ID, "at": "time", "kind": "text", "body_part": "text",
                           "side": "text", "duration_s": "int", "severity": "int",
                           "helped": "text", "note": "text", "routine": "text",
                           "session_id": "text", "eased": "bool", "signs": "tags",
                           "follow_up": "text"}),
    ("factors", DayFactors, {"day": "day", **dict.fromkeys(FACTOR_FIELDS, "int"),
                             "heat": "bool", "bladder_bowel": "bool", "infection": "bool",
                             "sleep_hours": "number", "tags": "tags"}),
    ("medicines", MedicineEvent, {**_ANY_ID, "day": "day", "name": "text", "change": "text",
                                  "dose": "text", "supplement": "bool", "note": "text",
                                  "recorded_at": "time"}),
    ("blood_results", BloodResult, {**_ANY_ID, "day": "day", "test": "text", "value": "text",
                                    "unit": "text", "note": "text"}),
    ("questions", Question, {**_ANY_ID, "at": "time", "text": "text", "done_at": "time"}),
    ("checkins", Checkin, {**_ANY_ID, "at": "time", **dict.fromkeys(CHECKIN_KEYS, "bool")}),
)
_CARE_FIELDS = {"episodes": "episodes", "factors": "factors", "medicines": "medicines",
                "blood_results": "blood", "questions": "questions", "checkins": "checkins"}


def _json_field(value: object) -> object:
    if isinstance(value, datetime):
        return to_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _care_json(care: CareRecords) -> dict[str, list[dict[str, object]]]:
    return {
        name: [{key: _json_field(getattr(record, key)) for key in spec}
               for record in getattr(care, _CARE_FIELDS[name])]
        for name, _, spec in CARE_JSON
    }


def _care_value(value: object, key: str, kind: _Kind) -> object:
    if value is None:
        return () if kind == "tags" else None
    if kind in ("id", "text"):
        if not isinstance(value, str):
            raise _Bad(f"{key} must be text or null")
        if kind == "id" and (not value or len(value) > MAX_ID
                             or any(c.isspace() or not c.isprintable() for c in value)):
            raise _Bad(f"id must be up to {MAX_ID} printable characters without spaces")
        return _text({key: value}, key)
    if kind == "time":
        if not isinstance(value, str):
            raise _Bad(f"{key} must be a time like 2026-03-01T22:15:00.000000Z")
        return _time({key: value}, key)
    if kind == "day":
        try:
            return date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            pass
        raise _Bad(f"{key} must be a day like 2026-03-01")
    if kind == "bool":
        if not isinstance(value, bool):
            raise _Bad(f"{key} must be true, false or null")
        return value
    if kind == "tags":
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise _Bad(f"{key} must be a list of words")
        return tuple(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or (
            kind == "int" and not isinstance(value, int)):
        raise _Bad(f"{key} must be a {'whole ' if kind == 'int' else ''}number or null")
    return value


def _care_record(item: object, record_type: type, spec: dict[str, _Kind]) -> Any:
    if not isinstance(item, dict):
        raise _Bad("a record must be an object")
    unknown = sorted(set(item) - set(spec))
    if unknown:
        raise _Bad(f"unknown field {unknown[0]!r}")
    first = next(iter(spec))
    if item.get(first) is None:
        raise _Bad(f"{first} is missing")
    fields = {key: _care_value(item.get(key), key, kind) for key, kind in spec.items()}
    if record_type is MedicineEvent:
        fields["supplement"] = bool(fields["supplement"])
    try:
        return validated(record_type(**fields))
    except JournalError as e:
        raise _Bad(str(e)) from None


def _parse_care(document: dict[str, Any], path: Path) -> CareRecords:
    found: dict[str, tuple[object, ...]] = {}
    for name, record_type, spec in CARE_JSON:
        items = document.get(name, [])
        if not isinstance(items, list):
            raise _refuse(path, "", f'"{name}" must be a list')
        records = []
        seen: set[object] = set()
        for index, item in enumerate(items):
            items[index] = None  # each parsed object goes as soon as its record is made
            where = f": {name}[{index}]"
            try:
                record = _care_record(item, record_type, spec)
            except _Bad as e:
                raise _refuse(path, where, str(e)) from None
            key = getattr(record, next(iter(spec)))
            if key in seen:
                raise _refuse(path, where, f"{next(iter(spec))} {key} appears twice in the file")
            seen.add(key)
            records.append(record)
        found[_CARE_FIELDS[name]] = tuple(records)
    return CareRecords(**found)  # type: ignore[arg-type]


# --- the doctor's CSV ----------------------------------------------------------------------------

DoctorTable = Literal["ratings", "episodes", "factors", "medicines", "blood", "questions",
                      "checkins"]
DOCTOR_TABLES: tuple[DoctorTable, ...] = ("ratings", "episodes", "factors", "medicines",
                                          "blood", "questions", "checkins")
_OUTCOME = {"finished": "finished", "stopped": "stopped early",
            "interrupted": "interrupted (no end recorded)"}


def neutralised(cell: str) -> str:
    """A cell a spreadsheet shows as typed: one starting like a formula gets a ``'``."""
    return TEXT_MARK + cell if cell.startswith(FORMULA_STARTS) else cell


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, float):
        return f"{value:g}"
    return neutralised(str(value))


def doctor_csv(
    table: DoctorTable,
    sessions: Sequence[Session],
    ratings: Sequence[Rating],
    care: CareRecords,
    tz: tzinfo | None,
    *,
    ids: bool = False,
) -> str:
    """One table for a spreadsheet: local dates and times, plain column names, no ids
    unless ``ids``, nothing a spreadsheet would run as a formula."""

    def day(moment: datetime) -> str:
        return f"{moment.astimezone(tz):%Y-%m-%d}"

    def clock(moment: datetime) -> str:
        return f"{moment.astimezone(tz):%H:%M}"

    header: list[str]
    rows: list[tuple[datetime | date, list[object], str]] = []
    if table == "ratings":
        header = ["date", "time", "record", "routine", "outcome", "step reached",
                  "rating before", "rating after", "rating", "note"]
        for s in sessions:
            done = None if s.step_index is None else (
                f"{s.step_index + 1} of {s.steps_total}" if s.steps_total else s.step_index + 1)
            if s.outcome == "finished" and s.steps_total:
                done = f"{s.steps_total} of {s.steps_total}"
            rows.append((s.started_at, [day(s.started_at), clock(s.started_at), "session",
                                        s.routine, _OUTCOME[s.outcome], done, s.rating_before,
                                        s.rating_after, None, s.note], s.id))
        for r in ratings:
            rows.append((r.at, [day(r.at), clock(r.at), "rating", r.routine, None, None, None,
                                None, r.value, r.note], r.id))
    elif table == "episodes":
        header = ["date", "time", "type", "body part", "side", "minutes", "severity (0-10)",
                  "what helped", "routine", "eased", "signs in the limb", "follow-up", "note"]
        for e in care.episodes:
            minutes = None if e.duration_s is None else round(e.duration_s / 60, 1)
            rows.append((e.at, [day(e.at), clock(e.at), e.kind, e.body_part, e.side, minutes,
                                e.severity, e.helped, e.routine, e.eased,
                                ", ".join(e.signs) or None, e.follow_up, e.note], e.id))
    elif table == "factors":
        header = ["date", "fluids (glasses)", "caffeine (drinks)", "alcohol (drinks)",
                  "heat exposure", "exertion (0-10)", "stress (0-10)", "sleep (hours)",
                  "sleep quality (0-10)", "bladder or bowel trouble", "signs of infection",
                  "tags"]
        for f in care.factors:
            rows.append((f.day, [f.day.isoformat(), *(getattr(f, k) for k in FACTOR_FIELDS),
                                 ", ".join(f.tags) or None], f.day.isoformat()))
    elif table == "medicines":
        header = ["date", "medicine", "kind", "change", "dose", "note"]
        words = {"start": "started", "change": "dose changed", "stop": "stopped"}
        for m in care.medicines:
            rows.append((m.day, [m.day.isoformat(), m.name,
                                 "supplement" if m.supplement else "medicine", words[m.change],
                                 m.dose, m.note], m.id))
    elif table == "blood":
        header = ["date", "test", "value", "unit", "note"]
        for b in care.blood:
            rows.append((b.day, [b.day.isoformat(), b.test, b.value, b.unit, b.note], b.id))
    elif table == "questions":
        header = ["date", "question", "asked on"]
        for q in care.questions:
            rows.append((q.at, [day(q.at), q.text, None if q.done_at is None
                                else day(q.done_at)], q.id))
    else:
        header = ["date", "time", "painful", "more often",
                  "with weakness, stiffness or spasticity", "in the way of daily life"]
        for c in care.checkins:
            rows.append((c.at, [day(c.at), clock(c.at),
                                *(c.answer(k) for k in CHECKIN_KEYS)], c.id))
    if ids:
        header = ["id", *header]
    out = io.StringIO()
    # "\r\n" ends each row (RFC 4180), so a note holding either is quoted as one cell.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    rows.sort(key=lambda r: (r[0].isoformat(), r[2]))
    for _, cells, record_id in rows:
        writer.writerow(([record_id] if ids else []) + [_cell(c) for c in cells])
    return out.getvalue()


# --- import ------------------------------------------------------------------------------------

_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_MAX_DIGITS = rules.MAX_DIGITS


def _text(fields: Mapping[str, str], key: str) -> str | None:
    value = fields.get(key, "")
    if value == "":
        return None
    try:
        return rules.check_text(value, key)
    except RecordError as e:
        raise _Bad(str(e)) from None


def _number(fields: Mapping[str, str], key: str, low: int, high: int | None) -> int | None:
    value = fields.get(key, "")
    if value == "":
        return None
    if not _WHOLE_NUMBER.fullmatch(value.strip()):
        raise _Bad(f"{key} must be a whole number, not {rules.echo(value)}")
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
        raise _Bad(f"{key} is not a time like 2026-03-01T22:15:00.000000Z: "
                   f"{rules.echo(value)}") from None
    if moment.tzinfo is None:
        raise _Bad(f"{key} has no time zone (end it with Z for UTC): {rules.echo(value)}")
    try:
        return rules.check_moment(moment, key)
    except RecordError as e:
        raise _Bad(str(e)) from None


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


class _Collector:
    """Sessions and ratings as they are read, each id checked against those before it at
    once: nothing but the records (and their ids) is kept per record, so a dense import
    needs memory for its records and little more."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: set[str] = set()
        self.sessions: list[Session] = []
        self.ratings: list[Rating] = []

    def add(self, where: str, rec: Session | Rating) -> None:
        if len(self.seen) >= MAX_IMPORT_RECORDS:
            raise _too_many(self.path)
        if rec.id in self.seen:
            raise _refuse(self.path, where, f"id {rec.id} appears twice in the file")
        self.seen.add(rec.id)
        if isinstance(rec, Session):
            self.sessions.append(rec)
        else:
            self.ratings.append(rec)

    def records(self) -> Records:
        self.seen.clear()
        return Records(tuple(self.sessions), tuple(self.ratings))


def _too_many(path: Path) -> JournalError:
    return _refuse(path, "", f"more than {MAX_IMPORT_RECORDS:,} records; an import holds at "
                             "most that many (split the file)")


def _refuse(path: Path, where: str, problem: str) -> JournalError:
    return JournalError(f"{path}{where}: {problem}. Nothing was imported.")


def _parse_csv(text: str, path: Path) -> Records:
    # A record is a line at least: far more lines than records allowed (a few for the
    # header and comments, and notes of several lines) is refused before any is parsed.
    if text.count("\n") > MAX_IMPORT_RECORDS + 1000:
        raise _too_many(path)
    stream = io.StringIO(text, newline="")
    skipped = 0
    marked = False
    while True:
        start = stream.tell()
        comment = stream.readline()
        if not comment.startswith(CSV_COMMENT):
            stream.seek(start)
            break
        marked = marked or comment.rstrip("\r\n").endswith(FORMULAS_MARKED)
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
    if header[:1] == ["date"] or header[:2] == ["id", "date"]:
        raise _refuse(path, f":{header_line}", "this is a spreadsheet export for reading, not "
                      "a backup; import a JSON export (history export -o FILE.json)")
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
    found = _Collector(path)
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
        if marked:
            row = [cell.removeprefix(TEXT_MARK) for cell in row]  # see FORMULA_STARTS
        try:
            record = _record(dict(zip(header, row, strict=True)))
        except _Bad as e:
            raise _refuse(path, where, str(e)) from None
        found.add(where, record)
    return found.records()


def _json_value(value: object, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _Bad(f"{key} must be text, a whole number or null")
    return str(value)


def _parse_json(text: str, path: Path) -> Records:
    # Every record is an object: more braces than records allowed (an over-count, if notes
    # hold braces) is refused before the parser builds them all.
    if text.count("{") > MAX_IMPORT_RECORDS + 1:
        raise _too_many(path)
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
    if version not in READS_VERSIONS or isinstance(version, bool):
        raise _refuse(
            path, "", f"export format version {version!r}; this crampcoach reads versions "
            f"{READS_VERSIONS[0]} to {READS_VERSIONS[-1]} (update crampcoach)"
        )
    items = document.get("records")
    if not isinstance(items, list):
        raise _refuse(path, "", '"records" must be a list')
    collected = _Collector(path)
    for index, item in enumerate(items):
        items[index] = None  # each parsed object goes as soon as its record is made
        where = f": records[{index}]"
        try:
            if not isinstance(item, dict):
                raise _Bad("a record must be an object")
            fields = {str(k): _json_value(v, str(k)) for k, v in item.items()}
            record = _record(fields)
        except _Bad as e:
            raise _refuse(path, where, str(e)) from None
        collected.add(where, record)
    found = collected.records()
    if version == 1:
        return found
    return Records(found.sessions, found.ratings, _parse_care(document, path))


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
    del raw  # the text is all that is needed from here: half the memory at the peak
    if text.lstrip().startswith("{"):
        return _parse_json(text, path)
    return _parse_csv(text, path)
