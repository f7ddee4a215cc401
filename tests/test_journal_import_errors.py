"""Importing an export a person or a program got wrong: a one-line error naming the line,
nothing imported, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.cli import cli

HEADER = ("record,id,time_utc,end_utc,routine,routine_hash,status,step_reached,step_title,"
          "steps_total,rating_before,rating_after,rating,note\n")


def _import(tmp_path: Path, name: str, text: str) -> tuple[int, str, Path]:
    source = tmp_path / name
    source.write_text(text)
    journal = tmp_path / "journal.sqlite3"
    result = CliRunner().invoke(cli, ["history", "import", str(source), "--journal", str(journal)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr, source


def _nothing_imported(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    result = CliRunner().invoke(cli, ["history", "export", "--journal", str(journal)])
    assert result.exit_code == 0
    # The spreadsheet export of an empty journal: its header alone.
    assert result.stdout.splitlines() == [
        "date,time,record,routine,outcome,step reached,rating before,rating after,rating,note"]


def test_a_rating_of_thousands_of_digits(tmp_path: Path) -> None:
    row = "rating,abc,2026-11-21T12:55:58Z,,,,,,,,,," + "9" * 5000 + ",\n"
    code, err, source = _import(tmp_path, "big.csv", HEADER + row)
    assert (code, err) == (1, f"Error: {source}:2: rating must be a whole number of at most "
                              "9 digits. Nothing was imported.\n")
    _nothing_imported(tmp_path)


def test_a_step_number_too_large_for_the_database(tmp_path: Path) -> None:
    row = ("session,abd,2026-11-21T12:55:58Z,2026-11-21T13:55:58Z,x,,finished,"
           + "9" * 30 + ",,,,,,\n")
    code, err, source = _import(tmp_path, "step.csv", HEADER + row)
    assert (code, err) == (1, f"Error: {source}:2: step_reached must be a whole number of at "
                              "most 9 digits. Nothing was imported.\n")
    _nothing_imported(tmp_path)


def test_times_outside_the_calendar_python_can_convert(tmp_path: Path) -> None:
    for moment, shown in (("0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00+01:00"),
                          ("9999-12-31T23:59:59-05:00", "9999-12-31T23:59:59-05:00"),
                          ("0999-01-01T00:00:00Z", "0999-01-01T00:00:00+00:00"),
                          # the year is checked on the UTC clock, after the conversion
                          ("1900-01-01T00:00:00+14:00", "1900-01-01T00:00:00+14:00"),
                          ("9998-12-31T23:00:00-05:00", "9998-12-31T23:00:00-05:00")):
        row = f"rating,abc,{moment},,,,,,,,,,5,\n"
        code, err, source = _import(tmp_path, "when.csv", HEADER + row)
        assert (code, err) == (1, f"Error: {source}:2: time_utc must be in the years 1900 to "
                                  f"9998 on the UTC clock, not {shown!r}. Nothing was "
                                  "imported.\n")
    _nothing_imported(tmp_path)


def test_json_nested_too_deep(tmp_path: Path) -> None:
    text = '{"format": "crampcoach journal", "x": ' + "[" * 200_000 + "]" * 200_000 + "}"
    code, err, source = _import(tmp_path, "deep.json", text)
    assert (code, err) == (1, f"Error: {source}: not valid JSON (nested too deeply). "
                              "Nothing was imported.\n")


def test_json_number_of_thousands_of_digits(tmp_path: Path) -> None:
    text = '{"format": ' + "9" * 5000 + "}"
    code, err, source = _import(tmp_path, "bignum.json", text)
    assert (code, err) == (1, f"Error: {source}: not valid JSON (a number is far too large). "
                              "Nothing was imported.\n")


def test_an_endless_device_as_the_export(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    result = CliRunner().invoke(cli, ["history", "import", "/dev/zero", "--journal", str(journal)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert (result.exit_code, result.stderr) == (
        1, "Error: /dev/zero: not a regular file (a FIFO, device or socket). "
           "Nothing was imported.\n")


def test_an_import_of_more_records_than_allowed_is_refused(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    from crampcoach.journal import exchange

    monkeypatch.setattr(exchange, "MAX_IMPORT_RECORDS", 3)
    rows = "".join(f"rating,r{n},2026-11-21T12:55:5{n}Z,,,,,,,,,,5,\n" for n in range(4))
    code, err, source = _import(tmp_path, "dense.csv", HEADER + rows)
    assert (code, err) == (1, f"Error: {source}: more than 3 records; an import holds at most "
                              "that many (split the file). Nothing was imported.\n")
    _nothing_imported(tmp_path)
    records = [{"record": "rating", "id": f"r{n}", "time_utc": "2026-11-21T12:55:50Z",
                "rating": 5} for n in range(4)]
    code, err, source = _import(tmp_path, "dense.json", json.dumps(
        {"format": "crampcoach journal", "format_version": 2, "records": records}))
    assert (code, err) == (1, f"Error: {source}: more than 3 records; an import holds at most "
                              "that many (split the file). Nothing was imported.\n")
    code, _, _ = _import(tmp_path, "fits.csv", HEADER + rows.split("\n", 1)[1])
    assert code == 0
