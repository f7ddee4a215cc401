"""What the journal benchmarks share: the moment they are measured at, a timer, and the
library's own history (the figures of bench/journal_history.py and
bench/care_history_report.py are of the same call)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from crampcoach.journal.history_text import render_history
from crampcoach.journal.store import Journal
from crampcoach.journal.summary import history

NOW = datetime(2026, 4, 2, 21, 30, tzinfo=UTC)


def timed(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """Best and median wall time of ``runs`` runs, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def library_history(path: Path, days: int) -> str:
    with Journal.open(path, create=False) as j:
        return render_history(history(j, now=NOW, days=days, tz=UTC), path)
