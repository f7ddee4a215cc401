"""A whole session: the optional rating before, the timed part, the rating after,
the advice a rating calls for, and the record of it all (kept even when stopped)."""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, Protocol

from crampcoach.audio.base import SAMPLE_RATE, SAMPLE_WIDTH, Clip, CueSounds
from crampcoach.audio.mix import frame_at, mix
from crampcoach.audio.tones import LEVEL, tone
from crampcoach.handsfree import (
    FALLBACK,
    RATING_WORDS,
    HandsFreeUnavailable,
    RatingSource,
    Speak,
    rating_as_keys,
)
from crampcoach.player.button import RATING_HINT
from crampcoach.player.clock import BUTTON, INTERRUPT, Clock
from crampcoach.player.events import (
    HandsFreeFallback,
    Outcome,
    Rated,
    RatingAsked,
    RatingMissing,
    RatingWhen,
    Said,
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
    SPOKEN_PROMPTS,
    RatingInterrupted,
    RatingPolicy,
    WorseningCheck,
    advice_for,
    advise,
    ask_rating,
    thanks,
)
from crampcoach.player.scheduler import CONTROLS, GET_READY_TEXT, Scheduler
from crampcoach.routines.model import Routine
from crampcoach.routines.timeline import Cue, Voice

#: Quiet between two phrases spoken one after the other outside the timeline.
_PHRASE_GAP_S = 0.4
#: Why a rating before the session was asked for and not asked.
NO_WAY_TO_RATE_BEFORE = ("the question before the session needs a keyboard, the button or "
                         "the spoken rating")
#: A chime pre-roll: a soft chime, then quiet up to this length, before the first cue.
PREROLL_CHIME_S = 1.5
#: The pre-roll chime against the cue tones: it wakes the speaker, it is not a cue.
PREROLL_CHIME_GAIN = 0.5


def preroll_sound(kind: Literal["quiet", "chime"], seconds: float,
                  tone_gain: float = 1.0) -> Clip | None:
    """What plays before the first cue so a sleeping speaker is awake for the first word.

    Quiet is played, not waited: a Bluetooth or USB speaker wakes on the stream, not on
    loud samples. None for no pre-roll.
    """
    if kind == "chime":
        chime = tone("chime", LEVEL * PREROLL_CHIME_GAIN * tone_gain)
        quiet = max(0, frame_at(PREROLL_CHIME_S) - chime.frames)
        return Clip(chime.pcm + bytes(SAMPLE_WIDTH * quiet))
    frames = frame_at(seconds)
    return Clip(bytes(SAMPLE_WIDTH * frames)) if frames > 0 else None


class ButtonInput(Protocol):
    """The GPIO button as the session uses it (:class:`~crampcoach.player.button.BedsideButton`)."""

    def start_session(self, on_press: Callable[[], None]) -> None: ...

    def begin_rating(self, *, hint: bool = True,
                     on_rating: Callable[[int], None] | None = None) -> None: ...

    def end_rating(self) -> int | None: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class HandsFree:
    """How to open the hands-free inputs a session uses, given the session's voice.

    Each opener raises :class:`~crampcoach.handsfree.HandsFreeUnavailable` when its extra
    or hardware is missing; the session then says why, once, and goes on with the keys.
    The button is opened at the start (it pauses); the spoken rating when it is needed.
    """

    button: Callable[[Speak], ButtonInput] | None = None
    spoken_rating: Callable[[Speak], RatingSource] | None = None


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
    how far it got; ``ended`` as soon as the timed part is over (before the rating after
    it, which may wait minutes); ``finished`` always follows unless the process dies."""

    def started(self, start: SessionStart) -> None: ...

    def reached(self, step_index: int, step_title: str) -> None: ...

    def ended(self, record: SessionRecord) -> None: ...

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
    """Speaks phrases outside the timeline, one after another, without blocking.

    The GPIO button speaks its count from gpiozero's thread while the session's thread
    may be speaking too: one phrase at a time goes to the output.
    """

    feed: CueFeed
    output: Output
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, text: str) -> None:
        if not self.output.sounding:
            return
        sound = self.feed.phrase(text, wait=True)
        if not isinstance(sound, Clip) or not sound.frames:
            return
        with self.lock:
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


def _let_finish(clock: Clock, output: Output, *, keep_keys: bool = False) -> None:
    """Let the last phrase be heard before the sound is closed; only an interrupt cuts it.

    ``keep_keys``: keys pressed meanwhile are handed on to what comes next (a rating
    typed while a note is still being said is not lost).
    """
    deadline = clock.now() + output.busy_for()
    held: list[str] = []
    while (key := clock.wait_until(deadline)) is not None:
        if key == INTERRUPT:
            held.clear()
            if keep_keys:
                clock.push(key)
            return
        held.append(key)
    if keep_keys:
        for key in held:
            clock.push(key)


def _preroll(clock: Clock, output: Output, sound: Clip | None) -> None:
    """Play the pre-roll and wait for its end; keys pressed meanwhile are kept for later."""
    if sound is None or not output.sounding or not output.play(sound):
        return
    end = clock.now() + sound.seconds
    held: list[str] = []
    while (key := clock.wait_until(end)) is not None:
        if key == INTERRUPT:
            raise KeyboardInterrupt
        held.append(key)
    for key in held:
        clock.push(key)


def _button_phrases() -> tuple[str, ...]:
    """What the button makes the voice say, made ahead so a count is heard at once."""
    return (*RATING_WORDS, *(f"{word.capitalize()}. Thank you." for word in RATING_WORDS))


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
    controls: Mapping[str, str] = CONTROLS,
    preroll: Clip | None = None,
    hands_free: HandsFree = HandsFree(),
    head_start_at: float | None = None,
) -> SessionRecord:
    """Run one session from the first sound to the record.

    ``sounds``/``sink_factory`` None: text only. ``input_live`` tells whether anyone can
    still answer with keys; ``person_present`` (a terminal) allows asking for a rating
    after an interrupt too. A real Ctrl-C during a rating is re-raised after recording.
    ``prefetch_all`` makes every sound before the first one plays (for tests with a fake
    clock, where time does not wait for the background thread).
    ``controls`` maps keys to pause/next/repeat/quit; ``preroll`` plays before anything
    else (see :func:`preroll_sound`); ``hands_free`` opens the GPIO button and the spoken
    rating. ``head_start_at``: the clock time at which the caller already started the first
    cue's sound through ``sink_factory``'s sink (a head start for the opening chime); it is
    the session's origin, so nothing may come before the timed part (no pre-roll, rating
    before or hands-free notice).
    """
    phrases: tuple[str, ...] = (GET_READY_TEXT, PROMPTS["after"], REMINDER, INVALID)
    if hands_free.button is not None:
        phrases = (*phrases, f"{PROMPTS['after']} {RATING_HINT}", *_button_phrases())
    feed = CueFeed(pieces, sounds or SilentSounds(), voice, phrases=phrases,
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
    button: ButtonInput | None = None
    spoken: RatingSource | None = None
    spoken_unavailable = hands_free.spoken_rating is None
    untold: list[str] = []

    def unavailable(error: HandsFreeUnavailable) -> None:
        untold.append(f"{error} {FALLBACK}")

    def tell_unavailable() -> None:
        for text in untold:
            observer(HandsFreeFallback(text))
            speak(text)
        if untold:
            untold.clear()
            _let_finish(clock, output, keep_keys=True)

    def say_and_wait(text: str) -> None:
        # The spoken rating records right after: the phrase must be over by then.
        observer(Said(text))
        speak(text)
        _let_finish(clock, output)

    def can_answer() -> bool:
        return input_live() or button is not None or not spoken_unavailable

    def push_rating(value: int) -> None:
        for key in rating_as_keys(value):
            clock.push(key)

    def rate(when: RatingWhen) -> int | None:
        nonlocal spoken, spoken_unavailable
        if spoken is None and not spoken_unavailable:
            assert hands_free.spoken_rating is not None
            try:
                spoken = hands_free.spoken_rating(say_and_wait)
            except HandsFreeUnavailable as e:
                spoken_unavailable = True
                unavailable(e)
                tell_unavailable()
        if spoken is not None:
            question = SPOKEN_PROMPTS[when]
            observer(RatingAsked(when, question))
            speak(question)
            _let_finish(clock, output)
            try:
                value = spoken.ask_rating(rating.policy.timeout_s)
            except HandsFreeUnavailable as e:
                # A microphone that cannot be opened is found at the first recording.
                value = None
                unavailable(e)
            except Exception as e:  # a recognizer fault must not end the session
                value = None
                unavailable(HandsFreeUnavailable(f"The spoken rating failed ({e})."))
            if untold:
                spoken, spoken_unavailable = None, True
                tell_unavailable()
            elif value is None:
                observer(RatingMissing(when, "no number was confirmed aloud"))
                return None
            else:
                observer(Rated(when, value, thanks(value)))
                return value
        if button is None and not input_live():
            # Only reached when the spoken rating was to answer and could not.
            observer(RatingMissing(when, "no keyboard to answer with"))
            return None
        if button is not None:
            button.begin_rating(hint=False, on_rating=push_rating)
        try:
            return ask_rating(when, clock, speak, observer, rating.policy,
                              hint=RATING_HINT if button is not None else None,
                              keys_only=button is None)
        finally:
            if button is not None:
                button.end_rating()

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
        text = advice_for(value, worsening, rating.policy.red_flag_at)
        if text is not None:
            advised = True
            advise(text, speak, observer)

    try:
        if hands_free.button is not None:
            try:
                button = hands_free.button(speak)
            except HandsFreeUnavailable as e:
                unavailable(e)
        _preroll(clock, output, preroll)
        tell_unavailable()
        if rating.before and rating.ask and can_answer():
            try:
                rating_before = rate("before")
            except RatingInterrupted:
                raise KeyboardInterrupt from None
            consider(rating_before)
            _let_finish(clock, output)
        elif rating.before and rating.ask:
            # Asked for, but nobody could answer: said once, not silently dropped.
            observer(RatingMissing("before", NO_WAY_TO_RATE_BEFORE))
        if recorder is not None:
            recorder.started(SessionStart(routine.name, routine.source, started_at,
                                          len(titles), rating_before))
            begun = True
        if button is not None:
            # From here (after any rating before) a press pauses and the next resumes.
            button.start_session(lambda: clock.push(BUTTON))
        watcher = observer
        if recorder is not None:
            watcher = _StepRecorder(observer, recorder)
        scheduler = Scheduler(feed, output, clock, watcher, titles, tick_s=tick_s,
                              controls=controls, started_at=head_start_at)
        result = scheduler.run()
        outcome, step_reached, elapsed = result.outcome, result.step_reached, result.elapsed
        observer(SessionEnded(outcome, step_reached, elapsed))
        if rating.given is not None:
            rating_after = rating.given
        if recorder is not None:
            recorder.ended(record())
        if (rating.given is None and rating.ask and can_answer()
                and (outcome != "interrupted" or person_present)):
            with contextlib.suppress(RatingInterrupted):
                rating_after = rate("after")
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
            if button is not None:
                with contextlib.suppress(Exception):
                    # A pin that cannot be released is no reason to lose the session.
                    button.close()
            output.close()
            feed.close()
