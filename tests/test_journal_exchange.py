"""Export and import: a round trip loses nothing, a second import adds nothing, and a bad
file imports nothing and names the line (CSV) or the record (JSON)."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crampcoach.errors import JournalError
from crampcoach.journal.exchange import ExportFormat, export_text, read_export
from crampcoach.journal.store import Journal, Rating, Session
from support.journal import NOW, fill_month

# Text as people type it: any character SQLite can store except NUL, empty meaning none.
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=40,
)
maybe_text = st.none() | texts
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)
ratings_0_10 = st.integers(0, 10)
ids = st.uuids().map(lambda u: u.hex)


@st.composite
def sessions(draw: st.DrawFn) -> Session:
    start = draw(moments)
    ended = draw(st.booleans())
    return Session(
        id=draw(ids),
        routine=draw(texts),
        routine_hash=draw(maybe_text),
        started_at=start,
        ended_at=start + draw(st.timedeltas(timedelta(0), timedelta(hours=3))) if ended else None,
        status=draw(st.sampled_from(["finished", "stopped"])) if ended else None,
        step_index=draw(st.none() | st.integers(0, 500)),
        step_title=draw(maybe_text),
        steps_total=draw(st.none() | st.integers(0, 500)),
        rating_before=draw(st.none() | ratings_0_10),
        rating_after=draw(st.none() | ratings_0_10),
        note=draw(maybe_text),
    )


ratings = st.builds(Rating, id=ids, at=moments, value=ratings_0_10, note=maybe_text,
                    routine=maybe_text)
formats = st.sampled_from(["csv", "json"])


def write(tmp: Path, text: str, name: str = "export") -> Path:
    path = tmp / name
    path.write_bytes(text.encode())
    return path


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(sessions(), max_size=6, unique_by=lambda s: s.id),
       st.lists(ratings, max_size=6, unique_by=lambda r: r.id), formats)
def test_export_then_read_gives_back_every_record(
    session_list: list[Session], rating_list: list[Rating], fmt: ExportFormat
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        text = export_text(session_list, rating_list, fmt, NOW)
        records = read_export(write(Path(tmp), text))
    key_s, key_r = (lambda s: s.id), (lambda r: r.id)
    assert sorted(records.sessions, key=key_s) == sorted(session_list, key=key_s)
    assert sorted(records.ratings, key=key_r) == sorted(rating_list, key=key_r)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(sessions(), max_size=5, unique_by=lambda s: s.id),
       st.lists(ratings, max_size=5, unique_by=lambda r: r.id), formats)
def test_journal_to_export_to_new_journal_loses_nothing(
    session_list: list[Session], rating_list: list[Rating], fmt: ExportFormat
) -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        with Journal.open(tmp / "a.sqlite3") as a:
            a.merge(session_list, rating_list)
            first = export_text(a.sessions(), a.ratings(), fmt, NOW)
            original = (a.sessions(), a.ratings())
        export = write(tmp, first)
        with Journal.open(tmp / "b.sqlite3") as b:
            records = read_export(export)
            result = b.merge(records.sessions, records.ratings)
            assert (result.sessions_added, result.ratings_added) == (
                len(session_list), len(rating_list))
            again = b.merge(records.sessions, records.ratings)
            assert (again.sessions_added, again.ratings_added, again.already_present) == (
                0, 0, len(session_list) + len(rating_list))
            assert (b.sessions(), b.ratings()) == original
            assert export_text(b.sessions(), b.ratings(), fmt, NOW) == first


def test_an_import_completes_a_session_interrupted_here(tmp_path: Path) -> None:
    path = tmp_path / "pi.sqlite3"
    with Journal.open(path) as j:
        sid = j.start_session("Evening calf relief", None, 5, rating_before=6)
        running = j.session(sid)
    finished = Session(**{**{f: getattr(running, f) for f in Session.__slots__},
                          "ended_at": running.started_at + timedelta(minutes=10),
                          "status": "finished", "rating_after": 3})
    with Journal.open(path) as j:
        result = j.merge([finished], [])
        assert (result.sessions_added, result.already_present) == (0, 1)
        assert j.session(sid) == finished
        # The other way round an end is never taken away.
        j.merge([running], [])
        assert j.session(sid) == finished


@pytest.fixture
def month_csv(tmp_path: Path) -> list[str]:
    fill_month(tmp_path / "month.sqlite3")
    with Journal.open(tmp_path / "month.sqlite3") as j:
        return export_text(j.sessions(), j.ratings(), "csv", NOW).splitlines(keepends=True)


@pytest.mark.parametrize(
    ("line", "old", "new", "problem"),
    [
        (4, "rating,", "visit,", "record must be session or rating, not 'visit'"),
        (4, ",7,", ",seven,", "rating must be a whole number, not 'seven'"),
        (4, ",7,", ",,", "rating is missing"),
        (5, ",finished,", ",paused,",
         "status must be finished, stopped or interrupted, not 'paused'"),
        (5, "2026-03-10T21:12:30.000000Z", "",
         "end_utc must be given for a finished or stopped session, and only then"),
        (5, "2026-03-10T21:12:30.000000Z", "2026-03-09T21:12:30.000000Z",
         "end_utc is before time_utc"),
        (5, "2026-03-10T21:00:00.000000Z", "10/03/2026 21:00",
         "time_utc is not a time like 2026-03-01T22:15:00.000000Z: '10/03/2026 21:00'"),
        (5, "2026-03-10T21:00:00.000000Z", "2026-03-10T21:00:00",
         "time_utc has no time zone (end it with Z for UTC): '2026-03-10T21:00:00'"),
        (5, ",6,6,3,", ",6,6,13,", "rating_after must be from 0 to 10, not 13"),
        (5, ",finished,6,", ",finished,0,", "step_reached must be 1 or more, not 0"),
        (5, "Evening calf relief", "", "routine is missing"),
        (4, ",7,woke", ",7,\"woke", "not valid CSV (',' expected after '\"')"),
        (7, ",5,", ",5,extra,", "15 fields where the header has 14"),
        (4, "2026-03-10T03:12:00.000000Z,,", "2026-03-10T03:12:00.000000Z,2026-03-11T00:00:00Z,",
         "end_utc belongs to sessions; leave it empty on a rating"),
        (3, "note", "notes", "unknown column 'notes' in the header"),
    ],
)
def test_a_bad_csv_line_imports_nothing(
    tmp_path: Path, month_csv: list[str], line: int, old: str, new: str, problem: str
) -> None:
    assert old in month_csv[line - 1]
    month_csv[line - 1] = month_csv[line - 1].replace(old, new, 1)
    bad = write(tmp_path, "".join(month_csv), "bad.csv")
    with pytest.raises(JournalError) as caught:
        read_export(bad)
    assert str(caught.value) == f"{bad}:{line}: {problem}. Nothing was imported."


def test_a_repeated_id_is_refused(tmp_path: Path, month_csv: list[str]) -> None:
    bad = write(tmp_path, "".join([*month_csv, month_csv[3]]), "bad.csv")
    with pytest.raises(JournalError) as caught:
        read_export(bad)
    first_id = month_csv[3].split(",")[1]
    assert str(caught.value) == (
        f"{bad}:{len(month_csv) + 1}: id {first_id} appears twice in the file. Nothing was "
        "imported."
    )


def test_line_numbers_count_notes_that_span_lines(tmp_path: Path, month_csv: list[str]) -> None:
    # Line 9-10 is a rating whose note has two lines; the record after it starts on line 11.
    assert month_csv[9] == 'second line"\n'
    month_csv[10] = month_csv[10].replace(",interrupted,", ",??,")
    bad = write(tmp_path, "".join(month_csv), "bad.csv")
    with pytest.raises(JournalError, match=r":11: status must be finished, stopped or "):
        read_export(bad)


def test_a_bad_json_record_is_named(tmp_path: Path) -> None:
    fill_month(tmp_path / "month.sqlite3")
    with Journal.open(tmp_path / "month.sqlite3") as j:
        document = json.loads(export_text(j.sessions(), j.ratings(), "json", NOW))
    document["records"][2]["rating_before"] = 7.5
    bad = write(tmp_path, json.dumps(document), "bad.json")
    with pytest.raises(JournalError) as caught:
        read_export(bad)
    assert str(caught.value) == (
        f"{bad}: records[2]: rating_before must be text, a whole number or null. Nothing was "
        "imported."
    )
    document["records"][2]["rating_before"] = 7
    document["records"][5]["colour"] = "blue"
    bad = write(tmp_path, json.dumps(document), "bad.json")
    with pytest.raises(JournalError, match=r": records\[5\]: unknown field 'colour'\. Nothing"):
        read_export(bad)


@pytest.mark.parametrize(
    ("content", "where", "problem"),
    [
        ('{"format": "crampcoach journal",\n "format_version": 1,\n "records": [}',
         ":3", "not valid JSON (Expecting value)"),
        ('{"format": "photos"}', "", 'not a crampcoach journal export (no "format": '
         '"crampcoach journal")'),
        ('{"format": "crampcoach journal", "format_version": 3, "records": []}', "",
         "export format version 3; this crampcoach reads versions 1 to 2 (update crampcoach)"),
        ("", "", "no header line (record,id,time_utc,...) was found"),
        ("# only a comment\n", "", "no header line (record,id,time_utc,...) was found"),
        ("name,age\nx,1\n", ":1", "unknown column 'name' in the header"),
    ],
)
def test_files_that_are_not_exports(
    tmp_path: Path, content: str, where: str, problem: str
) -> None:
    bad = write(tmp_path, content, "bad")
    with pytest.raises(JournalError) as caught:
        read_export(bad)
    assert str(caught.value) == f"{bad}{where}: {problem}. Nothing was imported."


def test_binary_is_refused_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"record,id,time_utc\n\xff\xfe\n")
    with pytest.raises(JournalError) as caught:
        read_export(bad)
    assert str(caught.value) == f"{bad}:2: not UTF-8 text. Nothing was imported."


def test_a_spreadsheet_byte_order_mark_is_fine(tmp_path: Path, month_csv: list[str]) -> None:
    path = tmp_path / "resaved.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "".join(month_csv).encode())
    assert len(read_export(path).ratings) == 4


def test_a_failed_import_leaves_the_journal_as_it_was(tmp_path: Path, month_csv: list[str]
                                                      ) -> None:
    target = tmp_path / "target.sqlite3"
    with Journal.open(target) as j:
        j.add_rating(1)
        before = (j.sessions(), j.ratings())
        # Records that pass the file checks but that the journal refuses roll back together.
        good = read_export(write(tmp_path, "".join(month_csv), "good.csv"))
        clash = Rating(good.ratings[0].id + "x", good.ratings[0].at, 5, None, None)
        broken = Session(**{**{f: getattr(good.sessions[0], f) for f in Session.__slots__},
                            "id": "new", "routine": ""})
        with pytest.raises(JournalError, match="refused a record: CHECK constraint failed"):
            j.merge([*good.sessions, broken], [*good.ratings, clash])
        assert (j.sessions(), j.ratings()) == before
