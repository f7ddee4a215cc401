"""The scheduler against the real monotonic clock, and the play command as a process.

The onset tolerance here (50 ms) only catches a broken scheduler (a chain of sleeps,
a wait on the wrong clock); the precise figures are measured in bench/player_timing.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crampcoach.player.clock import MonotonicClock
from crampcoach.player.deadlines import Scheduler
from crampcoach.player.events import CueStarted
from crampcoach.player.feed import CueFeed, Piece
from crampcoach.player.output import Output
from crampcoach.routines.timeline import Cue
from support.fakes import FakeCueSounds, FakeSpeech, RecordingSink
from support.player import VOICE, Events

pytestmark = pytest.mark.realtime

TOLERANCE_S = 0.05


def _pieces() -> list[Piece]:
    cues = []
    for k in range(10):
        at = 0.25 * k
        if k % 3 == 0:
            cues.append(Cue(at, "tone", "in", 0, "phase", 0.2, tone="in"))
        cues.append(Cue(at, "speech", f"word {k}", 0, "phase", 0.12))
    closing = [Cue(2.6, "tone", "end chime", 0, "closing", 0.2, tone="chime")]
    return [(None, cues), (None, closing)]


def test_cues_start_on_their_deadlines_in_real_time() -> None:
    clock = MonotonicClock()
    sink = RecordingSink(clock)
    events = Events()
    speech = FakeSpeech(seconds_per_char=0.01)
    feed = CueFeed(_pieces(), FakeCueSounds(speech), VOICE)
    feed.start()
    started = time.monotonic()
    result = Scheduler(feed, Output(lambda: sink, clock, events), clock, events, 0,
                       tick_s=None).run()
    feed.close()
    assert result.outcome == "finished"
    begun = events.of(CueStarted)
    origin = begun[0].planned
    assert origin - started < 0.3  # the first sound right away
    beats = sorted({c.at for piece in _pieces() for c in piece[1]})
    onsets = [t for t, _ in sink.played]
    assert len(onsets) == len(beats)
    for at, onset in zip(beats, onsets, strict=True):
        assert abs(onset - (origin + at)) < TOLERANCE_S, (at, onset - origin)
    # Deadlines come from the one origin: no drift is possible in the plan itself.
    assert all(e.planned - origin == pytest.approx(e.cue.at, abs=1e-9) for e in begun)


ROUTINE = "name: Long\nsteps:\n  - say: Sit comfortably.\n  - rest: 60\n"


def _start(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    path = tmp_path / "long.yaml"
    path.write_text(ROUTINE)
    # Night mode off: what is shown must not depend on the hour the tests run at (at
    # night the first line says night mode applies).
    config = tmp_path / "config.yaml"
    config.write_text("night: off\n")
    return subprocess.Popen(
        [sys.executable, "-m", "crampcoach", "play", str(path), "--text-only", *args],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1", CRAMPCOACH_CONFIG=str(config)))


def test_sigterm_stops_at_once_without_a_traceback(tmp_path: Path) -> None:
    proc = _start(tmp_path)
    assert proc.stdout is not None
    first = proc.stdout.readline()  # the session has begun
    assert first.endswith(" Opening\n")
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    # The sound stops first; this is the whole exit, the journal written included: far
    # less than the session left (how fast is measured in bench/, not asserted here).
    assert time.monotonic() - sent < 10.0
    assert proc.returncode == 143
    assert err == "Stopped.\n"
    assert out.endswith(" Stopped during the opening.\n")


def test_without_a_terminal_or_input_the_session_runs_and_asks_nothing(tmp_path: Path) -> None:
    proc = _start(tmp_path)
    assert proc.stdout is not None
    lines = [proc.stdout.readline() for _ in range(2)]
    assert [line[9:] for line in lines] == [
        "Opening\n", "  Long. Move gently, and stop if anything hurts.\n"]
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 130
    assert err == "Stopped.\n"
    assert "Traceback" not in out + err
