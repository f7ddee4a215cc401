"""The Log and Journal pages: what the person records, and what the journal says.

Every write is one :class:`~crampcoach.journal.store.Journal` call, the one the command
line makes (``rate``); every summary is the one ``history`` prints. A request that fails
leaves the journal as it was: the library writes a record whole or not at all.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Flask, Response, abort, g, redirect, request, url_for

from crampcoach.errors import CrampcoachError
from crampcoach.journal.rules import MAX_TEXT
from crampcoach.web.forms import (
    Refused,
    field_choice,
    field_day,
    field_line,
    field_number,
    field_text,
    field_whole,
    field_yes_no,
)
from crampcoach.web.parts import WebParts
from crampcoach.web.render import (
    add_notice,
    is_night,
    render_page,
    settings_of,
    without_paths,
)

#: Days the Journal page shows, and the report's choices.
JOURNAL_DAYS = 30
REPORT_DAYS = (30, 90, 180, 365)
#: The chart's size in the SVG's own units (it scales to the phone's width).
CHART_W, CHART_H = 300, 160
#: The margins left for the axis labels (18 units: about 17 px on a 320 px phone).
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 34, 8, 12, 30


@contextmanager
def journal_of(parts: WebParts, *, write: bool) -> Iterator[Any]:
    from crampcoach.journal.store import Journal

    path = settings_of(parts).journal
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
    left: int = CHART_LEFT
    top: int = CHART_TOP
    plot_h: int = CHART_H - CHART_TOP - CHART_BOTTOM


def chart_of(days: Sequence[Any], first: date, last: date) -> Chart:
    span = max(1, (last - first).days)
    left, right, top, bottom = CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM
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


def _today(parts: WebParts) -> date:
    return parts.now().astimezone(parts.tz).date()


#: When there are no night hours: until this hour the night still belongs to yesterday.
NIGHT_ENDS_AT = time(5, 0)


def log_day(parts: WebParts) -> date:
    """The day the Log page records factors for unless another is chosen: in the small
    hours (before the night hours end, or 05:00 without night hours) the night belongs to
    the day it started, yesterday; the command line's ``--date yesterday`` says the same."""
    local = parts.now().astimezone(parts.tz)
    night = settings_of(parts).night
    ends = night.end if night is not None and night.start != night.end else NIGHT_ENDS_AT
    if night is not None and night.start <= ends:  # night hours within one day: no night
        ends = NIGHT_ENDS_AT
    if local.time().replace(tzinfo=None) < ends:
        return local.date() - timedelta(days=1)
    return local.date()


def _chosen_day(parts: WebParts) -> date:
    """The day a form says (``today``, ``yesterday`` or YYYY-MM-DD, checked by the
    journal's own rule); the Log page's day when it says none."""
    from crampcoach.journal.rules import parse_day

    text = field_line("day", "the day", limit=10)
    return log_day(parts) if text is None else parse_day(text, _today(parts))


class WeeklyCheckin:
    """The weekly check-in as the page uses it: its questions, whether it is due, and the
    answers recorded (the journal's own check-in, as ``crampcoach checkin`` and the player
    use it)."""

    @staticmethod
    def questions() -> list[tuple[str, str]]:
        from crampcoach.journal.store import CHECKIN_KEYS
        from crampcoach.phrases import ENGLISH

        return [(key, ENGLISH.checkin_questions[key]) for key in CHECKIN_KEYS]

    @staticmethod
    def due(journal: Any, now: datetime) -> bool:
        from crampcoach.journal.checkin import checkin_due

        return checkin_due(journal, now)

    @staticmethod
    def record(journal: Any, answers: dict[str, bool | None]) -> tuple[str, str]:
        """Record the answers; return the advice and the urgent line, as the command says."""
        from crampcoach.journal.checkin import record_checkin

        outcome = record_checkin(journal, answers)
        return outcome.advice, outcome.urgent


def _flagged(journal: Any) -> Any:
    """The episode whose "get help now" flag stands (the latest, urgent, not followed up),
    complete or not, so its follow-up can be given here; None when no flag stands."""
    from crampcoach.journal.flags import is_urgent

    last = journal.last_episode()
    return last if last is not None and is_urgent(last) and not last.follow_up else None


def _episode_values(parts: WebParts) -> dict[str, Any]:
    """An episode form's values as ``crampcoach episode`` passes them to the journal (which
    checks each with its own rules and words)."""
    from crampcoach.journal import rules
    from crampcoach.journal.entry import parse_when
    from crampcoach.journal.store import EPISODE_KINDS, LIMB_SIGNS, MAX_EPISODE_S, SIDES

    minutes = field_line("minutes", rules.EPISODE_MINUTES, limit=rules.MAX_TEXT)
    when = field_line("when", "when it began", limit=rules.MAX_TEXT)
    return {
        "kind": field_choice("kind", "what it was", EPISODE_KINDS),
        "body_part": field_line("where", "where it was", limit=80),
        "side": field_choice("side", "the side", SIDES),
        "duration_s": (None if minutes is None
                       else rules.episode_seconds(minutes, MAX_EPISODE_S)),
        "severity": field_whole("severity", "how bad it was"),
        "helped": field_line("helped", "what helped", limit=rules.MAX_TEXT),
        "note": field_text("note", "the note", limit=rules.MAX_TEXT),
        "at": None if when is None else parse_when(when, parts.now(), parts.tz),
        "eased": field_yes_no("eased", "whether it eased"),
        "signs": tuple(s for s in LIMB_SIGNS if request.form.get(f"sign_{s}") == "yes"),
        "follow_up": field_line("follow_up", "what happened since", limit=rules.MAX_TEXT),
    }


def _factor_values() -> dict[str, Any]:
    """The factors form's values, as ``crampcoach factors`` passes them."""
    return {
        "fluids_glasses": field_whole("fluids", "glasses of fluids"),
        "caffeine_drinks": field_whole("caffeine", "drinks with caffeine"),
        "alcohol_drinks": field_whole("alcohol", "alcoholic drinks"),
        "heat": field_yes_no("heat", "time in heat"),
        "exertion": field_whole("exertion", "exertion"),
        "stress": field_whole("stress", "stress"),
        "sleep_hours": field_number("sleep", "hours slept"),
        "sleep_quality": field_whole("sleep_quality", "how well you slept"),
        "bladder_bowel": field_yes_no("bladder_bowel", "bladder or bowel trouble"),
        "infection": field_yes_no("infection", "signs of an infection"),
    }


def _tags() -> list[str]:
    text = field_line("tags", "your own words for the day", limit=200)
    return [] if text is None else [t for t in (w.strip() for w in text.split(",")) if t]


def register(app: Flask, parts: WebParts) -> None:
    reports = ReportQueue()
    def done(text: str) -> Any:
        add_notice("ok", text)
        return redirect(url_for("log"))

    def urgent_or_done(episode: Any, text: str) -> Any:
        from crampcoach.journal.flags import is_urgent
        from crampcoach.journal.wording import URGENT

        if is_urgent(episode) and not episode.follow_up:
            add_notice("urgent", f"{text} {URGENT}")
            return redirect(url_for("log"))
        return done(text)

    def refused(error: CrampcoachError) -> Any:
        add_notice("error", str(error))
        return redirect(url_for("log"))

    @app.get("/log")
    def log() -> Any:
        from crampcoach.journal.store import EPISODE_KINDS, SIDES
        from crampcoach.journal.wording import describe_episode, describe_medicine

        today = _today(parts)
        try:
            day = _day_arg(parts)
        except CrampcoachError as e:
            add_notice("error", str(e))
            day = log_day(parts)
        values: dict[str, Any] = {
            "today": today, "day": day, "days": _day_choices(today),
            "kinds": EPISODE_KINDS, "sides": SIDES, "describe": describe_episode,
            "local": _local(parts), "describe_medicine": describe_medicine,
            "checkin_questions": WeeklyCheckin.questions()}
        try:
            with journal_of(parts, write=False) as journal:
                values.update(
                    pending=journal.pending_episodes(), flagged=_flagged(journal),
                    factors=journal.day_factors(day),
                    taking=_taking(journal.medicines()), questions=journal.questions(),
                    blood=journal.blood_results()[-5:],
                    checkin_due=WeeklyCheckin.due(journal, parts.now()))
        except CrampcoachError as e:
            return render_page("log.html", error=str(e), pending=[], flagged=None,
                               factors=None,
                               taking=[], questions=[], blood=[], checkin_due=False,
                               checkin_waits=False, **values)
        # Offered first when due, but not in the night hours: at 3 a.m. the Log is for the
        # cramp (the check-in waits at the page's foot).
        values["checkin_waits"] = values["checkin_due"] and is_night(parts)
        values["checkin_due"] = values["checkin_due"] and not values["checkin_waits"]
        return render_page("log.html", error=None, **values)

    @app.post("/log/rating")
    def log_rating() -> Any:
        try:
            value = field_whole("rating", "how bad the cramps are")
            if value is None:
                raise Refused("choose how bad the cramps are, from 0 to 10")
            note = field_line("note", "the note", limit=MAX_TEXT)
            with journal_of(parts, write=True) as journal:
                rating = journal.add_rating(value, note=note)
        except CrampcoachError as e:
            return refused(e)
        return done(f"Recorded: {rating.value} out of 10.")

    @app.post("/log/episode")
    def log_episode() -> Any:
        from crampcoach.journal.wording import describe_episode

        try:
            values = _episode_values(parts)
            with journal_of(parts, write=True) as journal:
                episode = journal.add_episode(**values)
        except CrampcoachError as e:
            return refused(e)
        return urgent_or_done(episode, f"Recorded: {describe_episode(episode)}.")

    @app.post("/log/episode/<episode_id>")
    def complete_episode(episode_id: str) -> Any:
        from crampcoach.journal.wording import describe_episode

        if not re.fullmatch(r"[0-9a-f]{32}", episode_id):
            abort(404)
        try:
            values = _episode_values(parts)
            if all(v is None or v == () for v in values.values()):
                raise Refused("say what to add to the episode")
            with journal_of(parts, write=True) as journal:
                episode = journal.update_episode(episode_id, **values)
        except CrampcoachError as e:
            return refused(e)
        return urgent_or_done(episode, f"Updated: {describe_episode(episode)}.")

    @app.post("/log/factors")
    def log_factors() -> Any:
        from crampcoach.journal.wording import describe_factors

        try:
            values = _factor_values()
            tags = _tags()
            if all(v is None for v in values.values()) and not tags:
                raise Refused("fill in at least one of the factors")
            day = _chosen_day(parts)
            with journal_of(parts, write=True) as journal:
                factors = journal.set_factors(day, tags=tags, **values)
        except CrampcoachError as e:
            return refused(e)
        return done(f"Factors for {day:%a %d %b}: {describe_factors(factors)}.")

    @app.post("/log/blood")
    def log_blood() -> Any:
        try:
            test = field_line("test", "the test's name", limit=80, required=True)
            value = field_line("value", "the value", limit=40, required=True)
            unit = field_line("unit", "the unit", limit=40)
            note = field_line("blood_note", "the note", limit=500)
            day = field_day("day", "the day", _today(parts))
            with journal_of(parts, write=True) as journal:
                result = journal.add_blood_result(day, test or "", value or "", unit, note)
        except CrampcoachError as e:
            return refused(e)
        return done(f"Recorded {day:%a %d %b}: {result.test} {result.value}"
                    + (f" {result.unit}" if result.unit else "") + ".")

    @app.post("/log/question")
    def log_question() -> Any:
        try:
            text = field_text("question", "the question", limit=2000, required=True)
            with journal_of(parts, write=True) as journal:
                journal.add_question(text or "")
                count = len(journal.questions())
        except CrampcoachError as e:
            return refused(e)
        return done(f"Noted. {count} open question{'s' if count != 1 else ''} for the report.")

    @app.post("/log/question/<question_id>/asked")
    def question_asked(question_id: str) -> Any:
        if not re.fullmatch(r"[0-9a-f]{32}", question_id):
            abort(404)
        try:
            with journal_of(parts, write=True) as journal:
                asked = journal.question_done(question_id)
        except CrampcoachError as e:
            return refused(e)
        return done(f"Marked as asked: {asked.text}")

    @app.post("/log/checkin")
    def log_checkin() -> Any:
        try:
            answers = {key: field_yes_no(key, question)
                       for key, question in WeeklyCheckin.questions()}
            if all(a is None for a in answers.values()):
                raise Refused("answer at least one of the check-in's questions")
            with journal_of(parts, write=True) as journal:
                advice, urgent = WeeklyCheckin.record(journal, answers)
        except CrampcoachError as e:
            return refused(e)
        return done(f"{advice} {urgent}")

    @app.post("/log/medicine")
    def log_medicine() -> Any:
        from crampcoach.journal.store import MEDICINE_CHANGES
        from crampcoach.journal.wording import describe_medicine

        try:
            name = field_line("name", "the medicine's name", limit=80, required=True)
            change = field_choice("change", "what happened", MEDICINE_CHANGES)
            if change is None:
                raise Refused("say whether it was started, changed or stopped")
            day = field_day("day", "the day", _today(parts))
            with journal_of(parts, write=True) as journal:
                event = journal.add_medicine(
                    name or "", change, day, dose=field_line("dose", "the dose", limit=80),
                    supplement=request.form.get("supplement") == "yes",
                    note=field_line("med_note", "the note", limit=MAX_TEXT))
        except CrampcoachError as e:
            return refused(e)
        return done(f"{day:%a %d %b}: {describe_medicine(event)}.")

    @app.get("/journal")
    def journal_page() -> Any:
        from crampcoach.journal import history_text, wording
        from crampcoach.journal.summary import history
        from crampcoach.journal.trends import window

        settings = settings_of(parts)
        try:
            with journal_of(parts, write=False) as journal:
                summary = history(journal, now=parts.now(), days=JOURNAL_DAYS, tz=parts.tz,
                                  high_at=settings.red_flag_threshold)
        except CrampcoachError as e:
            return render_page("journal.html", error=str(e), summary=None)
        first, last = window(parts.now(), JOURNAL_DAYS, parts.tz)
        return render_page("journal.html", error=None, summary=summary,
                           chart=chart_of(summary.days, first, last),
                           trend=history_text.trend_line(summary.trend),
                           adherence=history_text.adherence_line(summary.adherence),
                           helps=history_text.helps_lines(summary),
                           checkins=history_text.checkin_lines(summary),
                           flags_heading=wording.RAISE_HEADING, urgent=wording.URGENT,
                           describe=wording.describe_episode, local=_local(parts),
                           report_days=REPORT_DAYS, can_report=parts.report is not None)

    @app.get("/journal/report.pdf")
    def report() -> Any:
        if parts.report is None:
            abort(404)
        scripted = request.headers.get("X-Report") == "fetch"
        try:
            days = int(field_choice_arg("days", tuple(str(d) for d in REPORT_DAYS)) or 90)
        except CrampcoachError as e:
            if scripted:
                return Response(str(e).capitalize(), status=400, mimetype="text/plain")
            add_notice("error", str(e))
            return redirect(url_for("journal_page"))
        try:
            with reports.one_for(g.session.csrf):
                pdf = parts.report(days)
        except CrampcoachError as e:
            message = f"The report could not be made: {without_paths(str(e))}"
            if scripted:
                return Response(message, status=503, mimetype="text/plain")
            add_notice("error", message)
            return redirect(url_for("journal_page"))
        stamp = _today(parts).isoformat()
        return Response(pdf, mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="crampcoach-report-{stamp}.pdf"'})


class ReportQueue:
    """One report at a time for each person logged in (a second tap while one is made is
    told so, not queued), and at most ``most`` at once on the machine: each is a child
    process that takes seconds of a Pi's CPU."""

    def __init__(self, most: int = 2) -> None:
        self._lock = threading.Lock()
        self._making: set[str] = set()
        self._most = most

    @contextmanager
    def one_for(self, person: str) -> Iterator[None]:
        with self._lock:
            if person in self._making:
                raise Refused("a report is already being made for you; it downloads "
                              "when it is ready")
            if len(self._making) >= self._most:
                raise Refused("other reports are being made just now; try again in a "
                              "minute")
            self._making.add(person)
        try:
            yield
        finally:
            with self._lock:
                self._making.discard(person)



def _day_arg(parts: WebParts) -> date:
    """The day the Log page shows factors for (``?day=``), or its usual day."""
    from crampcoach.journal.rules import parse_day

    text = request.args.get("day")
    if not text or len(text) > 10:
        return log_day(parts)
    return parse_day(text, _today(parts))


def _day_choices(today: date) -> list[date]:
    """The days offered with one tap: today and the six before it."""
    return [today - timedelta(days=n) for n in range(7)]


def _local(parts: WebParts) -> Any:
    def shown(moment: Any) -> str:
        return f"{moment.astimezone(parts.tz):%a %d %b %H:%M}"

    return shown


def _taking(medicines: Sequence[Any]) -> list[str]:
    """What is taken now, as ``crampcoach med list`` says it."""
    from crampcoach.journal.tally import medicine_periods

    current = [(name, periods[-1]) for name, periods in medicine_periods(medicines).items()
               if periods[-1][1] is None]
    return [f"{name}{f' {dose}' if dose else ''} (since {since})"
            for name, (since, _, dose, _) in sorted(current)]


def field_choice_arg(name: str, choices: tuple[str, ...]) -> str | None:
    value = request.args.get(name)
    if value is not None and value not in choices:
        raise Refused(f"choose one of {', '.join(choices)} days")
    return value

