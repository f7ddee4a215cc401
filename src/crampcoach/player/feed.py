"""Sound made ahead of need, on a background thread, so the scheduler never waits for it.

The feed compiles the session piece by piece with the real speech meter (measuring a
phrase is synthesizing it, so this also fills the speech cache in order, and the offsets
are the ones ``plan`` prints) and fetches
the sound of each cue a while before it is due. The scheduler only ever *takes* what is
ready: a sound that is late is skipped, never waited for, so the session stays on time.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from crampcoach.audio.base import Clip, CueSounds
from crampcoach.errors import AudioError
from crampcoach.phrases import phrasebook
from crampcoach.routines.compiler import SpeechMeter
from crampcoach.routines.timeline import Cue, StepSpan, Voice

Piece = tuple[StepSpan | None, list[Cue]]
PartKind = Literal["opening", "step", "closing"]

#: How far ahead of the session's position sounds are fetched and held in memory.
LOOKAHEAD_S = 90.0
#: Sounds due this soon are made before the rest of the session is compiled.
URGENT_S = 20.0
#: How much nicer than the session's thread this one runs: on a scarce CPU (a Pi 3, or
#: a CPU quota) work ahead of need must not delay a sound that is due now.
FEED_NICENESS = 5


@dataclass(frozen=True, slots=True)
class Part:
    """One compiled piece of the session: the opening, a step, or the closing."""

    number: int
    kind: PartKind
    span: StepSpan | None
    cues: tuple[Cue, ...]
    first: int  # index of its first cue in the whole session
    start: float
    #: What the display calls it: the step's title, or the session's words for the
    #: opening and closing.
    title: str


@dataclass(frozen=True, slots=True)
class SoundFailure:
    """A cue's sound could not be made; ``reason`` is one line for the person."""

    reason: str


def speech_cue(text: str) -> Cue:
    """A speech cue outside the timeline (get-ready, rating questions, advice)."""
    return Cue(at=0.0, kind="speech", text=text, step=0, role="say", length=0.0)


def _failure(error: Exception) -> SoundFailure:
    if isinstance(error, AudioError):
        return SoundFailure(str(error))
    # A fault in the audio layer must not end a session: it becomes a missing sound.
    return SoundFailure(f"speech failed unexpectedly ({type(error).__name__}: {error})")


class FallbackMeter:
    """A speech meter that falls back to another (an estimate) when synthesis fails,
    so a broken synthesizer cannot stop the session from being compiled."""

    def __init__(self, primary: SpeechMeter, fallback: SpeechMeter) -> None:
        self.primary = primary
        self.fallback = fallback
        self.failures = 0

    def seconds(self, text: str, voice: Voice) -> float:
        try:
            return self.primary.seconds(text, voice)
        except Exception:
            self.failures += 1
            return self.fallback.seconds(text, voice)


class CueFeed:
    """Compiles pieces and fetches sounds ahead of the session's position."""

    def __init__(self, pieces: Iterable[Piece], sounds: CueSounds, voice: Voice, *,
                 phrases: Sequence[str] = (), lookahead_s: float = LOOKAHEAD_S) -> None:
        self._pieces: Iterator[Piece] = iter(pieces)
        self._sounds = sounds
        self._voice = voice
        self._phrases = list(dict.fromkeys(phrases))
        self._lookahead_s = lookahead_s
        self._cond = threading.Condition()
        self._parts: list[Part] = []
        self._cues: list[Cue] = []
        self._clips: dict[int, Clip | SoundFailure] = {}
        self._phrase_clips: dict[str, Clip | SoundFailure] = {}
        self._compiled = False
        self._error: BaseException | None = None
        self._cursor = 0  # the scheduler has no use for cues before this index
        self._position = 0.0
        self._next_fetch = 0
        self._closed = False
        self._busy = False
        self._thread = threading.Thread(target=self._work, name="crampcoach-feed", daemon=True)

    # --- the scheduler's side ------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread.is_alive():
            # A synthesis under way may take a while; the session is over and the thread
            # is a daemon, so a stop (Ctrl-C, SIGTERM) never waits long for it.
            self._thread.join(timeout=0.2)

    def part(self, number: int) -> Part | None:
        """Part ``number``, waiting for it to be compiled; None after the last.

        Re-raises an error the compiler raised (e.g. speech that overruns its step).
        """
        with self._cond:
            while number >= len(self._parts) and not self._compiled and not self._closed:
                self._cond.wait()
            if number < len(self._parts):
                return self._parts[number]
            if self._error is not None:
                raise self._error
            return None

    def compiled(self, number: int) -> bool:
        """Whether part ``number`` is compiled (or the session has fewer parts)."""
        with self._cond:
            return number < len(self._parts) or self._compiled or self._closed

    def wait_for(self, index: int, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for cue ``index``'s sound (used only at the start)."""
        with self._cond:
            self._cond.wait_for(lambda: index in self._clips or self._closed or (self._compiled
                                and index >= len(self._cues)), timeout=timeout)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until everything within the lookahead is made (tests, benchmarks)."""
        with self._cond:
            return self._cond.wait_for(
                lambda: self._closed or (not self._busy and self._job() is None), timeout=timeout)

    @property
    def total(self) -> float | None:
        """The session's length, once every piece is compiled."""
        with self._cond:
            if not self._compiled or not self._cues:
                return None
            return max(c.end for c in self._cues)

    def take(self, index: int) -> Clip | SoundFailure | None:
        """The sound of cue ``index`` if ready (and forget it); None if not ready yet."""
        with self._cond:
            return self._clips.pop(index, None)

    def advance(self, position: float, cursor: int) -> None:
        """The session is at ``position`` (offset) and needs no cue before index ``cursor``."""
        with self._cond:
            self._position = position
            if cursor > self._cursor:
                for index in [i for i in self._clips if i < cursor]:
                    del self._clips[index]
                self._cursor = cursor
                self._next_fetch = max(self._next_fetch, cursor)
            self._cond.notify_all()

    def phrase(self, text: str, *, wait: bool = False) -> Clip | SoundFailure | None:
        """The sound of an extra phrase: None if not ready, unless ``wait`` (synthesize now)."""
        with self._cond:
            ready = self._phrase_clips.get(text)
        if ready is not None or not wait:
            return ready
        result = self._fetch(speech_cue(text))
        with self._cond:
            self._phrase_clips[text] = result
        return result

    # --- the background thread -----------------------------------------------------------

    def _fetch(self, cue: Cue) -> Clip | SoundFailure:
        try:
            return self._sounds.clip_for(cue, self._voice)
        except Exception as e:
            return _failure(e)

    def _job(self) -> tuple[str, int | str] | None:
        """What to do next, most urgent first: a sound due soon, compiling the rest of the
        session, a sound within the lookahead, an extra phrase."""
        cue = self._cues[self._next_fetch] if self._next_fetch < len(self._cues) else None
        if cue is not None and cue.at <= self._position + min(URGENT_S, self._lookahead_s):
            return "cue", self._next_fetch
        if not self._compiled:
            return "compile", 0
        if cue is not None and cue.at <= self._position + self._lookahead_s:
            return "cue", self._next_fetch
        for text in self._phrases:
            if text not in self._phrase_clips:
                return "phrase", text
        return None

    def _work(self) -> None:
        with contextlib.suppress(OSError, AttributeError):  # Linux: one thread's niceness
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid,
                           os.getpriority(os.PRIO_PROCESS, tid) + FEED_NICENESS)
        while True:
            with self._cond:
                job = self._job()
                while job is None and not self._closed:
                    self._cond.wait()
                    job = self._job()
                if self._closed:
                    return
                assert job is not None
                self._busy = True
                what, arg = job
                if what == "cue":
                    assert isinstance(arg, int)
                    self._next_fetch = arg + 1
                    cue = self._cues[arg]
            if what == "cue":
                assert isinstance(arg, int)
                result = self._fetch(cue)
                with self._cond:
                    if arg >= self._cursor:
                        self._clips[arg] = result
            elif what == "compile":
                self._compile_one()
            else:
                assert isinstance(arg, str)
                result = self._fetch(speech_cue(arg))
                with self._cond:
                    self._phrase_clips.setdefault(arg, result)
            with self._cond:
                self._busy = False
                self._cond.notify_all()

    def _title(self, kind: PartKind, span: StepSpan | None) -> str:
        if span is not None:
            return span.title
        book = phrasebook(self._voice.language)
        return book.part_opening if kind == "opening" else book.part_closing

    def _compile_one(self) -> None:
        try:
            piece = next(self._pieces, None)
        except BaseException as e:  # the compiler's error goes to the scheduler's thread
            with self._cond:
                self._error = e
                self._compiled = True
                self._cond.notify_all()
            return
        with self._cond:
            if piece is None:
                self._compiled = True
            else:
                span, cues = piece
                kind: PartKind = "step" if span is not None else (
                    "opening" if not self._parts else "closing")
                start = span.start if span is not None else (cues[0].at if cues else 0.0)
                self._parts.append(Part(len(self._parts), kind, span, tuple(cues),
                                        len(self._cues), start, self._title(kind, span)))
                self._cues.extend(cues)
            self._cond.notify_all()
