"""Ratings over days: local days and windows, each day's average, the trend and the
sparkline. The bottom of the journal's analysis (it knows the records and nothing else).

Everything here is pure: it takes records, a "now" and a time zone, and returns values,
so the same journal always reads the same way in tests. Ratings are cramp severity,
0 (none) to 10 (worst): a falling rating is an improvement.

Rules chosen (and shown in docs/journal.md):

* Every rating counts: lone ratings, and a session's ratings before and after. A day's
  rating is the average of that day's ratings (in local time).
* Trend: the least-squares slope of the daily ratings over the window, in points per week;
  improving at -0.5 or below, worsening at +0.5 or above, steady between. At least 3 days
  with ratings are needed. A window whose middle third stands well apart from both ends
  (by :data:`HUMP_POINTS` and :data:`HUMP_T` standard errors) is "rose and fell" (or
  "fell and rose"): a straight line through a rise and a fall would say steady.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Literal

from crampcoach.journal.store import (
    Rating,
    Session,
)

RatingSource = Literal["rating", "before", "after"]
TrendKind = Literal["improving", "steady", "worsening", "rose_and_fell", "fell_and_rose",
                    "unknown"]

TREND_THRESHOLD_PER_WEEK = 0.5
TREND_MIN_DAYS = 3
HUMP_POINTS = 1.0
HUMP_T = 3.0
HUMP_MIN_DAYS = 9
SPARK_BLOCKS = "▁▂▃▄▅▆▇█"
SPARK_NONE = "·"
# Past this many days the sparkline shows one mark per week, so it fits a terminal line.
SPARK_DAILY_MAX = 62
GUIDANCE = "Self-reported ratings; crampcoach gives guidance, not diagnosis."


@dataclass(frozen=True, slots=True)
class RatingPoint:
    at: datetime
    value: int
    source: RatingSource


@dataclass(frozen=True, slots=True)
class Trend:
    kind: TrendKind
    change_per_week: float | None
    rated_days: int
    #: For "rose_and_fell" / "fell_and_rose": how far the middle third stood from the ends.
    middle_apart: float | None = None


# --- time --------------------------------------------------------------------------------------


def local(moment: datetime, tz: tzinfo | None) -> datetime:
    """``moment`` in ``tz``; None means the system's local time (with its own DST rules)."""
    return moment.astimezone(tz)


@lru_cache(maxsize=1 << 16)
def local_day(moment: datetime, tz: tzinfo | None) -> date:
    """The local calendar day of ``moment`` (cached: each record is placed several times)."""
    return moment.astimezone(tz).date()


def local_midnight(day: date, tz: tzinfo | None) -> datetime:
    if tz is None:
        return datetime.combine(day, time()).astimezone()
    return datetime.combine(day, time(), tzinfo=tz)


def window(now: datetime, days: int, tz: tzinfo | None) -> tuple[date, date]:
    """The first and last local day of the ``days`` days that end today."""
    if days < 1:
        raise ValueError("a window has at least one day")
    today = local(now, tz).date()
    return today - timedelta(days=days - 1), today


def query_bounds(first: date, last: date, tz: tzinfo | None) -> tuple[datetime, datetime]:
    """UTC bounds that surely hold every record of those local days (a day's margin each
    side covers DST changes); records are then placed on days by their local date."""
    return (
        local_midnight(first, tz) - timedelta(days=1),
        local_midnight(last, tz) + timedelta(days=2),
    )


# --- arithmetic --------------------------------------------------------------------------------


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def slope(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Least-squares slope of ys over xs; None when xs do not vary."""
    n = len(xs)
    if n < 2:
        return None
    mx = sum(xs) / n
    my = sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


def rating_points(sessions: Iterable[Session], ratings: Iterable[Rating]) -> list[RatingPoint]:
    """Every rating in time order: lone ones and each session's before and after."""
    points = [RatingPoint(r.at, r.value, "rating") for r in ratings]
    for s in sessions:
        if s.rating_before is not None:
            points.append(RatingPoint(s.started_at, s.rating_before, "before"))
        if s.rating_after is not None:
            points.append(RatingPoint(s.ended_at or s.started_at, s.rating_after, "after"))
    points.sort(key=lambda p: p.at)
    return points


def daily_averages(
    points: Iterable[RatingPoint], tz: tzinfo | None
) -> dict[date, float]:
    by_day: dict[date, list[int]] = defaultdict(list)
    for p in points:
        by_day[local_day(p.at, tz)].append(p.value)
    return {d: sum(v) / len(v) for d, v in sorted(by_day.items())}


def trend_of(averages: dict[date, float], threshold_per_week: float) -> Trend:
    if len(averages) < TREND_MIN_DAYS:
        return Trend("unknown", None, len(averages))
    first = min(averages)
    per_day = slope([(d - first).days for d in averages], list(averages.values()))
    if per_day is None:
        return Trend("unknown", None, len(averages))
    per_week = per_day * 7
    kind: TrendKind = "steady"
    if per_week <= -threshold_per_week:
        kind = "improving"
    elif per_week >= threshold_per_week:
        kind = "worsening"
    else:
        apart = _middle_apart(averages)
        if apart is not None:
            return Trend("rose_and_fell" if apart > 0 else "fell_and_rose", per_week,
                         len(averages), apart)
    return Trend(kind, per_week, len(averages))


def _middle_apart(averages: dict[date, float]) -> float | None:
    """How far the middle third of the days stands from both ends, when it stands clearly
    apart from each (else None)."""
    if len(averages) < HUMP_MIN_DAYS:
        return None
    first, last = min(averages), max(averages)
    third = ((last - first).days + 1) / 3
    parts: list[list[float]] = [[], [], []]
    for d, v in averages.items():
        parts[min(2, int((d - first).days / third))].append(v)
    if min(len(p) for p in parts) < 3:
        return None
    means = [sum(p) / len(p) for p in parts]
    residuals = [v - means[i] for i, p in enumerate(parts) for v in p]
    spread = max(math.sqrt(sum(r * r for r in residuals) / (len(residuals) - 3)), 0.5)
    middle, ends = means[1], (means[0], means[2])
    for end, part in zip(ends, (parts[0], parts[2]), strict=True):
        gap = middle - end
        t = gap / (spread * math.sqrt(1 / len(parts[1]) + 1 / len(part)))
        if abs(gap) < HUMP_POINTS or abs(t) < HUMP_T:
            return None
    if (middle - ends[0]) * (middle - ends[1]) <= 0:
        return None
    return middle - (ends[0] + ends[1]) / 2


def spark_mark(value: float | None) -> str:
    if value is None:
        return SPARK_NONE
    return SPARK_BLOCKS[min(len(SPARK_BLOCKS) - 1, max(0, round(value * 7 / 10)))]


def sparkline(
    points: Sequence[RatingPoint], first: date, last: date, tz: tzinfo | None
) -> tuple[str, bool]:
    """One mark per day (or per week for long windows), oldest first."""
    n_days = (last - first).days + 1
    per_week = n_days > SPARK_DAILY_MAX
    bucket_days = 7 if per_week else 1
    buckets: dict[int, list[int]] = defaultdict(list)
    for p in points:
        offset = (local_day(p.at, tz) - first).days
        if 0 <= offset < n_days:
            buckets[offset // bucket_days].append(p.value)
    n_buckets = -(-n_days // bucket_days)
    marks = "".join(spark_mark(mean(buckets.get(i, []))) for i in range(n_buckets))
    return marks, per_week




def sparkline_of_totals(
    totals: Mapping[date, tuple[int, int]], first: date, last: date
) -> tuple[str, bool]:
    """:func:`sparkline` from each local day's (count, sum) of ratings: the same marks, as
    a bucket's mean is its sum over its count, whichever way the whole numbers are added."""
    n_days = (last - first).days + 1
    per_week = n_days > SPARK_DAILY_MAX
    bucket_days = 7 if per_week else 1
    buckets: dict[int, list[int]] = {}
    for d, (count, total) in totals.items():
        offset = (d - first).days
        if count and 0 <= offset < n_days:
            bucket = buckets.setdefault(offset // bucket_days, [0, 0])
            bucket[0] += count
            bucket[1] += total
    n_buckets = -(-n_days // bucket_days)
    marks = "".join(
        spark_mark(b[1] / b[0] if (b := buckets.get(i)) else None) for i in range(n_buckets))
    return marks, per_week
