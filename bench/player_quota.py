"""`crampcoach play` on a CPU held to 30 % of one core (a stand-in for a Pi 3 / Zero 2 W),
beside the naive loop in the same run, measured from outside through a real-time sink.

The command (and only the command: the sink that stands in for the sound card is not
limited) runs in a CPU cgroup: cgroup v2 ``cpu.max = "30000 100000"``, or v1
``cpu.cfs_quota_us = 3000`` with ``cpu.cfs_period_us = 10000``, whichever
/sys/fs/cgroup offers (needs root). "One core" is a group without the quota. Both
groups get the highest CPU weight, so that other work on a shared machine takes nothing
from them (as on a quiet machine); the CPU time each run used is shown as well, which
the load does not change. Measured, on one core and under the quota:

* the first sound after ``crampcoach play --no-rating ROUTINE`` is launched, speech
  cache warm and cold (median of N), and the naive loop's first sound;
* every cue's onset of a whole session against ``crampcoach plan --json`` (the player)
  and against the child's plan (the naive loop).

    python bench/player_quota.py [--routine box-breathing] [--repeats 5]
                                 [--parts first,onsets] [--quota 30] [--cold]

``--cold``: the onsets of a session on an empty speech cache too (against the same plan).

Also ``--profile``: where the start-up time of ``crampcoach play`` goes under the quota
(``python -X importtime`` and a cProfile of the command up to its first sound).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _rt_sink import Capture, capture
from player_timing import CHILD, onset_errors

CGROUP = Path("/sys/fs/cgroup")
EXE = str(Path(sys.executable).parent / "crampcoach")


@contextlib.contextmanager
def measuring_in_group() -> Iterator[None]:
    """This process (the real-time sink that stands in for the sound card) in a group of
    its own with the highest weight, so that neither the measured command's group nor
    the shared machine's load can delay the measuring."""
    with cpu_group(None) as prefix:
        procs = Path(prefix[-1])
        procs.write_text(f"{os.getpid()}\n")
        try:
            yield
        finally:
            (procs.parent.parent / "cgroup.procs").write_text(f"{os.getpid()}\n")


@contextlib.contextmanager
def cpu_group(percent: int | None) -> Iterator[list[str]]:
    """A CPU cgroup holding its processes to ``percent`` % of one core (None: no limit);
    yields the prefix that runs a command inside it (a shell that joins the group, then
    execs). The group also gets the highest weight, so that other work on a shared
    machine does not take from it: it gets its share, no more and no less, as on a
    quiet machine."""
    name = f"crampcoach-bench-night-{os.getpid()}-{percent or 'full'}-{time.monotonic_ns()}"
    v2 = (CGROUP / "cgroup.controllers").exists() and "cpu" in (
        CGROUP / "cgroup.controllers").read_text(errors="replace").split()
    if v2:
        group = CGROUP / name
        group.mkdir()
        limit = f"{percent * 1000} 100000" if percent else "max 100000"
        (group / "cpu.max").write_text(limit + "\n")
        (group / "cpu.weight").write_text("10000\n")
        how = f'cgroup v2 cpu.max "{limit}", cpu.weight 10000'
    elif (CGROUP / "cpu" / "cpu.cfs_quota_us").exists():
        group = CGROUP / "cpu" / name
        group.mkdir()
        (group / "cpu.cfs_period_us").write_text("10000\n")
        quota = str(percent * 100) if percent else "-1"
        (group / "cpu.cfs_quota_us").write_text(quota + "\n")
        (group / "cpu.shares").write_text("262144\n")
        how = (f"cgroup v1 cpu.cfs_quota_us={quota} cpu.cfs_period_us=10000, "
               "cpu.shares=262144")
    else:
        raise SystemExit("no CPU cgroup controller under /sys/fs/cgroup")
    print(f"CPU group: {how} ({group})")
    procs = group / "cgroup.procs"
    try:
        yield ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(procs)]
    finally:
        for _ in range(50):
            with contextlib.suppress(OSError):
                group.rmdir()
                break
            time.sleep(0.1)


def environment(work: Path, cache: Path) -> dict[str, str]:
    # Night mode off: the session must be the plan's, whatever the hour of the run.
    settings = work / "config" / "crampcoach" / "config.yaml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text("night: off\n")
    return dict(os.environ, XDG_CACHE_HOME=str(cache), XDG_DATA_HOME=str(work / "data"),
                XDG_CONFIG_HOME=str(work / "config"))


def first_sounds(argv: list[str], env_for: dict[str, dict[str, str]], repeats: int,
                 prefix: list[str]) -> dict[str, list[tuple[float, float]]]:
    """Seconds from launch to the first sound, and the CPU seconds the command used up
    to its end (stopped right after the first sound: an upper bound of the CPU the first
    sound took, which the machine's load does not change), per cache state."""
    out: dict[str, list[tuple[float, float]]] = {}
    for label, env in env_for.items():
        firsts = []
        for k in range(repeats):
            run_env = dict(env)
            if label == "cold":
                run_env["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="crampcoach-cold-")
            result = capture([*prefix, *argv], env=run_env, stop_after_streams=1,
                             timeout_s=30, quiet=True)
            if label == "cold":
                shutil.rmtree(run_env["XDG_CACHE_HOME"], ignore_errors=True)
            if not result.streams:
                raise SystemExit(f"no sound from {argv} (run {k})")
            firsts.append((result.streams[0] - result.launched, result.cpu_s))
        out[label] = firsts
    return out


def show_firsts(label: str, firsts: dict[str, list[tuple[float, float]]]) -> None:
    parts = []
    for state, values in firsts.items():
        ms = sorted(v * 1000 for v, _ in values)
        cpu = statistics.median(c * 1000 for _, c in values)
        parts.append(f"{state} median {statistics.median(ms):4.0f} ms "
                     f"(min {ms[0]:4.0f}, max {ms[-1]:4.0f}; CPU {cpu:3.0f} ms)")
    print(f"{label:34} " + "; ".join(parts))


def session_onsets(label: str, argv: list[str], beats: list[float], env: dict[str, str],
                   total: float, prefix: list[str]) -> None:
    result: Capture = capture([*prefix, *argv], env=env, quiet=True, timeout_s=total + 90)
    on = onset_errors(result, beats)
    late = [f"{e:+.1f} (cue group {k + 1} at {beats[k]:.1f} s)"
            for k, e in enumerate(on.errors_ms) if abs(e) > 15]
    wall = result.ended - result.launched
    print(f"{label:34} {on.matched}/{on.planned} groups; |error| mean "
          f"{statistics.fmean(on.abs_ms):5.1f} ms, p95 {on.p(0.95):5.1f} ms, max "
          f"{max(on.abs_ms):6.1f} ms; over 15 ms: {len(late)}; CPU "
          f"{100 * result.cpu_s / wall:.2f} % of one core")
    if late:
        print(" " * 35 + "off by more than 15 ms: " + ", ".join(late))


def profile(routine: str, work: Path, env: dict[str, str], prefix: list[str]) -> None:
    """Where the start-up goes, under the limit: imports, then a cProfile to the first sound."""
    importtime = subprocess.run(
        [*prefix, sys.executable, "-X", "importtime", "-c",
         "import crampcoach.cli, crampcoach.session, crampcoach.player.session"],
        env=env, capture_output=True, text=True, check=True).stderr
    rows = []
    for line in importtime.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line.split(":", 1)[1].split("|"))
        if cumulative.isdigit():
            rows.append((int(cumulative), name))
    print("Slowest imports under the limit (cumulative ms):")
    for us, name in sorted(rows, reverse=True)[:15]:
        print(f"  {us / 1000:7.1f}  {name}")
    stats = work / "play.prof"
    capture([*prefix, sys.executable, "-m", "cProfile", "-o", str(stats), EXE, "play",
             "--no-rating", routine], env=env, stop_after_streams=1, timeout_s=30, quiet=True)
    if stats.exists():
        import pstats

        print("cProfile of crampcoach play to its first sound (cumulative):")
        pstats.Stats(str(stats)).sort_stats("cumulative").print_stats(25)


def bytecode(*, compiled: bool) -> None:
    """crampcoach's modules compiled to bytecode, as installing a wheel leaves them (an
    editable install with PYTHONDONTWRITEBYTECODE=1 compiles every module at every start:
    about 0.2 s of CPU, three times that on a 30 % CPU), or not."""
    import crampcoach

    package = Path(crampcoach.__file__).parent
    for cache in package.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    if compiled:
        import compileall

        compileall.compile_dir(str(package), quiet=1)
    print(f"crampcoach's bytecode: {'compiled' if compiled else 'none'} ({package})")


def wheres(args: argparse.Namespace, full: list[str], limited: list[str],
           ) -> list[tuple[str, list[str]]]:
    both = [("one core", full), (f"{args.quota} % CPU", limited)]
    return both[1:] if args.limited_only else both


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--routine", default="box-breathing")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quota", type=int, default=30, help="percent of one core")
    parser.add_argument("--parts", default="first,onsets")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--cold", action="store_true",
                        help="onsets: also a session on an empty speech cache")
    parser.add_argument("--limited-only", action="store_true",
                        help="measure only under the CPU limit")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="remove crampcoach's compiled bytecode first (as an editable "
                             "install run with PYTHONDONTWRITEBYTECODE=1 has it)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if os.geteuid() != 0:
        print("player_quota.py: skipped, CPU cgroups need root")
        return 0

    bytecode(compiled=not args.no_bytecode)
    work = Path(tempfile.mkdtemp(prefix="crampcoach-quota-"))
    try:
        warm = work / "warm-cache"
        env = environment(work, warm)
        # The plan warms the command's speech cache (and is what its onsets are held to).
        plan = json.loads(subprocess.run([EXE, "plan", args.routine, "--json"], env=env,
                                         check=True, capture_output=True, text=True).stdout)
        beats = sorted({c["at"] for c in plan["cues"]})
        child_cache, child_plan = work / "child-cache", work / "child-plan.json"
        subprocess.run([sys.executable, CHILD, "player", args.routine, "--cache",
                        str(child_cache), "--plan", str(child_plan), "--plan-only"],
                       check=True)
        child_beats = sorted({c["at"] for c in json.loads(child_plan.read_text())["cues"]})
        print(f"routine {args.routine}: {len(beats)} cue groups over {plan['total']:.1f} s; "
              f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores\n")
        play = [EXE, "play", "--no-rating", args.routine]
        naive = [sys.executable, CHILD, "naive", args.routine, "--cache", str(child_cache)]
        with measuring_in_group(), cpu_group(None) as full, cpu_group(args.quota) as limited:
            if args.profile:
                profile(args.routine, work, env, limited)
            if "first" in parts:
                print(f"First sound after launch ({args.repeats} runs each)")
                for where, prefix in wheres(args, full, limited):
                    show_firsts(f"crampcoach play, {where}",
                                first_sounds(play, {"warm": env, "cold": env}, args.repeats,
                                             prefix))
                    show_firsts(f"naive loop, {where}",
                                first_sounds(naive, {"warm": env}, args.repeats, prefix))
                print()
            if "onsets" in parts:
                print("Every cue against the plan, whole session, measured from outside")
                for where, prefix in wheres(args, full, limited):
                    session_onsets(f"crampcoach play, {where}", play, beats, env,
                                   plan["total"], prefix)
                    if args.cold:
                        # An empty speech cache: every phrase is made during the session.
                        cold = dict(env, XDG_CACHE_HOME=str(work / f"cold-{len(where)}"))
                        session_onsets(f"crampcoach play cold, {where}", play, beats, cold,
                                       plan["total"], prefix)
                    session_onsets(f"naive loop, {where}", naive, child_beats, env,
                                   plan["total"], prefix)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
