"""How long `history` and `report` take over ten years of the full care record.

Builds a journal of 3,650 days, each with a morning rating, an evening session (ratings
before and after), one or two episodes and the day's factors, plus a medicine change every
90 days, blood results every 90 days and a weekly check-in. Then times, in the same run:

* crampcoach's library path of `history` (open, query, summarise with the red flags and
  what seems to help, render) and of `report` (gather, then draw the PDF) for 90 days and
  for the whole ten years;
* a naive baseline: every row of every table loaded into Python, then for each day of the
  window a scan over all rows (ratings, sessions, episodes, factors), and for each factor a
  second scan per day, as a first version without indexes or grouping does;
* both commands in a fresh process (Python start-up and imports included).

Target (docs/BRIEF): history and report over ten years under 1 s.
Run: python bench/care_history_report.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from _journal_common import NOW, library_history, timed

from crampcoach.journal.report import gather_report, write_report
from crampcoach.journal.store import (
    FACTOR_FIELDS,
    BloodResult,
    CareRecords,
    Checkin,
    DayFactors,
    Episode,
    Journal,
    MedicineEvent,
    Rating,
    Session,
    from_text,
    new_id,
)

DAYS = 3650
KINDS = ("cramp", "spasm", "twitching", "stiffness")


def build(path: Path) -> int:
    sessions: list[Session] = []
    ratings: list[Rating] = []
    episodes: list[Episode] = []
    factors: list[DayFactors] = []
    medicines: list[MedicineEvent] = []
    blood: list[BloodResult] = []
    checkins: list[Checkin] = []
    first = NOW.date() - timedelta(days=DAYS - 1)
    medicines.append(MedicineEvent(new_id(), first, "baclofen", "start", "5 mg"))
    for n in range(DAYS):
        day = first + timedelta(days=n)
        evening = datetime(day.year, day.month, day.day, 20, tzinfo=UTC)
        ratings.append(Rating(new_id(), evening - timedelta(hours=12), 2 + n % 7, None, None))
        sessions.append(Session(
            new_id(), "Evening calf relief", "sha256:bench", evening,
            evening + timedelta(minutes=12), "finished", 5, "Rest", 6, 4 + n % 5, 2 + n % 3,
            None))
        for k in range(1 + n % 2):
            episodes.append(Episode(new_id(), evening - timedelta(hours=17 - k), KINDS[n % 4],
                                    "calf", "left", 60 * (1 + n % 7), 3 + n % 6, "stretching"))
        factors.append(DayFactors(day, 4 + n % 5, n % 3, n % 2, n % 6 == 0, n % 10, n % 9,
                                  5.0 + n % 4, n % 11, n % 13 == 0, n % 17 == 0,
                                  ("travel",) if n % 10 == 0 else ()))
        if n % 90 == 45:
            medicines.append(MedicineEvent(new_id(), day, "baclofen", "change",
                                           f"{5 + (n // 90) % 4 * 5} mg"))
            blood.append(BloodResult(new_id(), day, "magnesium", f"0.{70 + n % 20}", "mmol/L"))
        if n % 7 == 0:
            checkins.append(Checkin(new_id(), evening, False, n % 5 == 0, False, False))
    care = CareRecords(tuple(episodes), tuple(factors), tuple(medicines), tuple(blood), (),
                       tuple(checkins))
    with Journal.open(path) as j:
        j.merge(sessions, ratings, care)
    return len(sessions) + len(ratings) + len(care)


def library_report(path: Path, days: int, out: Path) -> int:
    with Journal.open(path, create=False) as j:
        report = gather_report(j, now=NOW, days=days, tz=UTC)
    return write_report(report, out)


def naive(path: Path, days: int) -> list[tuple[date, float | None, int]]:
    """A first attempt: load every table, then scan all rows once per day of the window,
    and once more per factor and day for the with/without averages."""
    import sqlite3

    db = sqlite3.connect(path)
    try:
        rating_rows = [(from_text(a).date(), v) for a, v in
                       db.execute("SELECT at, value FROM ratings")]
        session_rows = [(from_text(a).date(), b, c) for a, b, c in db.execute(
            "SELECT started_at, rating_before, rating_after FROM sessions")]
        episode_rows = [from_text(a).date() for (a,) in db.execute("SELECT at FROM episodes")]
        factor_rows = [(date.fromisoformat(r[0]), r[1:]) for r in db.execute(
            "SELECT day, " + ", ".join(FACTOR_FIELDS) + " FROM factors")]
    finally:
        db.close()
    out = []
    averages: dict[date, float] = {}
    today = NOW.date()
    for offset in range(days):
        day = today - timedelta(days=days - 1 - offset)
        values = [v for d, v in rating_rows if d == day]
        for d, before, after in session_rows:
            if d == day:
                values += [x for x in (before, after) if x is not None]
        count = sum(1 for d in episode_rows if d == day)
        average = sum(values) / len(values) if values else None
        if average is not None:
            averages[day] = average
        out.append((day, average, count))
    for index in range(len(FACTOR_FIELDS)):
        with_days = [d for d in averages for fd, f in factor_rows
                     if fd == d and f[index] not in (None, 0)]
        len(with_days)
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "journal.sqlite3"
        start = time.perf_counter()
        records = build(path)
        print(f"built {records} records over {DAYS} days in {time.perf_counter() - start:.1f} s"
              f" ({path.stat().st_size // 1024} KiB)")
        pdf = Path(tmp) / "report.pdf"
        library_report(path, 90, pdf)  # matplotlib imported and warm, as in a running service

        rows = []
        for days in (90, DAYS):
            h = timed(lambda d=days: library_history(path, d), 5)
            r = timed(lambda d=days: library_report(path, d, pdf), 3)
            n = timed(lambda d=days: naive(path, d), 1 if days == DAYS else 3)
            rows.append((days, h, r, n))

        env = {**os.environ, "CRAMPCOACH_JOURNAL": str(path)}
        commands = {
            "crampcoach history": [sys.executable, "-m", "crampcoach", "history"],
            f"crampcoach history --days {DAYS}": [sys.executable, "-m", "crampcoach",
                                                  "history", "--days", str(DAYS)],
            "crampcoach report -o r.pdf (90 days)": [sys.executable, "-m", "crampcoach",
                                                     "report", "-o", str(pdf)],
            f"crampcoach report --days {DAYS} -o r.pdf": [
                sys.executable, "-m", "crampcoach", "report", "--days", str(DAYS), "-o",
                str(pdf)],
        }
        whole = {name: timed(lambda c=command: subprocess.run(  # type: ignore[misc]
            c, env=env, check=True, stdout=subprocess.DEVNULL), 3)
            for name, command in commands.items()}

    print()
    print("| window | history best / median | report best / median | naive best / median |"
          " naive ÷ history |")
    print("| --- | --- | --- | --- | --- |")
    for days, h, r, n in rows:
        print(f"| {days} days | {h[0] * 1000:.0f} ms / {h[1] * 1000:.0f} ms | "
              f"{r[0] * 1000:.0f} ms / {r[1] * 1000:.0f} ms | "
              f"{n[0] * 1000:.0f} ms / {n[1] * 1000:.0f} ms | {n[1] / h[1]:.1f}x |")
    print()
    print("| whole command, fresh process | best | median |")
    print("| --- | --- | --- |")
    for name, (best, median) in whole.items():
        print(f"| `{name}` | {best * 1000:.0f} ms | {median * 1000:.0f} ms |")
    slowest = max(max(h[1], r[1]) for _, h, r, _ in rows)
    print()
    print(f"target under 1 s (library path, ten years): "
          f"{'met' if slowest < 1 else 'NOT met'} (slowest median {slowest * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
