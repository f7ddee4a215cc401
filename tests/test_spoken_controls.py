"""Every control answers aloud (issue 12): "Paused." is heard on a pause, "Carrying on in
three, two, one." on the resume, and the instruction the pause cut off is said again
before the session goes on; the timeline moves by exactly what was inserted."""

from __future__ import annotations

import pytest

from crampcoach.audio.mix import frame_at, mix
from crampcoach.phrases import ENGLISH
from crampcoach.player.deadlines import GET_READY_S, PHRASE_GAP_S
from crampcoach.player.events import Paused, Repeated, Resumed
from support.controls import said as _said
from support.controls import spelled_session as _run
from support.player import beats, run_session, timeline


def test_a_pause_is_heard_and_so_is_carrying_on() -> None:
    pause_at, resume_at = 20.25, 40.0  # in the quiet of a hold: nothing cut off
    session = _run([(pause_at, "space"), (resume_at, "space")])
    played = dict(session.sink.played)
    assert played[pause_at] == _said(ENGLISH.paused)
    assert played[resume_at] == _said(ENGLISH.get_ready)
    assert ENGLISH.paused == "Paused."
    assert ENGLISH.get_ready.startswith("Carrying on")
    assert session.events.of(Repeated) == []


def test_the_instruction_cut_off_by_a_pause_is_said_again_on_resume() -> None:
    tl = timeline()
    intro = next(c for c in tl.cues if c.role == "intro")
    pause_at, resume_at = intro.at + 1.0, intro.at + 30.0
    session = _run([(pause_at, "space"), (resume_at, "space")])
    played = dict(session.sink.played)
    # On resume: the get-ready, then (after its 3 s) the whole introduction again.
    assert played[resume_at] == mix([(0, _said(ENGLISH.get_ready)),
                                     (frame_at(GET_READY_S), _said(intro.text))])
    assert session.events.of(Repeated) == [Repeated(intro.text)]
    inserted = GET_READY_S + _said(intro.text).seconds + PHRASE_GAP_S
    paused_s = resume_at - pause_at + inserted
    assert session.events.of(Resumed) == [Resumed(pause_at, paused_s, GET_READY_S)]
    assert session.events.of(Paused) == [Paused(pause_at)]
    # Every later cue moves by the pause and what was said again, no more.
    later = [t for t in session.onsets if t > resume_at]
    assert later == pytest.approx([t + paused_s for t in beats(tl) if t > pause_at], abs=1e-9)


def test_counts_and_breathing_words_are_not_said_again() -> None:
    tl = timeline()
    word = next(c for c in tl.cues if c.role == "phase" and c.kind == "speech")
    pause_at = word.at + 0.1
    session = _run([(pause_at, "space"), (pause_at + 10, "space")])
    assert session.events.of(Repeated) == []
    [resumed] = session.events.of(Resumed)
    assert resumed.paused_s == pytest.approx(10 + GET_READY_S)


def test_the_button_pauses_aloud_too() -> None:
    session = _run([(20.25, "button"), (30.0, "button")])
    played = dict(session.sink.played)
    assert played[20.25] == _said(ENGLISH.paused)
    assert played[30.0] == _said(ENGLISH.get_ready)


def test_a_pause_with_text_only_is_shown_and_never_fails() -> None:
    session = run_session([(20.25, "space"), (30.0, "space")], text_only=True)
    assert session.sink.played == []
    assert session.events.of(Paused) == [Paused(20.25)]
    assert len(session.events.of(Resumed)) == 1
