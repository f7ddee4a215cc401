"""The weekly check-in is asked when it is due: after a session (never a rescue or bedtime
one, never at night), aloud with keys, each question skippable; its past answers show in
`history` and the report, and a reminder when one is due."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from crampcoach import cli as cli_module
from crampcoach.journal.checkin import (
    ask_and_record,
    checkin_due,
    key_asker,
    record_checkin,
)
from crampcoach.journal.store import Journal
from crampcoach.phrases import ENGLISH
from crampcoach.player.clock import FakeClock
from support.journal import LONDON, NOW, JournalRunner, MovableClock
from support.player import play_cli, tiny_end

QUESTIONS = [ENGLISH.checkin_questions[k]
             for k in ("painful", "more_often", "weakness", "daily_life")]
KEYS = "Press y or 1 for yes, n or 0 for no, or s to skip."




def test_it_is_due_weekly_and_never_after_a_rescue_or_bedtime_routine_or_at_night(
        tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.sqlite3", clock=MovableClock()) as j:
        assert checkin_due(j, NOW)
        assert checkin_due(j, NOW, after_style="standard")
        assert not checkin_due(j, NOW, after_style="rescue")
        assert not checkin_due(j, NOW, after_style="bedtime")
        assert not checkin_due(j, NOW, after_style="breathing", at_night=True)
        record_checkin(j, {"painful": False})
        assert not checkin_due(j, NOW + timedelta(days=6))
        assert checkin_due(j, NOW + timedelta(days=7, seconds=1))


def test_asked_aloud_with_keys_each_skippable(tmp_path: Path) -> None:
    said: list[str] = []
    # y, then 0, then nothing for 30 s (skipped), then s.
    clock = FakeClock([(1, "y"), (2, "0"), (40, "s")])
    with Journal.open(tmp_path / "j.sqlite3", clock=MovableClock()) as j:
        outcome = ask_and_record(j, key_asker(said.append, clock.wait_until, clock.now))
        [kept] = j.checkins()
    assert said == ["Time for the weekly check-in: four short questions.",
                    *(f"{q} {KEYS}" for q in QUESTIONS)]
    assert outcome is not None
    assert (kept.painful, kept.more_often, kept.weakness, kept.daily_life) == (
        True, False, None, None)
    assert outcome.advice.startswith("Thank you. You said the cramps are painful.")


def test_stopped_part_way_keeps_the_answers_given(tmp_path: Path) -> None:
    clock = FakeClock([(1, "n"), (2, "q")])
    with Journal.open(tmp_path / "j.sqlite3", clock=MovableClock()) as j:
        outcome = ask_and_record(j, key_asker(lambda text: None, clock.wait_until, clock.now))
        assert outcome is not None
        assert (outcome.checkin.painful, outcome.checkin.more_often) == (False, None)
    stopped_at_once = FakeClock([(1, "q")])
    with Journal.open(tmp_path / "k.sqlite3", clock=MovableClock()) as j:
        assert ask_and_record(j, key_asker(lambda text: None, stopped_at_once.wait_until,
                                           stopped_at_once.now)) is None
        assert j.checkins() == []


def test_play_asks_it_after_a_session_when_due(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with Journal.open(path, clock=lambda: NOW - timedelta(days=3)) as j:
        j.add_rating(4)
    monkeypatch.setenv("CRAMPCOACH_JOURNAL", str(path))
    end = tiny_end()
    run = play_cli(monkeypatch, tmp_path, ["--no-rating"],
                   [(end + 1, "y"), (end + 2, "n"), (end + 3, "s"), (end + 4, "1")])
    assert run.result.exit_code == 0, run.result.output
    for question in QUESTIONS:
        assert f"{question} {KEYS}\n" in run.result.output
    assert "Thank you. You said the cramps are painful and getting in the way of daily " \
        "life." in run.result.output
    with Journal.open(path, create=False) as j:
        [kept] = j.checkins()
    assert (kept.painful, kept.more_often, kept.weakness, kept.daily_life) == (
        True, False, None, True)
    # A week has not passed: the next session asks nothing.
    again = play_cli(monkeypatch, tmp_path, ["--no-rating"], [(end + 1, "y")])
    assert "weekly check-in" not in again.result.output


def test_play_never_asks_after_a_rescue_routine(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    with Journal.open(path, clock=lambda: NOW - timedelta(days=3)) as j:
        j.add_rating(4)
    monkeypatch.setenv("CRAMPCOACH_JOURNAL", str(path))
    rescue = "name: Rescue\nstyle: rescue\nsteps:\n  - say: Sit comfortably.\n"
    run = play_cli(monkeypatch, tmp_path, ["--no-rating"], [(tiny_end(rescue) + 1, "y")],
                   routine_text=rescue)
    assert run.result.exit_code == 0, run.result.output
    assert "weekly check-in" not in run.result.output


def test_history_shows_past_answers_and_a_reminder_when_due(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    clock = MovableClock().at("2026-03-20T10:00:00")
    with Journal.open(path, clock=clock) as j:
        j.add_rating(4)
        record_checkin(j, {"painful": True, "more_often": False, "daily_life": False})
    shown = JournalRunner().invoke(cli_module.cli, ["history", "--journal", str(path)]).output
    assert ("Check-ins (are the cramps ...):\n"
            "  Fri 2026-03-20  painful: yes, more often: no, with weakness, stiffness or "
            "spasticity: skipped, in the way of daily life: no\n"
            "The weekly check-in is due: four yes-or-no questions, any of them skippable "
            "(crampcoach checkin).\n") in shown
    with Journal.open(path, clock=lambda: NOW - timedelta(days=1)) as j:
        record_checkin(j, {"painful": False})
    shown = JournalRunner().invoke(cli_module.cli, ["history", "--journal", str(path)]).output
    assert "The weekly check-in is due" not in shown
    assert "  Wed 2026-04-01  painful: no, more often: skipped," in shown


def test_checkin_can_be_backdated(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    result = JournalRunner().invoke(cli_module.cli, ["checkin", "--date", "yesterday",
                                                 "--journal", str(path)], input="n\nn\nn\nn\n")
    assert result.exit_code == 0, result.output
    with Journal.open(path, create=False) as j:
        [kept] = j.checkins()
    assert kept.at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M") == "2026-04-01 12:00"
