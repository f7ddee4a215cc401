"""The journal's entry rules live in one library module (journal/rules.py): the command line
and the companion page refuse the same values with the same words, and what the journal
keeps always comes back from its own backup."""

from __future__ import annotations

import contextlib
import dataclasses
import html
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from crampcoach import cli as cli_module
from crampcoach import locations
from crampcoach.cli import cli
from crampcoach.journal.store import Journal
from support.web import ORIGIN, logged_in, make_page, notices

BERLIN = ZoneInfo("Europe/Berlin")
# The page's clock (support.web.NOW): 2026-11-30 09:00 UTC.
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def same_clock(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(cli_module, "_journal_now", lambda: NOW)
    monkeypatch.setattr(cli_module, "_journal_tz", lambda: BERLIN)
    monkeypatch.setenv("CRAMPCOACH_JOURNAL", str(tmp_path / "cli.sqlite3"))


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


def _page(path: str, **form: str) -> str:
    page = make_page()
    page = dataclasses.replace(page, parts=dataclasses.replace(page.parts, tz=BERLIN))
    client, csrf = logged_in(page)
    client.post(path, data={"csrf": csrf, **form}, headers=ORIGIN)
    shown = notices(client.get("/log").get_data(as_text=True))
    assert len(shown) == 1, shown
    return html.unescape(shown[0])


LONG_NOTE = "n" * 2001
CASES = [
    # (command line, page form, the one refusal both give)
    (["med", "start", "magnesium", "--date", "2026-12-30"],
     ("/log/medicine", {"name": "magnesium", "change": "start", "day": "2026-12-30"}),
     "2026-12-30 is in the future; the journal records what has happened"),
    (["med", "start", "magnesium", "--date", "9999-01-01"],
     ("/log/medicine", {"name": "magnesium", "change": "start", "day": "9999-01-01"}),
     "9999-01-01 is in the future; the journal records what has happened"),
    (["med", "start", "magnesium", "--date", "0001-01-01"],
     ("/log/medicine", {"name": "magnesium", "change": "start", "day": "0001-01-01"}),
     "the day must be in the years 1900 to 9998; got 0001-01-01"),
    (["episode", "add", "--at", "0001-01-01 00:00"],
     ("/log/episode", {"when": "0001-01-01 00:00"}),
     "the time must be in the years 1900 to 9998 on the UTC clock, not '0001-01-01 00:00'"),
    (["episode", "add", "--at", "1026-12-05 03:10"],
     ("/log/episode", {"when": "1026-12-05 03:10"}),
     "the time must be in the years 1900 to 9998 on the UTC clock, not '1026-12-05 03:10'"),
    (["episode", "add", "--minutes", "1e308"], ("/log/episode", {"minutes": "1e308"}),
     "how long it lasted (minutes) is a number, not '1e308'"),
    (["episode", "add", "--minutes", "100000"], ("/log/episode", {"minutes": "100000"}),
     "how long it lasted (minutes) is from 0 to 1440; got '100000'"),
    (["episode", "add", "--minutes", "9" * 300], ("/log/episode", {"minutes": "9" * 300}),
     "how long it lasted (minutes) is a number of at most 9 digits before the point"),
    # Berlin's clocks went from 02:00 to 03:00 on 2026-03-29: 02:30 never happened there.
    (["episode", "add", "--at", "2026-03-29 02:30"], ("/log/episode", {"when": "2026-03-29 02:30"}),
     "2026-03-29 02:30 did not happen here: the clocks went forward then (try 03:30)"),
    (["episode", "add", "--note", LONG_NOTE], ("/log/episode", {"note": LONG_NOTE}),
     "the note is too long (2001 characters; at most 2000)"),
    (["episode", "add", "--helped", LONG_NOTE], ("/log/episode", {"helped": LONG_NOTE}),
     "what helped is too long (2001 characters; at most 2000)"),
]


@pytest.mark.parametrize(("argv", "form", "refusal"), CASES,
                         ids=[" ".join(c[0])[:40] for c in CASES])
def test_the_command_line_and_the_page_refuse_alike(
        argv: list[str], form: tuple[str, dict[str, str]], refusal: str) -> None:
    code, err = _cli(*argv)
    assert (code, err) == (2, f"Error: {refusal}\n")
    assert _page(form[0], **form[1]) == f"Not done: {refusal}"
    assert not locations.journal_path().exists() or _count(locations.journal_path()) == 0


def _count(path: Path) -> int:
    with Journal.open(path, create=False) as journal:
        return len(journal.medicines()) + len(journal.episodes())


def test_a_refused_value_is_echoed_short_and_escaped() -> None:
    code, err = _cli("episode", "add", "--severity", "\x1b[2J" + "x" * 100_000)
    assert (code, err) == (2, "Error: --severity is a whole number, not "
                              "'\\x1b[2Jxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'\n")
    code, err = _cli("episode", "add", "--severity", "9" * 300)
    assert (code, err) == (2, "Error: --severity is a whole number of at most 9 digits\n")


@pytest.mark.parametrize("argv", [
    ["question", "add", "why\udcff"],
    ["episode", "add", "--note", "caf\udce9"],
    ["episode", "add", "--helped", "caf\udce9"],
    ["episode", "add", "--routine", "caf\udce9"],
    ["episode", "add", "--where", "caf\udce9"],
])
def test_bytes_that_are_not_utf8_in_an_argument_get_one_line(argv: list[str]) -> None:
    # How Python hands over an argument a Latin-1 terminal typed ("café": b"caf\xe9").
    code, err = _cli(*argv)
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("Error: ")
    assert "is not readable text (bytes that are not UTF-8, or a lone surrogate)" in err


def test_what_the_journal_keeps_its_backup_restores(tmp_path: Path) -> None:
    source = tmp_path / "cli.sqlite3"
    assert _cli("episode", "add", "--at", "1900-01-02 03:10", "--what", "cramp")[0] == 0
    assert _cli("med", "start", "magnesium", "--date", "1900-01-01")[0] == 0
    backup = tmp_path / "backup.json"
    assert _cli("history", "export", "-o", str(backup), "--journal", str(source))[0] == 0
    copy = tmp_path / "copy.sqlite3"
    assert _cli("history", "import", str(backup), "--journal", str(copy)) == (0, "")
    with Journal.open(copy, create=False) as journal:
        assert len(journal.episodes()) == 1
        assert len(journal.medicines()) == 1


def _export_with_medicines(tmp_path: Path, medicines: list[dict[str, object]]) -> Path:
    path = tmp_path / "meds.json"
    path.write_text(json.dumps({"format": "crampcoach journal", "format_version": 2,
                                "records": [], "medicines": medicines}))
    return path


def _med(change: str, day: str, ident: str) -> dict[str, object]:
    return {"id": ident, "day": day, "name": "Baclofen", "change": change,
            "dose": "10 mg" if change != "stop" else None, "supplement": False, "note": None,
            "recorded_at": None}


@pytest.mark.parametrize("change", ["stop", "change"])
def test_an_import_holds_the_medicine_rule_of_the_commands(tmp_path: Path, change: str) -> None:
    source = _export_with_medicines(tmp_path, [_med(change, "2026-01-05", "m1")])
    code, err = _cli("history", "import", str(source))
    done = "stopped" if change == "stop" else "changed"
    assert (code, err) == (2, "Error: the medicines imported would not make sense: Baclofen is "
                              f"{done} on 2026-01-05 with no start recorded before it (record "
                              "its start first). Nothing was imported.\n")
    assert _cli("med", "list") == (0, "")  # readable, and nothing came in
    started = _export_with_medicines(tmp_path, [_med("start", "2026-01-01", "m0"),
                                                _med(change, "2026-01-05", "m1")])
    assert _cli("history", "import", str(started))[0] == 0


def test_a_journal_already_holding_a_stop_with_no_start_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "cli.sqlite3"
    assert _cli("med", "start", "magnesium", "--date", "2026-01-01")[0] == 0
    # What an older version's import let in.
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("INSERT INTO medicines (uuid, day, name, change, dose, supplement) "
                   "VALUES ('x1', '2026-01-03', 'Baclofen', 'stop', NULL, 0)")
        db.execute("INSERT INTO medicines (uuid, day, name, change, dose, supplement) "
                   "VALUES ('x2', '2026-01-04', 'Baclofen', 'change', '5 mg', 0)")
    result = CliRunner().invoke(cli, ["med", "list"])
    assert result.exit_code == 0, result.exception
    assert "magnesium" in result.stdout
    assert "Baclofen" in result.stdout
    for argv in (["history"], ["report", "-o", str(tmp_path / "r.pdf")]):
        result = CliRunner().invoke(cli, argv)
        assert result.exception is None or isinstance(result.exception, SystemExit), argv
    assert _cli("med", "start", "Baclofen", "--date", "2026-01-05")[0] == 2


def test_a_lone_surrogate_in_an_import_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "odd.json"
    path.write_text('{"format": "crampcoach journal", "format_version": 2, "records": [], '
                    '"questions": [{"id": "q1", "at": "2026-01-01T00:00:00Z", '
                    '"text": "why\\ud800", "done_at": null}]}')
    code, err = _cli("history", "import", str(path))
    assert (code, err) == (1, f"Error: {path}: questions[0]: text is not readable text "
                              "(bytes that are not UTF-8, or a lone surrogate). Nothing was "
                              "imported.\n")
    path.write_text('{"format": "crampcoach journal", "format_version": 2, '
                    '"records": [{"\\ud800": 1}]}')
    code, err = _cli("history", "import", str(path))
    assert (code, err) == (1, f"Error: {path}: records[0]: unknown field '\\ud800'. Nothing was "
                              "imported.\n")


@pytest.mark.parametrize("option", ["--what", "--side"])
def test_a_long_value_is_not_echoed_in_full(option: str) -> None:
    code, err = _cli("episode", "add", option, "c" * 120_000)
    assert code == 2
    assert len(err) < 300
    assert "'cccccccccccccccccccccccccccccccccccccccc...'" in err


def test_the_page_reads_a_journal_holding_a_stop_with_no_start() -> None:
    page = make_page()
    client, _ = logged_in(page)
    with Journal.open(locations.journal_path()) as journal:
        journal.add_rating(3)
    # What an older import let in.
    with contextlib.closing(sqlite3.connect(locations.journal_path())) as db, db:
        db.execute("INSERT INTO medicines (uuid, day, name, change, dose, supplement) "
                   "VALUES ('x1', '2026-11-03', 'Baclofen', 'stop', NULL, 0)")
    for path in ("/log", "/journal"):
        assert client.get(path).status_code == 200, path


def test_a_severity_of_300_digits_is_refused_alike() -> None:
    code, err = _cli("episode", "add", "--severity", "9" * 300)
    assert (code, err) == (2, "Error: --severity is a whole number of at most 9 digits\n")
    assert _page("/log/episode", severity="9" * 300) == (
        "Not done: how bad it was is a whole number of at most 9 digits")
