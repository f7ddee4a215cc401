"""Bedside service: from a button press or a keypad key to the first sound, beside a naive
baseline, unloaded and with the CPU held to 30 % of one core; and the idle service's CPU
and memory.

The service runs as its own process (bench/_bedside_child.py: the real service, real
speech from a warm cache, simpleaudio), its sound routed by bench/_rt_sink.py into a FIFO
drained in real time; the press is made through the same path a real one takes (gpiozero
with its mock pin factory; the fake keypad behind evdev's protocol), its monotonic time
written by the child, and the first sound is the first stream the sink plays after it.
The naive baseline starts ``crampcoach play cramp-rescue`` cold on each press (what a
button wired to a script would do), measured by the same sink from its launch.

The 30 % quota is a cgroup: cgroup v2 ``cpu.max = 30000 100000`` where the cpu
controller is available, else cgroup v1 ``cpu.cfs_quota_us = 3000`` per
``cpu.cfs_period_us = 10000``; it needs root, and is left out (said so) without it.

    python bench/bedside_latency.py [--presses 10] [--parts button,key,socket,naive,idle]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _rt_sink import capture
from player_quota import cpu_group, measuring_in_group

CHILD = str(Path(__file__).parent / "_bedside_child.py")
ROUTINE = "cramp-rescue"
TARGET_S = 0.15


@contextlib.contextmanager
def cpu_quota(percent: int | None) -> Iterator[Path | None]:
    """A cgroup holding its processes to ``percent`` of one core (None: no limit), with
    the highest CPU weight so that the rest of a shared machine takes nothing from it
    (without it, on a loaded machine the group got far less than its quota and the 30 %
    part did not finish); None when none can be made (needs root)."""
    if os.geteuid() != 0:
        yield None
        return
    with cpu_group(percent) as prefix:
        yield Path(prefix[-1]).parent


def in_group(group: Path | None, argv: list[str]) -> list[str]:
    """``argv`` started inside ``group`` (it moves itself in before exec)."""
    if group is None:
        return argv
    return ["sh", "-c", f'echo $$ > {group}/cgroup.procs && exec "$@"', "sh", *argv]


def throttled(group: Path) -> str:
    """How often the quota held the group back: proof that it was in force."""
    try:
        stat = dict(line.split() for line in (group / "cpu.stat").read_text().splitlines())
    except (OSError, ValueError):
        return "cpu.stat unreadable"
    return f"throttled in {stat.get('nr_throttled', '?')} of {stat.get('nr_periods', '?')} periods"


def env_for(work: Path) -> dict[str, str]:
    return dict(os.environ, XDG_CACHE_HOME=str(work / "cache"),
                XDG_DATA_HOME=str(work / "data"), XDG_CONFIG_HOME=str(work / "config"),
                PYTHONUNBUFFERED="1")


def service_latencies(mode: str, presses: int, work: Path, group: Path | None) -> list[float]:
    out = work / f"{mode}.json"
    heard = capture(in_group(group, [sys.executable, CHILD, mode, "--out", str(out),
                                     "--presses", str(presses)]),
                    env=env_for(work), timeout_s=900, quiet=True)
    if heard.returncode != 0 or not out.exists():
        raise SystemExit(f"the service child failed ({mode}, exit {heard.returncode})")
    data = json.loads(out.read_text())
    latencies = []
    for press in data["presses"]:
        after = [s for s in heard.streams if s >= press]
        if after:
            latencies.append(after[0] - press)
    return latencies


def naive_latencies(presses: int, work: Path, group: Path | None) -> list[float]:
    exe = str(Path(sys.executable).parent / "crampcoach")
    latencies = []
    for _ in range(presses):
        heard = capture(in_group(group, [exe, "play", "--no-rating", ROUTINE]),
                        env=env_for(work), timeout_s=30, stop_after_streams=1, quiet=True)
        if heard.streams:
            latencies.append(heard.streams[0] - heard.launched)
    return latencies


def idle(work: Path, group: Path | None) -> dict[str, float]:
    out = work / "idle.json"
    heard = capture(in_group(group, [sys.executable, CHILD, "idle", "--out", str(out)]),
                    env=env_for(work), timeout_s=900, quiet=True)
    if heard.returncode != 0 or not out.exists():
        raise SystemExit(f"the idle child failed (exit {heard.returncode})")
    data = json.loads(out.read_text())
    return {"cpu_percent": 100 * data["cpu_s"] / data["idle_s"],
            "rss_mb": data["VmRSS"] / 1024, "peak_rss_mb": data["VmHWM"] / 1024,
            "warm_s": data["warm_s"]}


def summary(latencies: list[float]) -> str:
    if not latencies:
        return "no sound heard"
    ms = sorted(t * 1000 for t in latencies)
    return (f"median {statistics.median(ms):6.1f} ms, worst {ms[-1]:6.1f} ms "
            f"(n={len(ms)})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--presses", type=int, default=10)
    ap.add_argument("--parts", default="button,key,socket,naive,idle")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    with tempfile.TemporaryDirectory(prefix="crampcoach-bench-bedside-") as tmp, (
            measuring_in_group() if os.geteuid() == 0 else contextlib.nullcontext()):
        work = Path(tmp)
        for label, percent in (("unloaded", None), ("30% of one core", 30)):
            with contextlib.ExitStack() as stack:
                group = None
                if percent is not None:
                    group = stack.enter_context(cpu_quota(percent))
                    if group is None:
                        print(f"{label}: left out (no cgroup could be made; needs root)")
                        continue
                    print(f"{label}: cgroup {group}")
                else:
                    print(label)
                medians: dict[str, float] = {}
                for mode in ("button", "key", "socket"):
                    if mode in parts:
                        found = service_latencies(mode, args.presses, work, group)
                        medians[mode] = statistics.median(found) if found else float("inf")
                        worst = max(found, default=float("inf"))
                        verdict = "ok" if worst < TARGET_S else f"over {TARGET_S * 1000:.0f} ms"
                        shown = {"button": "button press", "key": "keypad key",
                                 "socket": "socket start"}[mode]
                        print(f"  {shown:12}"
                              f" -> first sound: {summary(found)}  [{verdict}]")
                if "naive" in parts:
                    found = naive_latencies(args.presses, work, group)
                    print(f"  {'naive':12} -> first sound: {summary(found)}  "
                          f"(crampcoach play {ROUTINE} started on each press)")
                    if found and medians:
                        best = min(medians.values())
                        print(f"  the service is {statistics.median(found) / best:.0f}x "
                              "sooner than the naive start")
                if "idle" in parts:
                    figures = idle(work, group)
                    print(f"  idle: {figures['cpu_percent']:.2f} % of one core over a minute, "
                          f"{figures['rss_mb']:.1f} MB resident "
                          f"(peak {figures['peak_rss_mb']:.1f} MB); warmed in "
                          f"{figures['warm_s']:.1f} s")
                if group is not None:
                    print(f"  (the quota: {throttled(group)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
