"""The player on the real stack: espeak-ng speech, simpleaudio, ALSA's file plugin into a
FIFO drained in real time (bench/_rt_sink.py), onsets measured from outside."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parent.parent / "bench"
sys.path.insert(0, str(BENCH))

from _rt_sink import capture  # noqa: E402

pytestmark = [
    pytest.mark.realaudio,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng"),
]

ROUTINE = "name: Short\nsteps:\n  - say: Now.\n    pause: 0.5\n"


def test_cues_reach_the_device_on_time(tmp_path: Path) -> None:
    routine = tmp_path / "short.yaml"
    routine.write_text(ROUTINE)
    plan = tmp_path / "plan.json"
    result = capture([sys.executable, str(BENCH / "_player_child.py"), "player", str(routine),
                      "--cache", str(tmp_path / "cache"), "--plan", str(plan)], timeout_s=60)
    assert result.returncode == 0
    beats = sorted({c["at"] for c in json.loads(plan.read_text())["cues"]})
    assert len(result.streams) == len(beats)
    for stream, at in zip(result.streams, beats, strict=True):
        assert abs((stream - result.streams[0]) - at) < 0.05, (at, stream - result.streams[0])
