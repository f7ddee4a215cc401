"""A step whose speech is not made by the time it is due: the rest of the session moves
by exactly the delay, and the session says so (never a silent change of timing)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from crampcoach.player.clock import FakeClock
from crampcoach.player.deadlines import Scheduler
from crampcoach.player.events import CueStarted, SpeechLate
from crampcoach.player.feed import CueFeed, Piece
from crampcoach.player.output import Output
from crampcoach.routines.compiler import iter_steps
from crampcoach.terminal import SessionDisplay
from support.fakes import FakeCueSounds, FakeSpeech, RecordingSink
from support.player import ROUTINE, VOICE, Events, timeline

DELAY_S = 2.5


class _WatchedFeed(CueFeed):
    """Tells when the scheduler first asks whether a part is compiled."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.asked: dict[int, threading.Event] = {}

    def compiled(self, number: int) -> bool:
        ready = super().compiled(number)
        self.asked.setdefault(number, threading.Event()).set()
        return ready


def test_a_step_made_late_moves_the_rest_by_its_delay_and_says_so() -> None:
    clock = FakeClock()
    speech = FakeSpeech()
    pieces = list(iter_steps(ROUTINE, speech, VOICE))
    slow = 2  # the second step: its synthesis takes DELAY_S past its start
    feed_box: list[_WatchedFeed] = []

    def made() -> Iterator[Piece]:
        for number, piece in enumerate(pieces):
            if number == slow:
                feed = feed_box[0]
                asked = feed.asked.setdefault(number, threading.Event())
                assert asked.wait(10)
                span = piece[0]
                assert span is not None
                # The scheduler now waits for it; synthesis ends DELAY_S after its start.
                clock.advance(max(0.0, span.start - clock.now()) + DELAY_S)
            yield piece

    feed = _WatchedFeed(made(), FakeCueSounds(speech), VOICE)
    feed_box.append(feed)
    sink = RecordingSink(clock)
    events = Events()
    feed.start()
    Scheduler(feed, Output(lambda: sink, clock, events), clock, events, len(ROUTINE.steps),
              tick_s=None).run()
    feed.close()

    late = events.of(SpeechLate)
    span = pieces[slow][0]
    assert span is not None
    assert [(e.title, e.at) for e in late] == [(span.title, span.start)]
    assert abs(late[0].seconds - DELAY_S) < 1e-6
    planned = {cue: cue.at for cue in timeline().cues}
    for event in events.of(CueStarted):
        moved = DELAY_S if event.cue.at >= span.start else 0.0
        assert abs(event.planned - (planned[event.cue] + moved)) < 1e-6


def test_the_screen_says_how_much_later_everything_is(
        capsys: pytest.CaptureFixture[str]) -> None:
    display = SessionDisplay(live=False, stamp=lambda: "03:00:00")
    display(SpeechLate("Calf stretch", 14.0, 0.4321))
    assert capsys.readouterr().out == (
        "03:00:00 The speech for Calf stretch was not ready in time: from here "
        "everything is 0.43 seconds later than planned.\n")
