"""The rules behind the history: trend, sparkline, adherence, effects and red flags."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from crampcoach.journal.flags import all_flags, red_flags
from crampcoach.journal.store import Journal, Rating, Session
from crampcoach.journal.summary import history, summarize
from crampcoach.journal.trends import RatingPoint, slope, sparkline, trend_of
from support.journal import LONDON, NOW, MovableClock, every_day


def rating(at: datetime, value: int) -> Rating:
    return Rating(id=f"r{at.isoformat()}{value}", at=at, value=value, note=None, routine=None)


def test_slope_is_least_squares() -> None:
    assert slope([0, 1, 2, 3], [1, 3, 5, 7]) == 2
    assert slope([0, 1, 2], [5, 1, 3]) == -1
    assert slope([4, 4], [1, 2]) is None
    assert slope([1], [1]) is None


@pytest.mark.parametrize(
    ("by_day", "kind", "per_week"),
    [
        ({0: 6, 1: 6, 2: 6, 3: 6}, "steady", 0.0),
        ({0: 6, 1: 5, 2: 4, 3: 3}, "improving", -7.0),
        ({0: 3, 1: 4, 2: 5, 3: 6}, "worsening", 7.0),
        # Half a point a week is the edge: one point over two weeks counts as a change...
        ({0: 4, 7: 4.5, 14: 5}, "worsening", 0.5),
        ({0: 5, 7: 4.5, 14: 4}, "improving", -0.5),
        # ...a little less does not.
        ({0: 4, 7: 4.4, 14: 4.9}, "steady", 0.45),
        ({0: 5, 9: 5}, "unknown", None),
    ],
)
def test_trend_rule(by_day: dict[int, float], kind: str, per_week: float | None) -> None:
    first = date(2026, 3, 1)
    trend = trend_of({first + timedelta(days=n): v for n, v in by_day.items()}, 0.5)
    assert (trend.kind, trend.rated_days) == (kind, len(by_day))
    if per_week is None:
        assert trend.change_per_week is None
    else:
        assert trend.change_per_week == pytest.approx(per_week)


def test_sparkline_marks_each_day_and_gaps() -> None:
    first = date(2026, 3, 1)
    points = [
        RatingPoint(datetime(2026, 3, 1, 12, tzinfo=UTC), 0, "rating"),
        RatingPoint(datetime(2026, 3, 2, 12, tzinfo=UTC), 10, "rating"),
        RatingPoint(datetime(2026, 3, 4, 12, tzinfo=UTC), 4, "rating"),
        RatingPoint(datetime(2026, 3, 4, 13, tzinfo=UTC), 6, "after"),
    ]
    assert sparkline(points, first, date(2026, 3, 5), UTC) == ("▁█·▅·", False)


def test_sparkline_of_a_long_window_is_weekly() -> None:
    first = date(2025, 1, 1)
    points = [RatingPoint(datetime(2025, 1, 1, 12, tzinfo=UTC) + timedelta(days=n), n % 11,
                          "rating") for n in range(365)]
    marks, weekly = sparkline(points, first, date(2025, 12, 31), UTC)
    assert weekly
    assert len(marks) == 53
    assert SPARK_CHARS.issuperset(marks)


SPARK_CHARS = set("▁▂▃▄▅▆▇█")


def test_adherence_compares_days_with_a_routine_to_the_others() -> None:
    start = datetime(2026, 3, 30, 20, tzinfo=UTC)
    sessions = [
        Session("s1", "R", None, start, start + timedelta(minutes=9), "finished", 2, "x", 3, 6,
                2, None),
    ]
    ratings = [rating(start - timedelta(days=1), 7), rating(start - timedelta(days=2), 8)]
    summary = summarize(sessions, ratings, now=NOW, days=7, tz=UTC)
    assert (summary.adherence.session_days, summary.adherence.window_days) == (1, 7)
    assert summary.adherence.average_on_session_days == 4.0
    assert summary.adherence.average_on_other_days == 7.5
    assert [(e.routine, e.sessions, e.average_drop) for e in summary.effects] == [("R", 1, 4.0)]


def test_days_follow_local_time(tmp_path: Path) -> None:
    clock = MovableClock()
    with Journal.open(tmp_path / "j.sqlite3", clock=clock) as j:
        clock.at("2026-04-01T23:30:00")  # 00:30 on 2 April in London (summer time)
        j.add_rating(2)
        london = history(j, now=NOW, days=2, tz=LONDON)
        utc = history(j, now=NOW, days=2, tz=UTC)
    assert [d.day for d in london.days] == [date(2026, 4, 2)]
    assert [d.day for d in utc.days] == [date(2026, 4, 1)]


def flags_from(points: list[RatingPoint], *, now: datetime, tz: object) -> tuple[str, ...]:
    return tuple(f.message for f in all_flags(points, (), (), now=now, tz=UTC))


def test_no_red_flags_on_calm_ratings() -> None:
    points = [RatingPoint(NOW - timedelta(days=n), 3, "rating") for n in range(40)]
    assert flags_from(points, now=NOW, tz=UTC) == ()


def test_a_rating_of_8_in_the_last_day_is_a_red_flag() -> None:
    high = [RatingPoint(NOW - timedelta(hours=23), 8, "after")]
    [flag] = all_flags(high, (), (), now=NOW, tz=UTC)
    assert flag.kind == "high"
    assert flag.message.startswith("A rating of 8 in the last day is high.")
    old = [RatingPoint(NOW - timedelta(hours=25), 10, "rating")]
    assert flags_from(old, now=NOW, tz=UTC) == ()


def test_ratings_risen_over_the_week_against_the_weeks_before_are_a_red_flag() -> None:
    # Four weeks around 3, then a week around 5: the baseline is the 28 days before.
    before = [RatingPoint(NOW - timedelta(days=34 - n), 3 + (n % 3 == 0), "rating")
              for n in range(28)]
    week = [RatingPoint(NOW - timedelta(days=6 - n), 5 + (n % 2), "rating") for n in range(7)]
    [flag] = all_flags([*before, *week], (), (), now=NOW, tz=UTC)
    assert flag.kind == "worsening"
    assert flag.message == (
        "Your ratings have risen over the last 7 days: 5.4 on average, against 3.4 in the "
        "28 days before. If this goes on, talk to your neurologist."
    )
    # A rise that steep in the first weeks of logging says nothing: no baseline yet.
    assert flags_from([*before[-13:], *week], now=NOW, tz=UTC) == ()
    # The old rule's false alarm: a week sloping up by a point, within the usual spread.
    slow = [RatingPoint(NOW - timedelta(days=34 - n), 3 + (n % 3), "rating")
            for n in range(35)]
    assert flags_from(slow, now=NOW, tz=UTC) == ()


def test_the_baseline_is_the_history_really_there() -> None:
    before = [RatingPoint(NOW - timedelta(days=22 - n), 3 + (n % 3 == 0), "rating")
              for n in range(16)]
    week = [RatingPoint(NOW - timedelta(days=6 - n), 6, "rating") for n in range(7)]
    [flag] = all_flags([*before, *week], (), (), now=NOW, tz=UTC)
    assert "in the 16 days before" in flag.message


def test_a_rise_and_fall_is_not_steady() -> None:
    days = {date(2026, 3, 1) + timedelta(days=n): float(v) for n, v in enumerate(
        [3, 4, 3, 3, 4, 3, 3, 4, 3, 3, 6, 7, 6, 7, 6, 7, 6, 7, 6, 7, 3, 4, 3, 3, 4, 3, 3, 4, 3,
         3])}
    trend = trend_of(days, 0.5)
    assert (trend.kind, round(trend.middle_apart or 0, 1)) == ("rose_and_fell", 3.2)
    flat = {d: 3.0 + (d.day % 2) for d in days}
    assert trend_of(flat, 0.5).kind == "steady"


def test_red_flags_read_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    every_day(path, 10, NOW)
    with Journal.open(path, clock=lambda: NOW) as j:
        assert red_flags(j, now=NOW, tz=UTC) == ()
        j.add_rating(9)
        assert "high" in [f.kind for f in red_flags(j, now=NOW, tz=UTC)]


def test_history_reads_only_the_window(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    every_day(path, 40, NOW)
    with Journal.open(path) as j:
        summary = history(j, now=NOW, days=30, tz=UTC)
    assert len(summary.days) == 30
    assert summary.adherence.session_days == 30
    assert summary.sparkline.count("·") == 0
    assert [(e.sessions, e.average_drop) for e in summary.effects] == [(30, 3.0)]
