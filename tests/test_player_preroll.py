"""The pre-roll: quiet (played, not waited) or a soft chime before the first cue, before
the timing origin, so every cue moves by the pre-roll and no offset changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampcoach.audio.base import SAMPLE_RATE
from crampcoach.player.session import PREROLL_CHIME_S
from support.wiring import wired_play

TWO_STEPS = ("name: Tiny\nsteps:\n  - say: Sit comfortably.\n  - rest: 3\n"
             "  - say: Breathe out slowly.\n")


def test_seconds_of_quiet_come_first_and_every_cue_moves_by_them(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain = wired_play(monkeypatch, tmp_path, ["--no-rating"], config="preroll: 0\n",
                       routine_text=TWO_STEPS)
    rolled = wired_play(monkeypatch, tmp_path, ["--no-rating"], config="preroll: 2\n",
                        routine_text=TWO_STEPS)
    assert rolled.result.exit_code == 0, rolled.result.output
    first_at, first = rolled.sink.played[0]
    assert first_at == 0.0
    assert first.frames == 2 * SAMPLE_RATE
    assert set(first.pcm) == {0}
    # The rest is the session without a pre-roll, two seconds later, sound for sound.
    assert [c for _, c in rolled.sink.played[1:]] == [c for _, c in plain.sink.played]
    assert rolled.onsets[1:] == pytest.approx([t + 2.0 for t in plain.onsets], abs=1e-9)


def test_a_chime_preroll_is_soft_and_the_session_follows_it(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain = wired_play(monkeypatch, tmp_path, ["--no-rating"], config="preroll: 0\n")
    chimed = wired_play(monkeypatch, tmp_path, ["--no-rating"], config="preroll: chime\n")
    _, chime = chimed.sink.played[0]
    assert chime.frames == round(PREROLL_CHIME_S * SAMPLE_RATE)
    assert any(chime.pcm)
    assert chimed.onsets[1:] == pytest.approx(
        [t + PREROLL_CHIME_S for t in plain.onsets], abs=1e-9)


def test_no_preroll_without_sound(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = wired_play(monkeypatch, tmp_path, ["--no-rating", "--text-only"],
                     config="preroll: 5\n")
    plain = wired_play(monkeypatch, tmp_path, ["--no-rating", "--text-only"],
                       config="preroll: 0\n")
    assert run.result.exit_code == 0
    assert run.sink.played == []
    assert run.clock.now() == plain.clock.now()  # nothing waited for


def test_the_default_is_no_preroll_the_opening_chime_comes_first(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = wired_play(monkeypatch, tmp_path, ["--no-rating"], config="")
    at, first = run.sink.played[0]
    assert at == run.onsets[0]
    assert set(first.pcm) != {0}  # the chime itself, not silence
