"""The journal over a window of days, gathered once for every front end: each day's
records, the trend, adherence, each routine's effect, what seems to help, the red flags,
the check-in (past answers, and whether one is due) and the episodes still to complete.

Pure (:func:`summarize`: records in, a :class:`HistorySummary` out), except
:func:`history`, which reads just the records it needs from a journal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import overload

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
    sparkline_of_totals,
    trend_of,
    window,
)


@dataclass(frozen=True, slots=True)
class Day:
    """One local calendar day with something recorded on it."""

    day: date
    sessions: tuple[Session, ...]
    #: The day's lone ratings, oldest first (read from the journal when asked, by
    #: :func:`history`: the journal must still be open then).
    ratings: Sequence[Rating]
    points: tuple[RatingPoint, ...]
    episodes: tuple[Episode, ...] = ()
    factors: DayFactors | None = None
    medicines: tuple[MedicineEvent, ...] = ()
    blood: tuple[BloodResult, ...] = ()
    #: How many ratings the day has and their sum, when ``points`` is not kept.
    totals: tuple[int, int] | None = None

    @property
    def average(self) -> float | None:
        if self.totals is not None:
            count, total = self.totals
            return total / count if count else None
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
    marks, per_week = sparkline(points, first, last, tz)
    return _complete(
        first=first, last=last, days=days, now=now, tz=tz, day_list=day_list,
        day_sessions=day_sessions, kept_sessions=kept_sessions, day_episodes=day_episodes,
        day_factors=day_factors, has_care=bool(day_episodes or day_factors or day_medicines
                                               or day_blood),
        averages=averages, before_after=before_after, spark=(marks, per_week),
        flag_points=all_points, any_points=bool(all_points), episodes=episodes,
        medicines=medicines, checkins=checkins, pending=pending, high_at=high_at,
        logging_since=logging_since, last_episode=last_episode)


def _complete(
    *, first: date, last: date, days: int, now: datetime, tz: tzinfo | None,
    day_list: tuple[Day, ...], day_sessions: dict[date, list[Session]],
    kept_sessions: list[Session], day_episodes: dict[date, list[Episode]],
    day_factors: dict[date, DayFactors], has_care: bool, averages: dict[date, float],
    before_after: dict[date, float], spark: tuple[str, bool],
    flag_points: Sequence[RatingPoint], any_points: bool, episodes: Sequence[Episode],
    medicines: Sequence[MedicineEvent], checkins: Sequence[Checkin],
    pending: Sequence[Episode], high_at: int, logging_since: datetime | None,
    last_episode: Episode | None,
) -> HistorySummary:
    """The figures both ways of reading share, from each day's averages (oldest first)."""
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

    marks, per_week = spark
    flags = all_flags(flag_points, episodes, checkins, now=now, tz=tz, high_at=high_at,
                      logging_since=logging_since, last_episode=last_episode)
    shown_checkins = tuple(c for c in checkins if first <= local_day(c.at, tz) <= last)
    # Due once the person has begun logging and no check-in came in the last week.
    started = logging_since is not None or bool(any_points or episodes)
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
        has_care=has_care,
        checkins=shown_checkins,
        checkin_due=due,
    )


#: How many of a window's lone ratings :func:`history` keeps to list (about 4 MB of them);
#: past that, each day's are read again from the journal when the day is listed.
HELD_RATINGS = 20_000


class _WindowRatings:
    """The lone ratings of a window, handed out one local day at a time from one query
    read in order (a day asked for again, or out of order, starts a new one)."""

    def __init__(self, journal: Journal, since: datetime, until: datetime,
                 tz: tzinfo | None) -> None:
        self._journal = journal
        self._since, self._until, self._tz = since, until, tz
        self._rows: Iterator[Rating] | None = None
        self._ahead: Rating | None = None
        self._taken: date | None = None

    def of_day(self, day: date) -> list[Rating]:
        if self._rows is None or self._taken is None or day <= self._taken:
            self._rows = self._journal.iter_ratings(self._since, self._until)
            self._ahead = None
        self._taken = day
        found: list[Rating] = []
        while True:
            rating = self._ahead if self._ahead is not None else next(self._rows, None)
            self._ahead = None
            if rating is None:
                return found
            d = rating.at.astimezone(self._tz).date()
            if d > day:
                self._ahead = rating
                return found
            if d == day:
                found.append(rating)


class _DayRatings(Sequence[Rating]):
    """One day's lone ratings, read when they are listed."""

    def __init__(self, source: _WindowRatings, day: date, count: int) -> None:
        self._source, self._day, self._count = source, day, count

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Rating]:
        return iter(self._source.of_day(self._day) if self._count else ())

    @overload
    def __getitem__(self, index: int) -> Rating: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Rating]: ...
    def __getitem__(self, index: int | slice) -> Rating | Sequence[Rating]:
        return list(self)[index]


def history(
    journal: Journal, *, now: datetime, days: int, tz: tzinfo | None = None,
    high_at: int = RED_FLAG_RATING,
) -> HistorySummary:
    """The summary of the journal's last ``days`` days, reading only those days' records
    (and the weeks the red flags look back over).

    What :func:`summarize` gives for the same records, but the lone ratings are never held
    all at once: they are read in order into each day's count and sum (a dense journal
    holds a rating a minute), the red flags keep only their own weeks' ratings, and past
    :data:`HELD_RATINGS` each day's ratings are read again when the day is listed
    (:attr:`Day.ratings`)."""
    first, last = window(now, days, tz)
    since, until = query_bounds(first, last, tz)
    flag_since = flag_bounds(now, tz)[0]
    since = min(since, flag_since)
    sessions = journal.sessions(since, until)
    episodes = journal.episodes(since, until)
    factors = journal.factors(first, last)
    medicines = journal.medicines()
    blood = journal.blood_results()
    checkins = journal.checkins(since, until)

    # Each day's (count, sum) of its lone ratings; then of every rating, and of those that
    # are not a session's own rating after it. The sums are whole numbers, so each mean is
    # the one the records give.
    lone: dict[date, list[int]] = {}
    flag_ratings: list[Rating] = []
    any_rating = False
    # A window's ratings are kept while they are few (listing them then needs no second
    # read); past HELD_RATINGS each day's are read again when it is listed.
    held: dict[date, list[Rating]] | None = {}
    held_count = 0
    for r in journal.iter_ratings(since, until):
        any_rating = True
        at = r.at
        if at >= flag_since:
            flag_ratings.append(r)
        d = at.astimezone(tz).date()
        if first <= d <= last:
            t = lone.get(d)
            if t is None:
                lone[d] = [1, r.value]
                if held is not None:
                    held[d] = [r]
            else:
                t[0] += 1
                t[1] += r.value
                if held is not None:
                    held[d].append(r)
            if held is not None:
                held_count += 1
                if held_count > HELD_RATINGS:
                    held = None
    every = {d: t.copy() for d, t in lone.items()}
    kept = {d: t.copy() for d, t in lone.items()}
    session_points = rating_points(sessions, ())
    for p in session_points:
        d = local_day(p.at, tz)
        if first <= d <= last:
            for totals, wanted in ((every, True), (kept, p.source != "after")):
                if wanted:
                    t = totals.get(d)
                    if t is None:
                        totals[d] = [1, p.value]
                    else:
                        t[0] += 1
                        t[1] += p.value

    day_sessions: dict[date, list[Session]] = defaultdict(list)
    kept_sessions: list[Session] = []
    for s in sessions:
        d = local_day(s.started_at, tz)
        if first <= d <= last:
            day_sessions[d].append(s)
            kept_sessions.append(s)
    day_episodes: dict[date, list[Episode]] = defaultdict(list)
    for e in episodes:
        d = local_day(e.at, tz)
        if first <= d <= last:
            day_episodes[d].append(e)
    day_medicines: dict[date, list[MedicineEvent]] = defaultdict(list)
    for m in medicines:
        if first <= m.day <= last:
            day_medicines[m.day].append(m)
    day_blood: dict[date, list[BloodResult]] = defaultdict(list)
    for b in blood:
        if first <= b.day <= last:
            day_blood[b.day].append(b)
    day_factors = {f.day: f for f in factors if first <= f.day <= last}

    source = _WindowRatings(journal, since, until, tz)
    all_days = sorted(set(day_sessions) | set(lone) | set(day_episodes) | set(day_factors)
                      | set(day_medicines) | set(day_blood))
    day_list = tuple(
        Day(d, tuple(day_sessions.get(d, ())),
            tuple(held.get(d, ())) if held is not None
            else _DayRatings(source, d, lone[d][0] if d in lone else 0), (),
            tuple(day_episodes.get(d, ())), day_factors.get(d), tuple(day_medicines.get(d, ())),
            tuple(day_blood.get(d, ())), totals=_pair(every.get(d)))
        for d in all_days
    )
    averages = {d: every[d][1] / every[d][0] for d in sorted(every)}
    before_after = {d: kept[d][1] / kept[d][0] for d in sorted(kept)}
    day_totals = {d: (t[0], t[1]) for d, t in every.items()}
    # The flags look at nothing before their own weeks (each day is placed, and the first
    # record comes from the journal), so the points before them are left out.
    flag_points = [RatingPoint(r.at, r.value, "rating") for r in flag_ratings]
    flag_points += [p for p in session_points if p.at >= flag_since]
    flag_points.sort(key=lambda p: p.at)
    return _complete(
        first=first, last=last, days=days, now=now, tz=tz, day_list=day_list,
        day_sessions=day_sessions, kept_sessions=kept_sessions, day_episodes=day_episodes,
        day_factors=day_factors, has_care=bool(day_episodes or day_factors or day_medicines
                                               or day_blood),
        averages=averages, before_after=before_after,
        spark=sparkline_of_totals(day_totals, first, last),
        flag_points=flag_points,
        any_points=any_rating or bool(session_points), episodes=episodes,
        medicines=medicines, checkins=checkins, pending=journal.pending_episodes(),
        high_at=high_at, logging_since=journal.first_record_at(),
        last_episode=journal.last_episode())


def _pair(totals: list[int] | None) -> tuple[int, int]:
    return (totals[0], totals[1]) if totals is not None else (0, 0)
