"""A whole session: the optional rating before, the timed part, the rating after,
the advice a rating calls for, and the record of it all (kept even when stopped)."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from crampcoach.audio.base import SAMPLE_RATE, Clip, CueSounds
from crampcoach.audio.mix import mix
from crampcoach.player.clock import INTERRUPT, Clock
from crampcoach.player.events import (
    Outcome,
    SessionEnded,
    SessionEvent,
    SessionObserver,
    StepChanged,
)
from crampcoach.player.feed import LOOKAHEAD_S, CueFeed, Piece
from crampcoach.player.output import Output, SinkFactory
from crampcoach.player.rating import (
    INVALID,
    PROMPTS,
    REMINDER,
    RatingInterrupted,
    RatingPolicy,
    WorseningCheck,
    advice_for,
    advise,
    ask_rating,
)
from crampcoach.player.scheduler import GET_READY_TEXT, Scheduler
from crampcoach.routines.model import Routine
from crampcoach.routines.timeline import Cue, Voice

#: Quiet between two phrases spoken one after the other outside the timeline.
_PHRASE_GAP_S = 0.4


@dataclass(frozen=True, slots=True)
class SessionStart:
    routine: str
    source: str
    started_at: datetime
    steps: int
    rating_before: int | None


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """What the journal keeps of one session, finished or stopped."""

    routine: str
    source: str
    started_at: datetime
    ended_at: datetime
    outcome: Outcome  # "interrupted": Ctrl-C or SIGTERM (the journal may call it stopped)
    step_reached: int | None  # index of the last step begun; None if stopped in the opening
    step_title: str | None
    steps: int
    elapsed_s: float  # seconds of the session played, pauses excluded
    rating_before: int | None
    rating_after: int | None
    audio_note: str | None  # why the session went on in text, if it did
    advised: bool  # the advice to talk to the neurologist was given


class SessionRecorder(Protocol):
    """Where sessions are recorded (the journal). ``started`` comes before the first cue
    and ``reached`` at each step, so that a session cut short by a power cut still shows
    how far it got; ``finished`` always follows unless the process dies."""

    def started(self, start: SessionStart) -> None: ...

    def reached(self, step_index: int, step_title: str) -> None: ...

    def finished(self, record: SessionRecord) -> None: ...


@dataclass(frozen=True, slots=True)
class RatingChoice:
    """``given``: --rating N; ``ask`` False: --no-rating; ``before``: --rate-before."""

    given: int | None = None
    ask: bool = True
    before: bool = False
    policy: RatingPolicy = field(default_factory=RatingPolicy)


class SilentSounds:
    """Cue sounds for text only: every cue is an empty sound, made at once."""

    def clip_for(self, cue: Cue, voice: Voice) -> Clip:
        return Clip(b"")


@dataclass
class _Voice:
    """Speaks phrases outside the timeline, one after another, without blocking."""

    feed: CueFeed
    output: Output

    def __call__(self, text: str) -> None:
        if not self.output.sounding:
            return
        sound = self.feed.phrase(text, wait=True)
        if not isinstance(sound, Clip) or not sound.frames:
            return
        busy = self.output.busy_for()
        if busy > 0:
            # Start after what is still being said rather than over it.
            sound = mix([(round((busy + _PHRASE_GAP_S) * SAMPLE_RATE), sound)])
        self.output.play(sound)


@dataclass
class _StepRecorder:
    """Passes events on, and tells the recorder each step reached as it begins."""

    observer: SessionObserver
    recorder: SessionRecorder

    def __call__(self, event: SessionEvent) -> None:
        if isinstance(event, StepChanged) and event.index is not None:
            self.recorder.reached(event.index, event.title)
        self.observer(event)


def _let_finish(clock: Clock, output: Output) -> None:
    """Let the last phrase be heard before the sound is closed; only an interrupt cuts it."""
    deadline = clock.now() + output.busy_for()
    while (key := clock.wait_until(deadline)) is not None:
        if key == INTERRUPT:
            return


def play_session(
    routine: Routine,
    pieces: Iterable[Piece],
    *,
    voice: Voice,
    sounds: CueSounds | None,
    sink_factory: SinkFactory | None,
    clock: Clock,
    observer: SessionObserver,
    recorder: SessionRecorder | None = None,
    rating: RatingChoice = RatingChoice(),
    input_live: Callable[[], bool] = lambda: False,
    person_present: bool = False,
    worsening: WorseningCheck | None = None,
    tick_s: float | None = 1.0,
    prefetch_all: bool = False,
    wall: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> SessionRecord:
    """Run one session from the first sound to the record.

    ``sounds``/``sink_factory`` None: text only. ``input_live`` tells whether anyone can
    still answer with keys; ``person_present`` (a terminal) allows asking for a rating
    after an interrupt too. A real Ctrl-C during a rating is re-raised after recording.
    ``prefetch_all`` makes every sound before the first one plays (for tests with a fake
    clock, where time does not wait for the background thread).
    """
    feed = CueFeed(pieces, sounds or SilentSounds(), voice,
                   phrases=(GET_READY_TEXT, PROMPTS["after"], REMINDER, INVALID),
                   lookahead_s=math.inf if prefetch_all else LOOKAHEAD_S)
    output = Output(sink_factory if sounds is not None else None, clock, observer)
    speak = _Voice(feed, output)
    feed.start()
    if prefetch_all:
        feed.wait_idle()
    # A "say" step is not announced as "next": it is heard in full a moment later.
    titles: list[str | None] = [None if step.kind == "say" else step.title
                                for step in routine.steps]
    started_at = wall()
    rating_before: int | None = None
    rating_after: int | None = None
    outcome: Outcome = "stopped"
    step_reached: int | None = None
    elapsed = 0.0
    advised = False
    begun = recorded = False

    def record() -> SessionRecord:
        return SessionRecord(
            routine=routine.name, source=routine.source, started_at=started_at,
            ended_at=wall(), outcome=outcome, step_reached=step_reached,
            step_title=None if step_reached is None else routine.steps[step_reached].title,
            steps=len(titles),
            elapsed_s=round(elapsed, 3), rating_before=rating_before,
            rating_after=rating_after, audio_note=output.fallback_reason, advised=advised,
        )

    def consider(value: int | None) -> None:
        nonlocal advised
        if value is None or advised:
            return
        text = advice_for(value, worsening)
        if text is not None:
            advised = True
            advise(text, speak, observer)

    try:
        if rating.before and rating.ask and input_live():
            try:
                rating_before = ask_rating("before", clock, speak, observer, rating.policy)
            except RatingInterrupted:
                raise KeyboardInterrupt from None
            consider(rating_before)
            _let_finish(clock, output)
        if recorder is not None:
            recorder.started(SessionStart(routine.name, routine.source, started_at,
                                          len(titles), rating_before))
            begun = True
        watcher = observer
        if recorder is not None:
            watcher = _StepRecorder(observer, recorder)
        scheduler = Scheduler(feed, output, clock, watcher, titles, tick_s=tick_s)
        result = scheduler.run()
        outcome, step_reached, elapsed = result.outcome, result.step_reached, result.elapsed
        observer(SessionEnded(outcome, step_reached, elapsed))
        if rating.given is not None:
            rating_after = rating.given
        elif rating.ask and input_live() and (outcome != "interrupted" or person_present):
            with contextlib.suppress(RatingInterrupted):
                rating_after = ask_rating("after", clock, speak, observer, rating.policy)
        consider(rating_after)
        _let_finish(clock, output)
        if recorder is not None:
            recorded = True
            recorder.finished(record())
        return record()
    finally:
        try:
            # Stopped by an error or a second Ctrl-C: what happened is still recorded.
            if recorder is not None and begun and not recorded:
                recorder.finished(record())
        finally:
            output.close()
            feed.close()
