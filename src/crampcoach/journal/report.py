"""The report for the neurologist: two A4 pages, read in two minutes by someone who
never saw crampcoach.

Page 1 says what happened and what needs an answer: who it is about (name, date of birth
and clinic number when the settings give them), the key figures, the red flags with the
urgent tier, and the person's open questions (always there, however long the record:
each list is capped with "and N more" naming the export table that holds the rest);
then ratings and episodes over time (medicine changes marked with their doses), and
where the episodes were. Page 2 says what may be behind it: medicines and their changes,
blood results grouped by test with their dates, routines, and what seems to help (only
what stands out, with its evidence).

Every piece of text the person typed is drawn literally (matplotlib's math parsing is
off: ``$12`` stays ``$12``). Drawn with matplotlib's PDF backend (the optional
``charts`` extra); the data gathering is plain and tested without it.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

from crampcoach.care import RED_FLAG_RATING
from crampcoach.errors import JournalError
from crampcoach.journal import tally
from crampcoach.journal.chart import load_pyplot
from crampcoach.journal.history_text import p_text
from crampcoach.journal.store import BloodResult, Episode, Journal, MedicineEvent, Question
from crampcoach.journal.summary import HistorySummary, history
from crampcoach.journal.trends import (
    GUIDANCE,
    RatingPoint,
    daily_averages,
    local,
    local_day,
    query_bounds,
    rating_points,
)
from crampcoach.journal.wording import (
    ASSOCIATION_NOTE,
    NOTHING_STANDS_OUT,
    URGENT,
    change_label,
    describe_medicine,
    minutes_text,
)

A4 = (8.27, 11.69)
MARGIN = 0.07  # of the page width
KIND_COLOURS = {"cramp": "#d95f02", "spasm": "#7570b3", "twitching": "#1b9e77",
                "stiffness": "#e7298a", "not said": "#999999"}
#: What fits at the report's text size, so nothing runs past page 2.
MAX_LIST = 8
MAX_CHANGES = 6
MAX_QUESTIONS = 6
MAX_BLOOD_TESTS = 6
MAX_BLOOD_VALUES = 3
MAX_MEDICINE_ROWS = 10
#: Lines a question may take on page 1 (the rest is in the export).
QUESTION_LINES = 2
LINE_SPACING = 1.32
#: Past this many days the charts show weekly averages and 4-weekly episode counts: a mark
#: a day over years is unreadable, and slow to draw.
DAILY_CHART_MAX = 120
WEEKLY_BARS_MAX = 400
#: At most about this many medicine changes are labelled on the ratings chart.
MAX_CHANGE_LABELS = 14
REPORT_NEEDS = "the report needs"


def export_hint(table: str) -> str:
    return f"the {table} table of the export (crampcoach history export --table {table})"


@dataclass(frozen=True, slots=True)
class Person:
    """Who the report is about, as the settings give it (each optional)."""

    name: str | None = None
    date_of_birth: str | None = None
    clinic_number: str | None = None

    def line(self) -> str | None:
        parts = [f"{label}: {value}" for label, value in (
            ("Name", self.name), ("Date of birth", self.date_of_birth),
            ("Clinic number", self.clinic_number)) if value]
        return ".  ".join(parts) + "." if parts else None


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the report shows, gathered from the journal (no drawing yet)."""

    made: datetime
    tz: tzinfo | None
    summary: HistorySummary
    points: tuple[RatingPoint, ...]
    episodes: tuple[Episode, ...]
    weeks: tuple[tally.EpisodeWeek, ...]
    places: tuple[tuple[str, int], ...]
    medicines: tuple[MedicineEvent, ...]
    blood: tuple[BloodResult, ...]
    questions: tuple[Question, ...]
    person: Person = Person()

    @property
    def first_day(self) -> date:
        return self.summary.first_day

    @property
    def last_day(self) -> date:
        return self.summary.last_day


def gather_report(
    journal: Journal, *, now: datetime, days: int, tz: tzinfo | None = None,
    high_at: int = RED_FLAG_RATING, person: Person = Person(),
) -> Report:
    """Read what the report shows: the ``days`` days ending today, all medicines (a dose
    started before the window is still taken), every blood result (grouped by test when
    drawn), and the open questions."""
    summary = history(journal, now=now, days=days, tz=tz, high_at=high_at)
    first, last = summary.first_day, summary.last_day
    since, until = query_bounds(first, last, tz)

    def inside(moment: datetime) -> bool:
        return first <= local_day(moment, tz) <= last

    points = tuple(p for p in rating_points(journal.sessions(since, until),
                                            journal.ratings(since, until)) if inside(p.at))
    episodes = tuple(e for e in journal.episodes(since, until) if inside(e.at))
    return Report(
        made=now, tz=tz, summary=summary, points=points, episodes=episodes,
        weeks=tally.episodes_by_week(episodes, first, last, tz),
        places=tuple(tally.episodes_by_place(episodes)),
        medicines=tuple(journal.medicines()), blood=tuple(journal.blood_results()),
        questions=tuple(journal.questions()), person=person,
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
        if s.trend.middle_apart is not None:
            lines.append(f"Trend over the period: not steady, the middle third "
                         f"{abs(s.trend.middle_apart):.1f} points "
                         f"{'higher' if s.trend.middle_apart > 0 else 'lower'} than both ends.")
        else:
            lines.append(f"Trend over the period: {s.trend.kind} "
                         f"({s.trend.change_per_week:+.1f} points a week).")
    kinds: Counter[str] = Counter(e.kind or "not said" for e in report.episodes)
    if report.episodes:
        per_week = len(report.episodes) / (s.window_days / 7)
        lines.append(
            f"Episodes: {len(report.episodes)} ({per_week:.1f} a week): "
            + ", ".join(f"{kinds[k]} {k}" for k in tally.KIND_ORDER if kinds[k]) + "."
        )
        lasted = [e.duration_s for e in report.episodes if e.duration_s is not None]
        if lasted:
            lasted.sort()
            lines.append(f"Typical length {minutes_text(lasted[len(lasted) // 2])} "
                         f"(longest {minutes_text(lasted[-1])}).")
    else:
        lines.append("No episodes recorded in these days.")
    a = s.adherence
    lines.append(f"Routines played on {a.session_days} of {a.window_days} days.")
    if s.checkins:
        from crampcoach.journal.checkin import describe_checkin

        last = s.checkins[-1]
        lines.append(f"Check-ins in the period: {len(s.checkins)}; the latest, "
                     f"{local(last.at, report.tz):%Y-%m-%d}: {describe_checkin(last)}.")
    return lines


def flag_lines(report: Report) -> list[str]:
    flags = sorted(report.summary.red_flags, key=lambda f: not f.urgent)
    return [("GET HELP NOW: " if f.urgent else "") + f.message for f in flags] or [
        "None in the last weeks."]


def question_lines(report: Report, width: int = 112) -> tuple[list[str], str | None]:
    """The open questions, each at most :data:`QUESTION_LINES` lines, and what is left out."""
    lines = []
    for n, q in enumerate(report.questions[:MAX_QUESTIONS], 1):
        parts = textwrap.wrap(f"{n}. {q.text}", width, subsequent_indent="    ") or [f"{n}."]
        if len(parts) > QUESTION_LINES:
            parts = [*parts[:QUESTION_LINES - 1], parts[QUESTION_LINES - 1][:width - 30]
                     + " … (in full in the export)"]
        lines.append("\n".join(parts))
    more = len(report.questions) - MAX_QUESTIONS
    hidden = f"and {more} more: {export_hint('questions')}" if more > 0 else None
    return lines or ["None noted."], hidden


def medicine_lines(report: Report) -> tuple[list[str], str | None]:
    """Each medicine's state now (taken, with its dose and since when; or stopped), the
    most recently changed first; and what is left out."""
    periods = tally.medicine_periods(report.medicines)
    lines = []
    recent = sorted(periods.items(), key=lambda kv: max(s[1] or s[0] for s in kv[1]),
                    reverse=True)
    for name, spans in recent[:MAX_LIST]:
        start, end, dose, event = spans[-1]
        kind = " (supplement)" if event.supplement else ""
        first = spans[0][0]
        since = f"since {start}" + (f", first started {first}" if first != start else "")
        state = f"{dose} {since}" if dose else since
        lines.append(f"{name}{kind}: " + (f"stopped {end}" if end is not None else state))
    more = len(recent) - MAX_LIST
    return (lines or ["No medicines or supplements recorded."],
            f"and {more} more medicines: {export_hint('medicines')}" if more > 0 else None)


def change_lines(report: Report) -> tuple[list[str], str | None]:
    changes = [m for m in report.medicines if report.first_day <= m.day <= report.last_day]
    shown = changes[-MAX_CHANGES:]
    lines = [f"  {m.day}  {describe_medicine(m)}" for m in shown]
    more = len(changes) - len(shown)
    return lines, (f"and {more} earlier changes in the period: {export_hint('medicines')}"
                   if more > 0 else None)


def blood_lines(report: Report) -> tuple[list[str], str | None]:
    """Blood results grouped by test, newest first, each with its date; the tests measured
    most recently first."""
    if not report.blood:
        return ["No blood results recorded."], None
    groups: dict[str, list[BloodResult]] = {}
    names: dict[str, str] = {}
    for b in report.blood:
        key = b.test.casefold()
        names.setdefault(key, b.test)
        groups.setdefault(key, []).append(b)
    order = sorted(groups, key=lambda k: max(b.day for b in groups[k]), reverse=True)
    lines = []
    for key in order[:MAX_BLOOD_TESTS]:
        results = sorted(groups[key], key=lambda b: b.day, reverse=True)
        values = "; ".join(
            f"{b.value}{f' {b.unit}' if b.unit else ''} on {b.day}"
            + (f" ({b.note})" if b.note else "") for b in results[:MAX_BLOOD_VALUES])
        earlier = len(results) - MAX_BLOOD_VALUES
        lines.append(f"{names[key]}: {values}"
                     + (f"; and {earlier} earlier" if earlier > 0 else ""))
    more = len(order) - MAX_BLOOD_TESTS
    hidden = [f"and {more} more tests"] if more > 0 else []
    if any(len(g) > MAX_BLOOD_VALUES for g in groups.values()) or more > 0:
        hidden.append(f"every result is in {export_hint('blood')}")
    return lines, ("; ".join(hidden) if hidden else None)


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


LABEL_WIDTH = 44
ASSOCIATION_HEADER = (f"{'':<{LABEL_WIDTH}} {'days':>4} {'rating':>6}  {'days':>4} {'rating':>6}"
                      f"  {'difference (95 % interval)':>26}  evidence")
ASSOCIATION_SUBHEADER = (f"{'':<{LABEL_WIDTH}} {'with':>4} {'with':>6}  {'w/o':>4} "
                         f"{'w/o':>6}")


def association_lines(report: Report) -> tuple[list[str], str | None]:
    """A table of what stands out, ranked by evidence (smallest p-value first)."""
    helps = report.summary.helps
    if not helps.shown:
        if helps.tested:
            return [f"{NOTHING_STANDS_OUT} ({helps.tested} comparisons of days with and "
                    "without something were made; none stands out from day-to-day ups and "
                    "downs.)"], None
        return [f"{NOTHING_STANDS_OUT} (too few rated days to compare.)"], None
    lines = [ASSOCIATION_HEADER, ASSOCIATION_SUBHEADER]
    for a in helps.shown[:MAX_LIST]:
        label = a.label if len(a.label) <= LABEL_WIDTH else a.label[:LABEL_WIDTH - 1] + "…"
        interval = f"{a.difference:+.1f} ({a.low:+.1f} to {a.high:+.1f})"
        lines.append(f"{label:<{LABEL_WIDTH}} {a.days_with:>4} {a.rating_with:>6.1f}  "
                     f"{a.days_without:>4} {a.rating_without:>6.1f}  {interval:>26}  "
                     f"{p_text(a.p)}")
    more = len(helps.shown) - MAX_LIST
    return lines, (f"and {more} more that stand out: crampcoach history --days "
                   f"{report.summary.window_days} lists them" if more > 0 else None)


# --- drawing -------------------------------------------------------------------------------------


class _Column:
    """Lines of text placed down a page, wrapped to its width, never past its bottom."""

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
              colour: str = "#111111", family: str = "sans-serif",
              more: str | None = None, hidden: Callable[[int], str] | None = None) -> None:
        """Draw ``texts`` (each one item, wrapped); ``more`` closes the list. When the
        items do not all fit, the last lines say how many were left out (``hidden``)."""
        step = size / 72 / A4[1] * LINE_SPACING
        room = max(1, int((self.y - self.bottom) / step))
        items = [text.split("\n") if family == "monospace" or "\n" in text
                 else textwrap.wrap(text, width, subsequent_indent="    ") or [""]
                 for text in texts]
        tail = [] if more is None else textwrap.wrap(more, width, subsequent_indent="    ")
        block: list[str] = []
        shown = 0
        for parts in items:
            reserve = len(tail) + (1 if shown + 1 < len(items) else 0)
            if len(block) + len(parts) + reserve > room:
                break
            block += parts
            shown += 1
        left = len(items) - shown
        if left:
            note = (hidden(left) if hidden is not None else f"and {left} more")
            block += textwrap.wrap(note, width, subsequent_indent="    ")
        block += tail
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
    # A label needs room: one close after another would overlap, so it goes unlabelled
    # (its line stays, and page 2 lists every change with its dose).
    gap = timedelta(days=max(1, report.summary.window_days // MAX_CHANGE_LABELS))
    labelled: date | None = None
    for m in changes:
        x = datetime.combine(m.day, time())
        ax.axvline(x, color="#636363", linestyle="--", linewidth=0.8, zorder=1)
        if labelled is None or m.day - labelled >= gap:
            ax.text(x, 10.4, f" {change_label(m)[:40]}", fontsize=6.5, rotation=90,
                    va="top", ha="right", color="#444444")
            labelled = m.day
    ax.set_ylim(-0.5, 10.5)
    ax.set_yticks(range(0, 11, 2))
    ax.set_ylabel("rating (0-10)", fontsize=8)
    ax.set_title("Cramp ratings over time (dashed: medicine changes, with the new dose)",
                 fontsize=9, loc="left")
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
    for kind in tally.KIND_ORDER:
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


def _chart_medicines(report: Report) -> list[str]:
    """The medicines the chart shows: those taken in the period, most recent first."""
    periods = tally.medicine_periods(report.medicines)
    last_day = report.last_day + timedelta(days=1)

    def in_period(spans: list[tally.DosePeriod]) -> bool:
        return any(start < last_day and (end is None or end > report.first_day)
                   for start, end, _, _ in spans)

    names = [n for n in periods if in_period(periods[n])]
    names.sort(key=lambda n: max(s[0] for s in periods[n]), reverse=True)
    return sorted(names[:MAX_MEDICINE_ROWS])


def _medicine_title(report: Report, names: list[str]) -> str:
    title = "Medicines (blue) and supplements (green) in the period, with doses"
    periods = tally.medicine_periods(report.medicines)
    if len(names) < len(periods):
        title += f" (the {len(names)} changed most recently)"
    return title


def _draw_medicines(ax: Any, report: Report, names: list[str]) -> None:
    periods = tally.medicine_periods(report.medicines)
    first = datetime.combine(report.first_day, time())
    last = datetime.combine(report.last_day + timedelta(days=1), time())
    room = (last - first) / 12
    for row, name in enumerate(names):
        for start, end, dose, event in periods[name]:
            left = max(first, datetime.combine(start, time()))
            right = min(last, datetime.combine(end, time()) if end else last)
            if right <= left:
                continue
            colour = "#74c476" if event.supplement else "#6baed6"
            ax.barh(row, right - left, left=left, height=0.55, color=colour,
                    edgecolor="#333333", linewidth=0.5)
            if right - left >= room:
                ax.text(left, row, f" {(dose or '')[:30]}", va="center", fontsize=6.5)
    ax.set_yticks(range(len(names)), [n[:24] for n in names], fontsize=7.5)
    ax.set_ylim(-0.7, len(names) - 0.3)
    ax.invert_yaxis()
    ax.set_title(_medicine_title(report, names), fontsize=9, loc="left")


def _date_axis(ax: Any, report: Report) -> None:
    ax.set_xlim(datetime.combine(report.first_day, time()),
                datetime.combine(report.last_day + timedelta(days=1), time()))
    ax.tick_params(axis="both", labelsize=7)


def _page_one(plt: Any, report: Report) -> Any:
    s = report.summary
    fig = plt.figure(figsize=A4)
    fig.text(MARGIN, 0.965, "Cramps, spasms and twitching: a report for the neurologist",
             fontsize=14, fontweight="bold", va="top", color="#1f3b57")
    top = 0.94
    person = report.person.line()
    if person:
        fig.text(MARGIN, top, person, fontsize=9, va="top", color="#111111")
        top -= 0.018
    fig.text(MARGIN, top, f"{s.window_days} days, {s.first_day:%d %b %Y} to "
             f"{s.last_day:%d %b %Y}. Recorded by the person with crampcoach; ratings are "
             "self-reported.", fontsize=8.5, va="top", color="#333333")
    # What must never fall off comes first: the flags with the urgent tier, the questions.
    column = _Column(fig, top - 0.015, 0.36)
    column.heading("Red flags raised")
    column.lines(flag_lines(report), colour="#a50f15",
                 more=f"When to get help at once: {URGENT}")
    column.heading("The person's open questions")
    questions, hidden = question_lines(report)
    column.lines(questions, more=hidden)
    column.heading("Key figures")
    column.lines(key_figures(report))
    # The charts take the room that is left.
    room = column.y - 0.045 - 0.10
    ratings_h, weeks_h = room * 0.56, room * 0.36
    top = column.y - 0.04
    ratings_ax = fig.add_axes((MARGIN + 0.03, top - ratings_h, 0.86, ratings_h))
    _draw_ratings(ratings_ax, report)
    _date_axis(ratings_ax, report)
    weeks_top = top - ratings_h - 0.035
    weeks_ax = fig.add_axes((MARGIN + 0.03, weeks_top - weeks_h, 0.86, weeks_h),
                            sharex=ratings_ax)
    _draw_weeks(weeks_ax, report)
    _date_axis(weeks_ax, report)
    column = _Column(fig, weeks_top - weeks_h - 0.03, 0.04)
    column.heading("Where (body part and side)")
    places = "; ".join(f"{place[:40]} {n}" for place, n in report.places[:12])
    if len(report.places) > 12:
        places += f"; and {len(report.places) - 12} more places: {export_hint('episodes')}"
    column.lines([places or "No episodes recorded."])
    return fig


def _page_two(plt: Any, report: Report) -> Any:
    fig = plt.figure(figsize=A4)
    # The urgent tier first, at the foot of the page: nothing above can push it off.
    foot = _Column(fig, 0.115, 0.04)
    foot.heading("When to get help at once")
    foot.lines([URGENT])
    column = _Column(fig, 0.965, 0.125)
    column.heading("Medicines and supplements")
    now, left_out = medicine_lines(report)
    column.lines(now, more=left_out)
    changes, hidden = change_lines(report)
    if changes:
        column.lines(changes, more=hidden,
                     hidden=lambda n: f"and {n} more: {export_hint('medicines')}")
    column.heading("Blood results (as entered, not interpreted), by test, newest first")
    lines, hidden = blood_lines(report)
    column.lines(lines, more=hidden,
                 hidden=lambda n: f"and {n} more tests: {export_hint('blood')}")
    column.heading("Routines (rating before minus after)")
    column.lines(routine_lines(report)[:MAX_LIST])
    column.heading("What seems to help, or not: what stands out, with its evidence")
    column.lines([ASSOCIATION_NOTE + " Shown only when it stands out after allowing for the "
                  f"{report.summary.helps.tested} comparisons made (false discovery rate "
                  "5 %)."], colour="#555555")
    lines, hidden = association_lines(report)
    column.lines(lines, size=7.0, family="monospace", more=hidden,
                 hidden=lambda n: f"and {n} more that stand out: crampcoach history --days "
                 f"{report.summary.window_days} lists them")
    # The doses over time take the room that is left (page 1 marks each change too).
    names = _chart_medicines(report)
    room = column.y - 0.04 - column.bottom - 0.03
    if names and room >= 0.05:
        rows = max(1, min(len(names), int((room - 0.03) / 0.02)))
        names = names[-rows:]
        height = min(room, 0.03 + 0.022 * len(names))
        column.y -= 0.035
        ax = fig.add_axes((MARGIN + 0.17, column.y - height, 0.72, height))
        _draw_medicines(ax, report, names)
        _date_axis(ax, report)
    return fig


def write_report(report: Report, out: Path) -> int:
    """Draw the report into ``out`` (PDF); returns the number of pages."""
    plt = load_pyplot(REPORT_NEEDS)
    matplotlib = __import__("matplotlib")
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
        # The person's words are drawn as typed: "$12 a month vs $8" is not mathematics.
        with matplotlib.rc_context({"text.parse_math": False, "text.usetex": False}):
            for number, draw in enumerate((_page_one, _page_two), 1):
                fig = draw(plt, report)
                _footer(fig, report, number, pages)
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
