"""The journal commands as a person uses them: exact output, messages and exit codes."""

from __future__ import annotations

import builtins
import contextlib
import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from crampcoach.cli import cli
from crampcoach.journal.exchange import export_text
from crampcoach.journal.store import Journal
from crampcoach.phrases import ENGLISH
from support.journal import NOW, JournalRunner, fill_month

FOOTER = "Self-reported ratings; crampcoach gives guidance, not diagnosis.\n"


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("CRAMPCOACH_JOURNAL", raising=False)


@pytest.fixture
def runner() -> CliRunner:
    return JournalRunner()


@pytest.fixture
def month(tmp_path: Path) -> Path:
    path = tmp_path / "month.sqlite3"
    fill_month(path)
    return path


def test_history_of_an_empty_journal(runner: JournalRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["history"])
    default = tmp_path / "data" / "crampcoach" / "journal.sqlite3"
    assert result.exit_code == 0
    assert result.output == (
        "History of the last 30 days, 2026-03-04 to 2026-04-02 (times are local)\n"
        "\n"
        "Nothing recorded in these days.\n"
        "To record how the cramps are now: crampcoach rate N (0 = no cramps, 10 = worst).\n"
        "\n"
        f"Journal: {default}\n" + FOOTER
    )
    # Reading does not create a journal.
    assert not default.exists()
    assert not (tmp_path / "data").exists()


def test_history_of_a_month(runner: JournalRunner, month: Path) -> None:
    result = runner.invoke(cli, ["history", "--journal", str(month)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "History of the last 30 days, 2026-03-04 to 2026-04-02 (times are local)\n"
        "\n"
        "Tue 2026-03-10\n"
        '  03:12  rating 7  "woke with a calf cramp"\n'
        "  21:00  Evening calf relief: finished all 6 steps, rating 6 before, 3 after"
        '  "warm legs helped"\n'
        "Sat 2026-03-14\n"
        "  21:05  Evening calf relief: stopped at step 3 of 6 (Calf stretch), rating 7 before,"
        " 5 after\n"
        "Fri 2026-03-20\n"
        "  08:00  rating 5\n"
        "Sat 2026-03-28\n"
        "  23:30  Box breathing: finished all 2 steps, rating 5 before, 4 after\n"
        "Mon 2026-03-30\n"
        '  00:30  rating 4 (Box breathing)  "first line / second line"\n'
        "Wed 2026-04-01\n"
        "  21:00  Evening calf relief: interrupted at step 2 of 6 (Calf stretch), no end"
        " recorded, rating 4 before\n"
        "Thu 2026-04-02\n"
        "  07:45  rating 3 (Evening calf relief)\n"
        "\n"
        "Ratings, one mark per day from 2026-03-04 (▁ 0 to █ 10, · none):\n"
        "  ······▅···▅·····▅·······▄·▄·▄▃\n"
        "Trend: improving, about 0.7 points lower each week (ratings on 7 days)\n"
        "Routine done on 4 of 30 days: average rating 5.0 on those days, 4.0 on the others.\n"
        "Effect of each routine (rating before minus after, on average):\n"
        "  Box breathing: 1.0 points lower after (1 session)\n"
        "  Evening calf relief: 2.5 points lower after (2 sessions)\n"
        "\n"
        "The weekly check-in is due: four yes-or-no questions, any of them skippable "
        "(crampcoach checkin).\n"
        "\n"
        f"Journal: {month}\n" + FOOTER
    )


def test_history_days_narrows_the_window(runner: JournalRunner, month: Path) -> None:
    result = runner.invoke(cli, ["history", "--days", "2", "--journal", str(month)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "History of the last 2 days, 2026-04-01 to 2026-04-02 (times are local)\n"
        "\n"
        "Wed 2026-04-01\n"
        "  21:00  Evening calf relief: interrupted at step 2 of 6 (Calf stretch), no end"
        " recorded, rating 4 before\n"
        "Thu 2026-04-02\n"
        "  07:45  rating 3 (Evening calf relief)\n"
        "\n"
        "Ratings, one mark per day from 2026-04-01 (▁ 0 to █ 10, · none):\n"
        "  ▄▃\n"
        "Trend: not enough ratings yet (ratings on 2 days; 3 are needed)\n"
        "Routine done on 1 of 2 days: average rating 4.0 on those days, 3.0 on the others.\n"
        "Effect of each routine: no session yet with ratings before and after.\n"
        "\n"
        "The weekly check-in is due: four yes-or-no questions, any of them skippable "
        "(crampcoach checkin).\n"
        "\n"
        f"Journal: {month}\n" + FOOTER
    )


def test_history_shows_red_flags(runner: JournalRunner, tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with Journal.open(path, clock=lambda: NOW) as j:
        j.add_rating(9)
    result = runner.invoke(cli, ["history", "--days", "1", "--journal", str(path)])
    assert result.exit_code == 0
    assert result.output.startswith(
        "History of today, 2026-04-02 (times are local)\n\nThu 2026-04-02\n  22:30  rating 9\n"
    )
    assert result.output.endswith(
        "Worth raising with your neurologist:\n"
        "  A rating of 9 in the last day is high. If cramps are this strong often, are painful,"
        " or come with new weakness or stiffness, talk to your neurologist.\n"
        f"  {ENGLISH.urgent_help}\n"
        "\n"
        f"Journal: {path}\n" + FOOTER
    )


def test_history_days_must_be_positive(runner: JournalRunner) -> None:
    result = runner.invoke(cli, ["history", "--days", "0"])
    assert result.exit_code == 2
    assert "Invalid value for '--days': 0 is not in the range 1<=x<=36600." in result.output


def test_rate_records_and_says_when(runner: JournalRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["rate", "4", "--note", "left calf", "--routine", "Evening"])
    assert result.exit_code == 0
    # 21:30 UTC is 22:30 in London on 2 April (summer time).
    assert result.output == "Recorded rating 4 at 22:30.\n"
    with Journal.open(tmp_path / "data" / "crampcoach" / "journal.sqlite3") as j:
        [rating] = j.ratings()
    assert (rating.value, rating.note, rating.routine, rating.at) == (4, "left calf", "Evening",
                                                                      NOW)


def test_rate_a_high_rating_suggests_the_neurologist(runner: JournalRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["rate", "8", "--journal", str(tmp_path / "j.sqlite3")])
    assert result.exit_code == 0
    assert result.output == (
        "Recorded rating 8 at 22:30.\n"
        "Worth raising with your neurologist:\n"
        "  A rating of 8 in the last day is high. If cramps are this strong often, are painful,"
        " or come with new weakness or stiffness, talk to your neurologist.\n"
        f"  {ENGLISH.urgent_help}\n"
    )


@pytest.mark.parametrize("value", ["11", "-1", "seven", "4.5", "", "١"])
def test_rate_refuses_what_is_not_0_to_10(
    runner: JournalRunner, tmp_path: Path, value: str
) -> None:
    result = runner.invoke(cli, ["rate", value])
    assert result.exit_code == 2
    assert result.output == (
        "Error: a rating is a whole number from 0 (no cramps) to 10 (worst), "
        f"not {value!r}\n"
    )
    assert not (tmp_path / "data").exists()


def test_journal_from_the_environment(
    runner: JournalRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "env.sqlite3"
    monkeypatch.setenv("CRAMPCOACH_JOURNAL", str(path))
    assert runner.invoke(cli, ["rate", "2"]).exit_code == 0
    with Journal.open(path) as j:
        assert [r.value for r in j.ratings()] == [2]


def test_a_file_that_is_not_a_journal_is_refused_and_kept(
    runner: JournalRunner, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"my medication list\n")
    for args in (["rate", "3"], ["history"], ["history", "export"],
                 ["history", "chart", "-o", str(tmp_path / "c.png")]):
        result = runner.invoke(cli, [*args, "--journal", str(notes)])
        assert result.exit_code == 1, args
        assert result.output == (
            f"Error: {notes} is not a crampcoach journal (it is not an SQLite database). It was"
            " left untouched; move it aside or choose another file with --journal.\n"
        )
    assert notes.read_bytes() == b"my medication list\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_export_csv_to_the_screen(runner: JournalRunner, month: Path) -> None:
    result = runner.invoke(cli, ["history", "export", "--journal", str(month)])
    assert result.exit_code == 0
    # Local (London) times, plain column names, no ids, no comment lines; rows end in CR LF.
    assert result.stdout_bytes.decode() == (
        "date,time,record,routine,outcome,step reached,rating before,rating after,rating,note\r\n"
        "2026-03-10,03:12,rating,,,,,,7,woke with a calf cramp\r\n"
        "2026-03-10,21:00,session,Evening calf relief,finished,6 of 6,6,3,,warm legs helped\r\n"
        "2026-03-14,21:05,session,Evening calf relief,stopped early,3 of 6,7,5,,\r\n"
        "2026-03-20,08:00,rating,,,,,,5,\r\n"
        "2026-03-28,23:30,session,Box breathing,finished,2 of 2,5,4,,\r\n"
        '2026-03-30,00:30,rating,Box breathing,,,,,4,"first line\nsecond line"\r\n'
        "2026-04-01,21:00,session,Evening calf relief,interrupted (no end recorded),2 of 6,4,,,"
        "\r\n"
        "2026-04-02,07:45,rating,Evening calf relief,,,,,3,\r\n"
    )
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode(), newline="")))
    assert rows[6][-1] == "first line\nsecond line"


def test_export_then_import_into_a_new_journal(
    runner: JournalRunner, month: Path, tmp_path: Path
) -> None:
    out = tmp_path / "backup.json"
    result = runner.invoke(cli, ["history", "--journal", str(month), "export", "-o", str(out)])
    assert result.exit_code == 0
    assert result.output == f"Exported 4 sessions and 4 ratings to {out}.\n"
    fresh = tmp_path / "new.sqlite3"
    result = runner.invoke(cli, ["history", "import", str(out), "--journal", str(fresh)])
    assert result.exit_code == 0
    assert result.output == f"Imported 4 sessions and 4 ratings from {out}.\n"
    again = runner.invoke(cli, ["history", "import", str(out), "--journal", str(fresh)])
    assert again.output == (
        f"Imported 0 sessions and 0 ratings from {out} (8 already in the journal).\n"
    )
    with Journal.open(month) as a, Journal.open(fresh) as b:
        assert (a.sessions(), a.ratings()) == (b.sessions(), b.ratings())
    document = json.loads(out.read_text())
    assert document["format"] == "crampcoach journal"
    assert document["format_version"] == 2
    assert "guidance and not diagnosis" in document["about"]
    assert document["exported_at"] == "2026-04-02T21:30:00.000000Z"


def test_the_spreadsheet_csv_is_not_a_backup(
    runner: JournalRunner, month: Path, tmp_path: Path
) -> None:
    out = tmp_path / "cramps.csv"
    assert runner.invoke(cli, ["history", "export", "--journal", str(month), "-o",
                               str(out)]).exit_code == 0
    result = runner.invoke(cli, ["history", "import", str(out), "--journal",
                                 str(tmp_path / "new.sqlite3")])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {out}:1: this is a spreadsheet export for reading, not a backup; import a "
        "JSON export (history export -o FILE.json). Nothing was imported.\n"
    )


def test_import_of_a_malformed_file_names_the_line(
    runner: JournalRunner, month: Path, tmp_path: Path
) -> None:
    # A CSV backup as crampcoach 0.1 wrote it (format 1), with a rating of 12 typed in.
    bad = tmp_path / "bad.csv"
    with Journal.open(month) as j:
        bad.write_text(export_text(j.sessions(), j.ratings(), "csv", NOW))
    lines = bad.read_text().splitlines(keepends=True)
    assert lines[6].endswith(",5,\n")  # the lone rating of 20 March
    lines[6] = lines[6].replace(",5,\n", ",12,\n")
    bad.write_text("".join(lines))
    target = tmp_path / "target.sqlite3"
    result = runner.invoke(cli, ["history", "import", str(bad), "--journal", str(target)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {bad}:7: rating must be from 0 to 10, not 12. Nothing was imported.\n"
    )
    with Journal.open(target) as j:
        assert (j.sessions(), j.ratings()) == ([], [])


def test_import_of_a_missing_file(runner: JournalRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["history", "import", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1
    missing = tmp_path / "nope.csv"
    assert result.output == f"Error: cannot read {missing}: No such file or directory\n"


def test_chart_without_matplotlib(
    runner: JournalRunner, month: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = builtins.__import__

    def no_matplotlib(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    for name in list(__import__("sys").modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(__import__("sys").modules, name)
    out = tmp_path / "chart.png"
    result = runner.invoke(cli, ["history", "chart", "-o", str(out), "--journal", str(month)])
    assert result.exit_code == 1
    assert result.output == (
        "Error: charts need matplotlib: pip install 'crampcoach[charts]'\n"
    )
    assert not out.exists()


def test_chart_draws_a_png(runner: JournalRunner, month: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "chart.png"
    result = runner.invoke(cli, ["history", "chart", "-o", str(out), "--days", "30",
                                 "--journal", str(month)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote a chart of 2026-03-04 to 2026-04-02 to {out}.\n"
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1000, 450)


def test_chart_of_an_empty_window(runner: JournalRunner, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "chart.png"
    result = runner.invoke(cli, ["history", "chart", "-o", str(out), "--days", "7",
                                 "--journal", str(tmp_path / "none.sqlite3")])
    assert result.exit_code == 1
    assert result.output == (
        "Error: nothing to chart between 2026-03-27 and 2026-04-02: the journal has no ratings"
        " or sessions in those days\n"
    )
    assert not out.exists()


def test_every_journal_command_has_help(runner: JournalRunner) -> None:
    for args in (["rate"], ["history"], ["history", "export"], ["history", "import"],
                 ["history", "chart"]):
        result = runner.invoke(cli, [*args, "--help"])
        assert result.exit_code == 0
        assert "--journal" in result.output, args


def test_database_is_still_sqlite_after_commands(runner: JournalRunner, tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    runner.invoke(cli, ["rate", "1", "--journal", str(path)])
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT value FROM ratings").fetchall() == [(1,)]
    db.close()
