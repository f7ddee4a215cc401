"""The flags' measured rates on simulated diaries with known truth (seeded): a stable
person is rarely told things are worse; a real rise is caught within two weeks; nothing
trend-based is said before there is a baseline. The same simulation, with more diaries,
is bench/care_flags_noise.py; its figures are in docs/benchmarks-journal.md."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import numpy as np
import pytest

from crampcoach.journal.flags import all_flags
from crampcoach.journal.trends import RatingPoint
from support.diaries import START, detections, diary, false_alarms


@pytest.mark.slow
def test_a_stable_person_is_rarely_flagged() -> None:
    rates = false_alarms(seed=22, diaries=1000)
    assert rates.weeks == 8000
    assert rates.worsening <= 0.05, rates
    assert rates.more_often <= 0.05, rates


@pytest.mark.slow
def test_a_sustained_rise_of_one_and_a_half_is_flagged_within_14_days() -> None:
    found = [worse for worse, _ in detections(seed=23, diaries=1000, rise=1.5)]
    assert sum(found) / len(found) >= 0.80


def test_nothing_trend_based_before_14_days_of_logging() -> None:
    rng = np.random.default_rng(24)
    for _ in range(50):
        d = diary(rng, 14, rise=5, rise_from=7, per_day=0.3, episode_factor=10)
        points = [RatingPoint(datetime.combine(day, time(9), UTC), int(v), "rating")
                  for day, v in d.ratings.items()]
        for n in range(14):
            now = datetime.combine(d.day(n), time(22), UTC)
            seen = [p for p in points if p.at <= now]
            episodes = [e for e in d.episodes if e.at <= now]
            kinds = {f.kind for f in all_flags(seen, episodes, (), now=now, tz=UTC,
                                               high_at=11, logging_since=seen[0].at)}
            assert not kinds & {"worsening", "more_often", "jump"}, (n, kinds)


def test_the_message_says_how_long_the_baseline_was() -> None:
    rng = np.random.default_rng(25)
    d = diary(rng, 30, rise=3, rise_from=23, spread=0.5)
    points = [RatingPoint(datetime.combine(day, time(9), UTC), int(v), "rating")
              for day, v in d.ratings.items()]
    now = datetime.combine(START + timedelta(days=29), time(22), UTC)
    [flag] = [f for f in all_flags(points, (), (), now=now, tz=UTC, high_at=11)
              if f.kind == "worsening"]
    assert "in the 23 days before" in flag.message
