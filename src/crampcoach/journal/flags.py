"""The red flags: what in the journal is worth raising with the neurologist, and the one
that calls for help now.

Pure: records, a "now", a time zone and the day logging began in; flags out. Each flag
carries its message (what the person and the neurologist read).

Rules chosen (and measured: ``bench/care_flags_noise.py``, figures in
docs/benchmarks-journal.md):

* Urgent: the latest episode lasted over 10 minutes and did not ease, or came with signs
  in the limb (swollen, red, warm, painful). It stays until a later episode is recorded or
  the episode gets a follow-up note. Notes are never a trigger: only the structured
  answers (``eased``, ``signs``) are.
* High: a rating, or an episode's severity, at or above the ``red_flag_threshold`` setting
  in the last 24 hours.
* Trend-based flags (worsening, more often, a sudden jump) compare the last
  :data:`RECENT_DAYS` days with a baseline: the history actually there before them, at
  least :data:`BASELINE_MIN_DAYS` and at most :data:`BASELINE_MAX_DAYS` days. Nothing
  trend-based is raised before that much has been logged, and each message says how long
  its baseline was.
* Worsening: the recent days' average rating is at least :data:`WORSENING_MIN_RISE`
  above the baseline's, and that difference is at least :data:`WORSENING_T` standard
  errors (the baseline's own day-to-day spread, never taken below
  :data:`SPREAD_FLOOR`).
* More often: at least :data:`MORE_OFTEN_MIN` episodes in the recent days, at least
  :data:`MORE_OFTEN_RATIO` times the baseline's rate, and a one-sided exact test (the
  recent share of all episodes against the recent share of the days) at p <=
  :data:`MORE_OFTEN_P`.
* Sudden sustained jump: a day in the last 14 after which every day's average rating
  (at least 3 rated days) stays at least :data:`JUMP_POINTS` / 2 above the average of the
  14 days before it (at least 3 rated days), the two averages :data:`JUMP_POINTS` apart.
* Check-in: a yes to any of the four questions in the last week's check-in.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Literal, NamedTuple

from crampcoach.care import RED_FLAG_DAYS, RED_FLAG_RATING
from crampcoach.journal.store import CHECKIN_KEYS, Checkin, Episode
from crampcoach.journal.trends import (
    RatingPoint,
    daily_averages,
    local,
    local_day,
    query_bounds,
    rating_points,
    window,
)
from crampcoach.journal.wording import and_list, describe_urgent, plural
from crampcoach.phrases import ENGLISH

if TYPE_CHECKING:
    from crampcoach.journal.store import Journal

RedFlagKind = Literal["urgent", "high", "worsening", "more_often", "jump", "checkin"]

RECENT_DAYS = RED_FLAG_DAYS
BASELINE_MIN_DAYS = 14
BASELINE_MAX_DAYS = 28
#: How far back the flags look: the recent days and the longest baseline.
FLAG_LOOKBACK_DAYS = RECENT_DAYS + BASELINE_MAX_DAYS
RECENT_MIN_RATED = 4
BASELINE_MIN_RATED = 10
WORSENING_MIN_RISE = 1.0
WORSENING_T = 2.6
SPREAD_FLOOR = 0.5
MORE_OFTEN_MIN = 3
MORE_OFTEN_RATIO = 1.5
MORE_OFTEN_P = 0.01
JUMP_POINTS = 3.0
JUMP_RECENT_DAYS = 14
JUMP_MIN_DAYS = 3
URGENT_MINUTES = 10
CHECKIN_EVERY = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class RedFlag:
    kind: RedFlagKind
    message: str

    @property
    def urgent(self) -> bool:
        return self.kind == "urgent"


# --- the episode that needs help now -------------------------------------------------------------


def is_urgent(e: Episode) -> bool:
    """Over 10 minutes and did not ease, or any sign in the limb (never the note alone)."""
    long_unrelieved = (e.duration_s is not None and e.duration_s > URGENT_MINUTES * 60
                       and e.eased is False)
    return long_unrelieved or bool(e.signs)


def urgent_flag(last: Episode | None, tz: tzinfo | None) -> RedFlag | None:
    """The urgent flag of the latest episode, until a follow-up note answers it (a later
    episode answers it by being the latest)."""
    if last is None or not is_urgent(last) or last.follow_up:
        return None
    return RedFlag("urgent", describe_urgent(last, tz))


# --- ratings ---------------------------------------------------------------------------------


def high_flag(points: Sequence[RatingPoint], episodes: Sequence[Episode], *,
              now: datetime, high_at: int) -> RedFlag | None:
    day_ago = now - timedelta(days=1)
    rated = max((p.value for p in points if day_ago <= p.at <= now), default=None)
    felt = max((e.severity for e in episodes
                if e.severity is not None and day_ago <= e.at <= now), default=None)
    if rated is not None and rated >= high_at and (felt is None or rated >= felt):
        what = f"A rating of {rated}"
    elif felt is not None and felt >= high_at:
        what = f"An episode rated {felt} of 10"
    else:
        return None
    return RedFlag(
        "high",
        f"{what} in the last day is high. If cramps are this strong often, are painful, or "
        "come with new weakness or stiffness, talk to your neurologist.",
    )


class Baseline(NamedTuple):
    """The days a recent week is compared with: ``first`` to ``last``, both included."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def holds(self, day: date) -> bool:
        return self.first <= day <= self.last


def baseline(today: date, logging_since: date | None) -> Baseline | None:
    """The history before the recent days that is really there, or None when it is
    shorter than :data:`BASELINE_MIN_DAYS` (nothing trend-based is said then)."""
    if logging_since is None:
        return None
    last = today - timedelta(days=RECENT_DAYS)
    first = max(logging_since, last - timedelta(days=BASELINE_MAX_DAYS - 1))
    found = Baseline(first, last)
    return found if found.days >= BASELINE_MIN_DAYS else None


def _spread(values: Sequence[float]) -> float:
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def worsening_flag(averages: dict[date, float], *, today: date,
                   logging_since: date | None) -> RedFlag | None:
    """Ratings risen over the recent days against the baseline (see the module)."""
    base = baseline(today, logging_since)
    if base is None:
        return None
    recent_first = base.last + timedelta(days=1)
    recent = [v for d, v in averages.items() if recent_first <= d <= today]
    before = [v for d, v in averages.items() if base.holds(d)]
    if len(recent) < RECENT_MIN_RATED or len(before) < BASELINE_MIN_RATED:
        return None
    now_mean = sum(recent) / len(recent)
    then_mean = sum(before) / len(before)
    rise = now_mean - then_mean
    error = max(_spread(before), SPREAD_FLOOR) * math.sqrt(1 / len(recent) + 1 / len(before))
    if rise < WORSENING_MIN_RISE or rise / error < WORSENING_T:
        return None
    return RedFlag(
        "worsening",
        f"Your ratings have risen over the last {RECENT_DAYS} days: {now_mean:.1f} on "
        f"average, against {then_mean:.1f} in the {base.days} days before. If this goes on, "
        "talk to your neurologist.",
    )


def _binomial_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p)."""
    return min(1.0, sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(k, n + 1)))


def more_often_flag(episodes: Sequence[Episode], *, today: date, tz: tzinfo | None,
                    logging_since: date | None) -> RedFlag | None:
    base = baseline(today, logging_since)
    if base is None:
        return None
    recent_first = base.last + timedelta(days=1)
    this_week: Counter[str] = Counter()
    earlier = 0
    for e in episodes:
        d = local_day(e.at, tz)
        if recent_first <= d <= today:
            this_week[e.kind or "episode"] += 1
        elif base.holds(d):
            earlier += 1
    count = sum(this_week.values())
    if count < MORE_OFTEN_MIN or count * base.days < MORE_OFTEN_RATIO * RECENT_DAYS * earlier:
        return None
    share = RECENT_DAYS / (RECENT_DAYS + base.days)
    if _binomial_tail(count, count + earlier, share) > MORE_OFTEN_P:
        return None
    per_week = earlier * 7 / base.days
    kinds = ", ".join(plural(n, k) for k, n in sorted(this_week.items(), key=lambda x: -x[1]))
    return RedFlag(
        "more_often",
        f"You recorded {count} episodes in the last {RECENT_DAYS} days ({kinds}), against "
        f"{earlier} in the {base.days} days before (about {per_week:.1f} a week). Cramps or "
        "spasms coming more often are worth talking over with your neurologist.",
    )


def jump_flag(averages: dict[date, float], *, today: date,
              logging_since: date | None) -> RedFlag | None:
    if logging_since is None or (today - logging_since).days < BASELINE_MIN_DAYS:
        return None
    days = sorted(d for d in averages if d >= today - timedelta(days=2 * JUMP_RECENT_DAYS))
    best: tuple[float, date, float, float] | None = None
    for split in days:
        if split < today - timedelta(days=JUMP_RECENT_DAYS - 1) or split > today:
            continue
        before = [averages[d] for d in days
                  if split - timedelta(days=JUMP_RECENT_DAYS) <= d < split]
        after = [averages[d] for d in days if split <= d <= today]
        if len(before) < JUMP_MIN_DAYS or len(after) < JUMP_MIN_DAYS:
            continue
        low = sum(before) / len(before)
        high = sum(after) / len(after)
        if high - low >= JUMP_POINTS and min(after) >= low + JUMP_POINTS / 2 and (
                best is None or high - low > best[0]):
            best = (high - low, split, low, high)
    if best is None:
        return None
    _, split, low, high = best
    return RedFlag(
        "jump",
        f"Your ratings rose suddenly on {split:%a %d %b}, from about {low:.0f} to about "
        f"{high:.0f}, and have stayed there. A sudden change that lasts is worth talking "
        "over with your neurologist.",
    )


def checkin_flag(checkins: Sequence[Checkin], *, now: datetime,
                 tz: tzinfo | None) -> RedFlag | None:
    recent = [c for c in checkins if now - CHECKIN_EVERY <= c.at <= now]
    if not recent:
        return None
    latest = recent[-1]
    signs = [ENGLISH.checkin_signs[k] for k in CHECKIN_KEYS if latest.answer(k)]
    if not signs:
        return None
    return RedFlag(
        "checkin",
        f"In your check-in on {local_day(latest.at, tz):%a %d %b} you said the cramps are "
        f"{and_list(signs)}. The advice is to talk to your neurologist about that.",
    )


# --- all of them -------------------------------------------------------------------------------


def all_flags(
    points: Sequence[RatingPoint], episodes: Sequence[Episode], checkins: Sequence[Checkin],
    *, now: datetime, tz: tzinfo | None, high_at: int = RED_FLAG_RATING,
    logging_since: datetime | None = None, last_episode: Episode | None = None,
) -> tuple[RedFlag, ...]:
    """Every flag, the urgent one first. ``logging_since``: when the journal's first record
    was made (None: the earliest record given); ``last_episode``: the journal's latest
    (None: the latest given)."""
    today = local(now, tz).date()
    if logging_since is None:
        firsts = [*(p.at for p in points[:1]), *(e.at for e in episodes[:1]),
                  *(c.at for c in checkins[:1])]
        logging_since = min(firsts, default=None)
    since_day = None if logging_since is None else local_day(logging_since, tz)
    if last_episode is None and episodes:
        last_episode = max(episodes, key=lambda e: e.at)
    cutoff = now - timedelta(days=FLAG_LOOKBACK_DAYS + 2)
    first, _ = window(now, FLAG_LOOKBACK_DAYS + 1, tz)
    averages = daily_averages(
        (p for p in points if p.at >= cutoff and first <= local_day(p.at, tz) <= today), tz)
    found = (
        urgent_flag(last_episode, tz),
        high_flag(points, episodes, now=now, high_at=high_at),
        worsening_flag(averages, today=today, logging_since=since_day),
        more_often_flag([e for e in episodes if e.at >= cutoff], today=today, tz=tz,
                        logging_since=since_day),
        jump_flag(averages, today=today, logging_since=since_day),
        checkin_flag(checkins, now=now, tz=tz),
    )
    return tuple(f for f in found if f is not None)


def flag_bounds(now: datetime, tz: tzinfo | None) -> tuple[datetime, datetime]:
    """UTC bounds holding every record the red flags look at."""
    return query_bounds(*window(now, FLAG_LOOKBACK_DAYS + 1, tz), tz)


def red_flags(
    journal: Journal, *, now: datetime, tz: tzinfo | None = None,
    high_at: int = RED_FLAG_RATING,
) -> tuple[RedFlag, ...]:
    """What is worth raising with the neurologist now, read from the journal."""
    since, until = flag_bounds(now, tz)
    points = rating_points(journal.sessions(since, until), journal.ratings(since, until))
    return all_flags(points, journal.episodes(since, until), journal.checkins(since, until),
                     now=now, tz=tz, high_at=high_at, logging_since=journal.first_record_at(),
                     last_episode=journal.last_episode())


def worsening_with(journal: Journal, rating: int, *, now: datetime,
                   tz: tzinfo | None = None) -> bool:
    """Whether the ratings, with ``rating`` given now, are worsening (the player's advice
    after a rating uses the journal's own rule)."""
    since, until = flag_bounds(now, tz)
    points = rating_points(journal.sessions(since, until), journal.ratings(since, until))
    points.append(RatingPoint(now, rating, "after"))
    first = journal.first_record_at()
    today = local(now, tz).date()
    averages = daily_averages(points, tz)
    since_day = local_day(min(first, now) if first is not None else now, tz)
    return worsening_flag(averages, today=today, logging_since=since_day) is not None
