"""The red flags beyond one rating, the weekly check-in and what seems to help, each on a
journal crafted for the rule."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach import cli as cli_module
from crampcoach.journal.care import (
    CHECKIN_CLEAR,
    URGENT,
    checkin_due,
    run_checkin,
)
from crampcoach.journal.store import Journal
from crampcoach.journal.trends import flags_from, history, rating_points, red_flags
from support.journal import LONDON, NOW, MovableClock


def daily_ratings(path: Path, first: str, values: list[int]) -> None:
    """One rating a day at 09:00 UTC from ``first``."""
    clock = MovableClock().at(first)
    with Journal.open(path, clock=clock) as j:
        for value in values:
            j.add_rating(value)
            clock.now += timedelta(days=1)


JUMP = ("Your ratings rose suddenly on Thu 26 Mar, from about 2 to about 6, and have stayed "
        "there. A sudden change that lasts is worth talking over with your neurologist.")


def test_a_jump_from_2_to_6_that_stays_flat_raises_a_flag(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    daily_ratings(path, "2026-03-16T09:00:00", [2] * 10 + [6] * 8)  # 6 from 26 March
    with Journal.open(path) as j:
        points = rating_points(j.sessions(), j.ratings())
        # The older rules see nothing: no rating of 8, and the last week is flat.
        assert flags_from(points, now=NOW, tz=LONDON) == ()
        flags = red_flags(j, now=NOW, tz=LONDON)
    assert [(f.kind, f.message) for f in flags] == [("jump", JUMP)]


def test_a_jump_that_falls_back_is_not_a_flag(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    daily_ratings(path, "2026-03-16T09:00:00", [2] * 10 + [6] * 3 + [2] * 5)
    with Journal.open(path) as j:
        assert [f.kind for f in red_flags(j, now=NOW, tz=LONDON)] == []


def test_a_rise_of_two_points_is_not_a_jump(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    daily_ratings(path, "2026-03-16T09:00:00", [3] * 10 + [5] * 8)
    with Journal.open(path) as j:
        assert red_flags(j, now=NOW, tz=LONDON) == ()


def episodes(path: Path, days_ago: list[float], kinds: list[str]) -> None:
    with Journal.open(path) as j:
        for ago, kind in zip(days_ago, kinds, strict=True):
            j.add_episode(at=NOW - timedelta(days=ago), kind=kind)


def test_episodes_more_often_than_the_weeks_before(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    episodes(path, [10, 17, 24, 31], ["cramp"] * 4)  # one a week before
    episodes(path, [0.2, 1, 2, 3, 5], ["spasm", "cramp", "spasm", "spasm", "cramp"])
    with Journal.open(path) as j:
        flags = red_flags(j, now=NOW, tz=LONDON)
    assert [(f.kind, f.message) for f in flags] == [(
        "more_often",
        "You recorded 5 episodes in the last 7 days (3 spasms, 2 cramps), against about 1.0 "
        "a week in the 4 weeks before. Cramps or spasms coming more often are worth talking "
        "over with your neurologist.",
    )]


def test_a_first_week_of_logging_is_not_a_rise(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    episodes(path, [0.2, 1, 2, 3, 5], ["cramp"] * 5)
    with Journal.open(path) as j:
        assert red_flags(j, now=NOW, tz=LONDON) == ()


def test_the_same_rate_as_before_is_not_a_flag(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    episodes(path, [n + 0.5 for n in range(35)], ["cramp"] * 35)  # one a day throughout
    with Journal.open(path) as j:
        assert red_flags(j, now=NOW, tz=LONDON) == ()


def test_the_weekly_checkin_flow(tmp_path: Path) -> None:
    clock = MovableClock().at("2026-03-30T19:00:00")
    asked: list[str] = []
    answers = iter([True, False, None, True])

    def ask(question: str) -> bool | None:
        asked.append(question)
        return next(answers)

    with Journal.open(tmp_path / "j.sqlite3", clock=clock) as j:
        assert checkin_due(j, clock.now)
        outcome = run_checkin(j, ask)
        assert not checkin_due(j, clock.now + timedelta(days=6))
        assert checkin_due(j, clock.now + timedelta(days=7, seconds=1))
        flags = red_flags(j, now=NOW, tz=LONDON)
        # A week later the check-in no longer raises anything: it is time for a new one.
        later = red_flags(j, now=NOW + timedelta(days=6), tz=LONDON)
    assert asked == [
        "Are your cramps, spasms or twitching painful?",
        "Are they coming more often than before?",
        "Do they come with weakness, stiffness or spasticity?",
        "Are they getting in the way of daily life?",
    ]
    assert (outcome.checkin.painful, outcome.checkin.more_often, outcome.checkin.weakness,
            outcome.checkin.daily_life) == (True, False, None, True)
    assert outcome.advice == (
        "Thank you. You said the cramps are painful and getting in the way of daily life. "
        "That is worth talking over with your neurologist soon; they can review your "
        "medicines and what else may help. This is guidance, not a diagnosis."
    )
    assert outcome.urgent == URGENT
    assert [(f.kind, f.message) for f in flags] == [(
        "checkin",
        "In your check-in on Mon 30 Mar you said the cramps are painful and getting in the way "
        "of daily life. The advice is to talk to your neurologist about that.",
    )]
    assert later == ()


def test_a_checkin_of_all_noes_is_calm(tmp_path: Path) -> None:
    with Journal.open(tmp_path / "j.sqlite3", clock=MovableClock()) as j:
        outcome = run_checkin(j, lambda question: False)
        assert outcome.advice == CHECKIN_CLEAR
        assert red_flags(j, now=NOW, tz=LONDON) == ()


@pytest.mark.parametrize(("config", "flagged"), [("", False), ("red_flag_threshold: 6\n", True)])
def test_history_and_rate_use_the_one_threshold_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str, flagged: bool
) -> None:
    settings = tmp_path / "config.yaml"
    settings.write_text(config)
    monkeypatch.setenv("CRAMPCOACH_CONFIG", str(settings))
    monkeypatch.setattr(cli_module, "_journal_now", lambda: NOW)
    monkeypatch.setattr(cli_module, "_journal_tz", lambda: LONDON)
    path = tmp_path / "j.sqlite3"
    runner = CliRunner()
    rated = runner.invoke(cli_module.cli, ["rate", "6", "--journal", str(path)])
    shown = runner.invoke(cli_module.cli, ["history", "--days", "1", "--journal", str(path)])
    flag = "  A rating of 6 in the last day is high."
    assert (flag in rated.output, flag in shown.output) == (flagged, flagged)
    assert (URGENT in rated.output, URGENT in shown.output) == (flagged, flagged)


# --- what seems to help ---------------------------------------------------------------------


def caffeine_days(path: Path, with_caffeine: int, without: int) -> None:
    clock = MovableClock()
    with Journal.open(path, clock=clock) as j:
        for n in range(with_caffeine + without):
            day = date(2026, 3, 20) + timedelta(days=n)
            clock.at(f"{day}T09:00:00")
            caffeine = n < with_caffeine
            j.add_rating(6 if caffeine else 3)
            j.set_factors(day, caffeine_drinks=2 if caffeine else 0)
            if caffeine:
                j.add_episode(kind="cramp")


def test_what_seems_to_help_needs_three_days_each_side(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    caffeine_days(path, 3, 3)
    with Journal.open(path) as j:
        summary = history(j, now=NOW, days=30, tz=LONDON)
    [caffeine] = [a for a in summary.associations if a.label == "any caffeine"]
    assert (caffeine.days_with, caffeine.rating_with, caffeine.episodes_with) == (3, 6.0, 1.0)
    assert (caffeine.days_without, caffeine.rating_without, caffeine.episodes_without) == (
        3, 3.0, 0.0)

    fewer = tmp_path / "fewer.sqlite3"
    caffeine_days(fewer, 2, 3)
    with Journal.open(fewer) as j:
        assert history(j, now=NOW, days=30, tz=LONDON).associations == ()


def test_history_words_it_as_an_association(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            ) -> None:
    monkeypatch.setattr(cli_module, "_journal_now", lambda: NOW)
    monkeypatch.setattr(cli_module, "_journal_tz", lambda: LONDON)
    path = tmp_path / "j.sqlite3"
    caffeine_days(path, 3, 3)
    shown = CliRunner().invoke(cli_module.cli, ["history", "--journal", str(path)])
    assert shown.exit_code == 0, shown.output
    assert (
        "What seems to help, or not (days with and without each):\n"
        "  any caffeine: on 3 days with it rating 6.0 and 1.0 episodes a day; on 3 days "
        "without, 3.0 and 0.0\n"
        "  These are associations in your own records, not causes: other things may differ "
        "between those days.\n"
    ) in shown.output

    few = tmp_path / "few.sqlite3"
    caffeine_days(few, 2, 3)
    shown = CliRunner().invoke(cli_module.cli, ["history", "--journal", str(few)])
    assert ("What seems to help: not enough days yet (3 days with and without a factor, "
            "routine or medicine are needed).\n") in shown.output


def test_a_medicine_change_compares_the_new_dose_with_the_old(tmp_path: Path) -> None:
    clock = MovableClock()
    path = tmp_path / "j.sqlite3"
    with Journal.open(path, clock=clock) as j:
        j.add_medicine("baclofen", "start", date(2026, 3, 1), dose="10 mg")
        j.add_medicine("baclofen", "change", date(2026, 3, 20), dose="15 mg")
        for n in range(30):
            day = date(2026, 3, 4) + timedelta(days=n)
            clock.at(f"{day}T09:00:00")
            j.add_rating(3 if day >= date(2026, 3, 20) else 6)
        summary = history(j, now=NOW, days=30, tz=LONDON)
    [change] = [a for a in summary.associations if a.label.startswith("baclofen 15 mg")]
    assert change.label == "baclofen 15 mg from 2026-03-20 (against 10 mg before)"
    assert (change.days_with, change.rating_with, change.days_without, change.rating_without
            ) == (14, 3.0, 16, 6.0)
