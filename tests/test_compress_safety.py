"""A warm compress is safe whatever the controls do (issue 12): stop, quit, skip, Ctrl-C,
SIGTERM or a service's stop during the compress says and shows "Remove the compress now.";
a pause asks for it to come off and the resume for it to go back, so time under heat
stays within 30 s of the step's duration. (SIGTERM on a real process:
test_player_interrupts.py.)"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest

from crampcoach.phrases import ENGLISH
from crampcoach.player.clock import INTERRUPT, FakeClock
from crampcoach.player.deadlines import PHRASE_GAP_S
from crampcoach.player.events import (
    CueStarted,
    Resumed,
    SafetyNotice,
    SessionEnded,
    SessionEvent,
    Skipped,
)
from crampcoach.routines.compiler import compile_routine
from crampcoach.routines.loader import load_routine
from crampcoach.routines.model import Compress, Routine, Say
from crampcoach.routines.timeline import Cue, Timeline, Voice
from crampcoach.session import SessionJournal, SessionRequest, SessionSound, prepare_session
from crampcoach.settings import Settings
from support.controls import SpelledSpeech, played, said, spelled_session, starts_with
from support.fakes import FakeCueSounds, FakeSpeech, RecordingSink
from support.player import Events, FakeSession, Recorder
from support.wiring import wired_play

REMOVE = "Remove the compress now."
OFF = "Paused. Take the compress off while we wait."
BACK = "Put the compress back on now."
WARM = Routine(name="Warm", source="warm.yaml", steps=(
    Compress(name="Warm compress on the calf", duration_s=30, check_every_s=15, prepare_s=25),
    Say("Well done."),
))


def _plan() -> Timeline:
    return compile_routine(WARM, FakeSpeech(), Voice())


def _cue(role: str) -> Cue:
    return next(c for c in _plan().cues if c.step == 0 and c.role == role)


def _run(script: list[tuple[float, str]]) -> FakeSession:
    return spelled_session(script, routine=WARM)


def test_the_phrases_come_from_the_phrasebook() -> None:
    assert (ENGLISH.compress_remove_now, ENGLISH.paused_compress,
            ENGLISH.resume_compress) == (REMOVE, OFF, BACK)


# --- the pause: off, then back on ----------------------------------------------------------


def _heat_s(events: Events, sink: RecordingSink) -> float:
    """Seconds under heat for a person who does what the voice says: on when told to
    place it ("Place it now." at the end of the introduction) or put it back, off when
    told to take it off or remove it."""
    intro_end = next(e.actual + e.cue.length for e in events.of(CueStarted)
                     if e.cue.role == "intro" and e.cue.step == 0)
    changes = [(intro_end, True)]
    changes += [(t, False) for t in played(sink, OFF)]
    changes += [(t, True) for t in played(sink, BACK)]
    changes += [(t, False) for t in played(sink, REMOVE)]
    changes += [(e.actual, False) for e in events.of(CueStarted)
                if e.cue.role == "end" and e.cue.step == 0]
    heat, since = 0.0, None
    for t, on in sorted(changes):
        if on and since is None:
            since = t
        elif not on and since is not None:
            heat, since = heat + t - since, None
    assert since is None, "the compress was never asked off"
    return heat


def test_a_20_s_pause_in_a_30_s_compress_asks_it_off_and_back_on() -> None:
    start = _cue("start").at
    pause_at, resume_at = start + 10.0, start + 30.0
    session = _run([(pause_at, "space"), (resume_at, "space")])
    events, sink = session.events, session.sink
    assert played(sink, OFF) == [pause_at]
    assert played(sink, BACK) == [resume_at]
    # Then the get-ready, after the request to put it back.
    [(_, resumed)] = [(t, c) for t, c in sink.played if t == resume_at]
    assert starts_with(resumed, said(ENGLISH.get_ready), said(BACK).seconds + PHRASE_GAP_S)
    assert [e.text for e in events.of(SafetyNotice)] == [OFF, BACK]
    [resumed_event] = events.of(Resumed)
    assert resumed_event.get_ready_s >= said(BACK).seconds + said(ENGLISH.get_ready).seconds
    heat = _heat_s(events, sink)
    assert heat <= 30 + 30
    # Without the reminders the heat would have lasted the pause longer.
    end = next(e.actual for e in events.of(CueStarted) if e.cue.role == "end")
    intro = _cue("intro")
    assert end - intro.end >= 30 + 20
    assert heat < end - intro.end - 20 + 5


def test_a_pause_before_the_compress_is_placed_says_only_paused() -> None:
    intro = _cue("intro")
    session = _run([(intro.at + 1.0, "space"), (intro.at + 20.0, "space")])
    assert played(session.sink, "Paused.") == [intro.at + 1.0]
    assert played(session.sink, OFF) == []
    assert session.events.of(SafetyNotice) == []


# --- stop, quit, skip, Ctrl-C, a service's stop -----------------------------------------------


@pytest.mark.parametrize(("key", "outcome"), [("q", "stopped"), (INTERRUPT, "interrupted")])
def test_stopping_during_the_compress_says_and_shows_remove_it(key: str, outcome: str) -> None:
    at = _cue("start").at + 12.0
    session = _run([(at, key)])
    assert played(session.sink, REMOVE) == [at]
    assert session.events.of(SafetyNotice) == [SafetyNotice(REMOVE)]
    # Said to its end before the session closes the sound.
    assert session.clock.now() >= at + said(REMOVE).seconds
    [record] = session.recorder.records
    assert record.outcome == outcome


def test_stopping_while_paused_in_the_compress_says_remove_it_too() -> None:
    at = _cue("start").at + 5.0
    session = _run([(at, "space"), (at + 30, "q")])
    assert played(session.sink, REMOVE) == [at + 30]


def test_a_real_ctrl_c_during_the_compress_says_remove_it() -> None:
    at = _cue("checkin").at + 2.0

    class CtrlC(FakeClock):
        def wait_until(self, deadline: float) -> str | None:
            global_at = at
            if deadline >= global_at > self.now() and not getattr(self, "fired", False):
                self.advance(global_at - self.now())
                self.fired = True
                raise KeyboardInterrupt
            return super().wait_until(deadline)

    from crampcoach.player.session import RatingChoice, play_session
    from crampcoach.routines.compiler import iter_steps

    clock, speech, events, recorder = CtrlC(), SpelledSpeech(), Events(), Recorder()
    sink = RecordingSink(clock)
    record = play_session(WARM, iter_steps(WARM, speech, Voice()), voice=Voice(),
                          sounds=FakeCueSounds(speech), sink_factory=lambda: sink,
                          clock=clock, observer=events, recorder=recorder,
                          rating=RatingChoice(), input_live=lambda: True,
                          person_present=True, tick_s=None, prefetch_all=True)
    assert record.outcome == "interrupted"
    assert record.rating_after is None  # and no question asked
    assert played(sink, REMOVE) == [at]


def test_stopping_outside_the_compress_says_nothing_of_it() -> None:
    intro = _cue("intro")
    for at in (intro.at + 1.0, _cue("end").at + 0.5, _plan().steps[1].start + 0.2):
        session = _run([(at, "q")])
        assert played(session.sink, REMOVE) == [], at
        assert session.events.of(SafetyNotice) == []


def test_skipping_out_of_the_compress_says_remove_it_before_the_next_step() -> None:
    at = _cue("start").at + 3.0
    session = _run([(at, "n")])
    assert played(session.sink, REMOVE) == [at]
    assert session.events.of(Skipped)[0].to_title == "Well done."
    well_done = next(e for e in session.events.of(CueStarted) if e.cue.text == "Well done.")
    # The next step waits until "Remove the compress now." has been said.
    assert well_done.actual == pytest.approx(at + said(REMOVE).seconds + PHRASE_GAP_S)


def test_a_service_stop_through_the_library_says_remove_it(tmp_path: Path) -> None:
    path = tmp_path / "warm.yaml"
    path.write_text("name: Warm\nsteps:\n  - compress: Warm compress on the calf\n"
                    "    duration: 30s\n    prepare: 25s\n  - say: Well done.\n")
    clock, speech, recorder, events = FakeClock(), SpelledSpeech(), Recorder(), Events()
    sink = RecordingSink(clock)
    sound = SessionSound(sounds=FakeCueSounds(speech), sink_factory=lambda: sink,
                         meter=speech, close=lambda: None)
    session = prepare_session(SessionRequest(
        routine=load_routine(str(path)), settings=Settings(), clock=clock,
        starts_at=datetime(2026, 1, 5, 12, 0), sound=lambda volume, gain: sound,
        journal=SessionJournal(recorder)))

    def observer(event: SessionEvent) -> None:
        events(event)
        if isinstance(event, CueStarted) and event.cue.role == "start":
            session.push(INTERRUPT)  # what the bedside service's "stop" does

    done: list[object] = []
    thread = threading.Thread(target=lambda: done.append(session.play(observer)))
    thread.start()
    thread.join(timeout=30)
    session.close()
    assert done
    assert events.of(SafetyNotice) == [SafetyNotice(REMOVE)]
    assert len(played(sink, REMOVE)) == 1
    assert events.of(SessionEnded)[0].outcome == "interrupted"


def test_the_command_shows_remove_the_compress_now(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    text = ("name: Warm\nsteps:\n  - compress: Warm compress on the calf\n"
            "    duration: 30s\n    prepare: 25s\n")
    run = wired_play(monkeypatch, tmp_path, ["--no-rating"], [(40.0, "q")],
                     routine_text=text)
    assert run.result.exit_code == 0, run.result.output
    assert run.lines[-2:] == [REMOVE, "Stopped at step 1 of 1."]
    assert run.result.stdout.count(REMOVE) == 1


@pytest.mark.parametrize(("key", "outcome"), [("q", "stopped"), (INTERRUPT, "interrupted")])
def test_stopping_after_place_it_now_and_before_compress_on_says_remove_it(
        key: str, outcome: str) -> None:
    # The introduction ends with "Place it now."; "Compress on." comes when the window ends.
    intro, start = _cue("intro"), _cue("start")
    assert intro.text.endswith("Place it now.")
    for at in (intro.end + 0.01, (intro.end + start.at) / 2, start.at - 0.01):
        session = _run([(at, key)])
        assert played(session.sink, REMOVE) == [at], at
        assert session.recorder.records[0].outcome == outcome
