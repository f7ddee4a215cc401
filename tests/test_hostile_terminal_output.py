"""Text from the journal (typed, imported or synced) never reaches the terminal as escape
sequences: every listing shows them escaped, as history does (docs/hostile-input.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach import cli as cli_module
from crampcoach.cli import cli
from crampcoach.journal.store import Journal

ESC = "\x1b]0;owned\x07\x1b[2J"
SHOWN = "\\x1b]0;owned\\x07\\x1b[2J"
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "j.sqlite3"
    monkeypatch.setenv("CRAMPCOACH_JOURNAL", str(path))
    monkeypatch.setattr(cli_module, "_journal_now", lambda: NOW)
    monkeypatch.setattr(cli_module, "_journal_tz", lambda: UTC)
    with Journal.open(path, clock=lambda: NOW) as j:
        j.add_question(f"why {ESC}?")
        j.add_episode(at=datetime(2026, 11, 29, 3, 0, tzinfo=UTC), kind="cramp",
                      note=f"note {ESC}", helped=f"warmth {ESC}")
        j.add_medicine("baclofen", "start", date(2026, 11, 1), dose="10 mg",
                       note=f"advised {ESC}")
        j.add_blood_result(date(2026, 11, 2), "magnesium", "0.7", note=f"lab {ESC}")
    return path


@pytest.mark.parametrize("argv", [["question", "list"], ["episode", "list"], ["med", "list"],
                                  ["blood", "list"], ["question", "done", "1"]])
def test_listings_escape_what_the_journal_holds(journal: Path, argv: list[str]) -> None:
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert "\x07" not in result.output
    assert SHOWN in result.output


def test_the_csv_on_a_terminal_is_escaped_and_exact_into_a_pipe(
        journal: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    piped = CliRunner().invoke(cli, ["history", "export", "--table", "episodes"])
    assert "warmth \x1b]0;owned\x07" in piped.output  # a program gets the cell as it is
    monkeypatch.setattr(cli_module, "_stdout_is_terminal", lambda: True)
    shown = CliRunner().invoke(cli, ["history", "export", "--table", "episodes"])
    assert shown.exit_code == 0
    assert "\x1b" not in shown.output
    assert "warmth \\x1b]0;owned\\x07" in shown.output
