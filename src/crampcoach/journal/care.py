"""What the care record says: the red flags beyond a single rating, the weekly check-in,
what seems to help, and episodes counted by week, type and body part.

Everything here is pure (records, a "now" and a time zone in; values out), except the
check-in flow, which asks through a function it is given and records the answers.

Rules chosen (and shown in docs/journal.md):

* More often: at least :data:`MORE_OFTEN_MIN` episodes in the last 7 days and at least
  :data:`MORE_OFTEN_FACTOR` times the weekly average of the 4 weeks before, when something
  was recorded in those weeks (a first week of logging is not a rise).
* Sudden sustained jump: a day in the last 14 days after which every day's average rating
  (at least 3 rated days) stays at least :data:`JUMP_POINTS` / 2 above the average of the
  14 days before it (at least 3 rated days), and the two averages differ by at least
  :data:`JUMP_POINTS`. A jump from 2 to 6 that then stays flat raises it; a slope does not.
* Check-in: a yes to any of the four questions in the last week's check-in.
* What seems to help: days with and without each factor, routine and medicine, only when
  there are at least :data:`MIN_DAYS_EACH_SIDE` days on each side; an association in the
  person's own records, never a cause.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Literal

from crampcoach.care import RED_FLAG_DAYS
from crampcoach.journal.store import (
    CHECKIN_KEYS,
    EPISODE_KINDS,
    Checkin,
    DayFactors,
    Episode,
    MedicineEvent,
)
from crampcoach.journal.trends import RatingPoint, RedFlag, daily_averages, local_day
from crampcoach.phrases import ENGLISH, Phrasebook

if TYPE_CHECKING:
    from crampcoach.journal.store import Journal

#: The urgent tier, in the phrasebook's words: shown after every red flag and check-in.
URGENT = ENGLISH.urgent_help
ASSOCIATION_NOTE = (
    "These are associations in your own records, not causes: other things may differ "
    "between those days."
)
MORE_OFTEN_WEEKS = 4
MORE_OFTEN_MIN = 3
MORE_OFTEN_FACTOR = 2.0
JUMP_POINTS = 3.0
JUMP_RECENT_DAYS = 14
JUMP_MIN_DAYS = 3
MIN_DAYS_EACH_SIDE = 3
CHECKIN_EVERY = timedelta(days=7)

#: What a calm check-in says (the phrasebook's words; the player says them after a session).
CHECKIN_CLEAR = ENGLISH.checkin_clear

AssociationGroup = Literal["routine", "factor", "medicine"]


# --- red flags -----------------------------------------------------------------------------------


def care_flags(
    points: Sequence[RatingPoint],
    episodes: Sequence[Episode],
    checkins: Sequence[Checkin],
    *,
    now: datetime,
    tz: tzinfo | None,
) -> list[RedFlag]:
    """The red flags from frequency, a sudden sustained jump and the weekly check-in."""
    return [f for f in (more_often_flag(points, episodes, now=now, tz=tz),
                        jump_flag(points, now=now, tz=tz),
                        checkin_flag(checkins, now=now, tz=tz)) if f is not None]


def _day(moment: datetime, tz: tzinfo | None) -> date:
    return local_day(moment, tz)


def more_often_flag(
    points: Sequence[RatingPoint], episodes: Sequence[Episode], *, now: datetime,
    tz: tzinfo | None,
) -> RedFlag | None:
    today = _day(now, tz)
    week_start = today - timedelta(days=RED_FLAG_DAYS - 1)
    earlier_start = week_start - timedelta(days=RED_FLAG_DAYS * MORE_OFTEN_WEEKS)
    this_week: Counter[str] = Counter()
    earlier = 0
    for e in episodes:
        d = _day(e.at, tz)
        if week_start <= d <= today:
            this_week[e.kind or "episode"] += 1
        elif earlier_start <= d < week_start:
            earlier += 1
    count = sum(this_week.values())
    used_before = earlier or any(
        earlier_start <= _day(p.at, tz) < week_start for p in points
    )
    per_week = earlier / MORE_OFTEN_WEEKS
    if not used_before or count < MORE_OFTEN_MIN or count < MORE_OFTEN_FACTOR * per_week:
        return None
    kinds = ", ".join(_plural(n, k) for k, n in sorted(this_week.items(), key=lambda x: -x[1]))
    return RedFlag(
        "more_often",
        f"You recorded {count} episodes in the last 7 days ({kinds}), against about "
        f"{per_week:.1f} a week in the {MORE_OFTEN_WEEKS} weeks before. Cramps or spasms "
        "coming more often are worth talking over with your neurologist.",
    )


def _plural(n: int, kind: str) -> str:
    return f"{n} {kind}" if n == 1 else f"{n} {kind}{'es' if kind.endswith('ch') else 's'}"


def jump_flag(
    points: Sequence[RatingPoint], *, now: datetime, tz: tzinfo | None
) -> RedFlag | None:
    today = _day(now, tz)
    oldest = today - timedelta(days=2 * JUMP_RECENT_DAYS)
    averages = daily_averages((p for p in points if oldest <= _day(p.at, tz) <= today), tz)
    days = sorted(averages)
    best: tuple[float, date, float, float] | None = None
    for split in days:
        if split < today - timedelta(days=JUMP_RECENT_DAYS - 1):
            continue
        before = [averages[d] for d in days
                  if split - timedelta(days=JUMP_RECENT_DAYS) <= d < split]
        after = [averages[d] for d in days if d >= split]
        if len(before) < JUMP_MIN_DAYS or len(after) < JUMP_MIN_DAYS:
            continue
        low = sum(before) / len(before)
        high = sum(after) / len(after)
        if high - low >= JUMP_POINTS and min(after) >= low + JUMP_POINTS / 2 and (
                best is None or high - low > best[0]):
            best = (high - low, split, low, high)
    if best is None:
        return None
    _, split, low, high = best
    return RedFlag(
        "jump",
        f"Your ratings rose suddenly on {split:%a %d %b}, from about {low:.0f} to about "
        f"{high:.0f}, and have stayed there. A sudden change that lasts is worth talking "
        "over with your neurologist.",
    )


def checkin_flag(
    checkins: Sequence[Checkin], *, now: datetime, tz: tzinfo | None
) -> RedFlag | None:
    recent = [c for c in checkins if now - CHECKIN_EVERY <= c.at <= now]
    if not recent:
        return None
    latest = recent[-1]
    signs = [ENGLISH.checkin_signs[k] for k in CHECKIN_KEYS if latest.answer(k)]
    if not signs:
        return None
    return RedFlag(
        "checkin",
        f"In your check-in on {_day(latest.at, tz):%a %d %b} you said the cramps are "
        f"{_and(signs)}. The advice is to talk to your neurologist about that.",
    )


def _and(items: Sequence[str], word: str = "and") -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {word} " + items[-1]


# --- the weekly check-in -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckinOutcome:
    checkin: Checkin
    advice: str
    urgent: str = URGENT


def checkin_due(journal: Journal, now: datetime) -> bool:
    """Whether a week has passed since the last check-in (or there was none)."""
    return not journal.checkins(now - CHECKIN_EVERY, now + timedelta(seconds=1))


def checkin_advice(checkin: Checkin, book: Phrasebook = ENGLISH) -> str:
    signs = [book.checkin_signs[k] for k in CHECKIN_KEYS if checkin.answer(k)]
    if not signs:
        return book.checkin_clear
    return book.checkin_raise.format(signs=_and(signs, book.checkin_and))


def run_checkin(journal: Journal, ask: Callable[[str], bool | None],
                book: Phrasebook = ENGLISH) -> CheckinOutcome:
    """Ask the four questions through ``ask`` (a yes is True, a no False, no answer None),
    record the answers, and return the advice to say or show, with the urgent tier.

    The player calls it after a session when :func:`checkin_due`; ``crampcoach checkin``
    calls it with keys. Answers already given are recorded even if a later one is not."""
    answers = {key: ask(book.checkin_questions[key]) for key in CHECKIN_KEYS}
    checkin = journal.add_checkin(answers)
    return CheckinOutcome(checkin, checkin_advice(checkin, book), book.urgent_help)


# --- what seems to help --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Association:
    """Days with something against days without it, in the person's own records."""

    group: AssociationGroup
    label: str
    days_with: int
    days_without: int
    rating_with: float | None
    rating_without: float | None
    episodes_with: float
    episodes_without: float


def _at_least(key: str, n: float) -> Callable[[DayFactors], bool | None]:
    def test(f: DayFactors) -> bool | None:
        value: float | None = getattr(f, key)
        return None if value is None else value >= n
    return test


def _below(key: str, n: float) -> Callable[[DayFactors], bool | None]:
    def test(f: DayFactors) -> bool | None:
        value: float | None = getattr(f, key)
        return None if value is None else value < n
    return test


def _yes(key: str) -> Callable[[DayFactors], bool | None]:
    def test(f: DayFactors) -> bool | None:
        value: bool | None = getattr(f, key)
        return value
    return test


#: How each daily factor splits days into with and without it (one home for the cut-offs).
FACTOR_SPLITS: tuple[tuple[str, Callable[[DayFactors], bool | None]], ...] = (
    ("6 or more glasses of fluids", _at_least("fluids_glasses", 6)),
    ("any caffeine", _at_least("caffeine_drinks", 1)),
    ("any alcohol", _at_least("alcohol_drinks", 1)),
    ("heat exposure", _yes("heat")),
    ("hard exertion (6 or more of 10)", _at_least("exertion", 6)),
    ("high stress (6 or more of 10)", _at_least("stress", 6)),
    ("under 6 hours of sleep", _below("sleep_hours", 6)),
    ("poor sleep (quality 3 or less of 10)", lambda f: None if f.sleep_quality is None
     else f.sleep_quality <= 3),
    ("bladder or bowel trouble", _yes("bladder_bowel")),
    ("signs of infection", _yes("infection")),
)


@dataclass(frozen=True, slots=True)
class _DayRecord:
    rating: float | None
    episodes: int


def _association(group: AssociationGroup, label: str, with_days: Iterable[date],
                 without_days: Iterable[date], record: dict[date, _DayRecord],
                 ) -> Association | None:
    on = [record[d] for d in with_days if d in record]
    off = [record[d] for d in without_days if d in record]
    if len(on) < MIN_DAYS_EACH_SIDE or len(off) < MIN_DAYS_EACH_SIDE:
        return None

    def rating(days: list[_DayRecord]) -> float | None:
        rated = [d.rating for d in days if d.rating is not None]
        return sum(rated) / len(rated) if rated else None

    return Association(group, label, len(on), len(off), rating(on), rating(off),
                       sum(d.episodes for d in on) / len(on),
                       sum(d.episodes for d in off) / len(off))


def medicine_periods(
    medicines: Sequence[MedicineEvent],
) -> dict[str, list[tuple[date, date | None, str | None, MedicineEvent]]]:
    """Each medicine's doses as (first day, day it ended or None, dose, the event)."""
    periods: dict[str, list[tuple[date, date | None, str | None, MedicineEvent]]] = (
        defaultdict(list))
    for m in medicines:
        mine = periods[m.name]
        if mine and mine[-1][1] is None:
            first, _, dose, event = mine[-1]
            mine[-1] = (first, m.day, dose, event)
        if m.change != "stop":
            mine.append((m.day, None, m.dose if m.dose else (mine[-1][2] if mine else None), m))
    # A stop with nothing before it (an older journal's import) makes no period.
    return {name: spans for name, spans in periods.items() if spans}


def associations(
    day_ratings: dict[date, float],
    day_episodes: dict[date, int],
    day_routines: dict[date, set[str]],
    factors: Sequence[DayFactors],
    medicines: Sequence[MedicineEvent],
    tracked: Iterable[date],
) -> tuple[Association, ...]:
    """What seems to help, over the ``tracked`` days (days with anything recorded)."""
    record = {d: _DayRecord(day_ratings.get(d), day_episodes.get(d, 0)) for d in tracked}
    days = sorted(record)
    found: list[Association | None] = []

    routines = sorted({r for names in day_routines.values() for r in names})
    for name in routines:
        with_days = [d for d in days if name in day_routines.get(d, ())]
        found.append(_association("routine", name, with_days,
                                  [d for d in days if name not in day_routines.get(d, ())],
                                  record))

    for label, split in FACTOR_SPLITS:
        marks = [(f.day, split(f)) for f in factors]
        found.append(_association("factor", label, [d for d, m in marks if m is True],
                                  [d for d, m in marks if m is False], record))
    for tag in sorted({t for f in factors for t in f.tags}):
        found.append(_association(
            "factor", f"tag {tag!r}", [f.day for f in factors if tag in f.tags],
            [f.day for f in factors if tag not in f.tags], record))

    last_day = days[-1] if days else date.min
    for name, periods in sorted(medicine_periods(medicines).items()):
        # The days taken, from each dose's first day to the day it changed or stopped.
        taken = set()
        for first, end, _, _ in periods:
            day = max(first, days[0]) if days else first
            stop = min(end or last_day + timedelta(days=1), last_day + timedelta(days=1))
            while day < stop:
                taken.add(day)
                day += timedelta(days=1)
        kind = "supplement" if periods[0][3].supplement else "medicine"
        found.append(_association(
            "medicine", f"taking {name} ({kind})", [d for d in days if d in taken],
            [d for d in days if d not in taken], record))
        for previous, current in itertools.pairwise(periods):
            if current[3].change != "change" or previous[1] != current[0]:
                continue
            end = current[1]
            found.append(_association(
                "medicine",
                f"{name} {current[2]} from {current[0]} (against {previous[2]} before)",
                [d for d in days if current[0] <= d and (end is None or d < end)],
                [d for d in days if previous[0] <= d < current[0]], record))
    return tuple(a for a in found if a is not None)


# --- episodes counted ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EpisodeWeek:
    """Episodes in the week starting on Monday ``start``, by type."""

    start: date
    by_kind: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


def episodes_by_week(
    episodes: Sequence[Episode], first: date, last: date, tz: tzinfo | None
) -> tuple[EpisodeWeek, ...]:
    """Every week from the one holding ``first`` to the one holding ``last``, empty weeks
    included, so a chart shows the quiet weeks too."""
    start = first - timedelta(days=first.weekday())
    weeks: dict[date, Counter[str]] = {}
    monday = start
    while monday <= last:
        weeks[monday] = Counter()
        monday += timedelta(days=7)
    for e in episodes:
        d = _day(e.at, tz)
        if first <= d <= last:
            weeks[d - timedelta(days=d.weekday())][e.kind or "not said"] += 1
    return tuple(EpisodeWeek(m, dict(c)) for m, c in weeks.items())


def episodes_by_place(episodes: Sequence[Episode]) -> list[tuple[str, int]]:
    """Episodes counted by body part and side ("left calf"), most first."""
    counts: Counter[str] = Counter()
    for e in episodes:
        place = e.body_part or "not said"
        if e.side in ("left", "right"):
            place = f"{e.side} {place}"
        elif e.side == "both":
            place = f"{place} (both sides)"
        counts[place] += 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


KIND_ORDER: tuple[str, ...] = (*EPISODE_KINDS, "not said")


# --- text ----------------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " / ".join(part.strip() for part in text.splitlines() if part.strip())


def minutes_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes >= 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes} min" + (f" {rest} s" if rest else "")


def place_text(e: Episode) -> str | None:
    if e.body_part is None:
        return None
    if e.side in ("left", "right"):
        return f"{e.side} {e.body_part}"
    if e.side == "both":
        return f"{e.body_part}, both sides"
    return e.body_part


def missing_text(e: Episode) -> str:
    missing = [what for what, value in (("what", e.kind), ("where", e.body_part),
                                         ("how long", e.duration_s)) if value is None]
    return ", ".join(missing)


def describe_episode(e: Episode) -> str:
    """One line for an episode (without its time)."""
    parts: list[str] = [e.kind or "episode"]
    place = place_text(e)
    if place:
        parts.append(place)
    if e.duration_s is not None:
        parts.append(minutes_text(e.duration_s))
    if e.severity is not None:
        parts.append(f"{e.severity} of 10")
    if e.routine:
        parts.append(f"routine {e.routine}")
    text = ", ".join(parts)
    if e.helped:
        text += f"; helped: {_one_line(e.helped)}"
    if e.note:
        text += f'  "{_one_line(e.note)}"'
    if not e.complete:
        text += f" (to complete: {missing_text(e)})"
    return text


def _hours(value: float) -> str:
    return f"{value:g}"


def describe_factors(f: DayFactors) -> str:
    parts: list[str] = []
    if f.fluids_glasses is not None:
        parts.append(f"{f.fluids_glasses} glasses of fluids")
    if f.caffeine_drinks is not None:
        parts.append(f"caffeine {f.caffeine_drinks}")
    if f.alcohol_drinks is not None:
        parts.append(f"alcohol {f.alcohol_drinks}")
    for flag, label in ((f.heat, "heat"), (f.bladder_bowel, "bladder or bowel trouble"),
                        (f.infection, "signs of infection")):
        if flag is not None:
            parts.append(label if flag else f"no {label}")
    if f.exertion is not None:
        parts.append(f"exertion {f.exertion}/10")
    if f.stress is not None:
        parts.append(f"stress {f.stress}/10")
    if f.sleep_hours is not None or f.sleep_quality is not None:
        sleep = "sleep"
        if f.sleep_hours is not None:
            sleep += f" {_hours(f.sleep_hours)} h"
        if f.sleep_quality is not None:
            sleep += f" (quality {f.sleep_quality}/10)"
        parts.append(sleep)
    if f.tags:
        parts.append("tags: " + ", ".join(f.tags))
    return ", ".join(parts) if parts else "nothing recorded"


CHANGE_WORDS = {"start": "started", "change": "changed to", "stop": "stopped"}


def describe_medicine(m: MedicineEvent) -> str:
    kind = " (supplement)" if m.supplement else ""
    text = f"{m.name}{kind}: {CHANGE_WORDS[m.change]}"
    if m.dose and m.change != "stop":
        text += f" {m.dose}"
    if m.note:
        text += f'  "{_one_line(m.note)}"'
    return text


def describe_association(a: Association) -> str:
    """``label: on N days with it rating R and E episodes a day; on M days without, R2 and E2``
    (a side without ratings says "no ratings")."""
    def rated(value: float | None) -> str:
        return "no ratings" if value is None else f"{value:.1f}"

    return (f"{a.label}: on {a.days_with} days with it rating {rated(a.rating_with)} and "
            f"{a.episodes_with:.1f} episodes a day; on {a.days_without} days without, "
            f"{rated(a.rating_without)} and {a.episodes_without:.1f}")


# --- what people type ----------------------------------------------------------------------------


def parse_day(text: str, today: date) -> date:
    """``today``, ``yesterday`` or ``YYYY-MM-DD``: see :mod:`crampcoach.journal.rules`."""
    from crampcoach.journal import rules

    return rules.parse_day(text, today)


def parse_when(text: str, now: datetime, tz: tzinfo | None) -> datetime:
    """``HH:MM`` or ``YYYY-MM-DD HH:MM``: see :mod:`crampcoach.journal.rules`."""
    from crampcoach.journal import rules

    return rules.parse_when(text, now, tz)
