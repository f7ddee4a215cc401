"""The opening chime is started before the player's modules load (a head start), once,
and the session keeps its offsets from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crampcoach.routines.compiler import OPENING_SPEECH_AT, TONE_SECONDS
from crampcoach.routines.timeline import Cue, Voice
from support.fakes import FakeCueSounds, FakeSpeech
from support.player import play_cli

CHIME = Cue(at=0.0, kind="tone", text="start chime", step=0, role="opening",
            length=TONE_SECONDS["chime"], tone="chime")


def test_the_chime_plays_once_and_is_the_origin(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    import crampcoach.player.session as session_module

    heard_before_player: list[int] = []
    real_play_session = session_module.play_session

    def watched(*args: Any, **kwargs: Any) -> Any:
        heard_before_player.append(len(kwargs["sink_factory"]().played))
        return real_play_session(*args, **kwargs)

    monkeypatch.setattr(session_module, "play_session", watched)
    run = play_cli(monkeypatch, tmp_path, ["--no-rating"], [])
    assert run.result.exit_code == 0, run.result.output
    assert heard_before_player == [1]  # the chime was already playing
    chime = FakeCueSounds(FakeSpeech()).clip_for(CHIME, Voice())
    played = [clip for _, clip in run.sink.played]
    # The start chime once (not again by the scheduler), and the end chime.
    assert played.count(chime) == 2
    assert played[0] == chime
    assert played[-1] == chime
    times = [t for t, _ in run.sink.played]
    assert times[1] - times[0] == pytest.approx(OPENING_SPEECH_AT, abs=1e-9)


def test_no_head_start_when_a_rating_comes_first(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    run = play_cli(monkeypatch, tmp_path, ["--rate-before", "--rating", "2"], [(0.5, "3")])
    assert run.result.exit_code == 0, run.result.output
    chime = FakeCueSounds(FakeSpeech()).clip_for(CHIME, Voice())
    played = [clip for _, clip in run.sink.played]
    assert played.count(chime) == 2
    assert played[0] != chime  # the question before the session was heard first
