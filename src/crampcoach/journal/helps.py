"""What seems to help, or not: comparisons in the person's own days, held to an analyst's
standard. Pure: day records in, findings out.

Rules chosen (and shown in docs/journal.md; the property tests in
tests/test_care_helps.py measure them on diaries with known truth):

* The outcome is a day's average rating, where a session's own rating after it never
  counts (it would score the routine by itself).
* Numeric factors are looked at by dose: cut where the person's own values split (at
  each value when there are few, as drinks a day; else their thirds, and "any" against
  none where some days have none), each cut "c or more" against less.
* Yes/no factors and tags: days with against the days with factors recorded without.
* Routines: days played against days not, on the same day and on the next day.
* A medicine change: the days on the new dose against the same number of days just
  before it (on the previous dose, or before the start), at most :data:`CHANGE_DAYS`
  each side, so a later change or a slow drift does not stand in for it.
* Each comparison needs :data:`MIN_DAYS_EACH_SIDE` rated days each side. Its evidence:
  the days each side, the difference, a 95 % interval and a p-value (Welch's t test,
  with Hsu's conservative degrees of freedom).
  A line is shown only when it survives the Benjamini-Hochberg procedure at
  :data:`FALSE_DISCOVERY` over every comparison made, ranked by its p-value; otherwise
  nothing stands out yet. An association in the person's own records, never a cause.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal, NamedTuple

from crampcoach.journal.store import DayFactors, MedicineEvent
from crampcoach.journal.tally import medicine_periods

AssociationGroup = Literal["routine", "factor", "medicine"]

MIN_DAYS_EACH_SIDE = 5
FALSE_DISCOVERY = 0.05
CHANGE_DAYS = 28


@dataclass(frozen=True, slots=True)
class Association:
    """Days with something against days without it, with the evidence."""

    group: AssociationGroup
    label: str
    days_with: int
    days_without: int
    rating_with: float
    rating_without: float
    low: float
    high: float
    p: float

    @property
    def difference(self) -> float:
        return self.rating_with - self.rating_without


class Helps(NamedTuple):
    """The comparisons that stand out (ranked by evidence), and how many were made."""

    shown: tuple[Association, ...]
    tested: int


NO_HELPS = Helps((), 0)


# --- statistics ----------------------------------------------------------------------------------


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        for numerator in (m * (b - m) * x / ((qam + m2) * (a + m2)),
                          -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-12:
            break
    return h


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                     + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return front * _beta_fraction(a, b, x) / a
    return 1 - front * _beta_fraction(b, a, 1 - x) / b


def t_two_sided(t: float, df: float) -> float:
    """P(|T| >= |t|) for Student's t with ``df`` degrees of freedom."""
    return incomplete_beta(df / 2, 0.5, df / (df + t * t))


@lru_cache(maxsize=256)
def t_quantile(df: float, two_sided_p: float = 0.05) -> float:
    """The t with P(|T| >= t) = ``two_sided_p`` (by bisection, to about 1e-8)."""
    low, high = 0.0, 1000.0 if df < 1 else 64.0
    for _ in range(36):
        mid = (low + high) / 2
        if t_two_sided(mid, df) > two_sided_p:
            low = mid
        else:
            high = mid
    return (low + high) / 2


class Side(NamedTuple):
    """One side of a comparison: how many days, and the sum and sum of squares of their
    ratings (enough for Welch's test, gathered in one pass)."""

    n: int
    total: float
    squares: float

    @property
    def mean(self) -> float:
        return self.total / self.n

    @property
    def variance(self) -> float:
        spread = (self.squares - self.total * self.total / self.n) / (self.n - 1)
        # Equal values leave a rounding crumb, not a spread.
        return spread if spread > 1e-9 else 0.0


def side(values: Iterable[float]) -> Side:
    n, total, squares = 0, 0.0, 0.0
    for v in values:
        n += 1
        total += v
        squares += v * v
    return Side(n, total, squares)


class Welch(NamedTuple):
    """Welch's t test of mean(with) - mean(without)."""

    difference: float
    se: float
    df: float
    p: float

    def interval(self) -> tuple[float, float]:
        """The 95 % interval of the difference."""
        if self.se == 0:
            return self.difference, self.difference
        margin = t_quantile(self.df) * self.se
        return self.difference - margin, self.difference + margin


def welch_sides(on: Side, off: Side) -> Welch:
    difference = on.mean - off.mean
    se2 = on.variance / on.n + off.variance / off.n
    if se2 <= 0:
        # Every day the same on both sides: no spread to judge a difference by.
        return Welch(difference, 0.0, 1.0, 1.0 if difference == 0 else 0.0)
    se = math.sqrt(se2)
    # Hsu's conservative degrees of freedom (the smaller side's, less one): a person's few
    # days with a sign of infection must not look surer than they are.
    df = min(on.n, off.n) - 1
    return Welch(difference, se, df, t_two_sided(difference / se, df))


def welch(with_: Sequence[float], without: Sequence[float]) -> Welch:
    return welch_sides(side(with_), side(without))


def benjamini_hochberg(ps: Sequence[float], q: float = FALSE_DISCOVERY) -> list[bool]:
    """Which of ``ps`` are discoveries at false-discovery rate ``q``."""
    order = sorted(range(len(ps)), key=lambda i: ps[i])
    cut = -1
    for rank, i in enumerate(order, 1):
        if ps[i] <= rank / len(ps) * q:
            cut = rank
    keep = set(order[:cut]) if cut > 0 else set()
    return [i in keep for i in range(len(ps))]


# --- the comparisons -----------------------------------------------------------------------------


class _Comparison(NamedTuple):
    group: AssociationGroup
    label: str
    on: Side
    off: Side


#: The numeric factors, and how a cut at c reads ("3 or more caffeine drinks").
NUMERIC_FACTORS: tuple[tuple[str, Callable[[float], str]], ...] = (
    ("fluids_glasses", lambda c: f"{c:g} or more glasses of fluids"),
    ("caffeine_drinks", lambda c: "any caffeine" if c == 1 else f"{c:g} or more caffeine drinks"),
    ("alcohol_drinks", lambda c: "any alcohol" if c == 1 else f"{c:g} or more alcoholic drinks"),
    ("exertion", lambda c: f"exertion {c:g} or more of 10"),
    ("stress", lambda c: f"stress {c:g} or more of 10"),
    ("sleep_hours", lambda c: f"{c:g} or more hours of sleep"),
    ("sleep_quality", lambda c: f"sleep quality {c:g} or more of 10"),
)
YES_NO_FACTORS = (("heat", "heat exposure"), ("bladder_bowel", "bladder or bowel trouble"),
                  ("infection", "signs of infection"))


#: With this few distinct values, every one of them is a cut ("1 or more", "2 or more", ...).
FEW_VALUES = 6


def dose_cuts(values: Sequence[float]) -> list[float]:
    """Where the person's own values split: at each value when there are few of them
    (drinks a day), else "any" when some are none, and their thirds."""
    ordered = sorted(values)
    distinct = sorted(set(ordered))
    if len(distinct) < 2:
        return []
    if len(distinct) <= FEW_VALUES:
        return distinct[1:]
    cuts = set()
    if ordered[0] == 0 and ordered[-1] > 0:
        cuts.add(min(v for v in ordered if v > 0))
    for share in (1 / 3, 2 / 3):
        cut = ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)))]
        if cut > ordered[0]:
            cuts.add(cut)
    return sorted(cuts)


def _factor_comparisons(factors: Sequence[DayFactors],
                        ratings: dict[date, float]) -> list[_Comparison]:
    found: list[_Comparison] = []
    rated = [(f, r) for f in factors if (r := ratings.get(f.day)) is not None]
    for key, label in NUMERIC_FACTORS:
        pairs = sorted((float(v), r) for f, r in rated if (v := getattr(f, key)) is not None)
        # Running sums over the days sorted by dose: each cut splits them in one step.
        sums = [(0, 0.0, 0.0)]
        for _, r in pairs:
            n, total, squares = sums[-1]
            sums.append((n + 1, total + r, squares + r * r))
        whole = Side(*sums[-1])
        doses = [v for v, _ in pairs]
        for cut in dose_cuts(doses):
            below = Side(*sums[bisect.bisect_left(doses, cut)])
            above = Side(whole.n - below.n, whole.total - below.total,
                         whole.squares - below.squares)
            found.append(_Comparison("factor", f"{label(cut)} (against less)", above, below))
    for key, name in YES_NO_FACTORS:
        marks = [(getattr(f, key), r) for f, r in rated]
        found.append(_Comparison("factor", name, side(r for m, r in marks if m is True),
                                 side(r for m, r in marks if m is False)))
    for tag in sorted({t for f in factors for t in f.tags}):
        found.append(_Comparison(
            "factor", f"tag {tag!r}", side(r for f, r in rated if tag in f.tags),
            side(r for f, r in rated if tag not in f.tags)))
    return found


def _routine_comparisons(day_routines: dict[date, set[str]], tracked: Sequence[date],
                         ratings: dict[date, float]) -> list[_Comparison]:
    found: list[_Comparison] = []
    one = timedelta(days=1)
    known = set(tracked)
    for name in sorted({r for names in day_routines.values() for r in names}):
        played = {d for d in tracked if name in day_routines.get(d, ())}
        found.append(_Comparison(
            "routine", f"{name}, on the day played",
            side(r for d in tracked if d in played and (r := ratings.get(d)) is not None),
            side(r for d in tracked if d not in played and (r := ratings.get(d)) is not None)))
        after = [(d - one in played, r) for d in tracked
                 if d - one in known and (r := ratings.get(d)) is not None]
        found.append(_Comparison("routine", f"{name}, on the day after",
                                 side(r for p, r in after if p),
                                 side(r for p, r in after if not p)))
    return found


def _medicine_comparisons(medicines: Sequence[MedicineEvent], tracked: Sequence[date],
                          ratings: dict[date, float]) -> list[_Comparison]:
    if not tracked:
        return []
    found: list[_Comparison] = []
    end_of_days = tracked[-1] + timedelta(days=1)
    for name, periods in sorted(medicine_periods(medicines).items()):
        previous_end: date | None = None
        previous: tuple[date, str | None] | None = None
        for first, end, dose, _ in periods:
            after_end = min(end or end_of_days, end_of_days)
            if previous is not None and previous_end == first:
                before_first = previous[0]
                before = f"{previous[1]} before" if previous[1] else "the dose before"
            else:
                before_first = previous_end or tracked[0]
                before = f"not taking {name}"
            length = min((after_end - first).days, (first - before_first).days, CHANGE_DAYS)
            if length > 0:
                what = f"{name} {dose}" if dose else name
                span = timedelta(days=length)
                found.append(_Comparison(
                    "medicine",
                    f"{what} from {first} ({length} days) against {before} ({length} days)",
                    _rated(_between(tracked, first, first + span), ratings),
                    _rated(_between(tracked, first - span, first), ratings)))
            previous_end, previous = end, (first, dose)
    return found


def _between(days: Sequence[date], first: date, end: date) -> tuple[date, ...]:
    """The sorted ``days`` from ``first`` up to (not including) ``end``."""
    return tuple(days[bisect.bisect_left(days, first):bisect.bisect_left(days, end)])


def _rated(days: Iterable[date], ratings: dict[date, float]) -> Side:
    return side(r for d in days if (r := ratings.get(d)) is not None)


def associations(
    day_ratings: dict[date, float],
    day_routines: dict[date, set[str]],
    factors: Sequence[DayFactors],
    medicines: Sequence[MedicineEvent],
    tracked: Iterable[date],
) -> Helps:
    """What seems to help over the ``tracked`` days (days with anything recorded).
    ``day_ratings``: each day's average rating without the sessions' after-ratings."""
    days = sorted(tracked)
    comparisons = [*_routine_comparisons(day_routines, days, day_ratings),
                   *_factor_comparisons(factors, day_ratings),
                   *_medicine_comparisons(medicines, days, day_ratings)]
    tested = [(c, welch_sides(c.on, c.off)) for c in comparisons
              if min(c.on.n, c.off.n) >= MIN_DAYS_EACH_SIDE]
    keep = benjamini_hochberg([test.p for _, test in tested])
    shown = []
    for (c, test), kept in zip(tested, keep, strict=True):
        if kept:
            low, high = test.interval()
            shown.append(Association(c.group, c.label, c.on.n, c.off.n, c.on.mean,
                                     c.off.mean, low, high, test.p))
    shown.sort(key=lambda a: (a.p, -abs(a.difference)))
    return Helps(tuple(shown), len(tested))
