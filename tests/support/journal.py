"""Shared helpers for the journal tests: a clock the test moves, and a journal with a
known month of entries in it (imported from the journal test files, not a conftest)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from click.testing import CliRunner, Result

from crampcoach.journal.store import Journal
from crampcoach.session.machine import Machine

# Europe/London moves to summer time on 2026-03-29, inside the 30 days before NOW: the
# day boundaries in the fixed output below must follow it.
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 4, 2, 21, 30, tzinfo=UTC)


def journal_machine(now: datetime = NOW, zone: ZoneInfo = LONDON) -> Machine:
    """The machine as the journal's commands see it: ``now`` in ``zone``."""
    local_time = now.astimezone(zone).replace(tzinfo=None)
    return Machine(now=lambda: local_time, zone=zone)


class JournalRunner(CliRunner):
    """A CliRunner whose commands run on :func:`journal_machine` (fixed now, London)."""

    def __init__(self, machine: Machine | None = None) -> None:
        super().__init__()
        self.machine = machine or journal_machine()

    def invoke(self, *args: Any, **kwargs: Any) -> Result:  # type: ignore[override]
        kwargs.setdefault("obj", self.machine)
        return super().invoke(*args, **kwargs)


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


def fill_quarter(path: Path) -> None:
    """Ninety days of a full care record ending at NOW: morning ratings, an evening routine
    on most days, episodes, daily factors, medicine changes, blood results, questions and a
    check-in. Baclofen goes up on 2026-02-20 and the ratings fall after it."""
    from datetime import date

    clock = MovableClock()
    start = NOW - timedelta(days=89)
    kinds = ("cramp", "cramp", "spasm", "twitching", "cramp", "stiffness")
    places = (("calf", "left"), ("calf", "right"), ("foot", "left"), ("thigh", "both"),
              ("toes", "right"))
    with Journal.open(path, clock=clock) as j:
        clock.now = start
        j.add_medicine("baclofen", "start", date(2025, 10, 1), dose="10 mg three times a day")
        for n in range(90):
            morning = start + timedelta(days=n, hours=-14)
            day = morning.date()
            later = day >= date(2026, 2, 20)
            clock.now = morning
            if n % 9 != 4:
                j.add_rating((3 if later else 5) + (n * 7) % 3)
            if n % 3 != 1:
                clock.now = morning + timedelta(hours=13)
                sid = j.start_session("Evening calf relief", None, 6,
                                      rating_before=(4 if later else 6) + n % 2)
                clock.now += timedelta(minutes=12)
                j.finish_session(sid, "finished", 5, "Rest",
                                 rating_after=(2 if later else 4) + n % 2)
            for k in range((n * 5) % 3 if not later else (n * 5) % 2):
                part, side = places[(n + k) % len(places)]
                j.add_episode(at=morning - timedelta(hours=2 + k), kind=kinds[(n + k) % 6],
                              body_part=part, side=side, duration_s=60 * (1 + (n + k) % 9),
                              severity=(4 if later else 6) + k, helped="stretching"
                              if n % 2 else "warm compress")
            j.set_factors(day, fluids_glasses=4 + n % 5, caffeine_drinks=n % 3,
                          stress=2 + (n * 3) % 7, sleep_hours=5.5 + (n % 4),
                          sleep_quality=3 + n % 6, heat=n % 6 == 0,
                          tags=("travel",) if n % 10 == 0 else ())
            if day == date(2026, 1, 10):
                j.add_medicine("prednisolone", "start", day, dose="60 mg (relapse course)")
            if day == date(2026, 1, 15):
                j.add_medicine("prednisolone", "stop", day)
            if day == date(2026, 2, 20):
                j.add_medicine("baclofen", "change", day, dose="15 mg three times a day",
                               note="neurologist, phone review")
            if day == date(2026, 3, 1):
                j.add_medicine("magnesium", "start", day, dose="300 mg at night",
                               supplement=True)
        j.add_blood_result(date(2026, 2, 25), "magnesium", "0.68", "mmol/L", "range 0.7-1.0")
        j.add_blood_result(date(2026, 2, 25), "potassium", "4.1", "mmol/L")
        j.add_blood_result(date(2026, 2, 25), "calcium (adjusted)", "2.31", "mmol/L")
        j.add_question("Could the baclofen be split into smaller, more frequent doses?")
        j.add_question("Is the magnesium worth carrying on with?")
        clock.at("2026-03-30T19:00:00")
        j.add_checkin({"painful": True, "more_often": False, "weakness": False,
                       "daily_life": True})
        clock.now = NOW


def fill_years(path: Path, years: int = 10, *, now: datetime = NOW) -> None:
    """A long journal that overflows every list of the report: a rating and a session a
    day, an episode most days, the day's factors, a dose change every 90 days across 14
    medicines, 40 blood results over 12 tests, 30 open questions (some with dollar signs,
    which a math parser would eat), and last, an urgent episode. Written in one merge."""
    from crampcoach.journal.store import (
        BloodResult,
        CareRecords,
        DayFactors,
        Episode,
        MedicineEvent,
        Question,
        Rating,
        Session,
        new_id,
    )

    days = 365 * years
    first = now.date() - timedelta(days=days - 1)
    sessions, ratings, episodes, factors, medicines, blood = [], [], [], [], [], []
    names = [f"medicine {chr(65 + k)}" for k in range(14)]
    for n in range(days):
        day = first + timedelta(days=n)
        evening = datetime(day.year, day.month, day.day, 20, tzinfo=UTC)
        ratings.append(Rating(new_id(), evening - timedelta(hours=11), 2 + n % 7, None, None))
        sessions.append(Session(new_id(), "Evening calf relief", None, evening,
                                evening + timedelta(minutes=12), "finished", 5, "Rest", 6,
                                4 + n % 5, 2 + n % 3, None))
        if n % 3:
            episodes.append(Episode(new_id(), evening - timedelta(hours=16), "cramp", "calf",
                                    "left" if n % 2 else "right", 60 * (1 + n % 7), 3 + n % 6))
        factors.append(DayFactors(day, 4 + n % 5, n % 3, n % 2, n % 6 == 0, n % 10, n % 9,
                                  5.0 + n % 4, n % 11, n % 13 == 0, n % 17 == 0))
        if n % 90 == 45:
            name = names[(n // 90) % len(names)]
            change = "start" if n // 90 < len(names) else "change"
            medicines.append(MedicineEvent(new_id(), day, name, change,
                                           f"{5 + (n // 90) % 4 * 5} mg twice a day"))
    for k in range(40):
        blood.append(BloodResult(new_id(), now.date() - timedelta(days=30 * k),
                                 ["magnesium", "potassium", "calcium (adjusted)", "sodium",
                                  "vitamin D", "B12", "ferritin", "CK", "TSH", "CRP",
                                  "creatinine", "folate"][k % 12], f"{1 + k % 9}.{k % 10}",
                                 "mmol/L"))
    questions = [Question(new_id(), now - timedelta(days=40 - k),
                          ["Is $$ x $$ a problem?", "Is $12 a month vs $8 worth it?",
                           "Could the dose be split into smaller doses through the day, "
                           "and would that help the cramps that come in the small hours, "
                           "or the ones that come after walking to the shops and back? "
                           * 3][k % 3] + f" ({k + 1})")
                 for k in range(30)]
    episodes.append(Episode(new_id(), now - timedelta(hours=2), "cramp", "calf", "left",
                            1800, 9, eased=False, signs=("swollen", "warm")))
    care = CareRecords(tuple(episodes), tuple(factors), tuple(medicines), tuple(blood),
                       tuple(questions))
    with Journal.open(path) as j:
        j.merge(sessions, ratings, care)
