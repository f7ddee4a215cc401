"""Benchmark: `crampcoach check` and `crampcoach plan --json` of a generated 1,000-step routine.

Target (docs/benchmarks.md): under 1 s each, whole command including start-up.
Baseline in the same run: `python -c "import yaml; yaml.safe_load(...)"` on the same file,
the least any YAML-reading command must do.

    python bench/routines_check_plan.py [--steps 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def generate(steps: int) -> str:
    lines = ["name: Generated long routine", "description: For benchmarks.",
             "defaults: {prepare: 5s, rest: 10s}", "steps:"]
    for i in range(steps):
        kind = i % 5
        if kind == 0:
            lines += [f"  - say: Now part {i % 20} of the routine."]
        elif kind == 1:
            lines += [f"  - stretch: Stretch {i % 12}", "    cue: Move gently, never into pain.",
                      "    hold: 30s", "    sides: [left, right]", "    countdown: 3"]
        elif kind == 2:
            lines += ["  - breathe: Box breathing",
                      "    pattern: {in: 4, hold: 4, out: 4, hold_out: 4}", "    cycles: 2"]
        elif kind == 3:
            lines += ["  - rest: 5s"]
        else:
            lines += ["  - compress: Warm compress", "    duration: 1m", "    check_every: 30s"]
    return "\n".join(lines) + "\n"


def timed(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed: {done.stderr.decode()[:500]}")
    return statistics.median(times), max(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.yaml"
        path.write_text(generate(args.steps))
        env = dict(os.environ, XDG_CACHE_HOME=str(Path(tmp) / "cache"))
        exe = [sys.executable, "-m", "crampcoach"]
        # One plan first, so the speech cache is warm for the timed runs.
        cold_start = time.perf_counter()
        subprocess.run([*exe, "plan", str(path), "--json"], env=env, capture_output=True,
                       check=True)
        cold = time.perf_counter() - cold_start
        base, _ = timed([sys.executable, "-c",
                         f"import yaml; yaml.safe_load(open({str(path)!r}))"], env, args.runs)
        check, check_max = timed([*exe, "check", str(path)], env, args.runs)
        plan, plan_max = timed([*exe, "plan", str(path), "--json"], env, args.runs)
        size = path.stat().st_size
    print(f"routine: {args.steps} steps, {size:,} bytes; median of {args.runs} runs")
    print(f"baseline  yaml.safe_load only      {base:6.3f} s")
    print(f"check                              {check:6.3f} s (max {check_max:.3f}) "
          f"= {check / base:.2f}x baseline")
    print(f"plan --json (speech cache warm)    {plan:6.3f} s (max {plan_max:.3f}) "
          f"= {plan / base:.2f}x baseline")
    print(f"plan --json (speech cache cold)    {cold:6.3f} s (one run)")
    ok = check < 1.0 and plan < 1.0
    print("target under 1 s each:", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
