"""`check` of a 1,000-step routine (day and night rate) and `plan` of every built-in, with
an empty speech cache and a warm one, on one core and on a CPU held to 30 % of one core
(a cgroup, see ``player_quota.cpu_group``; needs root), beside another version of
crampcoach in the same run (``--before PYTHON``: that interpreter's crampcoach, e.g. a
checkout of the previous release with its own virtual environment).

    python bench/speech_scale.py [--before /path/to/other/.venv/bin/python]
                                 [--parts check,plan] [--routines a,b] [--write FILE.md]

Every figure is the wall time of the whole command (start-up included), one run each
(a cold cache is used up by its run); the settings have night mode on (its default), so
`check` measures both rates.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from player_quota import cpu_group
from routines_check_plan import generate


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode()[:400]}")
    return wall


def cold_and_warm(prefix: list[str], python: str, args: list[str], work: Path,
                  ) -> tuple[float, float]:
    cache = Path(tempfile.mkdtemp(dir=work, prefix="cache-"))
    env = dict(os.environ, XDG_CACHE_HOME=str(cache), XDG_CONFIG_HOME=str(work / "config"))
    argv = [*prefix, python, "-m", "crampcoach", *args]
    return timed(argv, env), timed(argv, env)


def builtin_names() -> list[str]:
    from crampcoach.routines import library

    return list(library.builtin_names())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", help="another crampcoach's Python, measured beside")
    parser.add_argument("--parts", default="check,plan")
    parser.add_argument("--routines", help="built-ins for plan (default: all)")
    parser.add_argument("--quota", type=int, default=30)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    versions = [("this version", sys.executable)]
    if args.before:
        versions.append(("before", args.before))
    lines: list[str] = [f"load average at the start: {os.getloadavg()[0]:.2f} on "
                        f"{os.cpu_count()} cores", ""]

    def say(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    with tempfile.TemporaryDirectory(prefix="crampcoach-scale-") as tmp:
        work = Path(tmp)
        long = work / "long.yaml"
        long.write_text(generate(1000))
        if "check" in parts:
            say("| `check` of a 1,000-step routine, day and night rate | CPU | cold | warm |")
            say("| --- | --- | ---: | ---: |")
            for where, percent in (("one core", None), (f"{args.quota} %", args.quota)):
                with cpu_group(percent) as prefix:
                    for label, python in versions:
                        cold, warm = cold_and_warm(prefix, python, ["check", str(long)], work)
                        say(f"| {label} | {where} | {cold:.2f} s | {warm:.2f} s |")
            say("")
        if "plan" in parts:
            names = args.routines.split(",") if args.routines else builtin_names()
            header = " | ".join(f"{label} cold | {label} warm" for label, _ in versions)
            say(f"| `plan --json`, {args.quota} % of one core | {header} |")
            say("| --- |" + " ---: |" * (2 * len(versions)))
            with cpu_group(args.quota) as prefix:
                for name in names:
                    cells = []
                    for _, python in versions:
                        cold, warm = cold_and_warm(prefix, python, ["plan", name, "--json"],
                                                   work)
                        cells.append(f"{cold:.2f} s | {warm:.2f} s")
                    say(f"| {name} | {' | '.join(cells)} |")
    if args.write is not None:
        with args.write.open("a") as out:
            out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
