"""Simulated diaries with known truth, for the flags' and the analysis' measured rates
(tests/test_care_flag_noise.py, tests/test_care_helps.py and bench/care_flags_noise.py).

A stable person: one rating a day, whole numbers around a level with a day-to-day spread
(SD 1 before rounding), episodes as a Poisson process. Seeded: the same seed always gives
the same diaries.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from crampcoach.journal.flags import more_often_flag, worsening_flag
from crampcoach.journal.helps import Helps, associations
from crampcoach.journal.store import DayFactors, Episode, MedicineEvent

START = date(2025, 1, 6)  # a Monday: weeks of the diary are calendar weeks


@dataclass(frozen=True)
class Diary:
    ratings: dict[date, float]
    episodes: tuple[Episode, ...]

    def day(self, n: int) -> date:
        return START + timedelta(days=n)


def diary(rng: np.random.Generator, days: int, *, level: float = 4.0, spread: float = 1.0,
          per_day: float = 0.3, rise: float = 0.0, rise_from: int | None = None,
          episode_factor: float = 1.0) -> Diary:
    """A diary of ``days`` days; from day ``rise_from`` the level is ``rise`` higher and
    episodes come ``episode_factor`` times as often."""
    shift = np.zeros(days)
    rate = np.full(days, per_day)
    if rise_from is not None:
        shift[rise_from:] = rise
        rate[rise_from:] *= episode_factor
    values = np.clip(np.round(level + shift + rng.normal(0, spread, days)), 0, 10)
    counts = rng.poisson(rate)
    episodes = []
    for n, count in enumerate(counts):
        for k in range(int(count)):
            at = datetime.combine(START + timedelta(days=n), time(2 + k % 20), UTC)
            episodes.append(Episode(f"e{n}-{k}", at, "cramp"))
    ratings = {START + timedelta(days=n): float(v) for n, v in enumerate(values)}
    return Diary(ratings, tuple(episodes))


def flags_on(d: Diary, n: int) -> tuple[bool, bool]:
    """Whether "worsening" and "more often" are raised on day ``n`` of the diary, logging
    since day 0 (only the records up to that day are seen)."""
    today = d.day(n)
    seen = {k: v for k, v in d.ratings.items() if k <= today}
    episodes = [e for e in d.episodes if e.at.date() <= today]
    worse = worsening_flag(seen, today=today, logging_since=START) is not None
    more = more_often_flag(episodes, today=today, tz=UTC, logging_since=START) is not None
    return worse, more


@dataclass(frozen=True)
class Rates:
    weeks: int
    worsening_weeks: int
    more_often_weeks: int

    @property
    def worsening(self) -> float:
        return self.worsening_weeks / self.weeks

    @property
    def more_often(self) -> float:
        return self.more_often_weeks / self.weeks


def false_alarms(seed: int, diaries: int, weeks: int = 8, first_week: int = 3) -> Rates:
    """Stable diaries: in how many weeks (from week ``first_week``, when a baseline of 14
    days exists) each flag is shown on at least one day."""
    rng = np.random.default_rng(seed)
    total = worse_weeks = more_weeks = 0
    for _ in range(diaries):
        d = diary(rng, 7 * (first_week + weeks))
        for week in range(first_week, first_week + weeks):
            shown = [flags_on(d, n) for n in range(7 * week, 7 * week + 7)]
            total += 1
            worse_weeks += any(w for w, _ in shown)
            more_weeks += any(m for _, m in shown)
    return Rates(total, worse_weeks, more_weeks)


def detections(seed: int, diaries: int, *, rise: float = 1.5, episode_factor: float = 1.0,
               before: int = 42, within: int = 14) -> Iterator[tuple[bool, bool]]:
    """Diaries stable for ``before`` days, then risen: whether each flag was raised on a
    day within ``within`` days of the rise."""
    rng = np.random.default_rng(seed)
    for _ in range(diaries):
        d = diary(rng, before + within, rise=rise, rise_from=before,
                  episode_factor=episode_factor)
        shown = [flags_on(d, n) for n in range(before, before + within)]
        yield any(w for w, _ in shown), any(m for _, m in shown)


# --- what seems to help ------------------------------------------------------------------------

TAGS = ("travel", "gardening", "visitors", "cold", "long walk")


@dataclass(frozen=True)
class HelpDiary:
    ratings: dict[date, float]
    routines: dict[date, set[str]]
    factors: tuple[DayFactors, ...]
    medicines: tuple[MedicineEvent, ...]


def help_diary(rng: np.random.Generator, days: int, *, caffeine_effect: float = 0.0,
               medicine_effect: float = 0.0, medicine_day: int | None = None,
               drift_per_day: float = 0.0) -> HelpDiary:
    """A diary with every factor, two routines and tags recorded at random; the rating is
    noise (level 4, SD 1) unless an effect is planted: ``caffeine_effect`` on days with 3
    or more caffeine drinks, ``medicine_effect`` from ``medicine_day`` (a baclofen dose
    change; a magnesium start later has no effect); ``drift_per_day`` a slow change in
    everything, whatever is taken."""
    noise = rng.normal(0, 1, days)
    ratings: dict[date, float] = {}
    routines: dict[date, set[str]] = {}
    factors = []
    for n in range(days):
        day = START + timedelta(days=n)
        caffeine = int(rng.integers(0, 6))
        level = 4 + noise[n] + drift_per_day * n
        if caffeine >= 3:
            level += caffeine_effect
        if medicine_day is not None and n >= medicine_day:
            level += medicine_effect
        ratings[day] = float(np.clip(round(level), 0, 10))
        played = {name for name in ("Evening calf relief", "Box breathing")
                  if rng.random() < 0.5}
        if played:
            routines[day] = played
        factors.append(DayFactors(
            day, fluids_glasses=int(rng.poisson(6)), caffeine_drinks=caffeine,
            alcohol_drinks=int(rng.poisson(0.5)), heat=bool(rng.random() < 0.3),
            exertion=int(rng.integers(0, 11)), stress=int(rng.integers(0, 11)),
            sleep_hours=float(np.round(rng.normal(7, 1) * 2) / 2),
            sleep_quality=int(rng.integers(0, 11)), bladder_bowel=bool(rng.random() < 0.2),
            infection=bool(rng.random() < 0.1),
            tags=tuple(t for t in TAGS if rng.random() < 0.2)))
    medicines = []
    if medicine_day is not None:
        medicines = [
            MedicineEvent("m1", START - timedelta(days=30), "baclofen", "start", "10 mg"),
            MedicineEvent("m2", START + timedelta(days=medicine_day), "baclofen", "change",
                          "15 mg"),
            MedicineEvent("m3", START + timedelta(days=medicine_day + (days - medicine_day) // 2),
                          "magnesium", "start", "300 mg", supplement=True),
        ]
    return HelpDiary(ratings, routines, tuple(factors), tuple(medicines))


def helps_of(d: HelpDiary) -> Helps:
    return associations(d.ratings, d.routines, d.factors, d.medicines, d.ratings)
