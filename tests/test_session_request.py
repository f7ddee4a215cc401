"""A session started from the library, without the command line: the entry point a
resident service or a web page uses, on a thread of its own."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

from crampcoach.player.clock import INTERRUPT, FakeClock
from crampcoach.player.events import SessionEnded, StepChanged
from crampcoach.player.record import SessionRecord
from crampcoach.routines.loader import load_routine
from crampcoach.session import (
    RatingRequest,
    SessionJournal,
    SessionRequest,
    SessionSound,
    prepare_session,
)
from crampcoach.settings import Settings
from support.fakes import FakeCueSounds, FakeSpeech, RecordingSink
from support.player import TINY, Events, Recorder

NOON = datetime(2026, 1, 5, 12, 0)


def _request(tmp_path: Path, clock: FakeClock, sink: RecordingSink,
             recorder: Recorder) -> SessionRequest:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    speech = FakeSpeech()
    sound = SessionSound(sounds=FakeCueSounds(speech), sink_factory=lambda: sink,
                         meter=speech, close=lambda: None)
    return SessionRequest(routine=load_routine(str(path)), settings=Settings(), clock=clock,
                          starts_at=NOON, sound=lambda volume, gain: sound,
                          journal=SessionJournal(recorder),
                          rating=RatingRequest(ask=False))


def _play_on_a_thread(tmp_path: Path, clock: FakeClock, push: str | None = None,
                      ) -> tuple[SessionRecord | None, Events, Recorder, RecordingSink]:
    sink, recorder, events = RecordingSink(clock), Recorder(), Events()
    result: list[SessionRecord] = []
    session = prepare_session(_request(tmp_path, clock, sink, recorder))
    if push is not None:
        session.push(push)
    thread = threading.Thread(target=lambda: result.append(session.play(events)))
    thread.start()
    thread.join(timeout=30)
    session.close()
    return (result[0] if result else None), events, recorder, sink


def test_a_session_plays_from_a_request_off_the_main_thread(tmp_path: Path) -> None:
    record, events, recorder, sink = _play_on_a_thread(tmp_path, FakeClock())
    assert record is not None
    assert record.outcome == "finished"
    assert [e.title for e in events.of(StepChanged)] == ["Opening", "Sit comfortably.",
                                                         "Closing"]
    assert [r.outcome for r in recorder.records] == ["finished"]
    assert sink.played  # the opening chime and the speech were heard


def test_a_pushed_interrupt_stops_it_and_it_is_still_recorded(tmp_path: Path) -> None:
    record, events, recorder, _ = _play_on_a_thread(tmp_path, FakeClock(), push=INTERRUPT)
    assert record is not None
    assert record.outcome == "interrupted"
    assert events.of(SessionEnded)[0].outcome == "interrupted"
    assert [r.outcome for r in recorder.records] == ["interrupted"]
