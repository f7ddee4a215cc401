"""QA: with no usable sound device, ALSA's own error lines (``ALSA lib ...``) must not spill
over the session's text; the player's one note says why instead."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.player import TINY

pytestmark = [pytest.mark.realaudio, pytest.mark.slow]


def test_no_sound_device_gives_one_note_and_no_alsa_noise(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    # A default device that cannot be opened, on any machine (with or without a card).
    (home / ".asoundrc").write_text(
        'pcm.!default { type plug slave.pcm "crampcoach_no_such_device" }\n')
    routine = tmp_path / "tiny.yaml"
    routine.write_text(TINY)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRAMPCOACH_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    done = subprocess.run(
        [sys.executable, "-m", "crampcoach", "play", str(routine), "--no-rating"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, timeout=120)
    assert (done.returncode, done.stderr) == (0, ""), done.stdout + done.stderr
    notes = [line[9:] for line in done.stdout.splitlines() if line[9:].startswith("Note:")]
    assert len(notes) == 1, done.stdout
    assert notes[0].startswith("Note: No sound: the audio device is missing or busy (")
    assert notes[0].endswith("Carrying on in text, on time.")
    assert done.stdout.splitlines()[-1].endswith("Session finished.")
