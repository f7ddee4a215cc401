"""The default routine and the journal's place come from the settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach import cli as cli_module
from support.player import TINY
from support.wiring import wired_play, write_config


def test_play_without_a_routine_plays_the_settings_default(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    routine = tmp_path / "mine.yaml"
    routine.write_text(TINY)
    run = wired_play(monkeypatch, tmp_path, ["--no-rating"], routine_text=None,
                     config=f"preroll: 0\ndefault_routine: {routine}\n")
    assert run.result.exit_code == 0, run.result.output
    assert [(s.routine, s.source) for s in run.recorder.starts] == [("Tiny", str(routine))]


def test_without_one_in_the_settings_the_built_in_default(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = wired_play(monkeypatch, tmp_path, ["--no-rating", "--text-only"], routine_text=None,
                     config="")
    assert run.result.exit_code == 0, run.result.output
    assert [s.source for s in run.recorder.starts] == ["builtin:evening-calf-relief.yaml"]


def test_play_records_in_the_settings_journal_unless_told_otherwise(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = "preroll: 0\njournal: kept/mine.sqlite3\n"
    run = wired_play(monkeypatch, tmp_path, ["--no-rating"], config=config)
    # A relative path is relative to the settings file.
    assert run.journals == [tmp_path / "kept" / "mine.sqlite3"]
    other = tmp_path / "other.sqlite3"
    told = wired_play(monkeypatch, tmp_path, ["--no-rating", "--journal", str(other)],
                      config=config)
    assert told.journals == [other]


def test_journal_commands_use_the_settings_journal(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    monkeypatch.delenv("CRAMPCOACH_JOURNAL", raising=False)
    kept = tmp_path / "kept.sqlite3"
    monkeypatch.setenv("CRAMPCOACH_CONFIG",
                       str(write_config(tmp_path, f"journal: {kept}\n")))
    runner = CliRunner()
    rated = runner.invoke(cli_module.cli, ["rate", "3"])
    assert rated.exit_code == 0, rated.output
    assert kept.exists()
    shown = runner.invoke(cli_module.cli, ["history", "export", "--format", "csv"])
    assert shown.exit_code == 0, shown.output
    assert [line for line in shown.stdout.splitlines() if ",3," in line] != []
    other = tmp_path / "other.sqlite3"
    assert runner.invoke(cli_module.cli, ["rate", "5", "--journal", str(other)]).exit_code == 0
    assert other.exists()


def test_a_broken_settings_file_stops_rate_before_anything_is_recorded(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CRAMPCOACH_JOURNAL", raising=False)
    config = write_config(tmp_path, "journal:\n  - a\n")
    monkeypatch.setenv("CRAMPCOACH_CONFIG", str(config))
    result = CliRunner().invoke(cli_module.cli, ["rate", "3"])
    assert result.exit_code == 2
    assert result.stderr == (f"{config}:2: journal must be a single value, "
                             "not a list or mapping\n")
