"""The real-time part of a session: every cue on its deadline from one origin.

Deadlines are ``origin + shift + cue.at``: ``origin`` is the clock time of the first
cue and never changes; ``shift`` grows by exactly the length of each pause (get-ready
included) and jumps on a skip. No deadline is derived from the previous one, so the
time spent making or playing sound, or handling keys, never accumulates into drift.
"""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from crampcoach.audio.base import Clip
from crampcoach.audio.mix import frame_at, mix
from crampcoach.audio.tones import wake_tone
from crampcoach.care import Outcome
from crampcoach.inputs.keys import CONTROLS
from crampcoach.phrases import ENGLISH, Phrasebook
from crampcoach.player.clock import Clock
from crampcoach.player.events import (
    CueStarted,
    Paused,
    Progress,
    Repeated,
    Resumed,
    SafetyNotice,
    SessionObserver,
    Skipped,
    SoundMissed,
    SpeechLate,
    StepChanged,
    WaitEnded,
    Waiting,
    WaitReminded,
)
from crampcoach.player.feed import CueFeed, Part, SoundFailure
from crampcoach.player.output import Output
from crampcoach.routines.timeline import Cue

GET_READY_S = 3.0
#: Said after a pause (English; the session passes its own language's).
GET_READY_TEXT = ENGLISH.get_ready
#: Speech worth hearing again on "repeat": what to do, not counts or breathing words.
INSTRUCTION_ROLES = frozenset({"opening", "say", "intro", "start", "checkin", "end", "wait"})
#: Speech cut off by a pause is said again on resume when it is one of these (a count or
#: a breathing word is not: its moment has passed; "And hold" is not: the hold goes on).
RESUME_ROLES = INSTRUCTION_ROLES | {"release", "closing"}
#: Quiet between phrases the controls say one after another, and after a repeated one.
PHRASE_GAP_S = 0.4
#: Speaker wake: a quiet stretch at least this long is filled with the wake hum (shorter
#: ones are not: no speaker or sound server sleeps that fast).
WAKE_QUIET_S = 3.0
#: ... in pieces of at most this length (one short buffer, not the whole stretch).
WAKE_PIECE_S = 5.0
#: A part whose speech was not made by its start moves the rest of the session by its
#: delay once it is later than this (the cue-onset target); a smaller delay is kept as is.
LATE_PART_S = 0.015
#: Cues this close together start as one mixed sound.
_SAME_BEAT = 1e-6
#: While a session plays, a thread waiting for Python's lock gets it after at most this
#: much of another thread's work (the default is 5 ms): when a deadline comes while the
#: feed is making sound, the cue starts at most about this late, also on a CPU held to a
#: fraction of a core, where 5 ms of work can take 15 ms.
SWITCH_INTERVAL_S = 0.0005

# --- the wait step (with Scheduler._wait_step and _hold below) ----------------------------

#: A wait step ends on any of these: the next key, the pause key or the GPIO button (the
#: keys a person reaches for to say "go on"), or a "continue" from a service command.
READY_ACTIONS = frozenset({"next", "pause", "continue"})
#: Said when a wait ends (English; the session passes its own language's).
WAIT_RESUME_TEXT = ENGLISH.wait_resume
#: The next step begins this long after a wait ends.
WAIT_RESUME_S = 2.0
#: A pause ends the session after this long (said aloud), so a pause forgotten in the
#: evening never holds the button's rescue at night: the next press starts afresh.
PAUSE_LIMIT_S = 10 * 60.0
#: The warm compress counts as placed this long before the end of the introduction's
#: sound ("... Place it now."), so a stop just as the words are said asks it off too.
PLACE_LEAD_S = 2.0


@dataclass(frozen=True, slots=True)
class PlayResult:
    outcome: Outcome
    step_reached: int | None  # index of the last step begun; None if still in the opening
    elapsed: float  # seconds of the session played, pauses excluded
    #: Stopped while a warm compress may be on: it must be taken off now.
    compress_on: bool = False
    #: Ended by a pause that went on too long: nobody is there to be asked for a rating.
    abandoned: bool = False


class _Skip(Exception):
    pass


class _Ready(Exception):
    """The person said they are ready during a wait step's prompt."""


class _Stop(Exception):
    def __init__(self, outcome: Outcome, *, abandoned: bool = False) -> None:
        super().__init__(outcome)
        self.outcome = outcome
        self.abandoned = abandoned


class Scheduler:
    """Plays the parts a :class:`CueFeed` compiles, on time, with the controls."""

    def __init__(self, feed: CueFeed, output: Output, clock: Clock,
                 observer: SessionObserver, step_count: int, *,
                 tick_s: float | None = 1.0, get_ready_s: float = GET_READY_S,
                 start_grace_s: float = 0.3,
                 controls: Mapping[str, str] = CONTROLS,
                 started_at: float | None = None,
                 opening_next: str | None = None,
                 book: Phrasebook = ENGLISH,
                 speaker_wake: bool = False,
                 first_words_wait_s: float = 0.0,
                 pause_limit_s: float = PAUSE_LIMIT_S,
                 wait_hint: Callable[[], str] | None = None) -> None:
        self._feed = feed
        self._output = output
        self._clock = clock
        self._emit = observer
        self._step_count = step_count
        # What the opening shows as next; each step's comes with its span (the compiler
        # works it out once, for the voice and the screen alike).
        self._opening_next = opening_next
        self._book = book
        self._wait_resume_text = book.wait_resume
        # Speaker wake: quiet stretches are filled with a faint hum (see _keep_awake).
        self._wake = speaker_wake
        self._waking = False
        self._wake_next = -math.inf
        self._tick_s = tick_s
        self._get_ready_s = get_ready_s
        self._start_grace_s = start_grace_s
        self._first_words_wait_s = first_words_wait_s
        self._controls = controls
        self._pause_limit_s = pause_limit_s
        # How to say "I am ready" with the inputs there are now (said after a wait's prompt).
        self._wait_hint = wait_hint or (lambda: book.wait_hint)
        # The session offset from which a warm compress counts as placed (see _heat_on).
        self._placed_from: float | None = None
        self._origin = 0.0
        self._shift = 0.0
        # The clock time at which the caller already started the first cue's sound (the
        # opening chime) on the same sink: it becomes the origin and is not played again.
        self._started_at = started_at
        self._next_tick = math.inf
        self._part: Part | None = None
        self._reached: int | None = None
        self._last_instruction: tuple[Cue, Clip | None] | None = None
        # The last speech worth saying again if a pause cuts it off: (cue, sound, start).
        self._last_spoken: tuple[Cue, Clip, float] | None = None
        self._waiting: Cue | None = None  # the wait step's cue while its part plays

    # --- time --------------------------------------------------------------------------

    def _position(self) -> float:
        return self._clock.now() - self._origin - self._shift

    def _deadline(self, offset: float) -> float:
        return self._origin + self._shift + offset

    def _at(self, offset: float) -> None:
        """Return when the session reaches ``offset``, handling keys while waiting."""
        while True:
            deadline = self._deadline(offset)
            wake = self._keep_awake(deadline)
            key = self._clock.wait_until(min(deadline, self._next_tick, wake))
            if key is None:
                now = self._clock.now()
                if now >= deadline:
                    return
                if now >= self._next_tick:
                    self._tick(now)
                continue
            self._control(key)

    def _keep_awake(self, until: float) -> float:
        """Speaker wake: fill a quiet stretch up to ``until`` (``math.inf`` in a pause)
        with the wake hum, a piece at a time, each ending by ``until`` so the next cue
        starts on its own. Returns when to look again (``math.inf``: nothing to do)."""
        if not self._wake or not self._output.sounding:
            return math.inf
        now = self._clock.now()
        if now < self._wake_next:
            return self._wake_next
        busy = self._output.busy_for()
        if busy > 0:
            self._waking = False
            self._wake_next = now + busy
            return self._wake_next
        quiet = until - now
        if quiet <= 0 or (not self._waking and quiet < WAKE_QUIET_S):
            return math.inf
        piece = min(WAKE_PIECE_S, quiet)
        self._output.play(wake_tone(piece), filler=True)
        self._waking = True
        self._wake_next = now + piece
        return self._wake_next

    def _silence(self) -> None:
        self._output.stop()
        self._waking = False
        self._wake_next = -math.inf

    def _phrase(self, text: str) -> Clip | None:
        """A control's phrase, made now if the feed has not made it yet."""
        sound = self._feed.phrase(text, wait=True)
        return sound if isinstance(sound, Clip) and sound.frames else None

    def _heat_on(self, position: float) -> bool:
        """Whether a warm compress may be on at ``position``: in a compress step, from
        "Place it now." (the end of its introduction, by the shorter of its planned length
        and its sound, less :data:`PLACE_LEAD_S`) to its end cue ("Remove the compress.")."""
        part = self._part
        if part is None or part.span is None or part.span.kind != "compress":
            return False
        intro = next((c for c in part.cues if c.role == "intro"), None)
        end = next((c for c in part.cues if c.role == "end"), None)
        if intro is None or end is None:
            return False
        placed = self._placed_from
        if placed is None or not intro.at <= placed <= intro.end:
            placed = intro.end - PLACE_LEAD_S
        return max(intro.at, placed) - _SAME_BEAT <= position < end.at

    def _control(self, key: str) -> None:
        action = self._controls.get(key)
        if self._waiting is not None and action in READY_ACTIONS:
            raise _Ready
        if action in ("pause", "hold"):
            self._pause()
        elif action == "repeat":
            self._repeat()
        elif action == "next":
            raise _Skip
        elif action == "quit":
            raise _Stop("stopped")
        elif action == "interrupt":
            raise _Stop("interrupted")
        # Anything else (a stray key, the end of input, "continue" outside a wait, "resume"
        # when not paused) is ignored while playing.

    def _tick(self, now: float) -> None:
        assert self._tick_s is not None
        while self._next_tick <= now:
            self._next_tick += self._tick_s
        position = now - self._origin - self._shift
        total = self._feed.total
        step_left = None
        if self._part is not None:
            step_left = max(0.0, self._part_end(self._part) - position)
        self._emit(Progress(
            elapsed=position, step_left=step_left,
            session_left=None if total is None else max(0.0, total - position), total=total,
        ))

    def _part_end(self, part: Part) -> float:
        if part.span is not None:
            return part.span.end
        return max((c.end for c in part.cues), default=part.start)

    # --- controls ----------------------------------------------------------------------

    def _pause(self) -> None:
        paused_at = self._clock.now()
        position = paused_at - self._origin - self._shift
        spoken = self._last_spoken
        cut_off = (spoken if spoken is not None and paused_at < spoken[2] + spoken[1].seconds
                   else None)
        heat = self._heat_on(position)
        self._silence()
        self._emit(Paused(position))
        book = self._book
        if heat:
            # Time under heat stays bounded however long the pause lasts.
            self._emit(SafetyNotice(book.paused_compress))
        paused = self._phrase(book.paused_compress if heat else book.paused)
        if paused is not None:
            self._output.play(paused)
        try:
            self._paused_until_resumed(paused_at)
        except (_Stop, KeyboardInterrupt):
            # The time spent paused is not part of the session played.
            self._shift += self._clock.now() - paused_at
            raise
        self._resume(paused_at, position, heat, cut_off)

    def _paused_until_resumed(self, paused_at: float) -> None:
        """Wait for the pause key (or a service's "resume"); a stop ends the session, and so
        does a pause longer than the limit, said aloud. A service's "pause" while paused
        does nothing."""
        limit = paused_at + self._pause_limit_s
        while True:
            key = self._clock.wait_until(min(limit, self._keep_awake(math.inf)))
            if key is None:
                if self._clock.now() >= limit:
                    self._pause_over()
                continue
            action = self._controls.get(key)
            if action in ("pause", "resume"):
                return
            if action in ("quit", "interrupt"):
                raise _Stop("stopped" if action == "quit" else "interrupted")

    def _pause_over(self) -> None:
        """The pause went on too long: say so, and end the session (no rating: nobody is
        there to answer)."""
        text = self._book.pause_ended
        self._silence()
        self._emit(SafetyNotice(text))
        clip = self._phrase(text)
        if clip is not None:
            self._output.play(clip)
        raise _Stop("stopped", abandoned=True)

    def _resume(self, paused_at: float, position: float, heat: bool,
                cut_off: tuple[Cue, Clip, float] | None) -> None:
        """Carry on: the compress put back (if it was taken off), the get-ready, then the
        instruction the pause cut off; the timeline moves by the pause and all of these."""
        book = self._book
        back = self._phrase(book.resume_compress) if heat else None
        ready = self._phrase(book.get_ready)
        pieces: list[tuple[int, Clip]] = []
        t = 0.0
        if back is not None:
            pieces.append((0, back))
            t = back.seconds + PHRASE_GAP_S
        if ready is not None:
            pieces.append((frame_at(t), ready))
            t += ready.seconds + PHRASE_GAP_S
        get_ready_s = max(self._get_ready_s, math.ceil(t * 10 - 1e-9) / 10)
        insert = get_ready_s
        if cut_off is not None:
            pieces.append((frame_at(insert), cut_off[1]))
            insert += cut_off[1].seconds + PHRASE_GAP_S
        self._silence()
        resumed_at = self._clock.now()
        paused_s = resumed_at - paused_at + insert
        self._shift += paused_s
        if self._tick_s is not None:
            self._next_tick = resumed_at + self._tick_s
        self._emit(Resumed(position, paused_s, get_ready_s))
        if heat:
            self._emit(SafetyNotice(book.resume_compress))
        if pieces:
            self._output.play(mix(pieces))
        if cut_off is not None:
            self._emit(Repeated(cut_off[0].text))
            self._last_spoken = (cut_off[0], cut_off[1],
                                 resumed_at + insert - cut_off[1].seconds - PHRASE_GAP_S)

    def _repeat(self) -> None:
        if self._last_instruction is None:
            return
        cue, clip = self._last_instruction
        if clip is not None:
            # Said again from its start, not over itself: what is playing stops first.
            self._silence()
            self._output.play(clip)
        self._emit(Repeated(cue.text))

    # --- the session -------------------------------------------------------------------

    def _wait_for_first_words(self) -> None:
        """An engine that takes seconds to start (Piper loading its voice) would miss the
        opening words on a cold cache: the session starts when they are made instead."""
        opening = self._feed.part(0)
        if opening is None:
            return
        first = next((opening.first + k for k, cue in enumerate(opening.cues)
                      if cue.kind == "speech"), None)
        if first is not None:
            self._feed.wait_for(first, self._first_words_wait_s)

    def run(self) -> PlayResult:
        """Play the whole session (or until stopped). Never raises for want of sound;
        re-raises a compiler error from the feed after stopping the sound."""
        previous = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        try:
            return self._run()
        finally:
            sys.setswitchinterval(previous)

    def _run(self) -> PlayResult:
        if self._started_at is None:
            # The origin is taken once the opening is compiled from its real lengths.
            self._feed.part(0)
        self._feed.wait_for(0, self._start_grace_s)
        if self._first_words_wait_s > 0:
            self._wait_for_first_words()
        self._origin = self._clock.now() if self._started_at is None else self._started_at
        if self._tick_s is not None:
            self._next_tick = self._origin + self._tick_s
        outcome: Outcome = "finished"
        heat = abandoned = False
        try:
            number = 0
            last: Part | None = None
            while (part := self._next_part(number)) is not None:
                last = part
                try:
                    self._play_part(part)
                    number += 1
                except _Skip:
                    number = self._skip_from(part)
                    last = self._part or last
            if last is not None:
                with contextlib.suppress(_Skip):
                    self._at(self._part_end(last))
        except _Stop as stop:
            outcome, abandoned = stop.outcome, stop.abandoned
            heat = self._heat_on(self._position())
            if not abandoned:
                self._silence()
        except KeyboardInterrupt:
            outcome = "interrupted"
            heat = self._heat_on(self._position())
            self._silence()
        except BaseException:
            self._silence()
            raise
        return PlayResult(outcome, self._reached, max(0.0, self._position()), heat, abandoned)

    def _next_part(self, number: int) -> Part | None:
        """Part ``number``, waiting for the feed to compile it (its phrases synthesized).
        One that comes after its start moves everything after it by the delay, and says
        so: the session never plays a part at other offsets than its plan's."""
        ready = self._feed.compiled(number)
        part = self._feed.part(number)
        if part is None or ready:
            return part
        due = part.start
        if number == 0:
            # Only with a head start: its chime at 0 already sounds; the words come next.
            due = next((c.at for c in part.cues if c.at > 0), math.inf)
        late = self._clock.now() - self._deadline(due)
        if late > LATE_PART_S:
            self._shift += late
            self._emit(SpeechLate(part.title, due, late))
        return part

    def _next_title(self, part: Part) -> str | None:
        if part.kind == "opening":
            return self._opening_next
        if part.span is not None:
            return part.span.next_title
        return None

    def _play_part(self, part: Part) -> None:
        self._at(part.start)
        self._part = part
        if part.span is not None:
            self._reached = part.span.index
        step = StepChanged(
            None if part.span is None else part.span.index,
            part.kind if part.span is None else part.span.kind,
            part.title, self._next_title(part), self._step_count)
        announce: StepChanged | None = step
        cues = part.cues
        if not cues or cues[0].at - part.start >= _SAME_BEAT:
            self._emit(step)
            announce = None
        wait = next((c for c in cues if c.wait is not None), None)
        if wait is not None:
            self._wait_step(part, wait, announce)
            return
        self._play_cues(part, announce)

    def _play_cues(self, part: Part, announce: StepChanged | None) -> None:
        cues = part.cues
        i = 0
        while i < len(cues):
            j = i + 1
            while j < len(cues) and cues[j].at - cues[i].at < _SAME_BEAT:
                j += 1
            # The step is announced just after its first sound has started: whoever
            # listens (the journal writes to disk) never delays that sound.
            self._play_group(cues[i:j], part.first + i, announce)
            announce = None
            i = j

    def _play_group(self, group: Sequence[Cue], first: int,
                    announce: StepChanged | None = None) -> None:
        results: list[Clip | SoundFailure | None] = [
            self._feed.take(first + k) for k in range(len(group))]
        prepared = self._output.prepare([r for r in results if isinstance(r, Clip)])
        self._at(group[0].at)
        planned = self._deadline(group[0].at)
        # A sound that became ready while waiting is still on time: take it now.
        late = [k for k, r in enumerate(results) if r is None]
        for k in late:
            results[k] = self._feed.take(first + k)
        if late and any(isinstance(results[k], Clip) for k in late):
            prepared = self._output.prepare([r for r in results if isinstance(r, Clip)])
        if first == 0 and self._started_at is not None:
            sounded, actual = True, self._started_at  # already playing: see __init__
        else:
            sounded = prepared is not None and self._output.play(prepared)
            actual = self._clock.now()
        if announce is not None:
            self._emit(announce)
        self._feed.advance(group[0].at, first + len(group))
        for cue, result in zip(group, results, strict=True):
            if isinstance(result, SoundFailure):
                self._output.speech_failed(result.reason)
            elif result is None:
                self._emit(SoundMissed(cue, "its sound was not ready in time"))
            if cue.kind == "speech" and cue.role in INSTRUCTION_ROLES:
                self._last_instruction = (cue, result if isinstance(result, Clip) else None)
            if (cue.kind == "speech" and cue.role in RESUME_ROLES and sounded
                    and isinstance(result, Clip)):
                self._last_spoken = (cue, result, actual)
            if cue.role == "intro" and isinstance(result, Clip):
                # "Place it now." ends the sound heard, which may be shorter than planned.
                heard = min(cue.length, result.seconds) if result.frames else cue.length
                self._placed_from = cue.at + heard - PLACE_LEAD_S
            self._emit(CueStarted(cue, planned, actual, sounded and isinstance(result, Clip)))

    # --- the wait step -------------------------------------------------------------------

    def _wait_step(self, part: Part, cue: Cue, announce: StepChanged | None) -> None:
        """Say the prompt, then hold every deadline (as a pause does) until the person is
        ready or ``max_wait`` has passed; everything after moves by the time waited."""
        assert cue.wait is not None
        point = self._part_end(part)
        self._waiting = cue
        try:
            self._play_cues(part, announce)
            self._at(point)
            held_at = self._clock.now()
            self._emit(Waiting(point, cue.wait.max_wait_s))
            self._say_with_hint(None)
            timed_out = self._hold(cue, held_at)
        except _Ready:
            # Ready before the prompt was over: the rest of it is not needed.
            self._silence()
            held_at = self._clock.now()
            self._shift = held_at - self._origin - point
            timed_out = False
        finally:
            self._waiting = None
        resumed_at = self._clock.now()
        self._shift += resumed_at - held_at + WAIT_RESUME_S
        if self._tick_s is not None:
            self._next_tick = resumed_at + self._tick_s
        self._emit(WaitEnded(resumed_at - held_at, timed_out, self._wait_resume_text))
        sound = self._feed.phrase(self._wait_resume_text)
        self._silence()  # a hint or reminder still being said gives way
        if isinstance(sound, Clip):
            self._output.play(sound)

    def _say_with_hint(self, text: str | None) -> None:
        """Say ``text`` (a wait's reminder; None: nothing) and then how to say "ready" with
        the inputs there are now, one after the other."""
        pieces: list[tuple[int, Clip]] = []
        t = 0.0
        for phrase in (text, self._wait_hint()):
            clip = self._phrase(phrase) if phrase else None
            if clip is not None:
                pieces.append((frame_at(t), clip))
                t += clip.seconds + PHRASE_GAP_S
        if pieces:
            self._output.play(mix(pieces) if len(pieces) > 1 else pieces[0][1])

    def _hold(self, cue: Cue, held_at: float) -> bool:
        """Wait from ``held_at`` for a ready key, reminding as the mark says. True when the
        wait ran out. The time spent counts as a pause, also when the session is stopped."""
        assert cue.wait is not None
        mark = cue.wait
        give_up = held_at + mark.max_wait_s
        every = mark.remind_every_s
        remind = held_at + every if every > 0 else math.inf
        try:
            while True:
                key = self._clock.wait_until(min(give_up, remind,
                                                 self._keep_awake(math.inf)))
                now = self._clock.now()
                if key is None:
                    if now >= give_up:
                        return True
                    if now >= remind:
                        remind += every
                        self._emit(WaitReminded(mark.reminder))
                        self._say_with_hint(mark.reminder)
                    continue
                action = self._controls.get(key)
                if action in READY_ACTIONS:
                    return False
                if action == "hold":
                    # A service's "pause": the wait itself stops (no reminders, no
                    # carrying on by itself) until "resume", which goes back to waiting.
                    paused_s = self._pause_wait(cue)
                    give_up += paused_s
                    remind += paused_s
                elif action == "repeat":
                    self._repeat()
                elif action in ("quit", "interrupt"):
                    raise _Stop("stopped" if action == "quit" else "interrupted")
        except (_Stop, KeyboardInterrupt):
            self._shift += self._clock.now() - held_at
            raise

    def _pause_wait(self, cue: Cue) -> float:
        """A pause during a wait's hold: "Paused.", then, on resume, the wait's reminder
        again (the person is still to say they are ready). Returns its length."""
        assert cue.wait is not None
        paused_at = self._clock.now()
        position = self._position()
        self._silence()
        self._emit(Paused(position))
        clip = self._phrase(self._book.paused)
        if clip is not None:
            self._output.play(clip)
        self._paused_until_resumed(paused_at)
        paused_s = self._clock.now() - paused_at
        self._silence()
        self._emit(Resumed(position, paused_s, 0.0))
        self._emit(WaitReminded(cue.wait.reminder))
        self._say_with_hint(cue.wait.reminder)
        return paused_s

    def _skip_from(self, part: Part) -> int:
        """Move on to the next part that has something to hear; its start becomes now.

        ``part`` is the part whose start was awaited or which was playing: if it had not
        begun yet (the key came in the quiet before it), it is the one started now.
        """
        heat = self._heat_on(self._position())
        self._silence()
        # Leaving a compress step early: it comes off now, and the next step waits for
        # that to be said.
        lead = self.remove_compress() if heat else 0.0
        current = self._part
        number = part.number if current is not part else part.number + 1
        while (target := self._feed.part(number)) is not None:
            if target.cues:
                break
            number += 1
        if target is None:
            # Skipping the closing ends the session as finished.
            end = self._part_end(current or part)
            self._shift = self._clock.now() + lead - self._origin - end
            return number
        self._shift = self._clock.now() + lead - self._origin - target.start
        self._feed.advance(target.start, target.first)
        self._emit(Skipped(
            (current or part).title, None if target.span is None else target.span.index,
            target.kind if target.span is None else target.span.kind, target.title))
        return number

    def remove_compress(self) -> float:
        """Say and show that the compress comes off now; returns how long that takes."""
        text = self._book.compress_remove_now
        self._emit(SafetyNotice(text))
        clip = self._phrase(text)
        if clip is None or not self._output.play(clip):
            return PHRASE_GAP_S
        return clip.seconds + PHRASE_GAP_S
