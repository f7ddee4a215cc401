"""The Log and Journal pages: what the person records, and what the journal says.

Every write is one :class:`~crampcoach.journal.store.Journal` call, the one the command
line makes (``rate``); every summary is the one ``history`` prints. A request that fails
leaves the journal as it was: the library writes a record whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask, Response, abort, redirect, request, url_for

from crampcoach.errors import CrampcoachError
from crampcoach.web.app import Refused, WebParts, field_line, field_whole

#: Days the Journal page shows, and the report's choices.
JOURNAL_DAYS = 30
REPORT_DAYS = (30, 90, 180, 365)
#: The chart's size in the SVG's own units (it scales to the phone's width).
CHART_W, CHART_H = 340, 150


def _pages() -> Any:
    from crampcoach.web import pages

    return pages


@contextmanager
def journal_of(parts: WebParts, *, write: bool) -> Iterator[Any]:
    from crampcoach.journal.store import Journal

    path = _pages()._settings(parts).journal
    with Journal.open(path, create=write, clock=parts.now) as journal:
        yield journal


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    day: date
    value: float


@dataclass(frozen=True)
class Chart:
    """Each day's average rating as points on a line, with the grid and labels; drawn as
    SVG markup in the page (no script, no image request, readable by a screen reader
    through its summary)."""

    width: int
    height: int
    points: tuple[ChartPoint, ...]
    path: str
    first: date
    last: date
    summary: str


def chart_of(days: Sequence[Any], first: date, last: date) -> Chart:
    span = max(1, (last - first).days)
    left, right, top, bottom = 28, 6, 8, 22
    width, height = CHART_W - left - right, CHART_H - top - bottom
    points = []
    for day in days:
        average = day.average
        if average is None:
            continue
        x = left + width * (day.day - first).days / span
        y = top + height * (1 - average / 10)
        points.append(ChartPoint(round(x, 1), round(y, 1), day.day, average))
    path = " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(points))
    if points:
        values = [p.value for p in points]
        summary = (f"Average rating on {len(points)} days from {first:%d %b} to "
                   f"{last:%d %b}: lowest {min(values):.1f}, highest {max(values):.1f}, "
                   f"latest {values[-1]:.1f}.")
    else:
        summary = f"No ratings from {first:%d %b} to {last:%d %b}."
    return Chart(CHART_W, CHART_H, tuple(points), path, first, last, summary)


def register(app: Flask, parts: WebParts) -> None:
    pages = _pages()

    @app.get("/log")
    def log() -> Any:
        return pages._page("log.html")

    @app.post("/log/rating")
    def log_rating() -> Any:
        try:
            value = field_whole("rating", "how bad the cramps are")
            if value is None:
                raise Refused("choose how bad the cramps are, from 0 to 10")
            note = field_line("note", "the note", limit=500)
            with journal_of(parts, write=True) as journal:
                rating = journal.add_rating(value, note=note)
        except CrampcoachError as e:
            pages._notice("error", str(e))
            return redirect(url_for("log"))
        pages._notice("ok", f"Recorded: {rating.value} out of 10.")
        return redirect(url_for("log"))

    @app.get("/journal")
    def journal_page() -> Any:
        from crampcoach.journal.trends import _adherence_line, _trend_line, history, window

        settings = pages._settings(parts)
        try:
            with journal_of(parts, write=False) as journal:
                summary = history(journal, now=parts.now(), days=JOURNAL_DAYS, tz=parts.tz,
                                  high_at=settings.red_flag_threshold)
        except CrampcoachError as e:
            return pages._page("journal.html", error=str(e), summary=None)
        first, last = window(parts.now(), JOURNAL_DAYS, parts.tz)
        return pages._page("journal.html", error=None, summary=summary,
                           chart=chart_of(summary.days, first, last),
                           trend=_trend_line(summary.trend),
                           adherence=_adherence_line(summary.adherence),
                           report_days=REPORT_DAYS, can_report=parts.report is not None)

    @app.get("/journal/report.pdf")
    def report() -> Any:
        if parts.report is None:
            abort(404)
        try:
            days = int(field_choice_arg("days", tuple(str(d) for d in REPORT_DAYS)) or 90)
            pdf = parts.report(days)
        except CrampcoachError as e:
            pages._notice("error", str(e))
            return redirect(url_for("journal_page"))
        stamp = parts.now().date().isoformat()
        return Response(pdf, mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="crampcoach-report-{stamp}.pdf"'})


def field_choice_arg(name: str, choices: tuple[str, ...]) -> str | None:
    value = request.args.get(name)
    if value is not None and value not in choices:
        raise Refused(f"choose one of {', '.join(choices)} days")
    return value

