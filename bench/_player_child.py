"""One session for bench/player_timing.py, run as its own process so that its sound,
CPU time and memory can be measured from outside.

    python bench/_player_child.py player|naive ROUTINE --cache DIR [--plan OUT.json]
                                  [--speed X --null-sink]

``player`` is crampcoach's scheduler (deadlines from one origin, sound made ahead of
need); ``naive`` is the loop it replaces: for each cue, make the sound, play it to the
end, then sleep for the rest of the gap to the next cue.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import subprocess
import sys
import threading
import time
import wave
from array import array
from collections import OrderedDict
from pathlib import Path
from typing import Any

from crampcoach.audio.base import SAMPLE_RATE, Clip
from crampcoach.audio.mix import mix
from crampcoach.player.clock import MonotonicClock
from crampcoach.player.session import RatingChoice, play_session
from crampcoach.routines.compiler import (
    TONE_SECONDS,
    EstimatedSpeechMeter,
    compile_routine,
    iter_steps,
)
from crampcoach.routines.loader import load_routine
from crampcoach.routines.timeline import Cue, Voice

_MEMORY_PHRASES = 32
_TONE_HZ = {"in": (330.0, 440.0), "hold": (392.0, 392.0), "out": (440.0, 330.0),
            "chime": (660.0, 660.0)}


class EspeakSounds:
    """Cue sounds for the benchmark: espeak-ng speech (cached on disk, leading and
    trailing quiet trimmed) and sine tones. Stands in for the audio layer's own."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        cache.mkdir(parents=True, exist_ok=True)
        # A bounded memory, as the audio layer's own (which keeps 16 MB): a session's
        # memory should not grow with its length because of the benchmark's sounds.
        self._memory: OrderedDict[str, Clip] = OrderedDict()
        self._lock = threading.Lock()

    def clip_for(self, cue: Cue, voice: Voice) -> Clip:
        if cue.kind == "tone":
            return self.tone(cue.tone or "chime")
        return self.speech(cue.text, voice)

    def tone(self, name: str) -> Clip:
        start, end = _TONE_HZ[name]
        frames = round(TONE_SECONDS[name] * SAMPLE_RATE)  # type: ignore[index]
        fade = min(frames // 4, 441)
        samples = array("h")
        phase = 0.0
        for k in range(frames):
            hz = start + (end - start) * k / frames
            phase += 2 * math.pi * hz / SAMPLE_RATE
            gain = min(1.0, k / fade, (frames - k) / fade)
            samples.append(int(9000 * gain * math.sin(phase)))
        return Clip(samples.tobytes())

    def speech(self, text: str, voice: Voice) -> Clip:
        key = hashlib.sha256(f"{voice.language}|{voice.rate}|{text}".encode()).hexdigest()
        with self._lock:
            if key in self._memory:
                self._memory.move_to_end(key)
                return self._memory[key]
            path = self.cache / f"{key}.pcm"
            if path.exists():
                clip = Clip(path.read_bytes())
            else:
                wav = subprocess.run(
                    ["espeak-ng", "-v", voice.language, "-s", str(voice.rate), "--stdout", text],
                    check=True, capture_output=True).stdout
                with wave.open(io.BytesIO(wav)) as w:
                    samples = array("h", w.readframes(w.getnframes()))
                loud = [i for i, s in enumerate(samples) if abs(s) > 300]
                if loud:
                    samples = samples[loud[0]:loud[-1] + 1]
                clip = Clip(samples.tobytes())
                path.write_bytes(clip.pcm)
            self._memory[key] = clip
            while len(self._memory) > _MEMORY_PHRASES:
                self._memory.popitem(last=False)
            return clip


class SimpleaudioSink:
    """The benchmark's ALSA sink: one simpleaudio stream at a time."""

    def __init__(self) -> None:
        import simpleaudio

        self._sa: Any = simpleaudio
        self._current: Any = None

    def play(self, clip: Clip) -> None:
        self.stop()
        self._current = self._sa.play_buffer(clip.pcm, 1, 2, SAMPLE_RATE)

    def stop(self) -> None:
        if self._current is not None:
            self._current.stop()
            self._current = None

    def is_playing(self) -> bool:
        return self._current is not None and bool(self._current.is_playing())

    def wait_done(self) -> None:
        if self._current is not None:
            self._current.wait_done()

    def close(self) -> None:
        self.stop()


class NullSink:
    """Discards sound (memory runs at a faster clock)."""

    def play(self, clip: Clip) -> None:
        self.last = clip

    def stop(self) -> None:
        pass

    def is_playing(self) -> bool:
        return False

    def wait_done(self) -> None:
        pass

    def close(self) -> None:
        pass


class ScaledClock(MonotonicClock):
    """Session time runs ``speed`` times faster than the wall (memory runs only)."""

    def __init__(self, speed: float) -> None:
        super().__init__()
        self.speed = speed
        self.t0 = time.monotonic()

    def now(self) -> float:
        return (time.monotonic() - self.t0) * self.speed

    def wait_until(self, deadline: float) -> str | None:
        real = self.t0 + deadline / self.speed if math.isfinite(deadline) else math.inf
        return super().wait_until(real)


def voice_of(routine: Any) -> Voice:
    return Voice(language=routine.language or "en", rate=routine.rate or 140)


def run_player(routine: Any, sounds: EspeakSounds, sink: Any, speed: float) -> None:
    voice = voice_of(routine)
    clock = MonotonicClock() if speed == 1 else ScaledClock(speed)
    play_session(routine, iter_steps(routine, EstimatedSpeechMeter(), voice), voice=voice,
                 sounds=sounds, sink_factory=lambda: sink, clock=clock,
                 observer=lambda event: None, rating=RatingChoice(ask=False))


def run_naive(routine: Any, sounds: EspeakSounds, sink: Any, speed: float) -> None:
    voice = voice_of(routine)
    timeline = compile_routine(routine, EstimatedSpeechMeter(), voice)
    beats = sorted({c.at for c in timeline.cues})
    for k, at in enumerate(beats):
        group = [c for c in timeline.cues if c.at == at]
        sound = mix((0, sounds.clip_for(c, voice)) for c in group)  # "say" ...
        sink.play(sound)
        sink.wait_done()  # ... to the end
        if k + 1 < len(beats):
            time.sleep(max(0.0, beats[k + 1] - at - sound.seconds) / speed)  # then sleep


def write_plan(routine: Any, sounds: EspeakSounds, out: Path) -> None:
    """Every cue's planned offset and the length of its sound, for matching onsets."""
    voice = voice_of(routine)
    timeline = compile_routine(routine, EstimatedSpeechMeter(), voice)
    cues = [{"at": c.at, "seconds": sounds.clip_for(c, voice).seconds, "text": c.text}
            for c in timeline.cues]
    out.write_text(json.dumps({"total": timeline.total, "cues": cues}))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["player", "naive"])
    parser.add_argument("routine")
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--plan", type=Path)
    parser.add_argument("--speed", type=float, default=1.0)
    parser.add_argument("--null-sink", action="store_true")
    parser.add_argument("--plan-only", action="store_true", help="make every sound, no session")
    args = parser.parse_args()
    routine = load_routine(args.routine)
    sounds = EspeakSounds(args.cache)
    if args.plan_only:
        write_plan(routine, sounds, args.plan or args.cache / "plan.json")
        return 0
    sink: Any = NullSink() if args.null_sink else SimpleaudioSink()
    try:
        if args.mode == "player":
            run_player(routine, sounds, sink, args.speed)
        else:
            run_naive(routine, sounds, sink, args.speed)
    except KeyboardInterrupt:
        return 130
    finally:
        sink.close()
    if args.plan is not None:
        write_plan(routine, sounds, args.plan)
    return 0


if __name__ == "__main__":
    sys.exit(main())
