"""The journal over a window of days, gathered once for every front end: each day's
records, the trend, adherence, each routine's effect, what seems to help, the red flags,
the check-in (past answers, and whether one is due) and the episodes still to complete.

Pure (:func:`summarize`: records in, a :class:`HistorySummary` out), except
:func:`history`, which reads just the records it needs from a journal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from crampcoach.care import RED_FLAG_RATING
from crampcoach.journal.checkin import CHECKIN_EVERY
from crampcoach.journal.flags import RedFlag, all_flags, flag_bounds
from crampcoach.journal.helps import NO_HELPS, Helps, associations
from crampcoach.journal.store import (
    BloodResult,
    Checkin,
    DayFactors,
    Episode,
    Journal,
    MedicineEvent,
    Rating,
    Session,
)
from crampcoach.journal.trends import (
    TREND_THRESHOLD_PER_WEEK,
    RatingPoint,
    Trend,
    local_day,
    mean,
    query_bounds,
    rating_points,
    sparkline,
    trend_of,
    window,
)


@dataclass(frozen=True, slots=True)
class Day:
    """One local calendar day with something recorded on it."""

    day: date
    sessions: tuple[Session, ...]
    ratings: tuple[Rating, ...]
    points: tuple[RatingPoint, ...]
    episodes: tuple[Episode, ...] = ()
    factors: DayFactors | None = None
    medicines: tuple[MedicineEvent, ...] = ()
    blood: tuple[BloodResult, ...] = ()

    @property
    def average(self) -> float | None:
        return mean([p.value for p in self.points])


@dataclass(frozen=True, slots=True)
class Adherence:
    window_days: int
    session_days: int
    average_on_session_days: float | None
    average_on_other_days: float | None


@dataclass(frozen=True, slots=True)
class RoutineEffect:
    routine: str
    sessions: int
    average_drop: float


@dataclass(frozen=True, slots=True)
class HistorySummary:
    first_day: date
    last_day: date
    days: tuple[Day, ...]
    sparkline: str
    spark_per_week: bool
    trend: Trend
    adherence: Adherence
    effects: tuple[RoutineEffect, ...]
    red_flags: tuple[RedFlag, ...]
    tz: tzinfo | None = None
    helps: Helps = NO_HELPS
    pending: tuple[Episode, ...] = ()
    #: Whether the window holds any of the care record (episodes, factors, medicines).
    has_care: bool = False
    #: The check-ins of the window, oldest first, and whether one is due now.
    checkins: tuple[Checkin, ...] = ()
    checkin_due: bool = False

    @property
    def window_days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def empty(self) -> bool:
        return not self.days


def summarize(
    sessions: Sequence[Session],
    ratings: Sequence[Rating],
    *,
    now: datetime,
    days: int,
    tz: tzinfo | None = None,
    episodes: Sequence[Episode] = (),
    factors: Sequence[DayFactors] = (),
    medicines: Sequence[MedicineEvent] = (),
    blood: Sequence[BloodResult] = (),
    checkins: Sequence[Checkin] = (),
    pending: Sequence[Episode] = (),
    high_at: int = RED_FLAG_RATING,
    logging_since: datetime | None = None,
    last_episode: Episode | None = None,
) -> HistorySummary:
    """Read the records of the ``days`` local days ending today. Records outside are left
    out of the days and figures, but the red flags see all they are given (they look back
    over their own baseline whatever the window)."""
    first, last = window(now, days, tz)

    day_sessions: dict[date, list[Session]] = defaultdict(list)
    day_ratings: dict[date, list[Rating]] = defaultdict(list)
    day_points: dict[date, list[RatingPoint]] = defaultdict(list)
    day_episodes: dict[date, list[Episode]] = defaultdict(list)
    day_medicines: dict[date, list[MedicineEvent]] = defaultdict(list)
    day_blood: dict[date, list[BloodResult]] = defaultdict(list)
    kept_sessions: list[Session] = []
    for s in sessions:
        d = local_day(s.started_at, tz)
        if first <= d <= last:
            day_sessions[d].append(s)
            kept_sessions.append(s)
    for r in ratings:
        d = local_day(r.at, tz)
        if first <= d <= last:
            day_ratings[d].append(r)
    for e in episodes:
        d = local_day(e.at, tz)
        if first <= d <= last:
            day_episodes[d].append(e)
    for m in medicines:
        if first <= m.day <= last:
            day_medicines[m.day].append(m)
    for b in blood:
        if first <= b.day <= last:
            day_blood[b.day].append(b)
    day_factors = {f.day: f for f in factors if first <= f.day <= last}
    all_points = rating_points(sessions, ratings)
    points: list[RatingPoint] = []
    for p in all_points:
        d = local_day(p.at, tz)
        if first <= d <= last:
            day_points[d].append(p)
            points.append(p)
    all_days = sorted(set(day_sessions) | set(day_ratings) | set(day_episodes)
                      | set(day_factors) | set(day_medicines) | set(day_blood))
    day_list = tuple(
        Day(d, tuple(day_sessions.get(d, ())), tuple(day_ratings.get(d, ())),
            tuple(day_points.get(d, ())), tuple(day_episodes.get(d, ())),
            day_factors.get(d), tuple(day_medicines.get(d, ())), tuple(day_blood.get(d, ())))
        for d in all_days
    )

    # Each day's average from the points already placed on their days (no second pass
    # through the time zones); and the same without the sessions' own after-ratings.
    averages: dict[date, float] = {}
    before_after: dict[date, float] = {}
    for d in sorted(day_points):
        values = [p.value for p in day_points[d]]
        averages[d] = sum(values) / len(values)
        kept = [p.value for p in day_points[d] if p.source != "after"]
        if kept:
            before_after[d] = sum(kept) / len(kept)
    on = [avg for d, avg in averages.items() if d in day_sessions]
    off = [avg for d, avg in averages.items() if d not in day_sessions]
    adherence = Adherence(days, len(day_sessions), mean(on), mean(off))

    drops: dict[str, list[int]] = defaultdict(list)
    for s in kept_sessions:
        if s.effect is not None:
            drops[s.routine].append(s.effect)
    effects = tuple(
        RoutineEffect(name, len(v), sum(v) / len(v)) for name, v in sorted(drops.items())
    )
    # Days the person recorded something on: the only days that can say with or without.
    # A session's own rating after it never counts as the day's.
    tracked = set(averages) | set(day_sessions) | set(day_episodes) | set(day_factors)
    helps = associations(
        before_after,
        {d: {s.routine for s in v} for d, v in day_sessions.items()},
        list(day_factors.values()),
        medicines,
        tracked,
    )

    marks, per_week = sparkline(points, first, last, tz)
    flags = all_flags(all_points, episodes, checkins, now=now, tz=tz, high_at=high_at,
                      logging_since=logging_since, last_episode=last_episode)
    shown_checkins = tuple(c for c in checkins if first <= local_day(c.at, tz) <= last)
    # Due once the person has begun logging and no check-in came in the last week.
    started = logging_since is not None or bool(all_points or episodes)
    due = started and not any(now - CHECKIN_EVERY <= c.at <= now + timedelta(seconds=1)
                              for c in checkins)
    return HistorySummary(
        first_day=first,
        last_day=last,
        days=day_list,
        sparkline=marks,
        spark_per_week=per_week,
        trend=trend_of(averages, TREND_THRESHOLD_PER_WEEK),
        adherence=adherence,
        effects=effects,
        red_flags=flags,
        tz=tz,
        helps=helps,
        pending=tuple(pending),
        has_care=bool(day_episodes or day_factors or day_medicines or day_blood),
        checkins=shown_checkins,
        checkin_due=due,
    )


def history(
    journal: Journal, *, now: datetime, days: int, tz: tzinfo | None = None,
    high_at: int = RED_FLAG_RATING,
) -> HistorySummary:
    """The summary of the journal's last ``days`` days, reading only those days' records
    (and the weeks the red flags look back over)."""
    first, last = window(now, days, tz)
    since, until = query_bounds(first, last, tz)
    since = min(since, flag_bounds(now, tz)[0])
    return summarize(
        journal.sessions(since, until), journal.ratings(since, until), now=now, days=days,
        tz=tz, episodes=journal.episodes(since, until),
        factors=journal.factors(first, last), medicines=journal.medicines(),
        blood=journal.blood_results(), checkins=journal.checkins(since, until),
        pending=journal.pending_episodes(), high_at=high_at,
        logging_since=journal.first_record_at(), last_episode=journal.last_episode(),
    )
