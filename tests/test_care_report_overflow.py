"""The report never drops what matters: read back with pdftotext, section by section, for a
journal that overflows every list (ten years, 14 medicines, 40 blood results, 30 questions
with dollar signs, an urgent episode), over 90 days and over the whole ten years."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from crampcoach.cli import cli
from crampcoach.journal.wording import URGENT
from support.journal import JournalRunner, fill_years


@pytest.fixture(scope="module")
def years(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("years") / "j.sqlite3"
    fill_years(path)
    return path


def pages(pdf: Path) -> list[str]:
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True)
    # One line of words per paragraph: pdftotext breaks lines where the page wrapped them.
    return [re.sub(r"\s+", " ", page) for page in done.stdout.split("\f") if page.strip()]


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.slow
@pytest.mark.parametrize("days", ["90", "3650"])
def test_every_section_is_there_however_long_the_record(years: Path, tmp_path: Path,
                                                        days: str) -> None:
    out = tmp_path / "r.pdf"
    config = tmp_path / "config.yaml"
    config.write_text("patient_name: Ann O'Neill\ndate_of_birth: 1971-05-04\n"
                      "clinic_number: NHS 943 476 5919\n")
    result = JournalRunner().invoke(cli, ["report", "--journal", str(years), "-o", str(out),
                                      "--days", days], env={"CRAMPCOACH_CONFIG": str(config)})
    assert result.exit_code == 0, result.output
    first, second = pages(out)
    for text in (
        "Name: Ann O'Neill. Date of birth: 1971-05-04. Clinic number: NHS 943 476 5919.",
        "Red flags raised",
        "GET HELP NOW: On Thu 02 Apr at 20:30 you recorded a cramp in the left calf that "
        "lasted 30 min and did not ease, with the limb swollen and warm.",
        f"When to get help at once: {URGENT}",
        "The person's open questions",
        "1. Is $$ x $$ a problem? (1)",
        "2. Is $12 a month vs $8 worth it? (2)",
        "… (in full in the export)",
        "and 24 more: the questions table of the export (crampcoach history export --table "
        "questions)",
        "Key figures",
        "Where (body part and side)",
        "page 1 of 2",
    ):
        assert text in first, text
    for text in (
        "Medicines and supplements",
        "medicine M: 5 mg twice a day since 2026-03-29, first started 2019-05-05",
        "and 6 more medicines: the medicines table of the export (crampcoach history export "
        "--table medicines)",
        "Blood results (as entered, not interpreted), by test, newest first",
        "magnesium: 1.0 mmol/L on 2026-04-02;",
        "and 6 more tests",
        "every result is in the blood table of the export (crampcoach history export --table "
        "blood)",
        "Routines (rating before minus after)",
        "What seems to help, or not: what stands out, with its evidence",
        "These are associations in your own records, not causes",
        "When to get help at once",
        URGENT,
        "page 2 of 2",
    ):
        assert text in second, text
    assert "(more in the CSV export)" not in first + second


@pytest.mark.slow
def test_a_dose_change_is_labelled_with_its_dose(years: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    assert JournalRunner().invoke(cli, ["report", "--journal", str(years), "-o", str(out),
                                    "--days", "365"]).exit_code == 0
    first = pages(out)[0]
    assert "medicine L 20 mg twice a day" in first
