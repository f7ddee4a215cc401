"""The report for the neurologist: one or two A4 pages, read in two minutes by someone who
never saw crampcoach.

Page 1 says what happened: the key figures, red flags, ratings and episodes over time (with
medicine changes marked), episodes per week by type, and where they were. Page 2 says what
may be behind it: medicines and their changes, blood results as typed, routines, what seems
to help (associations only), and the person's own questions.

Drawn with matplotlib's PDF backend (the optional ``charts`` extra); the data gathering is
plain and tested without it.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

from crampcoach.care import RED_FLAG_RATING
from crampcoach.errors import JournalError
from crampcoach.journal import care
from crampcoach.journal.chart import load_pyplot
from crampcoach.journal.store import BloodResult, Episode, Journal, MedicineEvent, Question
from crampcoach.journal.trends import (
    GUIDANCE,
    HistorySummary,
    RatingPoint,
    daily_averages,
    history,
    local,
    local_day,
    query_bounds,
    rating_points,
)

A4 = (8.27, 11.69)
MARGIN = 0.07  # of the page width
KIND_COLOURS = {"cramp": "#d95f02", "spasm": "#7570b3", "twitching": "#1b9e77",
                "stiffness": "#e7298a", "not said": "#999999"}
#: What fits at the report's text size, so nothing runs past page 2.
MAX_LIST = 8
LINE_SPACING = 1.32
#: Past this many days the charts show weekly averages and 4-weekly episode counts: a mark
#: a day over years is unreadable, and slow to draw.
DAILY_CHART_MAX = 120
WEEKLY_BARS_MAX = 400
MAX_CHANGE_LABELS = 12
REPORT_NEEDS = "the report needs"


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the report shows, gathered from the journal (no drawing yet)."""

    made: datetime
    tz: tzinfo | None
    summary: HistorySummary
    points: tuple[RatingPoint, ...]
    episodes: tuple[Episode, ...]
    weeks: tuple[care.EpisodeWeek, ...]
    places: tuple[tuple[str, int], ...]
    medicines: tuple[MedicineEvent, ...]
    blood: tuple[BloodResult, ...]
    questions: tuple[Question, ...]

    @property
    def first_day(self) -> date:
        return self.summary.first_day

    @property
    def last_day(self) -> date:
        return self.summary.last_day


def gather_report(
    journal: Journal, *, now: datetime, days: int, tz: tzinfo | None = None,
    high_at: int = RED_FLAG_RATING,
) -> Report:
    """Read what the report shows: the ``days`` days ending today, all medicines (a dose
    started before the window is still taken), blood results of the window (else the last
    few), and the open questions."""
    summary = history(journal, now=now, days=days, tz=tz, high_at=high_at)
    first, last = summary.first_day, summary.last_day
    since, until = query_bounds(first, last, tz)

    def inside(moment: datetime) -> bool:
        return first <= local_day(moment, tz) <= last

    points = tuple(p for p in rating_points(journal.sessions(since, until),
                                            journal.ratings(since, until)) if inside(p.at))
    episodes = tuple(e for e in journal.episodes(since, until) if inside(e.at))
    blood = journal.blood_results()
    recent_blood = [b for b in blood if first <= b.day <= last] or blood[-MAX_LIST:]
    return Report(
        made=now, tz=tz, summary=summary, points=points, episodes=episodes,
        weeks=care.episodes_by_week(episodes, first, last, tz),
        places=tuple(care.episodes_by_place(episodes)),
        medicines=tuple(journal.medicines()), blood=tuple(recent_blood),
        questions=tuple(journal.questions()),
    )


# --- words ---------------------------------------------------------------------------------------


def key_figures(report: Report) -> list[str]:
    """The opening lines: what a neurologist reads first."""
    s = report.summary
    averages = daily_averages(report.points, report.tz)
    lines = []
    if averages:
        values = list(averages.values())
        lines.append(
            f"Cramp ratings (0 none to 10 worst) on {len(values)} of {s.window_days} days: "
            f"average {sum(values) / len(values):.1f}, lowest day {min(values):.1f}, "
            f"highest day {max(values):.1f}."
        )
        half = max(1, s.window_days // 3)
        early = [v for d, v in averages.items() if d < s.first_day + timedelta(days=half)]
        late = [v for d, v in averages.items() if d > s.last_day - timedelta(days=half)]
        if early and late:
            lines.append(f"First {half} days average {sum(early) / len(early):.1f}; last "
                         f"{half} days average {sum(late) / len(late):.1f}.")
    else:
        lines.append("No ratings in these days.")
    if s.trend.change_per_week is not None:
        lines.append(f"Trend over the period: {s.trend.kind} "
                     f"({s.trend.change_per_week:+.1f} points a week).")
    kinds: Counter[str] = Counter(e.kind or "not said" for e in report.episodes)
    if report.episodes:
        per_week = len(report.episodes) / (s.window_days / 7)
        lines.append(
            f"Episodes: {len(report.episodes)} ({per_week:.1f} a week): "
            + ", ".join(f"{kinds[k]} {k}" for k in care.KIND_ORDER if kinds[k]) + "."
        )
        lasted = [e.duration_s for e in report.episodes if e.duration_s is not None]
        if lasted:
            lasted.sort()
            lines.append(f"Typical length {care.minutes_text(lasted[len(lasted) // 2])} "
                         f"(longest {care.minutes_text(lasted[-1])}).")
    else:
        lines.append("No episodes recorded in these days.")
    a = s.adherence
    lines.append(f"Routines played on {a.session_days} of {a.window_days} days.")
    return lines


def medicine_lines(report: Report) -> list[str]:
    periods = care.medicine_periods(report.medicines)
    lines = []
    for name, spans in sorted(periods.items()):
        start, end, dose, event = spans[-1]
        kind = " (supplement)" if event.supplement else ""
        first = spans[0][0]
        since = f"since {start}" + (f", first started {first}" if first != start else "")
        state = f"{dose} {since}" if dose else since
        lines.append(f"{name}{kind}: " + (f"stopped {end}" if end is not None else state))
    lines += [f"  {m.day}  {care.describe_medicine(m)}" for m in report.medicines
              if report.first_day <= m.day <= report.last_day][-MAX_LIST:]
    return lines or ["No medicines or supplements recorded."]


def blood_lines(report: Report) -> list[str]:
    if not report.blood:
        return ["No blood results recorded."]
    return [f"{b.day}  {b.test}: {b.value}" + (f" {b.unit}" if b.unit else "")
            + (f"  ({b.note})" if b.note else "") for b in report.blood]


def routine_lines(report: Report) -> list[str]:
    lines = []
    for e in report.summary.effects:
        if abs(e.average_drop) < 0.05:
            change = "no change on average"
        elif e.average_drop > 0:
            change = f"{e.average_drop:.1f} points lower after, on average"
        else:
            change = f"{-e.average_drop:.1f} points higher after, on average"
        plural = "session" if e.sessions == 1 else "sessions"
        lines.append(f"{e.routine}: {change} ({e.sessions} {plural} rated before and after)")
    return lines or ["No session with ratings before and after."]


ASSOCIATION_HEADER = (f"{'':<46} {'days with':>9} {'rating':>6} {'ep/day':>6}   "
                      f"{'days without':>12} {'rating':>6} {'ep/day':>6}")


def association_lines(report: Report) -> list[str]:
    """A table: each factor, routine and medicine with the average rating and episodes a
    day on days with it and without it; the largest rating differences first."""
    found = report.summary.associations
    if not found:
        return [f"Not enough days yet: {care.MIN_DAYS_EACH_SIDE} days with and "
                f"{care.MIN_DAYS_EACH_SIDE} without are needed for each."]

    def gap(a: care.Association) -> float:
        if a.rating_with is None or a.rating_without is None:
            return 0.0
        return abs(a.rating_with - a.rating_without)

    def rated(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    lines = [ASSOCIATION_HEADER]
    for a in sorted(found, key=gap, reverse=True):
        label = a.label if len(a.label) <= 46 else a.label[:45] + "…"
        lines.append(f"{label:<46} {a.days_with:>9} {rated(a.rating_with):>6} "
                     f"{a.episodes_with:>6.1f}   {a.days_without:>12} "
                     f"{rated(a.rating_without):>6} {a.episodes_without:>6.1f}")
    return lines


# --- drawing -------------------------------------------------------------------------------------


class _Column:
    """Lines of text placed down a page, wrapped to its width."""

    def __init__(self, fig: Any, top: float, bottom: float) -> None:
        self.fig = fig
        self.y = top
        self.bottom = bottom

    def heading(self, text: str) -> None:
        self.y -= 0.012
        self.fig.text(MARGIN, self.y, text, fontsize=10.5, fontweight="bold", va="top",
                      color="#1f3b57")
        self.y -= 0.019

    def lines(self, texts: Sequence[str], size: float = 8.3, width: int = 112,
              colour: str = "#111111", family: str = "sans-serif") -> None:
        step = size / 72 / A4[1] * LINE_SPACING
        block: list[str] = []
        more = False
        for text in texts:
            wrapped = ([text] if family == "monospace"
                       else textwrap.wrap(text, width, subsequent_indent="    ") or [""])
            for part in wrapped:
                if self.y - step * (len(block) + 1) < self.bottom:
                    more = True
                    break
                block.append(part)
            if more:
                break
        if more:
            block[-1:] = ["(more in the CSV export)"]
        # One text per block, not per line: each text costs matplotlib a layout of its own.
        self.fig.text(MARGIN, self.y, "\n".join(block), fontsize=size, va="top",
                      color=colour, family=family, linespacing=LINE_SPACING)
        self.y -= step * len(block)


def _footer(fig: Any, report: Report, page: int, pages: int) -> None:
    made = local(report.made, report.tz)
    fig.text(MARGIN, 0.02, f"crampcoach report made {made:%Y-%m-%d %H:%M}. {GUIDANCE}",
             fontsize=7, color="#555555")
    fig.text(1 - MARGIN, 0.02, f"page {page} of {pages}", fontsize=7, color="#555555",
             ha="right")


def _when(moment: datetime, tz: tzinfo | None) -> datetime:
    return local(moment, tz).replace(tzinfo=None)


def _draw_ratings(ax: Any, report: Report) -> None:
    tz = report.tz
    averages = daily_averages(report.points, tz)
    if report.summary.window_days <= DAILY_CHART_MAX:
        ax.scatter([_when(p.at, tz) for p in report.points], [p.value for p in report.points],
                   s=6, color="#9ecae1", zorder=2, label="each rating")
        label = "daily average"
    else:
        weeks: dict[date, list[float]] = {}
        for d, v in averages.items():
            weeks.setdefault(d - timedelta(days=d.weekday()), []).append(v)
        averages = {monday: sum(v) / len(v) for monday, v in weeks.items()}
        label = "weekly average"
    if averages:
        ax.plot([datetime.combine(d, time(12)) for d in averages], list(averages.values()),
                color="#08519c", linewidth=1.4, zorder=3, label=label)
    changes = [m for m in report.medicines if report.first_day <= m.day <= report.last_day]
    for m in changes:
        x = datetime.combine(m.day, time())
        ax.axvline(x, color="#636363", linestyle="--", linewidth=0.8, zorder=1)
        if len(changes) <= MAX_CHANGE_LABELS:
            ax.text(x, 10.4, f" {m.name} {care.CHANGE_WORDS[m.change].split()[0]}",
                    fontsize=6.5, rotation=90, va="top", ha="right", color="#444444")
    ax.set_ylim(-0.5, 10.5)
    ax.set_yticks(range(0, 11, 2))
    ax.set_ylabel("rating (0-10)", fontsize=8)
    ax.set_title("Cramp ratings over time (dashed: medicine changes)", fontsize=9, loc="left")
    ax.grid(axis="y", alpha=0.3)
    if report.points:
        ax.legend(loc="lower right", bbox_to_anchor=(1, 1), fontsize=7, frameon=False,
                  ncol=2)


def _draw_weeks(ax: Any, report: Report) -> None:
    # Over long windows four weeks make one bar, so the bars stay readable.
    span = 1 if report.summary.window_days <= WEEKLY_BARS_MAX else 4
    groups = [report.weeks[i:i + span] for i in range(0, len(report.weeks), span)]
    xs = [datetime.combine(g[0].start, time()) + timedelta(days=3.5 * span) for g in groups]
    bottom = [0] * len(xs)
    for kind in care.KIND_ORDER:
        counts = [sum(w.by_kind.get(kind, 0) for w in g) for g in groups]
        if any(counts):
            ax.bar(xs, counts, width=5.5 * span, bottom=bottom, color=KIND_COLOURS[kind],
                   label=kind)
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    ax.set_ylabel("episodes", fontsize=8)
    ax.set_title("Episodes per week, by type" if span == 1 else
                 f"Episodes per {span} weeks, by type", fontsize=9, loc="left")
    ax.grid(axis="y", alpha=0.3)
    if report.episodes:
        ax.legend(loc="upper left", fontsize=7, frameon=False, ncol=5)
    else:
        ax.text(0.5, 0.5, "no episodes recorded", transform=ax.transAxes, ha="center",
                va="center", fontsize=8, color="#555555")
    ax.set_ylim(0, max([*bottom, 1]) * 1.3)


def _draw_medicines(ax: Any, report: Report) -> None:
    periods = care.medicine_periods(report.medicines)
    first = datetime.combine(report.first_day, time())
    last = datetime.combine(report.last_day + timedelta(days=1), time())
    names = sorted(periods)
    for row, name in enumerate(names):
        for start, end, dose, event in periods[name]:
            left = max(first, datetime.combine(start, time()))
            right = min(last, datetime.combine(end, time()) if end else last)
            if right <= left:
                continue
            colour = "#74c476" if event.supplement else "#6baed6"
            ax.barh(row, right - left, left=left, height=0.55, color=colour,
                    edgecolor="#333333", linewidth=0.5)
            ax.text(left, row, f" {dose or ''}", va="center", fontsize=6.5)
    ax.set_yticks(range(len(names)), names, fontsize=7.5)
    ax.set_ylim(-0.7, len(names) - 0.3)
    ax.invert_yaxis()
    ax.set_title("Medicines (blue) and supplements (green) in the period, with doses",
                 fontsize=9, loc="left")


def _date_axis(ax: Any, report: Report) -> None:
    ax.set_xlim(datetime.combine(report.first_day, time()),
                datetime.combine(report.last_day + timedelta(days=1), time()))
    ax.tick_params(axis="both", labelsize=7)


def write_report(report: Report, out: Path) -> int:
    """Draw the report into ``out`` (PDF); returns the number of pages."""
    plt = load_pyplot(REPORT_NEEDS)
    backend_pdf = __import__("matplotlib.backends.backend_pdf", fromlist=["PdfPages"])
    s = report.summary
    pages = 2
    try:
        pdf = backend_pdf.PdfPages(out, metadata={
            "Title": f"crampcoach report {s.first_day} to {s.last_day}",
            "Subject": "Self-reported cramps, spasms and twitching"})
    except OSError as e:
        raise JournalError(f"cannot write {out}: {e.strerror or e}") from None
    try:
        # Page 1: what happened.
        fig = plt.figure(figsize=A4)
        fig.text(MARGIN, 0.965, "Cramps, spasms and twitching: a report for the neurologist",
                 fontsize=14, fontweight="bold", va="top", color="#1f3b57")
        fig.text(MARGIN, 0.94, f"{s.window_days} days, {s.first_day:%d %b %Y} to "
                 f"{s.last_day:%d %b %Y}. Recorded by the person with crampcoach; ratings are "
                 "self-reported.", fontsize=8.5, va="top", color="#333333")
        column = _Column(fig, 0.925, 0.6)
        column.heading("Key figures")
        column.lines(key_figures(report))
        column.heading("Red flags raised")
        if s.red_flags:
            column.lines([f.message for f in s.red_flags], colour="#a50f15")
        else:
            column.lines(["None in the last weeks."])
        # The charts follow the text, however many flags there are.
        top = column.y - 0.045
        ratings_ax = fig.add_axes((MARGIN + 0.03, top - 0.22, 0.86, 0.22))
        _draw_ratings(ratings_ax, report)
        _date_axis(ratings_ax, report)
        weeks_ax = fig.add_axes((MARGIN + 0.03, top - 0.45, 0.86, 0.17), sharex=ratings_ax)
        _draw_weeks(weeks_ax, report)
        _date_axis(weeks_ax, report)
        column = _Column(fig, top - 0.49, 0.04)
        column.heading("Where (body part and side)")
        column.lines(["; ".join(f"{place} {n}" for place, n in report.places[:12])
                      or "No episodes recorded."])
        _footer(fig, report, 1, pages)
        pdf.savefig(fig)
        plt.close(fig)

        # Page 2: what may be behind it.
        fig = plt.figure(figsize=A4)
        column = _Column(fig, 0.965, 0.04)
        column.heading("Medicines and supplements")
        column.lines(medicine_lines(report))
        if report.medicines:
            height = 0.03 + 0.025 * len(care.medicine_periods(report.medicines))
            column.y -= 0.03
            ax = fig.add_axes((MARGIN + 0.17, column.y - height, 0.72, height))
            _draw_medicines(ax, report)
            _date_axis(ax, report)
            column.y -= height + 0.035
        column.heading("Blood results (as entered, not interpreted)")
        column.lines(blood_lines(report))
        column.heading("Routines (rating before minus after)")
        column.lines(routine_lines(report))
        column.heading("What seems to help, or not: days with and without")
        column.lines(association_lines(report)[:MAX_LIST * 2], size=7.2,
                     family="monospace")
        column.lines([care.ASSOCIATION_NOTE], colour="#555555")
        column.heading("The person's questions")
        column.lines([f"{n}. {q.text}" for n, q in enumerate(report.questions, 1)]
                     or ["None noted."])
        column.heading("When to get help at once")
        column.lines([care.URGENT])
        _footer(fig, report, 2, pages)
        pdf.savefig(fig)
        plt.close(fig)
    except OSError as e:
        raise JournalError(f"cannot write {out}: {e.strerror or e}") from None
    finally:
        plt.close("all")
        try:
            pdf.close()
        except OSError as e:
            raise JournalError(f"cannot write {out}: {e.strerror or e}") from None
    return pages
