"""Entering records forgivingly: a blood test of several words, backdating, short
options, L/R sides, plural kinds; a typo gets a suggestion and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampcoach.cli import cli
from crampcoach.errors import RecordError
from crampcoach.journal.entry import blood_words, episode_kind, episode_side, limb_signs
from crampcoach.journal.store import Journal
from support.journal import LONDON, JournalRunner


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CRAMPCOACH_JOURNAL", str(tmp_path / "j.sqlite3"))


def run(*args: str) -> tuple[int, str]:
    result = JournalRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize(("words", "read"), [
    (["vitamin", "D", "48", "nmol/L"], ("vitamin D", "48", "nmol/L")),
    (["magnesium", "0.71", "mmol/L"], ("magnesium", "0.71", "mmol/L")),
    (["vitamin D", "48"], ("vitamin D", "48", None)),
    (["B12", "350", "ng/L"], ("B12", "350", "ng/L")),
    (["CRP", "<0.5", "mg/L"], ("CRP", "<0.5", "mg/L")),
    (["calcium", "(adjusted)", "2,31", "mmol/L"], ("calcium (adjusted)", "2,31", "mmol/L")),
    (["white", "cells", "6.1", "x10^9/L"], ("white cells", "6.1", "x10^9/L")),
])
def test_a_blood_result_of_several_words(words: list[str],
                                         read: tuple[str, str, str | None]) -> None:
    assert blood_words(words) == read


def test_blood_add_keeps_the_test_name_whole(tmp_path: Path) -> None:
    assert run("blood", "add", "vitamin", "D", "48", "nmol/L") == (
        0, "Recorded 2026-04-02: vitamin D 48 nmol/L.\n")
    assert run("blood", "add", "vitamin", "D") == (
        2, "Error: no value found in 'vitamin D': give the test, its value and the unit, "
           "like: crampcoach blood add vitamin D 48 nmol/L\n")
    with Journal.open(tmp_path / "j.sqlite3", create=False) as j:
        [result] = j.blood_results()
    assert (result.test, result.value, result.unit) == ("vitamin D", "48", "nmol/L")


def test_sides_kinds_and_signs_are_read_forgivingly() -> None:
    assert [episode_side(s) for s in ("L", "r", "Both", "b", None)] == [
        "left", "right", "both", "both", None]
    assert [episode_kind(k) for k in ("cramps", "Spasms", "twitches", "stiffness")] == [
        "cramp", "spasm", "twitching", "stiffness"]
    assert limb_signs("Swollen, warm red") == ("swollen", "warm", "red")
    with pytest.raises(RecordError, match=r"'lefft' is not a side \(did you mean left\?\)"):
        episode_side("lefft")
    with pytest.raises(RecordError, match=r"'swolen' is not a sign this records \(did you "
                                          r"mean swollen\?\)"):
        limb_signs("swolen,warm")


def test_short_options_and_a_typo_that_writes_nothing(tmp_path: Path) -> None:
    assert run("episode", "add", "-k", "cramps", "-w", "calf", "-s", "R", "-m", "5", "-v",
               "6", "-n", "after the walk") == (
        0, 'Recorded: Thu 2026-04-02 22:30  cramp, right calf, 5 min, 6 of 10  "after the '
           'walk"\n')
    code, shown = run("episode", "add", "-k", "cramp", "-w", "calf", "-s", "L",
                      "--signs", "swolen")
    assert (code, shown) == (2, "Error: 'swolen' is not a sign this records (did you mean "
                                "swollen?): use swollen, red, warm, painful\n")
    code, shown = run("episode", "add", "-k", "crmap", "-w", "calf")
    assert (code, shown) == (2, "Error: 'crmap' is not a kind of episode (did you mean "
                                "cramp?): use cramp, spasm, twitching, stiffness\n")
    with Journal.open(tmp_path / "j.sqlite3", create=False) as j:
        assert len(j.episodes()) == 1


def test_rate_and_question_can_be_backdated(tmp_path: Path) -> None:
    assert run("rate", "6", "--at", "03:10") == (
        0, "Recorded rating 6 at Thu 2026-04-02 03:10.\n")
    assert run("rate", "4", "-d", "yesterday") == (
        0, "Recorded rating 4 at Wed 2026-04-01 12:00.\n")
    assert run("rate", "3", "--at", "03:10", "--date", "yesterday") == (
        2, "Error: give --at or --date, not both\n")
    assert run("question", "add", "Is magnesium worth a try?", "--date", "2026-03-02")[0] == 0
    with Journal.open(tmp_path / "j.sqlite3", create=False) as j:
        ratings = [(r.value, f"{r.at.astimezone(LONDON):%Y-%m-%d %H:%M}") for r in j.ratings()]
        [question] = j.questions()
    assert ratings == [(4, "2026-04-01 12:00"), (6, "2026-04-02 03:10")]
    assert f"{question.at.astimezone(LONDON):%Y-%m-%d %H:%M}" == "2026-03-02 12:00"
