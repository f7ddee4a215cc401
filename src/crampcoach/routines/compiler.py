"""Routine -> Timeline: pure, deterministic, exact.

Each step kind makes its own cues (crampcoach.routines.kinds); the compiler lays the
steps end to end between the opening and the closing. The timing model (see
docs/routine-format.md):

* Steps follow one another end to end. A step that speaks ends ``SETTLE_S`` after its
  last sound; a ``say`` ends its own ``pause`` after its speech; a ``rest`` is exactly
  its length, quiet.
* ``stretch``: per rep and side, an introduction window (``prepare``, or longer if the
  speech needs it), the hold cue at the hold's exact start, countdown cues on the last
  N whole seconds, the release cue exactly ``hold`` after the hold cue, then ``rest``
  before the next rep or side (not after the last).
* ``breathe``: an introduction window, then every phase (in, hold, out, hold_out)
  begins with its cue exactly on its beat; cycles follow without gaps.
* ``compress``: an introduction with the safety reminder, a start cue, check-ins every
  ``check_every`` after the start, and the end cue exactly ``duration`` after it.
* ``wait``: the prompt, marked with a :class:`WaitMark`; the step ends ``SETTLE_S`` after
  it, as if the person were ready at once (the player holds the deadlines after it).

Speech lengths come from a :class:`SpeechMeter`; the audio layer supplies one that
measures the real synthesized (leading-silence-trimmed) sound.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence

from crampcoach.errors import Problem, RoutineError
from crampcoach.phrases import phrasebook
from crampcoach.routines.cues import (
    GAP_S,
    SETTLE_S,
    TONE_SECONDS,
    SpeechMeter,
    StepBuilder,
)
from crampcoach.routines.kinds import Step, kind_of
from crampcoach.routines.kinds.compress import COMPRESS_SAFETY
from crampcoach.routines.kinds.wait import wait_reminder
from crampcoach.routines.loader import MAX_SESSION_S
from crampcoach.routines.model import Routine
from crampcoach.routines.timeline import Cue, StepSpan, Timeline, Voice

#: Where the opening speech starts, after the opening chime.
OPENING_SPEECH_AT = 1.5


# What the estimate reads as one thing said: a number with its separators ("2.5",
# "7:45", "1,200"), a word, or one other character.
_SPOKEN_TOKEN = re.compile(r"\d+(?:[.,:]\d+)*|[^\W\d_]+|\S")
_VOWELS = frozenset("aeiouyàáâäèéêëìíîïòóôöùúûüAEIOUYÀÁÂÄÈÉÊËÌÍÎÏÒÓÔÖÙÚÛÜ")
# Symbols said as a word ("percent", "Prozent", "slash", "plus"), in letters.
_SYMBOL_LETTERS = {"%": 9, "/": 6, "&": 4, "+": 5, "=": 6, "°": 7, "@": 3, "-": 4, "#": 7}


def spoken_letters(text: str) -> tuple[int, int]:
    """How many letters ``text`` takes to say, and how many pauses (.,;:!?) it has.

    Written short, said long: each digit counts 10 letters ("seven", "dreiundvierzig"
    per digit of a number is never more) and each separator inside a number 8 ("point",
    "Komma", "virgule"); a short word without a vowel, or in capitals, is spelled or said
    as a unit ("mg": "milligrams", "IU": "I U"), 6 letters a letter; a symbol as its word.
    """
    letters = pauses = 0
    for token in _SPOKEN_TOKEN.findall(text):
        if token[0].isdigit():
            groups = re.split(r"[.,:]", token)
            letters += 10 * sum(len(g) for g in groups) + 8 * (len(groups) - 1)
        elif token[0].isalpha():
            spelled = len(token) <= 5 and (token.isupper() or not _VOWELS & set(token))
            letters += (6 if spelled else 1) * len(token) + 1
        else:
            pauses += token in ".,;:!?"
            letters += _SYMBOL_LETTERS.get(token, 1)
    return letters, pauses


class EstimatedSpeechMeter:
    """An estimate from the text and the rate that is never shorter than espeak-ng's
    speech: numbers, times, doses, units and symbols are counted as they are said
    (:func:`spoken_letters`), at a pace slower than espeak-ng's slowest voice.

    Calibrated on every phrase of the built-in library and on doses, times and units, in
    English, German, French, Spanish, Italian and Dutch at 80 to 300 words per minute;
    ``tests/test_speech_estimate.py`` checks it against espeak-ng on generated text. Text
    in a language other than the voice's (which ``check`` warns about) may be spelled
    out letter by letter and is not covered. Limits checked before synthesis use it, so
    they stay on the safe side; a session is always timed by real lengths.
    """

    #: Seconds per letter times words per minute (espeak-ng's slowest voice needs 11.3).
    LETTER_S_RATE = 12.0
    #: Seconds per pause at 140 words per minute.
    PAUSE_S = 0.35
    BASE_S = 0.3

    def seconds(self, text: str, voice: Voice) -> float:
        letters, pauses = spoken_letters(text)
        rate = voice.rate
        return round(self.BASE_S + letters * self.LETTER_S_RATE / rate
                     + pauses * self.PAUSE_S * 140 / rate, 3)


def spoken_seconds(seconds: float, language: str = "en") -> str:
    """``90`` -> ``"1 minute 30 seconds"``; ``7.5`` -> ``"7.5 seconds"`` (in English)."""
    return phrasebook(language).duration(seconds)


def number_word(n: int, language: str = "en") -> str:
    return phrasebook(language).number(n)


def opening_text(routine: Routine, language: str = "en") -> str:
    """The first words of a session, in the routine's ``style``."""
    book = phrasebook(language)
    return book.style_openings.get(routine.style, book.opening).format(routine=routine.name)


def closing_text(routine: Routine, language: str = "en") -> str:
    """The last words of a session, in the routine's ``style``."""
    book = phrasebook(language)
    return book.style_closings.get(routine.style, book.closing).format(routine=routine.name)


def next_title(steps: Sequence[Step], i: int) -> str | None:
    """What is next after step ``i`` (-1: after the opening), said as "Next up" and shown
    as "next:": the next step that is not a rest; None when that step is a ``say`` or a
    ``wait`` (it speaks for itself a moment later) or nothing follows. The one place this
    is worked out."""
    for step in steps[i + 1:]:
        next_up = kind_of(step).next_up
        if next_up == "skip":
            continue
        return None if next_up == "silent" else step.title
    return None


def _check_overruns(routine: Routine, index: int, cues: list[Cue], label: str = ""
                    ) -> list[Problem]:
    """Speech (or a tone) that would still sound when the next cue of its kind starts.
    ``label`` says at which speed, when it is not the usual one."""
    problems: list[Problem] = []
    step = routine.steps[index]
    for kind in ("speech", "tone"):
        same = sorted((c for c in cues if c.kind == kind), key=lambda c: c.at)
        for prev, nxt in itertools.pairwise(same):
            if prev.end > nxt.at + 1e-6:
                what = f"'{prev.text}'" if kind == "speech" else f"the {prev.tone} tone"
                problems.append(Problem(
                    routine.step_file(index), step.line,
                    f"{kind_of(step).describe(step, index)}: {label}{what} lasts "
                    f"{prev.length:.2f} s and would run past the next cue "
                    f"{nxt.at - prev.at:.2f} s later; "
                    "give it more time",
                ))
                break
    return problems


def _opening(routine: Routine, meter: SpeechMeter, voice: Voice) -> list[Cue]:
    b = StepBuilder(0, meter, voice, [])
    b.tone(0.0, "chime", "start chime", "opening")
    b.speech(OPENING_SPEECH_AT, opening_text(routine, voice.language), "opening")
    return b.cues


def _closing(routine: Routine, meter: SpeechMeter, voice: Voice, t: float) -> list[Cue]:
    b = StepBuilder(max(len(routine.steps) - 1, 0), meter, voice, [])
    last = b.speech(t, closing_text(routine, voice.language), "closing")
    b.tone(last.end + GAP_S, "chime", "end chime", "closing")
    return b.cues


def _step(
    routine: Routine, i: int, t: float, meter: SpeechMeter, voice: Voice, label: str = "",
) -> tuple[StepSpan, list[Cue], list[Problem]]:
    """Step ``i`` starting at ``t``: its span, its cues in time order, and its overruns."""
    step = routine.steps[i]
    b = StepBuilder(i, meter, voice, [])
    nxt = next_title(routine.steps, i)
    end = kind_of(step).cues(b, step, t, nxt)
    b.cues.sort(key=lambda c: (c.at, c.kind != "tone"))
    span = StepSpan(i, step.kind, step.title, t, end, nxt)
    return span, b.cues, _check_overruns(routine, i, b.cues, label)


def iter_steps(
    routine: Routine, meter: SpeechMeter, voice: Voice,
) -> Iterator[tuple[StepSpan | None, list[Cue]]]:
    """Yield the session piece by piece, in time order: the opening (span None), each step
    with its span, then the closing (span None). Lets a player start before every phrase
    is measured. Raises :class:`RoutineError` on reaching a step whose speech overruns.
    """
    opening = _opening(routine, meter, voice)
    yield None, opening
    t = opening[-1].end + SETTLE_S
    for i in range(len(routine.steps)):
        span, cues, problems = _step(routine, i, t, meter, voice)
        if problems:
            raise RoutineError(problems)
        yield span, cues
        t = span.end
    yield None, _closing(routine, meter, voice, t)


def compile_routine(routine: Routine, meter: SpeechMeter, voice: Voice, *,
                    label: str = "") -> Timeline:
    """The whole timeline. Pure: the same routine, meter and voice give the same timeline.

    Raises :class:`RoutineError` listing every step whose speech would overrun, each
    message with ``label`` before what overruns (e.g. at which speech rate).
    """
    cues = _opening(routine, meter, voice)
    spans: list[StepSpan] = []
    problems: list[Problem] = []
    t = cues[-1].end + SETTLE_S
    for i in range(len(routine.steps)):
        span, step_cues, step_problems = _step(routine, i, t, meter, voice, label)
        problems.extend(step_problems)
        spans.append(span)
        cues.extend(step_cues)
        t = span.end
    if problems:
        raise RoutineError(problems)
    cues.extend(_closing(routine, meter, voice, t))
    total = max(c.end for c in cues)
    check_length(routine, total)
    return Timeline(routine.name, total, tuple(cues), tuple(spans), voice)


def night_label(voice: Voice) -> str:
    """How a problem found at the night rate is told apart from one by day."""
    return f"at the night rate ({voice.rate} words per minute), "


def check_day_and_night(routine: Routine, day: tuple[SpeechMeter, Voice],
                        night: tuple[SpeechMeter, Voice] | None) -> Timeline:
    """The day timeline, once the routine is known to fit at the day rate and, if given,
    at the (slower) night rate too: every step that overruns at either is reported, by
    day as usual, at night with :func:`night_label` (a step that overruns by day is not
    reported twice). Raises :class:`RoutineError`."""
    problems: list[Problem] = []
    timeline: Timeline | None = None
    try:
        timeline = compile_routine(routine, *day)
    except RoutineError as e:
        problems.extend(e.problems)
    if night is not None:
        meter, voice = night
        try:
            compile_routine(routine, meter, voice, label=night_label(voice))
        except RoutineError as e:
            seen = {(p.file, p.line) for p in problems}
            problems.extend(p for p in e.problems if (p.file, p.line) not in seen)
    if problems or timeline is None:
        raise RoutineError(problems)
    return timeline


class SessionTooLong(RoutineError):
    """A session longer than the limit once its speech is counted."""


def check_length(routine: Routine, total_s: float) -> None:
    """Refuse a session longer than the limit, its speech counted (the loader's own check
    counts only what needs no speech lengths)."""
    if total_s > MAX_SESSION_S:
        raise SessionTooLong.single(
            routine.source, 0, f"the session would last {total_s / 3600:,.1f} hours with its "
                               f"speech; sessions are limited to {MAX_SESSION_S // 3600} hours")


def check_speech_length(routine: Routine, texts: list[str], voice: Voice) -> None:
    """Before any phrase is synthesized: refuse when the session's distinct phrases alone,
    at their estimated lengths, are longer than the limit. Each is spoken at least once and
    speech never overlaps speech, so the session is at least that long; and synthesis takes
    time in proportion to exactly these phrases, so hours of it are never started."""
    meter = EstimatedSpeechMeter()
    speech_s = sum(meter.seconds(text, voice) for text in texts)
    if speech_s > MAX_SESSION_S:
        raise SessionTooLong.single(
            routine.source, 0, f"the session would last more than {speech_s / 3600:,.1f} "
                               f"hours: that much is speech; sessions are limited to "
                               f"{MAX_SESSION_S // 3600} hours")


def spoken_texts(routine: Routine, voice: Voice | None = None) -> list[str]:
    """Every distinct phrase the session will speak with ``voice`` (its language picks the
    phrasebook), in the order first heard.

    Lets the audio layer synthesize ahead of need; the text of cues never depends on timing.
    """
    timeline = compile_routine(routine, _ZeroMeter(), voice or Voice())
    seen: dict[str, None] = {}
    for cue in timeline.cues:
        if cue.kind == "speech":
            seen.setdefault(cue.text, None)
    return list(seen)


class _ZeroMeter:
    """Lengths of zero: only the texts of the cues matter to :func:`phrases`."""

    def seconds(self, text: str, voice: Voice) -> float:
        return 0.0


__all__ = [
    "COMPRESS_SAFETY", "GAP_S", "OPENING_SPEECH_AT", "SETTLE_S", "TONE_SECONDS",
    "EstimatedSpeechMeter", "SpeechMeter", "closing_text", "compile_routine", "iter_steps",
    "next_title", "number_word", "opening_text", "spoken_seconds", "spoken_texts", "wait_reminder",
]
