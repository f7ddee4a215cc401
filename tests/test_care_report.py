"""The report for the neurologist: the PDF's text read back with pdftotext, a page rendered
with pdftoppm (poppler-utils, installed by the Makefile), and the messages around it."""

from __future__ import annotations

import builtins
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from crampcoach.cli import cli
from support.journal import JournalRunner, fill_quarter


@pytest.fixture(scope="module")
def quarter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("quarter") / "j.sqlite3"
    fill_quarter(path)
    return path


def pdf_text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True)
    # One space between words, whatever the layout put there.
    return re.sub(r"[ \t]+", " ", done.stdout)


def report(journal: Path, out: Path, *args: str) -> tuple[int, str]:
    result = JournalRunner().invoke(cli, ["report", "--journal", str(journal), "-o", str(out),
                                      *args])
    return result.exit_code, result.output


def test_the_report_says_what_a_neurologist_needs(quarter: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    assert report(quarter, out) == (0, f"Wrote {out}: 2 pages, 2026-01-03 to 2026-04-02.\n")
    text = pdf_text(out)
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) == 2
    for line in (
        "Cramps, spasms and twitching: a report for the neurologist",
        "90 days, 03 Jan 2026 to 02 Apr 2026.",
        "Cramp ratings (0 none to 10 worst) on 80 of 90 days: average 4.8",
        "First 30 days average 5.8; last 30 days average 3.8.",
        "Episodes: 69 (5.4 a week): 23 cramp, 16 spasm, 7 twitching, 23 stiffness.",
        "Routines played on 60 of 90 days.",
        "In your check-in on Mon 30 Mar you said the cramps are painful and getting in the way",
        "Cramp ratings over time (dashed: medicine changes, with the new dose)",
        "The person's open questions",
        "1. Could the baclofen be split into smaller, more frequent doses?",
        "2. Is the magnesium worth carrying on with?",
        "When to get help at once: Get help now, without waiting, if a cramp lasts over 10 "
        "minutes and will not ease",
        "Episodes per week, by type",
        "left foot 15; right calf 14; right toes 14; left calf 13; thigh (both sides) 13",
    ):
        assert line in pages[0], line
    for line in (
        "baclofen: 15 mg three times a day since 2026-02-20, first started 2025-10-01",
        "magnesium (supplement): 300 mg at night since 2026-03-01",
        "prednisolone: stopped 2026-01-15",
        '2026-02-20 baclofen: changed to 15 mg three times a day "neurologist, phone review"',
        "Blood results (as entered, not interpreted), by test, newest first",
        "magnesium: 0.68 mmol/L on 2026-02-25 (range 0.7-1.0)",
        "calcium (adjusted): 2.31 mmol/L on 2026-02-25",
        "Evening calf relief: 2.0 points lower after, on average (60 sessions rated before",
        "What seems to help, or not: what stands out, with its evidence",
        "baclofen 15 mg three times a day from 2026-… 25 4.2 25 6.2 -2.1 (-2.4 to -1.8) "
        "p < 0.001",
        "These are associations in your own records, not causes",
        "When to get help at once",
        "Get help now, without waiting, if a cramp lasts over 10 minutes and will not ease",
        "guidance, not diagnosis",
    ):
        assert line in pages[1], line


def test_a_page_renders_to_an_image(quarter: Path, tmp_path: Path) -> None:
    import matplotlib.image

    out = tmp_path / "report.pdf"
    assert report(quarter, out)[0] == 0
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(out), str(tmp_path / "page")], check=True)
    pixels = matplotlib.image.imread(tmp_path / "page.png")
    # A4 at 40 dpi, with ink on it: the charts and text, not a blank page.
    assert pixels.shape[:2] == (468, 331)
    assert pixels[..., :3].std() > 0.1
    assert (pixels[..., :3] < 0.5).mean() > 0.005


def test_a_journal_with_nothing_in_the_window(tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    assert report(tmp_path / "none.sqlite3", out, "--days", "30")[0] == 0
    text = pdf_text(out)
    for line in ("No ratings in these days.", "No episodes recorded in these days.",
                 "None in the last weeks.", "No medicines or supplements recorded.",
                 "No blood results recorded.", "None noted.",
                 "Nothing stands out yet. (too few rated days to compare.)"):
        assert line in text, line
    assert not (tmp_path / "none.sqlite3").exists()


def test_the_report_without_matplotlib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       quarter: Path) -> None:
    real_import = builtins.__import__

    def no_matplotlib(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    monkeypatch.setattr("importlib.import_module", lambda name: no_matplotlib(name))
    out = tmp_path / "r.pdf"
    assert report(quarter, out) == (
        1, "Error: the report needs matplotlib: pip install 'crampcoach[charts]'\n")
    assert not out.exists()


def test_a_report_that_cannot_be_written(quarter: Path, tmp_path: Path) -> None:
    out = tmp_path / "missing-folder" / "r.pdf"
    assert report(quarter, out) == (
        1, f"Error: cannot write {out}: No such file or directory\n")
