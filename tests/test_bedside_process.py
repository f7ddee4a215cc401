"""``crampcoach bedside`` as its unit runs it: a process of its own on the real stack
(espeak-ng, simpleaudio into ALSA's null device), steered by the ``crampcoach bedside``
commands from other processes, and stopped by SIGTERM."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crampcoach.journal import Journal
from support.bedside_service import routines_folder

pytestmark = [pytest.mark.slow, pytest.mark.realtime]

SETTINGS = """\
night: off
rating_timeout: 5
bedside:
  routine: short-rescue
  keypad: off
  start_keys:
    "1": short-rescue
"""


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    home = tmp_path / "home"
    home.mkdir()
    routines_folder(home)
    (home / ".asoundrc").write_text("pcm.!default { type null }\n")
    (home / ".config" / "crampcoach" / "config.yaml").write_text(SETTINGS)
    runtime = Path(tempfile.mkdtemp(prefix="cc-run-"))
    runtime.chmod(0o700)
    yield {**{k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "CRAMPCOACH_"))},
           "HOME": str(home), "XDG_RUNTIME_DIR": str(runtime), "PYTHONFAULTHANDLER": "1"}
    shutil.rmtree(runtime, ignore_errors=True)


def _command(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crampcoach", "bedside", *args], env=env,
                          capture_output=True, text=True, timeout=60, check=False,
                          stdin=subprocess.DEVNULL)


def _lines(proc: subprocess.Popen[str]) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    return lines


def _wait_for(lines: queue.Queue[str], text: str, seen: list[str], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.1)
        except queue.Empty:
            continue
        seen.append(line)
        if text in line:
            return
    raise AssertionError(f"{text!r} never came; the log: {seen}")


def test_the_service_runs_is_steered_from_other_processes_and_stops_on_sigterm(
        env: dict[str, str]) -> None:
    with subprocess.Popen([sys.executable, "-m", "crampcoach", "bedside"], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          stdin=subprocess.DEVNULL) as proc:
        seen: list[str] = []
        try:
            lines = _lines(proc)
            _wait_for(lines, "Listening on ", seen)
            _wait_for(lines, "Ready.", seen)
            status = _command(env, "status")
            assert status.returncode == 0, status.stderr
            assert f"Service: running (pid {proc.pid})" in status.stdout
            assert ("Now: Idle: waiting for the button, a keypad key or a command."
                    in status.stdout)
            assert _command(env, "start").stdout == "Started Short rescue.\n"
            _wait_for(lines, "Breathe slowly.", seen)
            busy = _command(env, "start", "short-rescue")
            assert (busy.returncode, busy.stderr) == (
                1, "Error: Short rescue is already playing\n")
            assert _command(env, "stop").stdout == "Stopping.\n"
            _wait_for(lines, "Short rescue: stopped.", seen)
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                # Every thread's stack, from the fault handler, to see what held it up.
                proc.send_signal(signal.SIGABRT)
                proc.wait()
                assert proc.stderr is not None
                raise AssertionError(proc.stderr.read()) from None
            assert code == 0
            _wait_for(lines, "Stopped.", seen, timeout_s=5)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert proc.stderr is not None
        assert proc.stderr.read() == ""
    journal = Path(env["HOME"]) / ".local/share/crampcoach/journal.sqlite3"
    with Journal.open(journal, create=False) as opened:
        [session] = opened.sessions()
    assert (session.routine, session.status) == ("Short rescue", "stopped")
    assert not Path(env["XDG_RUNTIME_DIR"], "crampcoach", "bedside.sock").exists()
    gone = _command(env, "pause")
    assert gone.returncode == 1
    assert gone.stderr.startswith("Error: the bedside service is not running (")


def test_settings_with_a_mistake_never_stop_the_service(env: dict[str, str]) -> None:
    """A typo used to make the service exit 2, and systemd gave up after 10 restarts: the
    button was dead and nothing was said. Now it starts, says so, and plays."""
    config = Path(env["HOME"]) / ".config" / "crampcoach" / "config.yaml"
    config.write_text(SETTINGS.replace("night: off\n", "night:\n  volum_cap: 0.3\n"))
    with subprocess.Popen([sys.executable, "-m", "crampcoach", "bedside"], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          stdin=subprocess.DEVNULL) as proc:
        seen: list[str] = []
        try:
            lines = _lines(proc)
            _wait_for(lines, "Ready.", seen)
            assert any(f"Settings: the settings file has a mistake ({config}:2: " in line
                       for line in seen), seen
            assert any(line.endswith('Said: "The settings have a mistake, so safe settings '
                                     "are used for now. Your carer can see why in the "
                                     "service's log.\"") for line in seen), seen
            status = _command(env, "status")
            assert status.returncode == 0, status.stderr
            [shown] = [line for line in status.stdout.splitlines()
                       if line.startswith("Settings: ")]
            assert shown.startswith(f"Settings: the settings file has a mistake ({config}:2: ")
            assert _command(env, "start").stdout == "Started Short rescue.\n"
            _wait_for(lines, "Breathe slowly.", seen)
            assert _command(env, "stop").stdout == "Stopping.\n"
            _wait_for(lines, "Short rescue: stopped.", seen)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=20) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
