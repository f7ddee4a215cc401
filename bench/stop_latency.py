"""How long `crampcoach play` takes to end after Ctrl-C (SIGINT) or SIGTERM, the journal
written included, against the naive baseline of a process that only exits.

The tests check that a stop does not wait for the rest of the session (a bound of seconds
that no load can break); this measures how fast it really is.

    python bench/stop_latency.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROUTINE = "name: Long\nsteps:\n  - say: Sit comfortably.\n  - rest: 60\n"
NAIVE = "import signal, time\nprint('ready', flush=True)\ntime.sleep(60)\n"


def stop_once(argv: list[str], env: dict[str, str], signum: int) -> float:
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    assert proc.stdout is not None
    proc.stdout.readline()  # the session (or the naive process) has begun
    time.sleep(0.3)
    sent = time.monotonic()
    proc.send_signal(signum)
    proc.wait(timeout=30)
    return time.monotonic() - sent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="crampcoach-bench-stop-") as tmp:
        work = Path(tmp)
        (work / "long.yaml").write_text(ROUTINE)
        (work / "config.yaml").write_text("night: off\n")
        env = dict(os.environ, PYTHONUNBUFFERED="1", HOME=str(work),
                   XDG_DATA_HOME=str(work / "data"), XDG_CACHE_HOME=str(work / "cache"),
                   CRAMPCOACH_CONFIG=str(work / "config.yaml"))
        play = [sys.executable, "-m", "crampcoach", "play", str(work / "long.yaml"),
                "--text-only", "--no-rating"]
        naive = [sys.executable, "-c", NAIVE]
        for name, signum in (("SIGINT", signal.SIGINT), ("SIGTERM", signal.SIGTERM)):
            ours = [stop_once(play, env, signum) for _ in range(args.runs)]
            base = [stop_once(naive, env, signum) for _ in range(args.runs)]
            print(f"{name}: crampcoach play ends in {statistics.median(ours) * 1000:.0f} ms "
                  f"median (worst {max(ours) * 1000:.0f} ms) with the journal written; "
                  f"a bare Python process {statistics.median(base) * 1000:.0f} ms "
                  f"({statistics.median(ours) / statistics.median(base):.1f}x), n={args.runs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
