"""One cold phrase's cost: the fork server against a process per phrase (how every phrase
was made before, with pyttsx3's own engine), in the same run, on one core and on a CPU
held to 30 % of one core by a cgroup (see ``player_quota.cpu_group``; needs root).

    python bench/speech_fork.py [--phrases 30] [--quota 30] [--write docs/benchmarks-speech.md]

Each design runs in a child process in the group; it synthesizes ``--phrases`` phrases
of the built-in library (all different, none cached) one after another, and once only
the first. CPU per phrase is the difference of the two runs' CPU (the child and all its
processes, from the kernel's accounting when they end) over the phrases in between, so
start-up is not counted in it; wall per phrase likewise. The start-up (the first phrase,
worker start included) is shown on its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from player_quota import cpu_group

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time, tempfile, subprocess
from pathlib import Path
design, count, folder = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
texts = json.loads(sys.stdin.read())[:count]
started = time.monotonic()
if design == "fork":
    from crampcoach.audio.speech import SpeechCache, SynthesizedSpeech
    from crampcoach.routines.timeline import Voice
    with SynthesizedSpeech(SpeechCache(folder), workers=1) as speech:
        for text in texts:
            speech.seconds(text, Voice("en", 140))
else:
    for n, text in enumerate(texts):
        subprocess.run([sys.executable, sys.argv[4], "gmw/en", "140", text,
                        str(folder / f"{n}.wav")], check=True)
print(json.dumps({"wall": time.monotonic() - started}))
"""


def library_phrases(count: int) -> list[str]:
    from crampcoach.routines import library
    from crampcoach.routines.compiler import spoken_texts
    from crampcoach.routines.loader import load_routine

    seen: dict[str, None] = {}
    for name in library.builtin_names():
        for text in spoken_texts(load_routine(name)):
            seen.setdefault(text, None)
    return list(seen)[:count]


def run(prefix: list[str], design: str, texts: list[str], count: int) -> tuple[float, float]:
    """Wall and CPU seconds of ``count`` phrases made by ``design`` in a child process."""
    reference = str(ROOT / "tests" / "support" / "pyttsx3_phrase.py")
    with tempfile.TemporaryDirectory(prefix="crampcoach-fork-") as folder:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run([*prefix, sys.executable, "-c", CHILD, design, str(count),
                              folder, reference], input=json.dumps(texts),
                             capture_output=True, text=True, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return float(json.loads(out.stdout)["wall"]), cpu


def measure(prefix: list[str], texts: list[str], repeats: int) -> dict[str, dict[str, float]]:
    found: dict[str, dict[str, float]] = {}
    for design in ("fork", "process"):
        per_wall, per_cpu, first_wall, first_cpu = [], [], [], []
        for _ in range(repeats):
            one = run(prefix, design, texts, 1)
            many = run(prefix, design, texts, len(texts))
            per_wall.append((many[0] - one[0]) / (len(texts) - 1))
            per_cpu.append((many[1] - one[1]) / (len(texts) - 1))
            first_wall.append(one[0])
            first_cpu.append(one[1])
        found[design] = {"wall": min(per_wall), "cpu": min(per_cpu),
                         "first_wall": min(first_wall), "first_cpu": min(first_cpu)}
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phrases", type=int, default=30)
    parser.add_argument("--quota", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    texts = library_phrases(args.phrases + 1)
    rows = []
    for label, percent in (("one core", None), (f"{args.quota} % of one core", args.quota)):
        with cpu_group(percent) as prefix:
            found = measure(prefix, texts, args.repeats)
        for design, name in (("fork", "fork server (this design)"),
                             ("process", "a process per phrase, pyttsx3's engine (before)")):
            f = found[design]
            rows.append(f"| {label} | {name} | {f['cpu'] * 1000:.1f} ms | "
                        f"{f['wall'] * 1000:.1f} ms | {f['first_cpu'] * 1000:.0f} ms | "
                        f"{f['first_wall'] * 1000:.0f} ms |")
            print(rows[-1], flush=True)
    table = "\n".join([
        "| CPU | design | CPU per phrase | wall per phrase | first phrase CPU "
        "(start-up included) | first phrase wall |",
        "| --- | --- | ---: | ---: | ---: | ---: |", *rows])
    if args.write is not None:
        args.write.write_text(
            "# Speech: one cold phrase\n\n"
            f"`python bench/speech_fork.py --phrases {args.phrases} --quota {args.quota} "
            f"--repeats {args.repeats}` ({os.cpu_count()} cores; best of {args.repeats}; "
            f"{time.strftime('%Y-%m-%d')}). {args.phrases} different phrases of the "
            "built-in library, English at 140 words per minute, none cached.\n\n"
            + table + "\n")


if __name__ == "__main__":
    main()
