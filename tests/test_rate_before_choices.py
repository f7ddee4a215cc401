"""--rate-before when it cannot be honoured: refused beside --no-rating, and said once
when nothing can answer it."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.player import play_cli

SESSION = (
    "12:00:00 Opening\n"
    "12:00:00   Tiny. Move gently, and stop if anything hurts.\n"
    "12:00:00 Step 1 of 1\n"
    "12:00:00   Sit comfortably.\n"
    "12:00:00 Closing\n"
    "12:00:00   That is the end of Tiny. Well done.\n"
    "12:00:00 Session finished.\n"
)
NOT_ASKED = ("12:00:00 No rating: the question before the session needs a keyboard, the "
             "button or the spoken rating.\n")


def test_rate_before_with_no_rating_is_refused(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = play_cli(monkeypatch, tmp_path, ["--no-rating", "--rate-before"], [])
    assert (run.result.exit_code, run.result.stdout) == (2, "")
    assert run.result.stderr.endswith(
        "Error: --rate-before and --no-rating cannot be used together\n")
    assert run.recorder.starts == []
    assert run.sink.played == []


def test_no_rating_wins_over_rate_before_in_the_settings(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CRAMPCOACH_RATE_BEFORE", "true")
    run = play_cli(monkeypatch, tmp_path, ["--no-rating"], [])
    assert (run.result.exit_code, run.result.stdout) == (0, SESSION)
    [record] = run.recorder.records
    assert (record.rating_before, record.rating_after) == (None, None)


def test_rate_before_with_nothing_to_answer_says_so_once(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = play_cli(monkeypatch, tmp_path, ["--rate-before"], [], live=False, terminal=False)
    assert run.result.exit_code == 0
    assert run.result.stdout == NOT_ASKED + SESSION
    [record] = run.recorder.records
    assert record.rating_before is None


def test_rate_before_from_the_settings_is_said_too(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CRAMPCOACH_RATE_BEFORE", "true")
    run = play_cli(monkeypatch, tmp_path, [], [], live=False, terminal=False)
    assert run.result.stdout == NOT_ASKED + SESSION
