"""The text of ``crampcoach history`` and the lines the companion page and the report
share with it: the trend, adherence, what seems to help, the flags with the urgent tier,
and the check-in's past answers and reminder."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from crampcoach.journal.checkin import describe_checkin
from crampcoach.journal.flags import RedFlag
from crampcoach.journal.helps import MIN_DAYS_EACH_SIDE, Association
from crampcoach.journal.trends import (
    GUIDANCE,
    SPARK_NONE,
    TREND_MIN_DAYS,
    Trend,
    local,
)
from crampcoach.journal.wording import (
    ASSOCIATION_NOTE,
    FOLLOW_UP_HINT,
    NOTHING_STANDS_OUT,
    RAISE_HEADING,
    URGENT,
    describe_episode,
    describe_factors,
    describe_medicine,
    one_line,
    plural,
)

if TYPE_CHECKING:
    from datetime import datetime, tzinfo

    from crampcoach.journal.store import Rating, Session
    from crampcoach.journal.summary import Adherence, HistorySummary

CHECKIN_REMINDER = ("The weekly check-in is due: four yes-or-no questions, any of them "
                    "skippable (crampcoach checkin).")


def _step(s: Session) -> str:
    if s.step_index is None:
        return ""
    where = f" at step {s.step_index + 1}"
    if s.steps_total is not None:
        where += f" of {s.steps_total}"
    if s.step_title:
        where += f" ({one_line(s.step_title)})"
    return where


def clock_time(moment: datetime, tz: tzinfo | None) -> str:
    # Formatted by hand: strftime is the slow part of printing years of entries.
    shown = local(moment, tz)
    return f"{shown.hour:02d}:{shown.minute:02d}"


def describe_session(s: Session, tz: tzinfo | None) -> str:
    text = f"{clock_time(s.started_at, tz)}  {s.routine}: "
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
        text += f'  "{one_line(s.note)}"'
    return text


def describe_rating(r: Rating, tz: tzinfo | None) -> str:
    text = f"{clock_time(r.at, tz)}  rating {r.value}"
    if r.routine:
        text += f" ({r.routine})"
    if r.note:
        text += f'  "{one_line(r.note)}"'
    return text


def flag_lines(flags: Sequence[RedFlag]) -> list[str]:
    """The flags under their heading, the urgent one first, then the urgent tier; nothing
    when there is no flag."""
    if not flags:
        return []
    ordered = sorted(flags, key=lambda f: not f.urgent)
    lines = [f"{RAISE_HEADING}:"]
    for flag in ordered:
        lines.append(f"  {flag.message}")
        if flag.urgent:
            lines.append(f"  ({FOLLOW_UP_HINT}.)")
    return [*lines, f"  {URGENT}"]


def trend_line(trend: Trend) -> str:
    rated = f"ratings on {trend.rated_days} {'day' if trend.rated_days == 1 else 'days'}"
    if trend.kind == "unknown" or trend.change_per_week is None:
        return f"Trend: not enough ratings yet ({rated}; {TREND_MIN_DAYS} are needed)"
    if trend.middle_apart is not None:
        rose = trend.middle_apart > 0
        moved = "rose and then fell back" if rose else "fell and then rose again"
        return (f"Trend: not steady: the ratings {moved} (the middle of these days about "
                f"{abs(trend.middle_apart):.1f} points {'higher' if rose else 'lower'} "
                f"than the start and end; {rated})")
    if trend.kind == "steady":
        return f"Trend: steady, within half a point a week ({rated})"
    direction = "lower" if trend.change_per_week < 0 else "higher"
    return (
        f"Trend: {trend.kind}, about {abs(trend.change_per_week):.1f} points {direction} "
        f"each week ({rated})"
    )


def adherence_line(a: Adherence) -> str:
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


def p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def describe_association(a: Association) -> str:
    """``label: rating 5.1 on 12 days with it, 3.0 on 30 without (2.1 higher, 95 % interval
    1.2 to 3.0; p = 0.001)``."""
    direction = "higher" if a.difference > 0 else "lower"
    return (f"{a.label}: rating {a.rating_with:.1f} on {a.days_with} days with it, "
            f"{a.rating_without:.1f} on {a.days_without} without "
            f"({abs(a.difference):.1f} {direction}, 95 % interval {a.low:+.1f} to "
            f"{a.high:+.1f}; {p_text(a.p)})")


def helps_lines(summary: HistorySummary) -> list[str]:
    """What seems to help, with its evidence; or plainly that nothing stands out yet."""
    helps = summary.helps
    if helps.shown:
        return [*(describe_association(a) for a in helps.shown), ASSOCIATION_NOTE,
                f"(Shown: what stands out of {plural(helps.tested, 'comparison')}, after "
                "allowing for how many were made.)"]
    if helps.tested:
        return [f"{NOTHING_STANDS_OUT} ({plural(helps.tested, 'comparison')} of days with and "
                "without something; none stands out from day-to-day ups and downs.)"]
    return [f"{NOTHING_STANDS_OUT} ({MIN_DAYS_EACH_SIDE} rated days with and without a "
            "factor, routine or medicine are needed to compare.)"]


def checkin_lines(summary: HistorySummary) -> list[str]:
    lines: list[str] = []
    if summary.checkins:
        lines += ["Check-ins (are the cramps ...):"]
        lines += [f"  {local(c.at, summary.tz):%a %Y-%m-%d}  {describe_checkin(c)}"
                  for c in summary.checkins]
    if summary.checkin_due:
        lines.append(CHECKIN_REMINDER)
    return lines


def render_history(summary: HistorySummary, journal_path: Path | str) -> str:
    """The text of ``crampcoach history`` (times in the summary's local time)."""
    return "\n".join(history_lines(summary, journal_path)) + "\n"


def history_lines(summary: HistorySummary, journal_path: Path | str) -> Iterator[str]:
    """The lines of :func:`render_history`, one at a time: a day's lines are made when they
    are reached, so years of dense ratings are never held as one text."""
    if summary.window_days == 1:
        title = f"History of today, {summary.last_day} (times are local)"
    else:
        title = (f"History of the last {summary.window_days} days, {summary.first_day} to "
                 f"{summary.last_day} (times are local)")
    yield from (title, "")
    footer = ["", f"Journal: {journal_path}", GUIDANCE]

    if summary.empty:
        yield from [
            "Nothing recorded in these days.",
            "To record how the cramps are now: crampcoach rate N (0 = no cramps, 10 = worst).",
        ]
        yield from _care_notes(summary) + footer
        return

    for day in summary.days:
        lines = [f"{day.day:%a %Y-%m-%d}"]
        lines += [f"  {describe_medicine(m)}" for m in day.medicines]
        lines += [f"  blood: {b.test} {b.value}" + (f" {b.unit}" if b.unit else "")
                  for b in day.blood]
        if day.factors is not None:
            lines.append(f"  factors: {describe_factors(day.factors)}")
        entries = [(s.started_at, describe_session(s, summary.tz)) for s in day.sessions]
        entries += [(r.at, describe_rating(r, summary.tz)) for r in day.ratings]
        entries += [(e.at, f"{clock_time(e.at, summary.tz)}  {describe_episode(e)}")
                    for e in day.episodes]
        lines += [f"  {text}" for _, text in sorted(entries, key=lambda e: e[0])]
        yield from lines
    unit = "week" if summary.spark_per_week else "day"
    lines = [
        "",
        f"Ratings, one mark per {unit} from {summary.first_day} (▁ 0 to █ 10, {SPARK_NONE} none):",
        f"  {summary.sparkline}",
        trend_line(summary.trend),
        adherence_line(summary.adherence),
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
    if summary.helps.tested or summary.has_care:
        lines += ["", "What seems to help, or not:"]
        lines += [f"  {line}" for line in helps_lines(summary)]
    yield from lines + _care_notes(summary) + footer


def _care_notes(summary: HistorySummary) -> list[str]:
    """Episodes still to complete, the check-ins and the red flags: shown whatever the
    window holds."""
    lines: list[str] = []
    if summary.pending:
        lines += ["", "Episodes to complete (crampcoach episode --last --what ... --where ... "
                      "--minutes ...):"]
        lines += [f"  {local(e.at, summary.tz):%a %Y-%m-%d %H:%M}  {describe_episode(e)}"
                  for e in summary.pending]
    checkins = checkin_lines(summary)
    if checkins:
        lines += ["", *checkins]
    flags = flag_lines(summary.red_flags)
    if flags:
        lines += ["", *flags]
    return lines
