"""The rating's wait, the red-flag threshold and the rating before, from the settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampcoach.player.rating import REMINDER
from support.player import tiny_end
from support.wiring import wired_play

ADVICE = "You rated your cramps 6 out of 10."


def test_the_rating_is_waited_for_as_long_as_the_settings_say(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = wired_play(monkeypatch, tmp_path, [], config="preroll: 0\nrating_timeout: 10s\n")
    assert run.result.exit_code == 0, run.result.output
    assert run.lines[-2:] == [
        REMINDER, "No rating: no answer in time; the session is kept without a rating."]
    assert run.recorder.records[0].rating_after is None
    # Given up ten seconds after the question (then the reminder is let finish).
    assert tiny_end() + 10 <= run.clock.now() < tiny_end() + 20


def test_a_rating_at_the_settings_threshold_brings_the_advice(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key = [(tiny_end() + 1, "6")]
    low = wired_play(monkeypatch, tmp_path, [], key, config="preroll: 0\nred_flag_threshold: 6\n")
    usual = wired_play(monkeypatch, tmp_path, [], key, config="preroll: 0\n")
    assert low.recorder.records[0].rating_after == 6
    assert [line for line in low.lines if line.startswith(ADVICE)] != []
    assert low.recorder.records[0].advised
    assert [line for line in usual.lines if line.startswith(ADVICE)] == []
    assert not usual.recorder.records[0].advised


def test_rate_before_from_the_settings_and_overridden(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = "preroll: 0\nrate_before: true\n"
    asked = wired_play(monkeypatch, tmp_path, ["--rating", "4"], [(0.5, "3")], config=config)
    assert asked.result.exit_code == 0, asked.result.output
    assert asked.recorder.starts[0].rating_before == 3
    assert asked.recorder.records[0].rating_after == 4
    not_asked = wired_play(monkeypatch, tmp_path, ["--rating", "4", "--no-rate-before"],
                           [(0.5, "3")], config=config)
    assert not_asked.recorder.starts[0].rating_before is None
    assert not any(line.startswith("Before we start") for line in not_asked.lines)
