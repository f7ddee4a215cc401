"""Key bindings from the settings drive the session's controls."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampcoach.inputs.terminal import KeyDecoder
from support.wiring import wired_play

KEYS = """\
preroll: 0
keys:
  pause: x
  skip: [".", pagedown]
  repeat: r
  quit: z
"""

TWO_STEPS = ("name: Tiny\nsteps:\n  - say: Sit comfortably.\n  - rest: 3\n"
             "  - say: Breathe out slowly.\n")


def test_the_chosen_pause_key_pauses_and_the_old_one_does_nothing(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain = wired_play(monkeypatch, tmp_path, ["--no-rating"], config=KEYS)
    run = wired_play(monkeypatch, tmp_path, ["--no-rating"],
                     [(0.5, "space"), (1.0, "x"), (3.0, "x")], config=KEYS)
    assert run.result.exit_code == 0, run.result.output
    assert "Paused. Press x to carry on, z to stop." in run.lines
    assert "Carrying on in 3 seconds." in run.lines
    # Paused two seconds, plus the three-second get-ready: the end moves by five.
    assert run.onsets[-1] == pytest.approx(plain.onsets[-1] + 5.0)
    assert run.recorder.records[0].outcome == "finished"


def test_the_chosen_quit_key_stops_and_q_does_not(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    run = wired_play(monkeypatch, tmp_path, ["--no-rating"], [(1.0, "q"), (2.0, "z")],
                     config=KEYS)
    assert run.result.exit_code == 0
    record = run.recorder.records[0]
    assert (record.outcome, record.elapsed_s) == ("stopped", 2.0)
    assert "Stopped during the opening." in run.lines


def test_a_punctuation_key_skips(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = wired_play(monkeypatch, tmp_path, ["--no-rating"], [(1.0, "n"), (2.0, ".")],
                     config=KEYS, routine_text=TWO_STEPS)
    assert run.result.exit_code == 0
    skipped = [line for line in run.lines if line.startswith("Skipped")]
    assert skipped == ["Skipped to step 1 of 3."]


def test_the_key_reader_reports_the_keys_the_settings_can_name() -> None:
    decoder = KeyDecoder()
    assert decoder.feed(b".+\t\x1b[H\x1b[F\x1b[1~\x1b[4~X") == [
        ".", "+", "tab", "home", "end", "home", "end", "x"]
