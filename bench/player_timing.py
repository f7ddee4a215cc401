"""Player timing, measured from outside through a real-time sink, beside a naive loop.

For the same routine in the same run, crampcoach's player (deadlines from one monotonic
origin, sound made ahead of need on a background thread) and the loop it replaces
("make the sound, play it to the end, sleep for the rest of the gap") each play into
ALSA's default device, routed by bench/_rt_sink.py into a FIFO drained in real time.
Measured: every cue's onset against the plan, the first sound after the command with
the speech cache cold and warm, CPU time and peak memory (of a real-time session, and
of a 30-minute session run on a faster clock into a discarding sink).

    python bench/player_timing.py [--routine box-breathing] [--repeats 5] [--parts ...]

Sound used: espeak-ng speech (bench/_player_child.py's EspeakSounds, cached on disk)
and generated tones, played with simpleaudio.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _rt_sink import Capture, capture

CHILD = str(Path(__file__).parent / "_player_child.py")
MODES = ("player", "naive")
LONG_ROUTINE = (
    "name: Half an hour\n"
    "steps:\n"
    "  - include: warm-compress\n"
    "  - include: daily-stretch\n"
    "  - include: evening-calf-relief\n"
)


def day_settings(config_home: Path) -> str:
    """A settings folder with night mode off, so the command plays the plan's (day)
    timeline whatever the hour of the run."""
    settings = config_home / "crampcoach" / "config.yaml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text("night: off\n")
    return str(config_home)


def child(mode: str, routine: str, cache: Path, *extra: str) -> list[str]:
    return [sys.executable, CHILD, mode, routine, "--cache", str(cache), *extra]


@dataclass
class Onsets:
    errors_ms: list[float]
    matched: int
    planned: int

    @property
    def abs_ms(self) -> list[float]:
        return sorted(abs(e) for e in self.errors_ms)

    def p(self, q: float) -> float:
        values = self.abs_ms
        return values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else 0.0

    def drift_ms_per_min(self, beats: list[float]) -> float:
        if len(self.errors_ms) < 2:
            return 0.0
        xs = beats[: len(self.errors_ms)]
        mx, my = statistics.fmean(xs), statistics.fmean(self.errors_ms)
        var = sum((x - mx) ** 2 for x in xs)
        cov = sum((x - mx) * (y - my) for x, y in zip(xs, self.errors_ms, strict=True))
        return cov / var * 60 if var else 0.0


def onset_errors(result: Capture, beats: list[float]) -> Onsets:
    """Each cue group opens one stream: its k-th stream against the k-th planned beat,
    both measured from the first (the opening chime)."""
    streams = result.streams
    n = min(len(streams), len(beats))
    errors = [((streams[k] - streams[0]) - (beats[k] - beats[0])) * 1000 for k in range(n)]
    return Onsets(errors, n, len(beats))


def run_session(mode: str, routine: str, cache: Path, plan: Path) -> Capture:
    return capture(child(mode, routine, cache, "--plan", str(plan)), timeout_s=3600)


def first_sound(mode: str, routine: str, cache: Path | None, repeats: int) -> tuple[float, float]:
    """Median seconds from launch to the first sound, and median error (ms) of the
    second cue (the first speech) against the plan. ``cache`` None: a new, cold cache."""
    firsts, seconds = [], []
    for _ in range(repeats):
        folder = cache or Path(tempfile.mkdtemp(prefix="crampcoach-cold-"))
        try:
            result = capture(child(mode, routine, folder), stop_after_streams=2, timeout_s=60)
        finally:
            if cache is None:
                shutil.rmtree(folder, ignore_errors=True)
        firsts.append(result.streams[0] - result.launched)
        seconds.append(result.streams[1] - result.streams[0])
    return statistics.median(firsts), statistics.median(seconds)


def command_first_sound(routine: str, repeats: int, work: Path) -> str:
    """The same for the real command, ``crampcoach play`` (once the audio layer is wired
    into it; before that it plays in text and there is nothing to hear)."""
    exe = Path(sys.executable).parent / "crampcoach"
    argv = [str(exe), "play", "--no-rating", routine]
    lines = []
    for label in ("cold", "warm"):
        firsts = []
        for k in range(repeats):
            cache = work / ("cmd-cache-cold-" + str(k) if label == "cold" else "cmd-cache-warm")
            env = dict(os.environ, XDG_CACHE_HOME=str(cache),
                       XDG_DATA_HOME=str(work / "cmd-data"),
                       XDG_CONFIG_HOME=day_settings(work / "cmd-config"))
            if label == "warm" and k == 0:
                # Fills the cache for the first cues.
                capture(argv, env=env, stop_after_streams=2, timeout_s=10, quiet=True)
            result = capture(argv, env=env, stop_after_streams=1, timeout_s=3, quiet=True)
            if not result.streams:
                return "crampcoach play: no sound (the audio layer is not wired in yet)"
            firsts.append(result.streams[0] - result.launched)
        lines.append(f"crampcoach play {label}: first sound "
                     f"{statistics.median(firsts) * 1000:6.0f} ms")
    return "\n".join(lines)


def command_onsets(routine: str, work: Path) -> str:
    """Every onset of ``crampcoach play`` itself against ``crampcoach plan --json`` (the
    speech cache warmed by ``plan``, so both use the same measured lengths)."""
    exe = str(Path(sys.executable).parent / "crampcoach")
    env = dict(os.environ, XDG_CACHE_HOME=str(work / "cmd-cache-onsets"),
               XDG_DATA_HOME=str(work / "cmd-data"),
               XDG_CONFIG_HOME=day_settings(work / "cmd-config"))
    planned = json.loads(subprocess.run([exe, "plan", routine, "--json"], env=env, check=True,
                                        capture_output=True, text=True).stdout)
    beats = sorted({c["at"] for c in planned["cues"]})
    result = capture([exe, "play", "--no-rating", routine], env=env, quiet=True,
                     timeout_s=planned["total"] + 60)
    if not result.streams:
        return "crampcoach play: no sound (the audio layer is not wired in yet)"
    on = onset_errors(result, beats)
    wall = result.ended - result.launched
    print("errors (ms):", " ".join(f"{e:.1f}" for e in on.errors_ms))
    return (f"crampcoach play: {on.matched}/{on.planned} groups; |error| mean "
            f"{statistics.fmean(on.abs_ms):.1f} ms, p95 {on.p(0.95):.1f} ms, max "
            f"{max(on.abs_ms):.1f} ms; drift {on.drift_ms_per_min(beats):.1f} ms/min; CPU "
            f"{100 * result.cpu_s / wall:.2f} % of one core; peak RSS "
            f"{result.max_rss_kb / 1024:.1f} MB")


def espeak_alone(repeats: int) -> float:
    times = []
    for _ in range(repeats):
        result = capture(["espeak-ng", "-v", "en", "Box breathing."], timeout_s=30)
        if result.onsets:
            times.append(result.onsets[0] - result.launched)
    return statistics.median(times) if times else float("nan")


def memory_run(mode: str, routine: Path, cache: Path, speed: float) -> Capture:
    return capture(child(mode, str(routine), cache, "--speed", str(speed), "--null-sink"),
                   timeout_s=3600)


def ratio(naive: float, player: float) -> str:
    return f"{naive / player:.1f}x" if player > 0 else "n/a"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--routine", default="box-breathing")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--speed", type=float, default=30.0,
                        help="clock speed-up for the 30-minute memory run")
    parser.add_argument("--parts", default="onsets,command,latency,memory",
                        help="what to measure (comma-separated: onsets, command, latency, "
                             "memory)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))

    work = Path(tempfile.mkdtemp(prefix="crampcoach-bench-"))
    try:
        warm = work / "warm-cache"
        plan_path = work / "plan.json"
        made = time.monotonic()
        subprocess.run(child("player", args.routine, warm, "--plan", str(plan_path),
                             "--plan-only"), check=True)
        print(f"routine {args.routine}: every phrase synthesized in "
              f"{time.monotonic() - made:.1f} s (warms the cache)")
        plan = json.loads(plan_path.read_text())
        beats = sorted({c["at"] for c in plan["cues"]})
        print(f"plan: {len(beats)} cue groups over {plan['total']:.1f} s\n")

        sessions: dict[str, tuple[Capture, Onsets]] = {}
        for mode in MODES if "onsets" in parts else ():
            result = run_session(mode, args.routine, warm, plan_path)
            sessions[mode] = (result, onset_errors(result, beats))

        if sessions:
            print("Onset error against the plan (ms, whole session, measured from outside)")
            print(f"{'':8} {'groups':>7} {'mean|e|':>8} {'p95|e|':>8} {'max|e|':>8} "
                  f"{'last e':>8} {'drift/min':>9} {'<=15ms':>7}")
            for mode, (_, on) in sessions.items():
                within = sum(1 for e in on.abs_ms if e <= 15)
                mean = statistics.fmean(on.abs_ms)
                print(f"{mode:8} {on.matched:>3}/{on.planned:<3} {mean:8.1f} "
                      f"{on.p(0.95):8.1f} {max(on.abs_ms):8.1f} {on.errors_ms[-1]:8.1f} "
                      f"{on.drift_ms_per_min(beats):9.1f} {within:>3}/{on.matched:<3}")
            player_on, naive_on = sessions["player"][1], sessions["naive"][1]
            print(f"ratio naive/player, max |error|: "
                  f"{ratio(max(naive_on.abs_ms), max(player_on.abs_ms))}\n")

            print("CPU and memory of the real-time session")
            for mode, (result, _) in sessions.items():
                wall = result.ended - result.launched
                print(f"{mode:8} cpu {result.cpu_s:6.2f} s over {wall:6.1f} s = "
                      f"{100 * result.cpu_s / wall:5.2f} % of one core; "
                      f"peak RSS {result.max_rss_kb / 1024:5.1f} MB")
            p, n = sessions["player"][0], sessions["naive"][0]
            print(f"ratio naive/player, CPU: {ratio(n.cpu_s, p.cpu_s)}; "
                  f"peak RSS: {ratio(n.max_rss_kb, p.max_rss_kb)}\n")

        if "command" in parts:
            print("The real command, whole session, measured from outside")
            print(command_onsets(args.routine, work) + "\n")

        if "latency" in parts:
            print(f"First sound after the command (median of {args.repeats}), and the first "
                  "speech's onset against the plan")
            for mode in MODES:
                for label, cache in (("cold", None), ("warm", warm)):
                    first, second = first_sound(mode, args.routine, cache, args.repeats)
                    planned = beats[1] - beats[0]
                    print(f"{mode:8} {label}: first sound {first * 1000:6.0f} ms; first speech "
                          f"{(second - planned) * 1000:+7.1f} ms from plan")
            print(command_first_sound(args.routine, args.repeats, work))
            alone = espeak_alone(args.repeats)
            print(f"espeak-ng alone, a short phrase: first sound {alone * 1000:.0f} ms\n")

        if "memory" in parts:
            long_routine = work / "half-an-hour.yaml"
            long_routine.write_text(LONG_ROUTINE)
            long_cache = work / "long-cache"
            subprocess.run(child("player", str(long_routine), long_cache, "--plan-only",
                                 "--plan", str(work / "long.json")), check=True)
            total = json.loads((work / "long.json").read_text())["total"]
            print(f"A {total / 60:.0f}-minute session at {args.speed:g}x speed, sound "
                  "discarded (peak memory)")
            rss = {}
            for mode in MODES:
                result = memory_run(mode, long_routine, long_cache, args.speed)
                rss[mode] = result.max_rss_kb
                print(f"{mode:8} peak RSS {result.max_rss_kb / 1024:5.1f} MB "
                      f"(exit {result.returncode})")
            print(f"ratio naive/player, peak RSS: {ratio(rss['naive'], rss['player'])}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
