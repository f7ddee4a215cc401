"""What a person sees on a terminal: spoken lines above one live status line."""

from __future__ import annotations

import pytest

from crampcoach.cli import SessionDisplay
from crampcoach.player.events import CueStarted, Progress, SessionEnded, StepChanged
from crampcoach.routines.timeline import Cue

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
    status = ("2/4: Calf stretch | next: Box breathing | step 1:02 left | session 1:30 left"
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
