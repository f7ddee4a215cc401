"""How long `crampcoach history` takes over ten years of daily sessions and ratings.

Builds a journal with a session (ratings before and after) every evening and a lone
rating every morning for 3,650 days, then times:

* the library path of `history` (open, query, summarise, render) for the default 30 days,
  for 120 days and for the whole ten years;
* the whole command in a fresh process (Python start-up and imports included);
* a naive baseline in the same run: every row loaded into Python, then each day of the
  window filled by a loop over all rows.

Target (docs/BRIEF): under 0.5 s. Run: python bench/journal_history.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from _journal_common import NOW, library_history, timed

from crampcoach.journal.store import Journal, Rating, Session, from_text, new_id

DAYS = 3650


def build(path: Path) -> None:
    sessions: list[Session] = []
    ratings: list[Rating] = []
    for n in range(DAYS):
        evening = NOW - timedelta(days=DAYS - 1 - n, hours=1)
        ratings.append(Rating(new_id(), evening - timedelta(hours=12), 2 + n % 7, None, None))
        sessions.append(Session(
            new_id(), "Evening calf relief", "sha256:bench", evening,
            evening + timedelta(minutes=12), "finished", 5, "Rest", 6, 4 + n % 5, 2 + n % 3,
            None,
        ))
    with Journal.open(path) as j:
        j.merge(sessions, ratings)


def naive_history(path: Path, days: int) -> list[tuple[object, list[int], int]]:
    """What a first attempt does: read everything, then scan it all once per day."""
    import sqlite3

    db = sqlite3.connect(path)
    try:
        session_rows = db.execute(
            "SELECT started_at, rating_before, rating_after FROM sessions"
        ).fetchall()
        rating_rows = db.execute("SELECT at, value FROM ratings").fetchall()
    finally:
        db.close()
    sessions = [(from_text(s).date(), b, a) for s, b, a in session_rows]
    ratings = [(from_text(at).date(), v) for at, v in rating_rows]
    today = NOW.date()
    out = []
    for offset in range(days):
        day = today - timedelta(days=days - 1 - offset)
        values = [v for d, v in ratings if d == day]
        count = 0
        for d, before, after in sessions:
            if d == day:
                count += 1
                values += [x for x in (before, after) if x is not None]
        out.append((day, values, count))
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "journal.sqlite3"
        start = time.perf_counter()
        build(path)
        print(f"built {DAYS} sessions + {DAYS} ratings in {time.perf_counter() - start:.2f} s "
              f"({path.stat().st_size // 1024} KiB)")

        rows = []
        for days in (30, 120, DAYS):
            best, median = timed(lambda d=days: library_history(path, d), 7)
            naive_best, naive_median = timed(lambda d=days: naive_history(path, d), 3 if
                                             days == DAYS else 7)
            rows.append((days, best, median, naive_best, naive_median))

        env = {**os.environ, "CRAMPCOACH_JOURNAL": str(path)}
        command = [sys.executable, "-m", "crampcoach", "history"]
        whole = timed(lambda: subprocess.run(command, env=env, check=True,
                                             stdout=subprocess.DEVNULL), 5)
        whole_long = timed(lambda: subprocess.run([*command, "--days", str(DAYS)], env=env,
                                                  check=True, stdout=subprocess.DEVNULL), 5)

    print()
    print("| history window | crampcoach best / median | naive best / median | naive ÷ ours |")
    print("| --- | --- | --- | --- |")
    for days, best, median, naive_best, naive_median in rows:
        print(f"| {days} days | {best * 1000:.1f} ms / {median * 1000:.1f} ms | "
              f"{naive_best * 1000:.1f} ms / {naive_median * 1000:.1f} ms | "
              f"{naive_median / median:.1f}x |")
    print()
    print(f"whole command, fresh process, 30 days: best {whole[0] * 1000:.0f} ms, "
          f"median {whole[1] * 1000:.0f} ms")
    print(f"whole command, fresh process, {DAYS} days: best {whole_long[0] * 1000:.0f} ms, "
          f"median {whole_long[1] * 1000:.0f} ms")
    worst = max(whole[1], whole_long[1])
    print(f"target under 500 ms: {'met' if worst < 0.5 else 'NOT met'} "
          f"(slowest median {worst * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
