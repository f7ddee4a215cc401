"""What seems to help, measured on diaries with known truth (seeded): pure noise rarely
shows a line, a planted effect nearly always does, a medicine change is judged against the
days just before it, a routine on the next day too, and a session's own after-rating
never scores it."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from pathlib import Path

import numpy as np
import pytest

from crampcoach import cli as cli_module
from crampcoach.journal.helps import (
    associations,
    benjamini_hochberg,
    dose_cuts,
    t_quantile,
    t_two_sided,
    welch,
)
from crampcoach.journal.history_text import describe_association
from crampcoach.journal.store import DayFactors, Journal, Session
from crampcoach.journal.summary import summarize
from support.diaries import START, help_diary, helps_of
from support.journal import NOW, JournalRunner, MovableClock


def test_the_statistics_match_known_values() -> None:
    assert t_quantile(10) == pytest.approx(2.228, abs=1e-3)
    assert t_two_sided(2.228, 10) == pytest.approx(0.05, abs=1e-4)
    # Welch's t on two small samples (difference -2, Hsu's df 4: p = 0.0805 with df 8 by
    # Welch-Satterthwaite; the conservative df gives more).
    test = welch([1, 2, 3, 4, 5], [3, 4, 5, 6, 7])
    assert (test.difference, test.df) == (-2, 4)
    assert test.p == pytest.approx(t_two_sided(-2 / 1.0, 4))
    assert benjamini_hochberg([0.001, 0.02, 0.03, 0.5], q=0.1) == [True, True, True, False]
    assert benjamini_hochberg([0.04, 0.5], q=0.05) == [False, False]


def test_doses_are_cut_where_the_persons_values_split() -> None:
    assert dose_cuts([0, 1, 2, 3, 4, 5, 0, 3]) == [1, 2, 3, 4, 5]
    assert dose_cuts([5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 6, 7]) == [7, 8]  # the thirds
    assert dose_cuts([2, 2, 2]) == []


@pytest.mark.slow
def test_pure_noise_shows_a_line_in_at_most_5_percent_of_diaries() -> None:
    rng = np.random.default_rng(31)
    shown = [bool(helps_of(help_diary(rng, 90)).shown) for _ in range(400)]
    assert sum(shown) / len(shown) <= 0.05


@pytest.mark.slow
def test_a_planted_effect_of_two_points_over_40_days_is_shown_in_90_percent() -> None:
    rng = np.random.default_rng(32)
    found = 0
    for _ in range(200):
        helps = helps_of(help_diary(rng, 40, caffeine_effect=2))
        found += any("caffeine" in a.label and a.difference > 0 for a in helps.shown)
    assert found / 200 >= 0.90


def test_a_dose_change_is_judged_against_the_days_just_before_it() -> None:
    # +1.5 from the change on day 60 of 120; magnesium started on day 90 changes nothing.
    rng = np.random.default_rng(33)
    hits = []
    for _ in range(20):
        helps = helps_of(help_diary(rng, 120, medicine_effect=1.5, medicine_day=60))
        [change] = [a for a in helps.shown if a.label.startswith("baclofen")] or [None]
        hits.append(change)
        assert not any(a.label.startswith("magnesium") for a in helps.shown)
    found = [a for a in hits if a is not None]
    assert len(found) >= 18
    assert found[0].label == (f"baclofen 15 mg from {START + timedelta(days=60)} (28 days) "
                              "against 10 mg before (28 days)")
    assert all(a.low <= 1.5 <= a.high for a in found[:10])


def test_a_supplement_started_during_a_slow_improvement_is_not_credited_with_it() -> None:
    # Ratings fall by 2 points over 120 days whatever is taken; magnesium starts on day 90
    # and baclofen changes on day 60, neither with any effect. Against all the days before,
    # both would look like they help; against the 28 days just before, they rarely do.
    rng = np.random.default_rng(34)
    credited = 0
    for _ in range(100):
        helps = helps_of(help_diary(rng, 120, medicine_day=60, drift_per_day=-2 / 120))
        credited += any(a.group == "medicine" for a in helps.shown)
    assert credited <= 10


def test_a_routine_is_looked_at_on_the_next_day_too() -> None:
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(40)]
    played = {d for i, d in enumerate(days) if i % 3 == 0}
    # The day after a session is 2 points lower; the day itself is not.
    ratings = {d: (3.0 if (d - timedelta(days=1)) in played else 5.0) + (i % 3 == 0) * 0.5
               for i, d in enumerate(days)}
    helps = associations(ratings, {d: {"Evening calf relief"} for d in played}, (), (), days)
    labels = [a.label for a in helps.shown]
    assert labels[0] == "Evening calf relief, on the day after"
    # 3.0 on the days after, against 5.0 and 5.5 (every third day) on the others.
    assert helps.shown[0].difference == pytest.approx(-2.25, abs=0.01)


def test_a_sessions_own_rating_after_never_counts_as_the_day() -> None:
    # Every session day is rated 6 in the morning and 2 just after the routine; other days
    # 6: the routine does not make the day better.
    sessions, ratings = [], []
    for n in range(30):
        day = NOW - timedelta(days=n)
        if n % 2:
            sessions.append(Session(f"s{n}", "Evening calf relief", None, day,
                                    day + timedelta(minutes=10), "finished", 3, "Rest", 4,
                                    None, 2, None))
        from crampcoach.journal.store import Rating

        ratings.append(Rating(f"r{n}", day - timedelta(hours=10), 6 - (n % 3 == 0), None,
                              None))
    summary = summarize(sessions, ratings, now=NOW, days=30, tz=UTC)
    assert summary.helps.shown == ()
    assert summary.helps.tested >= 2


def test_history_shows_the_evidence_or_says_nothing_stands_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "j.sqlite3"
    clock = MovableClock()
    with Journal.open(path, clock=clock) as j:
        for n in range(24):
            day = date(2026, 3, 10) + timedelta(days=n)
            clock.at(f"{day}T09:00:00")
            caffeine = n % 2 == 0
            j.add_rating((6 if caffeine else 3) + (n % 4 == 1))
            j.set_factors(day, caffeine_drinks=3 if caffeine else 0)
    shown = JournalRunner().invoke(cli_module.cli, ["history", "--journal", str(path)])
    assert shown.exit_code == 0, shown.output
    assert (
        "What seems to help, or not:\n"
        "  3 or more caffeine drinks (against less): rating 6.0 on 12 days with it, 3.5 on 12 "
        "without (2.5 higher, 95 % interval +2.2 to +2.8; p < 0.001)\n"
        "  These are associations in your own records, not causes: other things may differ "
        "between those days.\n"
        "  (Shown: what stands out of 1 comparison, after allowing for how many were made.)\n"
    ) in shown.output

    few = tmp_path / "few.sqlite3"
    with Journal.open(few, clock=clock) as j:
        for n in range(6):
            day = date(2026, 3, 20) + timedelta(days=n)
            clock.at(f"{day}T09:00:00")
            j.add_rating(5)
            j.set_factors(day, caffeine_drinks=n % 2)
    shown = JournalRunner().invoke(cli_module.cli, ["history", "--journal", str(few)])
    assert ("What seems to help, or not:\n"
            "  Nothing stands out yet. (5 rated days with and without a factor, routine or "
            "medicine are needed to compare.)\n") in shown.output


def test_a_line_reads_with_its_evidence() -> None:
    factors = [DayFactors(date(2026, 1, 1) + timedelta(days=n), caffeine_drinks=n % 2)
               for n in range(20)]
    ratings = {f.day: 5.0 + (f.caffeine_drinks or 0) * 2 + (f.day.day % 3 == 0)
               for f in factors}
    [line] = associations(ratings, {}, factors, (), ratings).shown
    assert describe_association(line).startswith(
        "any caffeine (against less): rating 7.3 on 10 days with it, 5.3 on 10 without "
        "(2.0 higher, 95 % interval")
