"""The end of a session is recorded when its routine ends, not when the rating after it
is given: a process killed while the question waits still shows the session finished."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.cli import cli
from crampcoach.journal.store import Journal
from crampcoach.player.journal_writer import JournalRecorder
from crampcoach.player.session import SessionRecord, SessionStart

QUESTION = "How are your cramps now?"


def ended(journal: Path) -> bool:
    with Journal.open(journal, create=False) as j:
        return all(s.ended_at is not None for s in j.sessions())


def crampcoach(*args: str) -> list[str]:
    return [sys.executable, "-m", "crampcoach", *args]


@pytest.mark.slow
def test_killed_while_the_rating_waits(tmp_path: Path) -> None:
    routine = tmp_path / "tiny.yaml"
    routine.write_text("name: Tiny\nsteps:\n  - say: Sit comfortably.\n    pause: 0\n")
    journal = tmp_path / "journal.sqlite3"
    env = {**os.environ, "CRAMPCOACH_PREROLL": "0", "CRAMPCOACH_JOURNAL": str(journal)}
    # Standard input stays open, as a keypad's would: the rating is asked and waits.
    proc = subprocess.Popen(crampcoach("play", str(routine), "--text-only"), env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    seen = b""
    deadline = time.monotonic() + 60
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while QUESTION.encode() not in seen and time.monotonic() < deadline:
            if selector.select(timeout=1):
                chunk = os.read(proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                seen += chunk
    try:
        assert QUESTION.encode() in seen, seen.decode()
        # The journal's writes go through a thread: the end may reach the disk just after
        # the question is shown (it must not wait for an answer).
        until = time.monotonic() + 10
        while not ended(journal) and time.monotonic() < until:
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.stdin is not None
        proc.stdin.close()
        proc.stdout.close()
    result = CliRunner().invoke(cli, ["history", "--journal", str(journal)])
    assert result.exit_code == 0, result.output
    assert "Tiny: finished its one step\n" in result.stdout
    assert "no end recorded" not in result.stdout


def test_the_rating_after_joins_the_recorded_end(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    recorder = JournalRecorder(journal, None, first_write_after_s=0)
    start = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    recorder.started(SessionStart("Tiny", "tiny.yaml", start, 3, None))
    record = SessionRecord(
        routine="Tiny", source="tiny.yaml", started_at=start, ended_at=start,
        outcome="finished", step_reached=2, step_title="Rest", steps=3, elapsed_s=60.0,
        rating_before=None, rating_after=None, audio_note=None, advised=False)
    recorder.ended(record)
    recorder.finished(replace(record, rating_after=4))
    assert recorder.error is None
    result = CliRunner().invoke(cli, ["history", "--journal", str(journal), "--days", "36600"])
    assert result.exit_code == 0, result.output
    assert "Tiny: finished all 3 steps, rating 4 after\n" in result.stdout
