"""Records laid out over time: episodes counted by week, type and body part, and each
medicine's doses as periods. Pure; no wording beyond a record's own words."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from crampcoach.journal.store import EPISODE_KINDS, Episode, MedicineEvent
from crampcoach.journal.trends import local_day

KIND_ORDER: tuple[str, ...] = (*EPISODE_KINDS, "not said")

#: A dose period: first day, the day it ended (None: still taken), the dose, its event.
DosePeriod = tuple[date, date | None, str | None, MedicineEvent]


def medicine_periods(medicines: Sequence[MedicineEvent]) -> dict[str, list[DosePeriod]]:
    """Each medicine's doses as (first day, day it ended or None, dose, the event)."""
    periods: dict[str, list[DosePeriod]] = defaultdict(list)
    for m in medicines:
        mine = periods[m.name]
        if mine and mine[-1][1] is None:
            first, _, dose, event = mine[-1]
            mine[-1] = (first, m.day, dose, event)
        if m.change != "stop":
            mine.append((m.day, None, m.dose if m.dose else (mine[-1][2] if mine else None), m))
    # A stop with nothing before it (an older journal's import) makes no period.
    return {name: spans for name, spans in periods.items() if spans}


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
        d = local_day(e.at, tz)
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
