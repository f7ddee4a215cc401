"""Shared helpers for the journal tests: a clock the test moves, and a journal with a
known month of entries in it (imported from the journal test files, not a conftest)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from crampcoach.journal.store import Journal

# Europe/London moves to summer time on 2026-03-29, inside the 30 days before NOW: the
# day boundaries in the fixed output below must follow it.
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 4, 2, 21, 30, tzinfo=UTC)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class MovableClock:
    """A journal clock that says whatever the test set last."""

    now: datetime = field(default_factory=lambda: NOW)

    def __call__(self) -> datetime:
        return self.now

    def at(self, text: str) -> MovableClock:
        self.now = utc(text)
        return self


def fill_month(path: Path) -> None:
    """The journal the exact-output tests read: a few weeks of an evening routine."""
    clock = MovableClock()
    with Journal.open(path, clock=clock) as j:
        clock.at("2026-03-10T03:12:00")
        j.add_rating(7, note="woke with a calf cramp")
        clock.at("2026-03-10T21:00:00")
        s = j.start_session("Evening calf relief", "sha256:aa11", 6, rating_before=6)
        clock.at("2026-03-10T21:12:30")
        j.finish_session(s, "finished", 5, "Rest", rating_after=3, note="warm legs helped")
        clock.at("2026-03-14T21:05:00")
        s = j.start_session("Evening calf relief", "sha256:aa11", 6, rating_before=7)
        clock.at("2026-03-14T21:09:00")
        j.finish_session(s, "stopped", 2, "Calf stretch", rating_after=5)
        clock.at("2026-03-20T08:00:00")
        j.add_rating(5)
        clock.at("2026-03-28T23:30:00")  # 23:30 GMT: still the 28th in London
        s = j.start_session("Box breathing", None, 2, rating_before=5)
        clock.at("2026-03-28T23:36:00")
        j.finish_session(s, "finished", 1, "Box breathing", rating_after=4)
        clock.at("2026-03-29T23:30:00")  # 00:30 BST: the 30th in London
        j.add_rating(4, routine="Box breathing", note="first line\nsecond line")
        clock.at("2026-04-01T20:00:00")
        s = j.start_session("Evening calf relief", "sha256:aa11", 6, rating_before=4)
        j.reach_step(s, 1, "Calf stretch")
        # No finish: the process was killed here.
        clock.at("2026-04-02T06:45:00")
        j.add_rating(3, routine="Evening calf relief")


def every_day(path: Path, days: int, end: datetime) -> None:
    """A routine every evening for ``days`` days, and a morning rating each day."""
    clock = MovableClock()
    with Journal.open(path, clock=clock) as j:
        for n in range(days):
            evening = end - timedelta(days=days - 1 - n) - timedelta(hours=1)
            clock.now = evening - timedelta(hours=12)
            j.add_rating(3 + n % 5)
            clock.now = evening
            s = j.start_session("Evening calf relief", None, 6, rating_before=6)
            clock.now = evening + timedelta(minutes=12)
            j.finish_session(s, "finished", 5, "Rest", rating_after=3)
