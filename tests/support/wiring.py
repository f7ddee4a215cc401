"""Helpers for the wiring tests: ``crampcoach play`` with a settings file, fake sound whose
speech length follows the voice's rate, and a record of what reached the audio layer."""

from __future__ import annotations

import datetime
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crampcoach.audio.base import SAMPLE_RATE, Clip
from crampcoach.player.clock import FakeClock
from crampcoach.routines.timeline import Voice
from crampcoach.session import SessionJournal, SessionSound
from crampcoach.session.machine import Machine
from support.fakes import FakeCueSounds, FakeSpeech, RecordingSink
from support.player import TINY, FakeKeys, Recorder

NOON = datetime.datetime(2026, 1, 5, 12, 0)
NIGHT = datetime.datetime(2026, 1, 5, 23, 30)


class VoicedSpeech(FakeSpeech):
    """A fake speech source that keeps every voice it was asked for, and whose phrases
    get longer as the rate gets slower (140 words per minute: FakeSpeech's length)."""

    def __init__(self) -> None:
        super().__init__()
        self.voices: list[Voice] = []
        self._voices_lock = threading.Lock()

    def _frames(self, text: str, voice: Voice) -> int:
        with self._voices_lock:
            self.voices.append(voice)
        return round(len(text) * self.seconds_per_char * 140 / voice.rate * SAMPLE_RATE)

    def seconds(self, text: str, voice: Voice) -> float:
        return self._frames(text, voice) / SAMPLE_RATE

    def clip(self, text: str, voice: Voice) -> Clip:
        frames = self._frames(text, voice)
        with self._voices_lock:
            self.requests.append(text)
        return Clip(self.level.to_bytes(2, "little", signed=True) * frames)


@dataclass
class WiredRun:
    result: Any
    recorder: Recorder
    sink: RecordingSink
    speech: VoicedSpeech
    clock: FakeClock
    audio_args: list[tuple[float, float]] = field(default_factory=list)
    journals: list[Path] = field(default_factory=list)

    @property
    def onsets(self) -> list[float]:
        return [t for t, _ in self.sink.played]

    @property
    def lines(self) -> list[str]:
        """What was shown, without the time stamps (the session's start time)."""
        return [re.sub(r"^\d\d:\d\d:\d\d ", "", line)
                for line in self.result.stdout.splitlines()]


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def wired_play(
    monkeypatch: Any, tmp_path: Path, args: Sequence[str] = (),
    script: Sequence[tuple[float, str]] = (), *, config: str = "preroll: 0\n",
    routine_text: str | None = TINY, now: datetime.datetime = NOON, terminal: bool = True,
    live: bool = True, clock: FakeClock | None = None,
) -> WiredRun:
    """Run ``crampcoach play [tiny.yaml] --config config.yaml ARGS`` on fakes.

    ``routine_text`` None leaves ROUTINE out (the default routine). The settings file
    holds ``config``; the session starts at ``now``.
    """
    from click.testing import CliRunner

    from crampcoach.cli import cli

    config_path = write_config(tmp_path, config)
    fake_clock = clock or FakeClock(list(script))
    speech = VoicedSpeech()
    sink = RecordingSink(fake_clock)
    recorder = Recorder()
    run = WiredRun(None, recorder, sink, speech, fake_clock)
    sound = SessionSound(sounds=FakeCueSounds(speech), sink_factory=lambda: sink,
                         meter=speech, close=lambda: None)

    def real_audio(volume: float = 1.0, tone_gain: float = 1.0) -> SessionSound:
        run.audio_args.append((volume, tone_gain))
        return sound

    def session_journal(journal: Path, routine: Any) -> SessionJournal:
        run.journals.append(journal)
        return SessionJournal(recorder, None)

    machine = Machine(sound=real_audio, clock=lambda: fake_clock,
                      keys=lambda clock: FakeKeys(live, terminal), journal=session_journal,
                      now=lambda: now)
    argv = ["play"]
    if routine_text is not None:
        path = tmp_path / "tiny.yaml"
        path.write_text(routine_text)
        argv.append(str(path))
    argv += ["--config", str(config_path), *args]
    run.result = CliRunner().invoke(cli, argv, obj=machine)
    return run
