"""From a request to a session playing: the voice, the check before any sound, the head
start of the opening chime, then the player with everything it needs."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crampcoach.errors import CrampcoachError, RoutineError
from crampcoach.inputs.hands_free import hands_free_from
from crampcoach.inputs.protocol import HandsFree, Speak
from crampcoach.routines.timeline import DEFAULT_ENGINE, Voice
from crampcoach.session.voice import (
    decide_voice,
    engine_voice,
    routine_voice,
)

if TYPE_CHECKING:
    from crampcoach.player.clock import Clock
    from crampcoach.player.events import SessionObserver
    from crampcoach.player.feed import Piece
    from crampcoach.player.output import SinkFactory
    from crampcoach.player.record import SessionRecord
    from crampcoach.routines.model import Routine
    from crampcoach.session.request import SessionRequest
    from crampcoach.session.sound import SessionSound


def check_before_playing(routine: Routine, voice: Voice, sound: SessionSound | None) -> None:
    """Compile the whole routine before any sound, so one that does not fit stops here and
    not half-way. Lengths already in the speech cache are used, estimates for the rest; only
    if the estimate says a step overruns is the routine measured for real, to be sure."""
    from crampcoach.player.feed import FallbackMeter
    from crampcoach.routines.compiler import (
        EstimatedSpeechMeter,
        SessionTooLong,
        compile_routine,
    )

    estimate = EstimatedSpeechMeter()
    cached = (sound.quick_meter if sound is not None else None) or estimate
    try:
        compile_routine(routine, cached, voice)
    except RoutineError as e:
        # Too long even with estimates: never synthesize hours of speech to find out.
        if sound is None or isinstance(e, SessionTooLong):
            raise
        compile_routine(routine, FallbackMeter(sound.meter, estimate), voice)


def _head_start(pieces: Iterator[Piece], opening: Piece, sound: SessionSound, voice: Voice,
                clock: Clock, *, speaker_wake: bool = False,
                ) -> tuple[Iterator[Piece], float | None, SinkFactory]:
    """Start the opening chime now, before the player's modules are even imported, so the
    first sound comes as soon as the routine is known to be good. ``opening`` is the first
    piece compiled without synthesis (only its first cue, the chime at 0, is used: it does
    not depend on any phrase's length); ``pieces`` are the session's own, compiled from
    real lengths by the feed. Returns the pieces, the clock time the chime started (None
    if it could not), and the sink factory the session goes on with: the same sink, the
    one output stream. ``speaker_wake``: the wake hum plays first, and the chime right
    after it."""
    rest = pieces
    _, cues = opening
    if not cues or cues[0].at != 0 or cues[0].kind != "tone":
        return rest, None, sound.sink_factory
    if voice.engine != DEFAULT_ENGINE:
        # An engine that takes seconds to start (Piper loading its voice) would miss the
        # opening words on a cold cache: they are made first, the chime waits for them.
        with contextlib.suppress(CrampcoachError):
            for cue in cues:
                if cue.kind == "speech":
                    sound.sounds.clip_for(cue, voice)
                    break
    try:
        clip = sound.sounds.clip_for(cues[0], voice)
        lead = 0.0
        if speaker_wake:
            from crampcoach.audio.base import Clip
            from crampcoach.audio.tones import WAKE_LEAD_S, wake_tone

            hum = wake_tone(WAKE_LEAD_S)
            clip, lead = Clip(hum.pcm + clip.pcm), hum.seconds
        sink = sound.sink_factory()
        # Taken before the call, as the scheduler takes its deadlines: every later sound
        # then has the same time from call to stream as this one, and no offset creeps in.
        started = clock.now() + lead
        sink.play(clip)
    except CrampcoachError:
        # No sound here: the player finds the same fault and goes on in text, saying why.
        return rest, None, sound.sink_factory
    return rest, started, lambda: sink


@dataclass
class PreparedSession:
    """A session checked and ready (its opening chime may already be sounding).

    Call :meth:`play` once, then :meth:`close` (or use ``with``).
    """

    request: SessionRequest
    voice: Voice
    voice_note: str | None
    tone_gain: float
    night: bool
    #: What night mode does to this session, shown first (None by day).
    night_note: str | None
    sound: SessionSound | None
    hands_free: HandsFree
    _pieces: Iterator[Piece]
    _sink_factory: SinkFactory | None
    _head_start_at: float | None
    _speak: Speak | None = None

    def push(self, key: str) -> None:
        """Steer the session from any thread: a control key (pause, next, ...) or
        :data:`~crampcoach.player.clock.INTERRUPT` to stop it as interrupted."""
        self.request.clock.push(key)

    def say(self, text: str) -> bool:
        """Speak ``text`` on the session's output, after whatever it is saying (from any
        thread). False when the session is not playing, or plays in text only."""
        speak = self._speak
        if speak is None:
            return False
        speak(text)
        return True

    def _voice_ready(self, speak: Speak) -> None:
        self._speak = speak

    def play(self, observer: SessionObserver) -> SessionRecord:
        """Play the session to its record, sending every event to ``observer`` on this
        thread. A Ctrl-C (``KeyboardInterrupt``) during a rating is re-raised after the
        session is recorded."""
        # Imported after the first sound: the player's modules take ~0.1 s to import.
        from crampcoach.inputs.keys import controls_for
        from crampcoach.player import session as player
        from crampcoach.player.events import NightMode
        from crampcoach.player.rating import RatingPolicy

        request, settings = self.request, self.request.settings
        choice = player.RatingChoice(
            given=request.rating.given, ask=request.rating.ask,
            before=settings.rate_before if request.rating.before is None
            else request.rating.before,
            policy=RatingPolicy(timeout_s=settings.rating_timeout_s,
                                red_flag_at=settings.red_flag_threshold))
        # A head start has already played the pre-roll (the wake hum) and the chime.
        preroll = None if self.sound is None or self._head_start_at is not None else (
            player.preroll_sound(settings.preroll.kind, settings.preroll.seconds,
                                 self.tone_gain, speaker_wake=settings.speaker_wake))
        keys = request.inputs.keys
        if self.night_note is not None:
            observer(NightMode(self.night_note))
        try:
            return player.play_session(
                request.routine, self._pieces, voice=self.voice,
                sounds=self.sound.sounds if self.sound else None,
                sink_factory=self._sink_factory, clock=request.clock, observer=observer,
                recorder=request.journal.recorder, rating=choice,
                input_live=lambda: keys.live, person_present=keys.is_terminal,
                worsening=request.journal.worsening,
                controls=controls_for(settings.keys.controls()),
                preroll=preroll, hands_free=self.hands_free,
                head_start_at=self._head_start_at, on_voice=self._voice_ready,
                speaker_wake=settings.speaker_wake and self.sound is not None,
                voice_notes=self._voice_notes,
                # Virtual time (a test's clock) jumps to each deadline at once: no time
                # passes for the sounds made ahead, so every sound is made first.
                prefetch_all=getattr(request.clock, "virtual", False),
            )
        finally:
            # The session's output is closed: nothing more can be said through it.
            self._speak = None

    def _voice_notes(self) -> tuple[str, ...]:
        found = () if self.sound is None else tuple(self.sound.notes())
        return found if self.voice_note is None else (self.voice_note, *found)

    def close(self) -> None:
        """Stop the speech workers; the session's record is already written."""
        if self.sound is not None:
            self.sound.close()

    def __enter__(self) -> PreparedSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def prepare_session(request: SessionRequest) -> PreparedSession:
    """Decide the voice (night mode at ``starts_at``), make the sound, check the whole
    routine fits, and start the opening chime when nothing comes before it.

    Raises :class:`~crampcoach.errors.RoutineError` for a routine that does not fit,
    before any sound.
    """
    from crampcoach.player.feed import FallbackMeter
    from crampcoach.routines.compiler import EstimatedSpeechMeter, iter_steps
    from crampcoach.settings import effective_voice

    settings, routine = request.settings, request.routine
    # Decided once, at the start: the routine's voice (the settings' where it has none),
    # then night mode caps the rate and volume and softens the tones.
    effective = effective_voice(settings, request.starts_at, routine_voice(routine, settings))
    sound = None if request.sound is None else request.sound(effective.volume,
                                                             effective.tone_gain)
    try:
        # Night mode's slower rate if the routine fits at it (else the day rate), each
        # checked as the chosen engine speaks it.
        decided = decide_voice(
            routine, settings, request.starts_at,
            lambda chosen: check_before_playing(routine, engine_voice(chosen, settings)[0],
                                                sound))
        effective = decided.effective
        voice, voice_note = engine_voice(effective.voice, settings)
        # Real lengths only, as `plan` measures them: the feed compiles each step on its
        # background thread, synthesizing its phrases ahead of need, so the timeline
        # played is the one `plan` prints, on a cold speech cache as on a warm one. (The
        # estimate is used only for a phrase that cannot be synthesized at all; the
        # session then says the speech failed.)
        estimate = EstimatedSpeechMeter()
        meter = sound.meter if sound is not None else estimate
        pieces: Iterator[Piece] = iter_steps(routine, FallbackMeter(meter, estimate), voice)
        hands_free = request.inputs.hands_free or hands_free_from(settings, voice.language)
        sink_factory = sound.sink_factory if sound is not None else None
        head_start = None
        no_preroll = settings.preroll.kind == "quiet" and settings.preroll.seconds == 0
        asks_before = request.rating.asks_before(settings, routine)
        if (sound is not None and no_preroll and not asks_before
                and hands_free.button is None and hands_free.spoken_rating is None
                and voice_note is None):
            # The chime does not wait for the opening phrase: its piece is peeked at
            # with lengths that never synthesize.
            opening = next(iter_steps(routine, sound.quick_meter or estimate, voice))
            pieces, head_start, sink_factory = _head_start(
                pieces, opening, sound, voice, request.clock,
                speaker_wake=settings.speaker_wake)
    except BaseException:
        if sound is not None:
            sound.close()
        raise
    return PreparedSession(request, voice, voice_note, effective.tone_gain, effective.night,
                           decided.night_note, sound, hands_free, pieces, sink_factory,
                           head_start)
