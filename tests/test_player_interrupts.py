"""Ctrl-C and SIGTERM on the real command, in a real process at a real terminal (issue 12):
the first Ctrl-C stops at once (exit 130 within a second, recorded, no rating question);
SIGTERM during a warm compress says "Remove the compress now." first (exit 143)."""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.realtime, pytest.mark.slow]

LONG = ("name: Long\nsteps:\n  - say: Sit comfortably.\n  - rest: 60\n"
        "  - say: Breathe out slowly.\n")
WARM = ("name: Warm\nsteps:\n  - compress: Warm compress on the calf\n    duration: 2m\n"
        "    prepare: 0\n")


class Terminal:
    """``crampcoach ARGS`` on a pseudo-terminal (a person is there), sound going to
    ALSA's null device (or to text, where ALSA has none)."""

    def __init__(self, home: Path, *args: str) -> None:
        (home / ".asoundrc").write_text("pcm.!default { type null }\n")
        self.master, slave = pty.openpty()
        self.output = b""
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "crampcoach", *args], stdin=slave, stdout=slave,
            stderr=slave, env={**os.environ, "HOME": str(home)}, close_fds=True)
        os.close(slave)

    def press(self, key: bytes) -> None:
        os.write(self.master, key)

    def read_until(self, text: str, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while text.encode() not in self.output:
            assert time.monotonic() < deadline, self.output.decode(errors="replace")
            self._read(0.1)

    def _read(self, wait_s: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], wait_s)
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # the other side is closed: the process has ended
            return False
        self.output += chunk
        return bool(chunk)

    def finish(self, timeout_s: float = 30.0) -> tuple[int, float]:
        """Exit code, and the seconds it took from now."""
        start = time.monotonic()
        while self.proc.poll() is None and time.monotonic() - start < timeout_s:
            self._read(0.01)
        took = time.monotonic() - start
        while self._read(0.05):
            pass
        os.close(self.master)
        return self.proc.wait(timeout=5), took

    @property
    def text(self) -> str:
        return self.output.decode(errors="replace")


def _journal(path: Path) -> list[dict[str, object]]:
    out = subprocess.run([sys.executable, "-m", "crampcoach", "history", "export",
                          "--format", "json", "--journal", str(path)],
                         capture_output=True, text=True, check=True).stdout
    records = json.loads(out)["records"]
    assert isinstance(records, list)
    return [r for r in records if r["record"] == "session"]


@pytest.mark.parametrize("text_only", [True, False])
def test_ctrl_c_once_stops_at_once_without_a_question(tmp_path: Path, text_only: bool) -> None:
    if not text_only and shutil.which("espeak-ng") is None:
        pytest.skip("needs espeak-ng")
    routine, journal = tmp_path / "long.yaml", tmp_path / "journal.sqlite3"
    routine.write_text(LONG)
    args = ["play", str(routine), "--journal", str(journal)]
    term = Terminal(tmp_path, *args, *(["--text-only"] if text_only else []))
    term.read_until("Opening")
    term.press(b"n")  # on to the first step without waiting for the opening
    term.read_until("Sit comfortably.")
    time.sleep(0.3)
    term.proc.send_signal(signal.SIGINT)
    code, took = term.finish()
    assert code == 130, term.text
    # At once: far less than the minutes of session left (how fast is measured in bench/).
    assert took < 10.0, took
    assert "How are your cramps" not in term.text
    assert "Traceback" not in term.text
    assert "No sound" not in term.text
    [session] = _journal(journal)
    assert (session["status"], session["rating_after"]) == ("stopped", None)


def test_sigterm_during_a_compress_says_remove_it_then_exits_143(tmp_path: Path) -> None:
    routine, journal = tmp_path / "warm.yaml", tmp_path / "journal.sqlite3"
    routine.write_text(WARM)
    term = Terminal(tmp_path, "play", str(routine), "--journal", str(journal), "--text-only")
    term.read_until("Opening")
    term.press(b"n")
    term.read_until("Compress on.")
    term.proc.send_signal(signal.SIGTERM)
    code, took = term.finish()
    assert code == 143, term.text
    # At once: far less than the minutes of session left (how fast is measured in bench/).
    assert took < 10.0, took
    assert term.text.count("Remove the compress now.") == 1
    assert "How are your cramps" not in term.text
    [session] = _journal(journal)
    assert session["status"] == "stopped"
