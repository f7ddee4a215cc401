"""A scheduled start: ``python -m crampcoach play ROUTINE`` with no terminal, as a systemd
service runs it, on the real stack (espeak-ng if present, simpleaudio, ALSA's file plugin)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from array import array
from pathlib import Path

import pytest

from crampcoach.journal.store import Journal
from support.audio import alsa_home
from support.player import TINY

pytestmark = [pytest.mark.realaudio, pytest.mark.slow]

STAMPED = re.compile(r"^\d\d:\d\d:\d\d .")


def _start(tmp_path: Path, stdin: int) -> tuple[subprocess.Popen[str], Path]:
    """The service's command line, its settings in a file of their own, a private HOME."""
    tmp_path.mkdir()
    alsa = alsa_home(tmp_path)
    routine = tmp_path / "tiny.yaml"
    routine.write_text(TINY)
    config = tmp_path / "config.yaml"
    config.write_text("rating_timeout: 5s\nnight: off\npreroll: 0.5\njournal: kept.sqlite3\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRAMPCOACH_")}
    env.update(HOME=str(alsa.home), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"),
               CRAMPCOACH_CONFIG=str(config), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "crampcoach", "play", str(routine)],
                            stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    return proc, alsa.capture


def test_with_no_terminal_the_session_plays_is_kept_and_exits_0(tmp_path: Path) -> None:
    # Like a systemd service: stdin is /dev/null, nobody can answer, nothing is asked.
    closed, capture = _start(tmp_path / "closed", subprocess.DEVNULL)
    # Input that stays open but says nothing (a pipe nobody writes to): asked, then kept
    # without a rating once the settings' five seconds are over.
    silent, _ = _start(tmp_path / "silent", subprocess.PIPE)
    try:
        out, err = closed.communicate(timeout=120)
        assert (closed.returncode, err) == (0, ""), out + err
        lines = out.splitlines()
        assert all(STAMPED.match(line) for line in lines), lines
        texts = [line[9:] for line in lines]
        assert texts[0] == "Opening"
        assert texts[-1] == "Session finished."
        assert not any(text.startswith("How are your cramps") for text in texts)
        with Journal.open(tmp_path / "closed" / "kept.sqlite3", create=False) as journal:
            [session] = journal.sessions()
        assert (session.routine, session.status, session.rating_after) == (
            "Tiny", "finished", None)
        samples = array("h", capture.read_bytes())
        assert any(abs(s) > 200 for s in samples)  # something reached the device

        # Not communicate(): it would close the input, and the player would see nobody there.
        assert silent.stdout is not None
        assert silent.stderr is not None
        guard = threading.Timer(120, silent.kill)
        guard.start()
        try:
            out, err = silent.stdout.read(), silent.stderr.read()
            silent.wait()
        finally:
            guard.cancel()
            for pipe in (silent.stdin, silent.stdout, silent.stderr):
                if pipe is not None:
                    pipe.close()
        assert (silent.returncode, err) == (0, ""), out + err
        texts = [line[9:] for line in out.splitlines()]
        assert texts[-1] == "No rating: no answer in time; the session is kept without a rating."
        with Journal.open(tmp_path / "silent" / "kept.sqlite3", create=False) as journal:
            [session] = journal.sessions()
        assert (session.status, session.rating_after) == ("finished", None)
    finally:
        if silent.poll() is None:
            silent.kill()
            silent.wait()
