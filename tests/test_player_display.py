"""What a person sees on a terminal: spoken lines above one live status line."""

from __future__ import annotations

import pytest

from crampcoach.player.events import CueStarted, Progress, SessionEnded, StepChanged
from crampcoach.routines.timeline import Cue
from crampcoach.terminal import SessionDisplay

CLEAR = "\r\x1b[2K"


def test_the_status_line_stays_under_the_spoken_lines(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    display = SessionDisplay(live=True)
    display(StepChanged(1, "stretch", "Calf stretch", "Box breathing", 4))
    display(Progress(elapsed=30.0, step_left=61.2, session_left=90.0, total=120.0))
    display(CueStarted(Cue(30.0, "speech", "And hold for 30 seconds.", 1, "hold", 1.5),
                       30.0, 30.0, True))
    display(SessionEnded("finished", 3, 120.0))
    status = ("2/4: Calf stretch | next: Box breathing | step 01:02 left | session 01:30 left"
              " [#####...............]  25%")
    assert capsys.readouterr().out == (
        CLEAR + "Step 2 of 4: Calf stretch (next: Box breathing)\n"
        + CLEAR + status
        + CLEAR + "  And hold for 30 seconds.\n" + status
        + CLEAR + CLEAR + "Session finished.\n")


def test_breathing_tones_show_only_where_no_word_is_said(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    display = SessionDisplay(live=False, stamp=lambda: "22:00:00")
    tone = Cue(10.0, "tone", "Breathe in", 0, "phase", 0.6, tone="in")
    word = Cue(10.0, "speech", "Breathe in", 0, "phase", 0.8)
    display(CueStarted(tone, 10.0, 10.0, True))
    display(CueStarted(word, 10.0, 10.0, True))
    alone = Cue(14.0, "tone", "Breathe out", 0, "phase", 0.6, tone="out")
    display(CueStarted(alone, 14.0, 14.0, True))
    display(SessionEnded("stopped", 0, 15.0))
    assert capsys.readouterr().out == (
        "22:00:00   Breathe in\n"
        "22:00:00   (Breathe out)\n"
        "22:00:00 Stopped at step 1.\n")


# --- the live status line on an ordinary terminal keeps its times and progress bar ---



def _status(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
            columns: int, step: str = "Calf stretch", upcoming: str = "Box breathing") -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    display = SessionDisplay(live=True)
    display(StepChanged(1, "stretch", step, upcoming, 4))
    capsys.readouterr()
    display(Progress(elapsed=30.0, step_left=61.2, session_left=90.0, total=120.0))
    out = capsys.readouterr().out
    assert out.startswith(CLEAR)
    return out[len(CLEAR):]


def test_at_80_columns_the_bar_and_times_are_kept_and_what_is_next_gives_way(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert _status(monkeypatch, capsys, 80) == (
        "2/4: Calf stretch | step 01:02 left | session 01:30 left [##........]  25%")


def test_at_100_columns_what_is_next_stays_with_a_shorter_bar(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert _status(monkeypatch, capsys, 100) == (
        "2/4: Calf stretch | next: Box breathing | step 01:02 left | session 01:30 left"
        " [##........]  25%")


def test_a_long_step_title_is_shortened_not_the_bar(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    status = _status(monkeypatch, capsys, 80, step="Seated hamstring stretch with a strap")
    assert status == ("2/4: Seated hamstri... | step 01:02 left | session 01:30 left"
                      " [##........]  25%")
    assert len(status) <= 79


def test_a_long_spoken_line_wraps_between_words_on_a_terminal(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    display = SessionDisplay(live=True)
    display.line("  Warm compress. Use a compress that feels comfortably warm, never hot.")
    assert capsys.readouterr().out == (
        CLEAR + "  Warm compress. Use a compress that\n"
        "  feels comfortably warm, never hot.\n")


def test_without_a_terminal_a_long_line_stays_one_line(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    display = SessionDisplay(live=False, stamp=lambda: "22:00:00")
    display.line("  Warm compress. Use a compress that feels comfortably warm, never hot.")
    assert capsys.readouterr().out == (
        "22:00:00   Warm compress. Use a compress that feels comfortably warm, never hot.\n")
