"""One red-flag threshold: ``red_flag_threshold`` in the settings decides the spoken advice
in ``play``, and what ``rate`` and ``history`` show as worth raising."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.cli import cli
from crampcoach.phrases import ENGLISH
from support.wiring import wired_play, write_config

HIGH_6 = ("  A rating of 6 in the last day is high. If cramps are this strong often, are "
          "painful, or come with new weakness or stiffness, talk to your neurologist.")


@pytest.fixture
def threshold_5(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("CRAMPCOACH_JOURNAL", raising=False)
    config = write_config(tmp_path, "preroll: 0\nred_flag_threshold: 5\n")
    monkeypatch.setenv("CRAMPCOACH_CONFIG", str(config))
    return config


def test_rate_flags_a_rating_at_the_settings_threshold(threshold_5: Path,
                                                       tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["rate", "6", "--journal", str(tmp_path / "j.sqlite3")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == ["Worth raising with your neurologist:", HIGH_6,
                                              f"  {ENGLISH.urgent_help}"]


def test_history_flags_a_rating_at_the_settings_threshold(threshold_5: Path,
                                                          tmp_path: Path) -> None:
    journal = str(tmp_path / "j.sqlite3")
    runner = CliRunner()
    assert runner.invoke(cli, ["rate", "6", "--journal", journal]).exit_code == 0
    result = runner.invoke(cli, ["history", "--journal", journal])
    assert result.exit_code == 0, result.output
    assert HIGH_6 in result.stdout.splitlines()


def test_below_the_default_threshold_nothing_is_flagged_without_the_setting(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CRAMPCOACH_CONFIG", str(write_config(tmp_path, "")))
    result = CliRunner().invoke(cli, ["rate", "6", "--journal", str(tmp_path / "j.sqlite3")])
    assert result.exit_code == 0, result.output
    assert "Worth raising" not in result.stdout


def test_play_advises_at_the_same_threshold(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    run = wired_play(monkeypatch, tmp_path, ["--rating", "6"],
                     config="preroll: 0\nred_flag_threshold: 5\n")
    assert run.result.exit_code == 0, run.result.output
    assert any(line.startswith("You rated your cramps 6 out of 10.") for line in run.lines)
