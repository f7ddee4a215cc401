"""What the journal says over days: per-day entries, a sparkline, the trend, adherence,
each routine's effect, and the red flags worth raising with the neurologist.

Everything here is pure: it takes records, a "now" and a time zone, and returns values or
text, so the same journal always reads the same way in tests. Ratings are cramp severity,
0 (none) to 10 (worst): a falling rating is an improvement.

Rules chosen (and shown in docs/journal.md):

* Every rating counts: lone ratings, and a session's ratings before and after. A day's
  rating is the average of that day's ratings (in local time).
* Trend: the least-squares slope of the daily ratings over the window, in points per week;
  improving at -0.5 or below, worsening at +0.5 or above, steady between. At least 3 days
  with ratings are needed.
* Red flags: a rating at or above the ``red_flag_threshold`` setting (8 unless changed) in
  the last 24 hours; or ratings worsening over the last 7 days (the same slope over the
  last 7 days, at least 3 rated days, rising by 1 point a week or more); and the care
  record's flags (episodes more often, a sudden sustained jump, the weekly check-in: see
  :mod:`crampcoach.journal.care`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from crampcoach.care import RED_FLAG_DAYS, RED_FLAG_RATING
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
from crampcoach.phrases import ENGLISH

if TYPE_CHECKING:
    from crampcoach.journal.care import Association

RatingSource = Literal["rating", "before", "after"]
TrendKind = Literal["improving", "steady", "worsening", "unknown"]
RedFlagKind = Literal["high", "worsening", "more_often", "jump", "checkin"]

TREND_THRESHOLD_PER_WEEK = 0.5
TREND_MIN_DAYS = 3
WORSENING_PER_WEEK = 1.0
#: How far back the red flags look (the episode rate compares with the 4 weeks before).
FLAG_LOOKBACK_DAYS = 35
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
        return _mean([p.value for p in self.points])


@dataclass(frozen=True, slots=True)
class Trend:
    kind: TrendKind
    change_per_week: float | None
    rated_days: int


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
class RedFlag:
    kind: RedFlagKind
    message: str


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
    associations: tuple[Association, ...] = ()
    pending: tuple[Episode, ...] = ()
    #: Whether the window holds any of the care record (episodes, factors, medicines).
    has_care: bool = False

    @property
    def window_days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def empty(self) -> bool:
        return not self.days


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


def _mean(values: Sequence[float]) -> float | None:
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
    return Trend(kind, per_week, len(averages))


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
    marks = "".join(spark_mark(_mean(buckets.get(i, []))) for i in range(n_buckets))
    return marks, per_week


# --- the summary -------------------------------------------------------------------------------


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
) -> HistorySummary:
    """Read the records of the ``days`` local days ending today. Records outside are left
    out of the days and figures, but the red flags see all they are given (they look back
    :data:`FLAG_LOOKBACK_DAYS` days whatever the window)."""
    from crampcoach.journal.care import associations, care_flags

    first, last = window(now, days, tz)

    day_sessions: dict[date, list[Session]] = defaultdict(list)
    day_ratings: dict[date, list[Rating]] = defaultdict(list)
    day_points: dict[date, list[RatingPoint]] = defaultdict(list)
    day_episodes: dict[date, list[Episode]] = defaultdict(list)
    day_medicines: dict[date, list[MedicineEvent]] = defaultdict(list)
    day_blood: dict[date, list[BloodResult]] = defaultdict(list)
    kept_sessions: list[Session] = []
    kept_ratings: list[Rating] = []
    for s in sessions:
        d = local_day(s.started_at, tz)
        if first <= d <= last:
            day_sessions[d].append(s)
            kept_sessions.append(s)
    for r in ratings:
        d = local_day(r.at, tz)
        if first <= d <= last:
            day_ratings[d].append(r)
            kept_ratings.append(r)
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

    averages = daily_averages(points, tz)
    on = [avg for d, avg in averages.items() if d in day_sessions]
    off = [avg for d, avg in averages.items() if d not in day_sessions]
    adherence = Adherence(days, len(day_sessions), _mean(on), _mean(off))

    drops: dict[str, list[int]] = defaultdict(list)
    for s in kept_sessions:
        if s.effect is not None:
            drops[s.routine].append(s.effect)
    effects = tuple(
        RoutineEffect(name, len(v), sum(v) / len(v)) for name, v in sorted(drops.items())
    )
    # Days the person recorded something on: the only days that can say with or without.
    tracked = set(averages) | set(day_sessions) | set(day_episodes) | set(day_factors)
    helps = associations(
        averages,
        {d: len(v) for d, v in day_episodes.items()},
        {d: {s.routine for s in v} for d, v in day_sessions.items()},
        list(day_factors.values()),
        medicines,
        tracked,
    )

    marks, per_week = sparkline(points, first, last, tz)
    flags = (*flags_from(all_points, now=now, tz=tz, high_at=high_at),
             *care_flags(all_points, episodes, checkins, now=now, tz=tz))
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
        associations=helps,
        pending=tuple(pending),
        has_care=bool(day_episodes or day_factors or day_medicines or day_blood),
    )


def flag_bounds(now: datetime, tz: tzinfo | None) -> tuple[datetime, datetime]:
    """UTC bounds holding every record the red flags look at."""
    return query_bounds(*window(now, FLAG_LOOKBACK_DAYS, tz), tz)


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
    )


# --- red flags ---------------------------------------------------------------------------------


def flags_from(
    points: Sequence[RatingPoint], *, now: datetime, tz: tzinfo | None = None,
    high_at: int = RED_FLAG_RATING,
) -> tuple[RedFlag, ...]:
    """The flags from ratings alone: a rating at or above ``high_at`` (the
    ``red_flag_threshold`` setting) in the last day, or ratings rising over the week."""
    flags: list[RedFlag] = []
    # Only the last week matters; a cheap time test first spares the local-day lookups.
    cutoff = now - timedelta(days=RED_FLAG_DAYS + 1)
    points = [p for p in points if p.at >= cutoff]
    recent = [p.value for p in points if now - timedelta(days=1) <= p.at <= now]
    if recent and max(recent) >= high_at:
        flags.append(
            RedFlag(
                "high",
                f"A rating of {max(recent)} in the last day is high. If cramps are this strong "
                "often, are painful, or come with new weakness or stiffness, talk to your "
                "neurologist.",
            )
        )
    first, last = window(now, RED_FLAG_DAYS, tz)
    week = daily_averages(
        (p for p in points if first <= local_day(p.at, tz) <= last), tz
    )
    trend = trend_of(week, WORSENING_PER_WEEK)
    if trend.kind == "worsening" and trend.change_per_week is not None:
        flags.append(
            RedFlag(
                "worsening",
                f"Your ratings have been rising over the last week (about "
                f"{trend.change_per_week:.1f} points a week). If this goes on, talk to your "
                "neurologist.",
            )
        )
    return tuple(flags)


def red_flags(
    journal: Journal, *, now: datetime, tz: tzinfo | None = None,
    high_at: int = RED_FLAG_RATING,
) -> tuple[RedFlag, ...]:
    """What is worth raising with the neurologist: the ratings of the last week, and the
    care record's flags (episodes more often, a sudden sustained jump, the check-in)."""
    from crampcoach.journal.care import care_flags

    since, until = flag_bounds(now, tz)
    points = rating_points(journal.sessions(since, until), journal.ratings(since, until))
    return (*flags_from(points, now=now, tz=tz, high_at=high_at),
            *care_flags(points, journal.episodes(since, until),
                        journal.checkins(since, until), now=now, tz=tz))


# --- text --------------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " / ".join(part.strip() for part in text.splitlines() if part.strip())


def _step(s: Session) -> str:
    if s.step_index is None:
        return ""
    where = f" at step {s.step_index + 1}"
    if s.steps_total is not None:
        where += f" of {s.steps_total}"
    if s.step_title:
        where += f" ({_one_line(s.step_title)})"
    return where


def _clock_time(moment: datetime, tz: tzinfo | None) -> str:
    # Formatted by hand: strftime is the slow part of printing years of entries.
    shown = local(moment, tz)
    return f"{shown.hour:02d}:{shown.minute:02d}"


def describe_session(s: Session, tz: tzinfo | None) -> str:
    text = f"{_clock_time(s.started_at, tz)}  {s.routine}: "
    if s.outcome == "finished":
        text += "finished"
        if s.steps_total == 1:
            text += " its one step"
        elif s.steps_total:
            text += f" all {s.steps_total} steps"
    elif s.outcome == "stopped":
        text += "stopped" + _step(s)
    else:
        text += "interrupted" + _step(s) + ", no end recorded"
    if s.rating_before is not None and s.rating_after is not None:
        text += f", rating {s.rating_before} before, {s.rating_after} after"
    elif s.rating_before is not None:
        text += f", rating {s.rating_before} before"
    elif s.rating_after is not None:
        text += f", rating {s.rating_after} after"
    if s.note:
        text += f'  "{_one_line(s.note)}"'
    return text


def describe_rating(r: Rating, tz: tzinfo | None) -> str:
    text = f"{_clock_time(r.at, tz)}  rating {r.value}"
    if r.routine:
        text += f" ({r.routine})"
    if r.note:
        text += f'  "{_one_line(r.note)}"'
    return text


def render_history(summary: HistorySummary, journal_path: Path | str) -> str:
    """The text of ``crampcoach history`` (times in the summary's local time)."""
    if summary.window_days == 1:
        title = f"History of today, {summary.last_day} (times are local)"
    else:
        title = (f"History of the last {summary.window_days} days, {summary.first_day} to "
                 f"{summary.last_day} (times are local)")
    lines = [title, ""]
    footer = ["", f"Journal: {journal_path}", GUIDANCE]
    from crampcoach.journal import care

    if summary.empty:
        lines += [
            "Nothing recorded in these days.",
            "To record how the cramps are now: crampcoach rate N (0 = no cramps, 10 = worst).",
        ]
        return "\n".join(lines + _care_notes(summary) + footer) + "\n"

    for day in summary.days:
        lines.append(f"{day.day:%a %Y-%m-%d}")
        lines += [f"  {care.describe_medicine(m)}" for m in day.medicines]
        lines += [f"  blood: {b.test} {b.value}" + (f" {b.unit}" if b.unit else "")
                  for b in day.blood]
        if day.factors is not None:
            lines.append(f"  factors: {care.describe_factors(day.factors)}")
        entries = [(s.started_at, describe_session(s, summary.tz)) for s in day.sessions]
        entries += [(r.at, describe_rating(r, summary.tz)) for r in day.ratings]
        entries += [(e.at, f"{_clock_time(e.at, summary.tz)}  {care.describe_episode(e)}")
                    for e in day.episodes]
        lines += [f"  {text}" for _, text in sorted(entries, key=lambda e: e[0])]
    unit = "week" if summary.spark_per_week else "day"
    lines += [
        "",
        f"Ratings, one mark per {unit} from {summary.first_day} (▁ 0 to █ 10, {SPARK_NONE} none):",
        f"  {summary.sparkline}",
        _trend_line(summary.trend),
        _adherence_line(summary.adherence),
    ]
    if summary.effects:
        lines.append("Effect of each routine (rating before minus after, on average):")
        for e in summary.effects:
            plural = "session" if e.sessions == 1 else "sessions"
            if abs(e.average_drop) < 0.05:
                change = "no change"
            elif e.average_drop > 0:
                change = f"{e.average_drop:.1f} points lower after"
            else:
                change = f"{-e.average_drop:.1f} points higher after"
            lines.append(f"  {e.routine}: {change} ({e.sessions} {plural})")
    else:
        lines.append("Effect of each routine: no session yet with ratings before and after.")
    if summary.associations:
        lines += ["", "What seems to help, or not (days with and without each):"]
        lines += [f"  {care.describe_association(a)}" for a in summary.associations]
        lines.append(f"  {care.ASSOCIATION_NOTE}")
    elif summary.has_care:
        lines += ["", f"What seems to help: not enough days yet ({care.MIN_DAYS_EACH_SIDE} "
                      "days with and without a factor, routine or medicine are needed)."]
    return "\n".join(lines + _care_notes(summary) + footer) + "\n"


def _care_notes(summary: HistorySummary) -> list[str]:
    """The episodes still to complete and the red flags: shown whatever the window holds."""
    from crampcoach.journal import care

    lines: list[str] = []
    if summary.pending:
        lines += ["", "Episodes to complete (crampcoach episode --last --what ... --where ... "
                      "--minutes ...):"]
        lines += [f"  {local(e.at, summary.tz):%a %Y-%m-%d %H:%M}  {care.describe_episode(e)}"
                  for e in summary.pending]
    if summary.red_flags:
        lines += ["", "Worth raising with your neurologist:"]
        lines += [f"  {flag.message}" for flag in summary.red_flags]
        lines.append(f"  {ENGLISH.urgent_help}")
    return lines


def _trend_line(trend: Trend) -> str:
    rated = f"ratings on {trend.rated_days} {'day' if trend.rated_days == 1 else 'days'}"
    if trend.kind == "unknown" or trend.change_per_week is None:
        return f"Trend: not enough ratings yet ({rated}; {TREND_MIN_DAYS} are needed)"
    if trend.kind == "steady":
        return f"Trend: steady, within half a point a week ({rated})"
    direction = "lower" if trend.change_per_week < 0 else "higher"
    return (
        f"Trend: {trend.kind}, about {abs(trend.change_per_week):.1f} points {direction} "
        f"each week ({rated})"
    )


def _adherence_line(a: Adherence) -> str:
    on, off = a.average_on_session_days, a.average_on_other_days
    done = f"Routine done on {a.session_days} of {a.window_days} days"
    if on is not None and off is not None:
        return f"{done}: average rating {on:.1f} on those days, {off:.1f} on the others."
    if on is not None:
        return f"{done}: average rating {on:.1f} on those days, no ratings on the others."
    if off is not None and a.session_days:
        return f"{done}: no ratings on those days, average rating {off:.1f} on the others."
    if off is not None:
        return f"{done}: average rating {off:.1f}."
    return f"{done}."
