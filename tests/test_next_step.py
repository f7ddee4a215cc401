"""What comes next is said and shown the same: rests are skipped, a 'say' is not announced."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.wiring import wired_play

STRETCH_REST_BREATHE = """\
name: Tiny
steps:
  - stretch: Calf stretch
    cue: Draw your toes toward you.
    hold: 5
    prepare: 8
  - rest: 3
  - breathe: Slow breathing
    pattern: {in: 4, out: 6}
    cycles: 1
    prepare: 12
"""


def test_the_screen_shows_as_next_what_the_voice_announces(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = wired_play(monkeypatch, tmp_path, ["--no-rating", "--text-only"],
                     routine_text=STRETCH_REST_BREATHE)
    assert run.result.exit_code == 0, run.result.output
    assert "  And release. Next up: Slow breathing." in run.lines
    assert "Step 1 of 3: Calf stretch (next: Slow breathing)" in run.lines
    assert "Step 2 of 3: Rest (next: Slow breathing)" in run.lines
    assert "Step 3 of 3: Slow breathing" in run.lines


def test_nothing_is_shown_as_next_when_only_a_rest_follows(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    text = STRETCH_REST_BREATHE.split("  - breathe:")[0]
    run = wired_play(monkeypatch, tmp_path, ["--no-rating", "--text-only"], routine_text=text)
    assert run.result.exit_code == 0, run.result.output
    assert "  And release." in run.lines
    assert "Step 1 of 2: Calf stretch" in run.lines
