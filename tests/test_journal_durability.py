"""Nothing confirmed is lost: writers killed with SIGKILL at random moments, and several
writers at once. A write counts as confirmed once the writer has printed its id, which it
does only after the journal call returned (committed and synced)."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from crampcoach.journal.store import Journal

WRITER = """
import sys
from crampcoach.journal.store import Journal

path, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with Journal.open(path) as journal:
    for n in range(count):
        rating = journal.add_rating(n % 11, note=f"{tag} {n}")
        print("rating", rating.id, flush=True)
        if n % 3 == 0:
            sid = journal.start_session(f"Routine {tag}", None, 4, rating_before=n % 11)
            print("started", sid, flush=True)
            journal.reach_step(sid, 1, "Calf stretch")
            journal.finish_session(sid, "finished", 3, "Rest", rating_after=0)
            print("finished", sid, flush=True)
print("done", flush=True)
"""


def confirmed(output: bytes) -> list[tuple[str, str]]:
    """The lines the writer printed in full (a line cut by the kill is not confirmed)."""
    text = output.decode()
    complete = text[: text.rfind("\n") + 1]
    return [
        (kind, record_id)
        for kind, _, record_id in (line.partition(" ") for line in complete.splitlines())
        if kind != "done"
    ]


def check_everything_confirmed_is_there(path: Path, lines: list[tuple[str, str]]) -> None:
    with Journal.open(path) as j:
        assert j.integrity_check() == "ok"
        ratings = {r.id for r in j.ratings()}
        sessions = {s.id: s for s in j.sessions()}
    for kind, record_id in lines:
        if kind == "rating":
            assert record_id in ratings
        else:
            assert record_id in sessions
            if kind == "finished":
                assert sessions[record_id].outcome == "finished"


@pytest.mark.slow
def test_kill_9_at_random_moments_loses_nothing_confirmed(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    rng = random.Random(20260321)
    everything: list[tuple[str, str]] = []
    for _round in range(8):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), f"round{_round}", "100000"],
            stdout=subprocess.PIPE,
        )
        assert writer.stdout is not None
        first = writer.stdout.readline()  # writing has begun
        try:
            writer.wait(timeout=rng.uniform(0.0, 0.4))
        except subprocess.TimeoutExpired:
            writer.send_signal(signal.SIGKILL)
        rest, _ = writer.communicate(timeout=30)
        assert writer.returncode == -signal.SIGKILL
        lines = confirmed(first + rest)
        assert lines, "the writer confirmed nothing before it was killed"
        everything += lines
        check_everything_confirmed_is_there(path, everything)
    # Sessions killed between start and finish are kept, as interrupted.
    with Journal.open(path) as j:
        outcomes = {s.outcome for s in j.sessions()}
    assert outcomes <= {"finished", "interrupted"}


def test_several_writers_at_once(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), f"writer{n}", "30"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(4)
    ]
    lines: list[tuple[str, str]] = []
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err.decode()
        assert out.decode().endswith("done\n")
        lines += confirmed(out)
    check_everything_confirmed_is_there(path, lines)
    with Journal.open(path) as j:
        assert len(j.ratings()) == 4 * 30
        assert len(j.sessions()) == 4 * 10
        assert {s.outcome for s in j.sessions()} == {"finished"}
        assert sorted(r.note or "" for r in j.ratings()) == sorted(
            f"writer{w} {n}" for w in range(4) for n in range(30)
        )
