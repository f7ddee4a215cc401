"""Peak memory and time of importing a dense export, and of reading it back.

An export inside the 64 MB size limit can hold close to a million minimal records. This
builds one (CSV: ``rating,ID,TIME,,,,,,,,,,5,``, one a minute going back in time), then
runs in fresh processes, each measured by its peak resident memory (``ru_maxrss`` of the
child) and wall time:

* ``crampcoach history import FILE`` into an empty journal (an import holds at most
  250,000 records, so a bigger export is written as several files, imported one after
  the other, as a person splitting it would);
* ``crampcoach history --days 3650`` on the result (its output to a pipe, read whole).

A Raspberry Pi has 512 MB to 1 GB of memory. Run: python bench/journal_dense_import.py
[RECORDS] (default 847051, the case issue 24 measured). To measure another checkout's
code (before a change), put its src first: PYTHONPATH=../main/src python bench/...
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

HEADER = ("record,id,time_utc,end_utc,routine,routine_hash,status,step_reached,step_title,"
          "steps_total,rating_before,rating_after,rating,note\n")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


PART = 250_000


def build(path: Path, records: int, first: int = 0, total: int | None = None) -> int:
    """Records ``first`` to ``first + records`` of ``total`` (all of them by default)."""
    total = records if total is None else total
    with path.open("w", encoding="utf-8") as f:
        f.write(HEADER)
        start = NOW - timedelta(minutes=total)
        for n in range(first, first + records):
            at = (start + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
            f.write(f"rating,r{n:x},{at},,,,,,,,,,{n % 11},\n")
    return path.stat().st_size


def main() -> None:
    records = int(sys.argv[1]) if len(sys.argv) > 1 else 847_051
    with tempfile.TemporaryDirectory(prefix="crampcoach-dense-") as folder:
        exports = []
        for first in range(0, records, PART):
            export = Path(folder) / f"dense-{first // PART + 1}.csv"
            size = build(export, min(PART, records - first), first, records)
            exports.append(export)
            print(f"export {export.name}: {min(PART, records - first):,} ratings, "
                  f"{size / 1e6:.1f} MB")
        journal = Path(folder) / "journal.sqlite3"
        env = {**os.environ, "CRAMPCOACH_JOURNAL": str(journal), "TZ": "UTC"}
        crampcoach = [sys.executable, "-m", "crampcoach"]
        steps = [(f"history import {e.name}", [*crampcoach, "history", "import", str(e)])
                 for e in exports]
        steps.append(("history --days 3650", [*crampcoach, "history", "--days", "3650"]))
        for label, argv in steps:
            # One measuring process per command, so ru_maxrss is that command's own.
            code = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
                    "d = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
                    "w = time.perf_counter() - t; "
                    "m = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024; "
                    "last = (d.stdout + d.stderr).strip().splitlines()[-1:] or ['']; "
                    "print(f'{w:.1f} {m:.0f} {d.returncode} ' + last[0])")
            out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True,
                                 text=True, env=env, check=True).stdout.strip()
            wall, peak, rc, last = out.split(" ", 3)
            print(f"{label}: {wall} s, peak {peak} MB, exit {rc}: {last[:100]}")


if __name__ == "__main__":
    main()
