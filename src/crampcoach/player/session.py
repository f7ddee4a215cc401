"""A whole session: the optional rating before, the timed part, the rating after,
the advice a rating calls for, and the record of it all (kept even when stopped).

:func:`play_session` puts together small parts, each with its inputs passed in: the
:class:`RatingFlow` (spoken, button or keys), the advisor, and the :class:`SessionLog`
that records. Starting a session from settings and a routine is
:mod:`crampcoach.session`'s job; this module plays what it is given.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from crampcoach.audio.base import SAMPLE_RATE, SAMPLE_WIDTH, Clip, CueSounds
from crampcoach.audio.mix import frame_at, mix
from crampcoach.audio.tones import LEVEL, WAKE_LEAD_S, tone, wake_tone
from crampcoach.care import Outcome, asks_rating_before
from crampcoach.inputs.keys import CONTROLS
from crampcoach.inputs.protocol import (
    NO_HANDS_FREE,
    ButtonInput,
    HandsFree,
    HandsFreeUnavailable,
    RatingSource,
    Speak,
    rating_as_keys,
    spoken_rating_understands,
)
from crampcoach.phrases import Phrasebook, phrasebook
from crampcoach.player.clock import BUTTON, INTERRUPT, Clock
from crampcoach.player.deadlines import Scheduler
from crampcoach.player.events import (
    HandsFreeFallback,
    Rated,
    RatingAsked,
    RatingMissing,
    RatingWhen,
    Said,
    SessionEnded,
    SessionEvent,
    SessionObserver,
    StepChanged,
    VoiceFallback,
)
from crampcoach.player.feed import LOOKAHEAD_S, CueFeed, Piece
from crampcoach.player.output import Output, SinkFactory
from crampcoach.player.rating import (
    RatingInterrupted,
    RatingPolicy,
    WorseningCheck,
    advice_for,
    advise,
    ask_rating,
    prompt,
    thanks,
)
from crampcoach.player.record import SessionRecord, SessionRecorder, SessionStart
from crampcoach.routines.compiler import next_title, wait_reminder
from crampcoach.routines.model import Compress, Routine, Wait
from crampcoach.routines.timeline import DEFAULT_ENGINE, Cue, Voice

#: Quiet between two phrases spoken one after the other outside the timeline.
_PHRASE_GAP_S = 0.4
#: A chime pre-roll: a soft chime, then quiet up to this length, before the first cue.
PREROLL_CHIME_S = 1.5
#: The pre-roll chime against the cue tones: it wakes the speaker, it is not a cue.
PREROLL_CHIME_GAIN = 0.5
#: How long a session waits for its opening words from an engine other than espeak-ng
#: before it starts (Piper loads its voice for seconds; espeak-ng takes milliseconds).
FIRST_WORDS_WAIT_S = 20.0


def preroll_sound(kind: Literal["quiet", "chime"], seconds: float,
                  tone_gain: float = 1.0, *, speaker_wake: bool = False) -> Clip | None:
    """What plays before the first cue so a sleeping speaker is awake for the first word.

    Quiet is played, not waited: a Bluetooth or USB speaker wakes on the stream, not on
    loud samples. With ``speaker_wake`` the quiet is the wake hum instead, at least
    :data:`~crampcoach.audio.tones.WAKE_LEAD_S` of it: many speakers and sound servers
    treat digital silence as no sound and stay asleep. None for no pre-roll.
    """
    if kind == "chime":
        chime = tone("chime", LEVEL * PREROLL_CHIME_GAIN * tone_gain)
        quiet = max(0, frame_at(PREROLL_CHIME_S) - chime.frames)
        if speaker_wake:
            return mix([(0, wake_tone(PREROLL_CHIME_S)), (0, chime)])
        return Clip(chime.pcm + bytes(SAMPLE_WIDTH * quiet))
    if speaker_wake:
        return wake_tone(max(seconds, WAKE_LEAD_S))
    frames = frame_at(seconds)
    return Clip(bytes(SAMPLE_WIDTH * frames)) if frames > 0 else None


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

    def cut_in(self, text: str) -> None:
        """Say ``text`` now, cutting short whatever is being said (the button's count
        answers each press as it comes, not after the question)."""
        if not self.output.sounding:
            return
        sound = self.feed.phrase(text, wait=True)
        if not isinstance(sound, Clip) or not sound.frames:
            return
        with self.lock:
            self.output.stop()
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


def _button_phrases(book: Phrasebook) -> tuple[str, ...]:
    """What the button makes the voice say, made ahead so a count is heard at once."""
    return (*book.numbers, *(book.button_count_confirmed.format(Word=word.capitalize())
                             for word in book.numbers))


@dataclass
class _VoiceNotes:
    """Why the chosen voice is not speaking: each reason shown as soon as it is known (on
    the session's thread) and said once when nothing else is being said."""

    notes: Callable[[], Sequence[str]]
    book: Phrasebook
    shown: int = 0
    said: bool = False

    def show(self, observer: SessionObserver) -> None:
        found = self.notes()
        for reason in found[self.shown:]:
            observer(VoiceFallback(self.book.voice_fallback, reason))
        self.shown = max(self.shown, len(found))

    def say(self, speak: _Voice, clock: Clock, output: Output) -> None:
        if self.shown and not self.said:
            self.said = True
            speak(self.book.voice_fallback)
            _let_finish(clock, output, keep_keys=True)


@dataclass
class _ShowingNotes:
    """Passes events on, showing any new voice note first."""

    observer: SessionObserver
    notes: _VoiceNotes

    def __call__(self, event: SessionEvent) -> None:
        self.notes.show(self.observer)
        self.observer(event)


def _wait_phrases(routine: Routine, voice: Voice, book: Phrasebook) -> tuple[str, ...]:
    """What the routine's wait steps may say outside the timeline (their reminders, how to
    say "ready", and the words as a wait ends), made ahead of need."""
    waits = [step for step in routine.steps if isinstance(step, Wait)]
    if not waits:
        return ()
    return (book.wait_resume, book.wait_hint, book.wait_hint_button, book.wait_hint_keys,
            book.wait_hint_none, *(wait_reminder(w, voice.language) for w in waits))


def wait_hint(book: Phrasebook, *, button: bool, keys: bool) -> str:
    """How to say "ready" after a wait's prompt, naming only the inputs connected."""
    if button:
        return book.wait_hint if keys else book.wait_hint_button
    return book.wait_hint_keys if keys else book.wait_hint_none


@dataclass
class _Notices:
    """Hands-free inputs that cannot be used: each said (and shown) once, when told."""

    observer: SessionObserver
    speak: _Voice
    clock: Clock
    output: Output
    book: Phrasebook
    untold: list[str] = field(default_factory=list)
    #: Whether the GPIO button answers the rating (then the fallback names it too).
    has_button: Callable[[], bool] = lambda: False

    def unavailable(self, error: HandsFreeUnavailable) -> None:
        fallback = (self.book.hands_free_fallback_button if self.has_button()
                    else self.book.hands_free_fallback)
        self.untold.append(f"{error} {fallback}")

    def tell(self) -> None:
        for text in self.untold:
            self.observer(HandsFreeFallback(text))
            self.speak(text)
        if self.untold:
            self.untold.clear()
            _let_finish(self.clock, self.output, keep_keys=True)


class RatingFlow:
    """Asks for a rating with whatever can answer: the spoken rating, the GPIO button
    (its presses arrive as keys), or the keys alone; says why when one cannot be used.

    ``input_live`` tells whether anyone can still answer with keys. ``gentle``: the
    question after is offered in its gentle form (a routine that ends towards rest).
    """

    def __init__(self, *, clock: Clock, observer: SessionObserver, speak: _Voice,
                 output: Output, notices: _Notices, policy: RatingPolicy,
                 hands_free: HandsFree, input_live: Callable[[], bool],
                 book: Phrasebook, gentle: bool = False) -> None:
        self._clock = clock
        self._book = book
        self._gentle = gentle
        self._observer = observer
        self._speak = speak
        self._output = output
        self._notices = notices
        self._policy = policy
        self._open_spoken = hands_free.spoken_rating
        self._input_live = input_live
        self.button: ButtonInput | None = None
        self._spoken: RatingSource | None = None
        self._spoken_unavailable = hands_free.spoken_rating is None
        notices.has_button = lambda: self.button is not None

    def can_answer(self) -> bool:
        return self._input_live() or self.button is not None or not self._spoken_unavailable

    def ask(self, when: RatingWhen) -> int | None:
        """The rating, or None when skipped or unanswered. Raises
        :class:`RatingInterrupted` on an interrupt key."""
        if self._spoken is None and not self._spoken_unavailable:
            self._open_spoken_rating()
        if self._spoken is not None:
            value = self._ask_aloud(self._spoken, when)
            if value is not _FELL_BACK:
                return value if isinstance(value, int) else None
        if self.button is None and not self._input_live():
            # Only reached when the spoken rating was to answer and could not.
            self._observer(RatingMissing(when, self._book.no_rating_no_keyboard))
            return None
        return self._ask_by_keys(when)

    def _say_and_wait(self, text: str) -> None:
        # The spoken rating records right after: the phrase must be over by then.
        self._observer(Said(text))
        self._speak(text)
        _let_finish(self._clock, self._output)

    def _open_spoken_rating(self) -> None:
        assert self._open_spoken is not None
        if not spoken_rating_understands(self._book.language):
            self._spoken_unavailable = True
            self._notices.unavailable(HandsFreeUnavailable(self._book.spoken_rating_language))
            self._notices.tell()
            return
        try:
            self._spoken = self._open_spoken(self._say_and_wait)
        except HandsFreeUnavailable as e:
            self._spoken_unavailable = True
            self._notices.unavailable(e)
            self._notices.tell()

    def _ask_aloud(self, spoken: RatingSource, when: RatingWhen) -> int | object | None:
        question = prompt(self._book, when, spoken=True, gentle=self._gentle)
        self._observer(RatingAsked(when, question))
        self._speak(question)
        _let_finish(self._clock, self._output)
        try:
            value = spoken.ask_rating(self._policy.timeout_s)
        except HandsFreeUnavailable as e:
            # A microphone that cannot be opened is found at the first recording.
            value = None
            self._notices.unavailable(e)
        except Exception as e:  # a recognizer fault must not end the session
            value = None
            self._notices.unavailable(
                HandsFreeUnavailable(f"The spoken rating failed ({e})."))
        if self._notices.untold:
            self._spoken, self._spoken_unavailable = None, True
            self._notices.tell()
            return _FELL_BACK
        if value is None:
            self._observer(RatingMissing(when, self._book.no_rating_not_confirmed))
            return None
        self._observer(Rated(when, value, thanks(value, self._book)))
        return value

    def _push_rating(self, value: int) -> None:
        for key in rating_as_keys(value):
            self._clock.push(key)

    def _ask_by_keys(self, when: RatingWhen) -> int | None:
        button = self.button
        question = None
        if button is not None:
            button.begin_rating(hint=False, on_rating=self._push_rating)
            # Short, in words for the inputs there are: each press is counted aloud at once.
            question = (self._book.button_or_keys_rating if self._input_live()
                        else self._book.button_rating)
        try:
            return ask_rating(when, self._clock, self._speak, self._observer, self._policy,
                              question=question, keys_only=button is None, book=self._book,
                              gentle=self._gentle, answer=self._speak.cut_in)
        finally:
            if button is not None:
                button.end_rating()


#: The spoken rating could not be used: the keys (or button) answer instead.
_FELL_BACK = object()


@dataclass
class _Advisor:
    """Gives the advice a rating calls for, at most once per session."""

    speak: _Voice
    observer: SessionObserver
    worsening: WorseningCheck | None
    red_flag_at: int
    book: Phrasebook
    advised: bool = False

    def consider(self, value: int | None) -> None:
        if value is None or self.advised:
            return
        text = advice_for(value, self.worsening, self.red_flag_at, self.book)
        if text is not None:
            self.advised = True
            advise(text, self.speak, self.observer)


@dataclass
class SessionLog:
    """What happened so far, as the record the journal keeps; sends it to the recorder
    once, even when the session is cut short by an error."""

    routine: Routine
    output: Output
    recorder: SessionRecorder | None
    wall: Callable[[], datetime]
    started_at: datetime
    rating_before: int | None = None
    rating_after: int | None = None
    outcome: Outcome = "stopped"
    step_reached: int | None = None
    elapsed: float = 0.0
    advised: bool = False
    _begun: bool = False
    _finished: bool = False

    def begin(self) -> None:
        if self.recorder is not None:
            self.recorder.started(SessionStart(self.routine.name, self.routine.source,
                                               self.started_at, len(self.routine.steps),
                                               self.rating_before))
            self._begun = True

    def watching(self, observer: SessionObserver) -> SessionObserver:
        """``observer``, also telling the recorder each step reached."""
        if self.recorder is None:
            return observer
        return _StepRecorder(observer, self.recorder)

    def record(self) -> SessionRecord:
        steps = self.routine.steps
        return SessionRecord(
            routine=self.routine.name, source=self.routine.source,
            started_at=self.started_at, ended_at=self.wall(), outcome=self.outcome,
            step_reached=self.step_reached,
            step_title=None if self.step_reached is None else steps[self.step_reached].title,
            steps=len(steps), elapsed_s=round(self.elapsed, 3),
            rating_before=self.rating_before, rating_after=self.rating_after,
            audio_note=self.output.fallback_reason, advised=self.advised,
        )

    def end(self) -> None:
        """The timed part is over: record how it ended now, before the rating after it,
        which may wait minutes (a process killed meanwhile still leaves the end)."""
        if self.recorder is not None and self._begun:
            self.recorder.ended(self.record())

    def finish(self) -> SessionRecord:
        record = self.record()
        if self.recorder is not None and self._begun and not self._finished:
            self._finished = True
            self.recorder.finished(record)
        return record


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
    hands_free: HandsFree = NO_HANDS_FREE,
    head_start_at: float | None = None,
    speaker_wake: bool = False,
    voice_notes: Callable[[], Sequence[str]] = lambda: (),
    on_voice: Callable[[Speak], None] | None = None,
) -> SessionRecord:
    """Run one session from the first sound to the record.

    ``sounds``/``sink_factory`` None: text only. ``input_live`` tells whether anyone can
    still answer with keys. An interrupt (Ctrl-C, SIGTERM, a service's stop) ends the
    session at once, without a rating question (``person_present`` no longer changes
    that). A real Ctrl-C during a rating is re-raised after recording.
    ``prefetch_all`` makes every sound before the first one plays (for tests with a fake
    clock, where time does not wait for the background thread).
    ``controls`` maps keys to pause/next/repeat/quit; ``preroll`` plays before anything
    else (see :func:`preroll_sound`); ``hands_free`` opens the GPIO button and the spoken
    rating. ``head_start_at``: the clock time at which the caller already started the first
    cue's sound through ``sink_factory``'s sink (a head start for the opening chime); it is
    the session's origin, so nothing may come before the timed part (no pre-roll, rating
    before or hands-free notice). ``on_voice`` receives, once, what speaks a phrase on the
    session's one output (from any thread), so a service can answer its controls aloud.
    ``speaker_wake`` fills long quiet stretches with a faint hum (the pre-roll is the
    caller's, see :func:`preroll_sound`).
    """
    book = phrasebook(voice.language)
    gentle = routine.gentle_ending
    after = prompt(book, "after", gentle=gentle)
    phrases: tuple[str, ...] = (*_wait_phrases(routine, voice, book), book.paused,
                                book.get_ready, after, book.rating_reminder,
                                book.rating_invalid, book.voice_fallback, book.pause_ended)
    if any(isinstance(step, Compress) for step in routine.steps):
        phrases = (book.compress_remove_now, book.paused_compress, book.resume_compress,
                   *phrases)
    if hands_free.button is not None:
        phrases = (*phrases, book.button_rating, book.button_or_keys_rating,
                   *_button_phrases(book))
    feed = CueFeed(pieces, sounds or SilentSounds(), voice, phrases=phrases,
                   lookahead_s=math.inf if prefetch_all else LOOKAHEAD_S)
    output = Output(sink_factory if sounds is not None else None, clock, observer)
    speak = _Voice(feed, output)
    if on_voice is not None:
        on_voice(speak)
    feed.start()
    if prefetch_all:
        feed.wait_idle()
    log = SessionLog(routine, output, recorder, wall, started_at=wall())
    notices = _Notices(observer, speak, clock, output, book)
    flow = RatingFlow(clock=clock, observer=observer, speak=speak, output=output,
                      notices=notices, policy=rating.policy, hands_free=hands_free,
                      input_live=input_live, book=book, gentle=gentle)
    advisor = _Advisor(speak, observer, worsening, rating.policy.red_flag_at, book)
    notes = _VoiceNotes(voice_notes, book)
    try:
        if hands_free.button is not None:
            try:
                # The button's words (its count) cut in rather than wait their turn.
                flow.button = hands_free.button(speak.cut_in)
            except HandsFreeUnavailable as e:
                notices.unavailable(e)
        _preroll(clock, output, preroll)
        if head_start_at is None:
            notes.show(observer)
            notes.say(speak, clock, output)
        notices.tell()
        asks_before = asks_rating_before(rating.before and rating.ask, routine.rescue)
        if asks_before and flow.can_answer():
            try:
                log.rating_before = flow.ask("before")
            except RatingInterrupted:
                raise KeyboardInterrupt from None
            advisor.consider(log.rating_before)
            _let_finish(clock, output)
        elif asks_before:
            # Asked for, but nobody could answer: said once, not silently dropped.
            observer(RatingMissing("before", book.no_rating_before_no_way))
        log.begin()
        if flow.button is not None:
            # From here (after any rating before) a press pauses and the next resumes.
            flow.button.start_session(lambda: clock.push(BUTTON))
        scheduler = Scheduler(feed, output, clock,
                              log.watching(_ShowingNotes(observer, notes)), len(routine.steps),
                              tick_s=tick_s, controls=controls, started_at=head_start_at,
                              opening_next=next_title(routine.steps, -1),
                              book=book, speaker_wake=speaker_wake,
                              first_words_wait_s=0.0 if voice.engine == DEFAULT_ENGINE
                              else FIRST_WORDS_WAIT_S,
                              wait_hint=lambda: wait_hint(book, button=flow.button is not None,
                                                          keys=input_live()))
        result = scheduler.run()
        log.outcome, log.step_reached, log.elapsed = (result.outcome, result.step_reached,
                                                      result.elapsed)
        if result.compress_on:
            # Whatever ended it (stop, Ctrl-C, SIGTERM, a service's stop): the compress
            # comes off, and the session waits for that to be said (a second Ctrl-C cuts).
            scheduler.remove_compress()
            _let_finish(clock, output)
        notes.show(observer)
        observer(SessionEnded(log.outcome, log.step_reached, log.elapsed))
        notes.say(speak, clock, output)
        if rating.given is not None:
            log.rating_after = rating.given
        log.end()
        if rating.given is None and rating.ask and flow.can_answer() and (
                log.outcome != "interrupted") and not result.abandoned:
            with contextlib.suppress(RatingInterrupted):
                log.rating_after = flow.ask("after")
        advisor.consider(log.rating_after)
        log.advised = advisor.advised
        _let_finish(clock, output)
        return log.finish()
    finally:
        try:
            # Stopped by an error or a second Ctrl-C: what happened is still recorded.
            log.advised = advisor.advised
            log.finish()
        finally:
            if flow.button is not None:
                with contextlib.suppress(Exception):
                    # A pin that cannot be released is no reason to lose the session.
                    flow.button.close()
            output.close()
            feed.close()
