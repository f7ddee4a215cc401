"""How fast each page of the companion page answers over ten years of records, and how much
memory the service's process holds with the page.

The journal is bench/care_history_report.py's ten years (3,650 days: a rating, a session,
one or two episodes and the day's factors each day; medicine changes, blood results and
check-ins). The page runs in a child process as the bedside service runs it (the player's
modules imported, waitress on a thread; see bench/_companion_child.py). Over real HTTP on
127.0.0.1, logged in, each page is fetched RUNS times; the median and worst are shown.

Naive baseline, in the same run: the Journal page's summary made by reading the whole ten
years (every row of every table, summarised with the red flags and what seems to help), as
a first version that does not bound its queries to the window shown would.

Targets (docs/BRIEF): each page under 200 ms with ten years of records; the service with
the page under 80 MB resident.
Run: python bench/companion_pages.py
(The phone-size pictures in docs/images come from tests/test_web_browser.py:
CRAMPCOACH_SCREENSHOTS=docs/images pytest tests/test_web_browser.py.)
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC
from pathlib import Path

from care_history_report import DAYS, NOW, build

PASSWORD = "bench-password"
RUNS = 20
PAGES = ["/", "/log", "/journal", "/routines", "/routines/cramp-rescue", "/settings",
         "/status.json"]
BUDGET_MS = 200.0
RSS_BUDGET_MB = 80.0


def _rss_mb(pid: int) -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text()
                  .splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def _fetch(opener: urllib.request.OpenerDirector, url: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    with opener.open(url, timeout=30) as response:
        body: bytes = response.read()
    return (time.perf_counter() - start) * 1000, body


def _naive_journal_summary(journal_path: Path) -> float:
    from crampcoach.journal.store import Journal
    from crampcoach.journal.summary import history

    start = time.perf_counter()
    with Journal.open(journal_path, create=False) as journal:
        history(journal, now=NOW, days=DAYS, tz=UTC)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    with tempfile.TemporaryDirectory(prefix="crampcoach-bench-") as scratch:
        home = Path(scratch)
        env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
                   XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"))
        os.environ.update(env)
        from crampcoach import locations
        from crampcoach.web.auth import PasswordFile

        journal = home / "journal.sqlite3"
        records = build(journal)
        settings = home / "config" / "crampcoach" / "config.yaml"
        settings.parent.mkdir(parents=True)
        settings.write_text(f"journal: {journal}\nvolume: 0.7\n")
        (locations.user_routines_dir()).mkdir(parents=True)
        (locations.user_routines_dir() / "my-calves.yaml").write_text(
            "name: My calves\nsteps:\n  - say: Sit comfortably.\n  - rest: 10s\n")
        PasswordFile(locations.web_password_path()).set(PASSWORD)
        child = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("_companion_child.py")),
             NOW.isoformat(), str(settings)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        try:
            assert child.stdout is not None
            assert child.stdin is not None
            base = child.stdout.readline().strip()
            opener = _opener()
            login = urllib.request.Request(
                base + "login", data=urllib.parse.urlencode({"password": PASSWORD}).encode(),
                headers={"Origin": base.rstrip("/")})
            opener.open(login, timeout=30).read()
            print(f"Companion page, ten years of records ({records:,} rows), {RUNS} fetches "
                  "of each page over HTTP on 127.0.0.1:")
            print(f"{'page':<24} {'median ms':>10} {'worst ms':>9}")
            worst_all = 0.0
            for page in PAGES:
                _, body = _fetch(opener, base + page.lstrip("/"))  # first fetch warms
                assert b"Log in" not in body[:2000] or page == "/status.json", page
                times = [_fetch(opener, base + page.lstrip("/"))[0] for _ in range(RUNS)]
                worst_all = max(worst_all, max(times))
                print(f"{page:<24} {statistics.median(times):>10.1f} {max(times):>9.1f}")
            journal_ms = statistics.median(
                _fetch(opener, base + "journal")[0] for _ in range(5))
            naive = statistics.median(_naive_journal_summary(journal) for _ in range(3))
            print(f"Naive baseline (the Journal page's summary over all ten years): "
                  f"{naive:.0f} ms, {naive / journal_ms:.0f} times the whole Journal page "
                  f"({journal_ms:.0f} ms)")
            rss, peak = _rss_mb(child.pid)
            print(f"The service's process with the page: {rss:.1f} MB resident now, "
                  f"{peak:.1f} MB at most (target under {RSS_BUDGET_MB:.0f} MB)")
            print(f"Slowest fetch: {worst_all:.0f} ms (target under {BUDGET_MS:.0f} ms): "
                  + ("ok" if worst_all < BUDGET_MS and peak < RSS_BUDGET_MB else "OVER"))
        finally:
            if child.stdin is not None:
                child.stdin.close()
            child.wait(10)


if __name__ == "__main__":
    main()
