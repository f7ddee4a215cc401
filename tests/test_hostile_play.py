"""A session that loses its output or its terminal (issue 11, case 13): it is not stopped by
losing its output, the rating given on the command line is kept, and SIGHUP is handled like
SIGTERM. Run as real processes, as the person runs them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from crampcoach.journal.store import Journal, Session

pytestmark = pytest.mark.realtime

SHORT = "name: Short\nsteps:\n  - say: Sit comfortably.\n"
LONG = "name: Long\nsteps:\n  - say: Sit comfortably.\n  - rest: 60\n"


def _play(tmp_path: Path, routine: str, *args: str) -> list[str]:
    path = tmp_path / "routine.yaml"
    path.write_text(routine)
    # Night mode off: what is shown must not depend on the hour the tests run at (at
    # night the first line says night mode applies).
    config = tmp_path / "config.yaml"
    config.write_text("night: off\n")
    return [sys.executable, "-m", "crampcoach", "play", str(path), "--text-only",
            "--journal", str(tmp_path / "journal.sqlite3"), "--config", str(config), *args]


def _sessions(tmp_path: Path) -> list[Session]:
    with Journal.open(tmp_path / "journal.sqlite3", create=False) as journal:
        return journal.sessions()


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONUNBUFFERED="1")


def test_a_session_started_with_its_output_closed_plays_and_is_recorded(tmp_path: Path) -> None:
    command = " ".join(f"'{a}'" for a in _play(tmp_path, SHORT, "--rating", "2"))
    done = subprocess.run(["sh", "-c", f"exec {command} >&-"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, env=_env(), timeout=60, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    [session] = _sessions(tmp_path)
    assert (session.outcome, session.rating_after) == ("finished", 2)


def test_a_session_piped_into_head_goes_on_and_keeps_its_rating(tmp_path: Path) -> None:
    with subprocess.Popen(_play(tmp_path, SHORT, "--rating", "2"), stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=_env()) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().endswith(" Opening\n")
        proc.stdout.close()  # what `| head -1` does after its line
        _, err = proc.communicate(timeout=60)
    assert (proc.returncode, err) == (0, "")
    [session] = _sessions(tmp_path)
    assert (session.outcome, session.rating_after) == ("finished", 2)


def test_sighup_stops_the_session_and_records_the_stop(tmp_path: Path) -> None:
    with subprocess.Popen(_play(tmp_path, LONG, "--rating", "2"), stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=_env()) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().endswith(" Opening\n")
        proc.send_signal(signal.SIGHUP)
        out, err = proc.communicate(timeout=10)
    assert (proc.returncode, err) == (129, "Stopped.\n")
    assert out.endswith(" Stopped during the opening.\n")
    [session] = _sessions(tmp_path)
    assert session.outcome == "stopped"
