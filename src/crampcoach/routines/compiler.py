"""Routine -> Timeline: pure, deterministic, exact.

The timing model (see docs/routine-format.md):

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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from crampcoach.errors import Problem, RoutineError
from crampcoach.phrases import ENGLISH, Phrasebook, phrasebook
from crampcoach.routines.model import Breathe, Compress, Rest, Routine, Say, Step, Stretch, Wait
from crampcoach.routines.timeline import (
    Cue,
    CueRole,
    StepSpan,
    Timeline,
    ToneName,
    Voice,
    WaitMark,
)

#: Quiet after a step's last sound before the next step begins.
SETTLE_S = 1.0
#: The least quiet between an introduction's speech and the cue that follows it.
GAP_S = 0.5
#: Lengths of the generated tones; the audio layer makes tones exactly this long.
TONE_SECONDS: dict[ToneName, float] = {"in": 0.6, "hold": 0.4, "out": 0.6, "chime": 1.2}
#: Where the opening speech starts, after the opening chime.
OPENING_SPEECH_AT = 1.5
#: Overlaps shorter than this are rounding, not a routine problem.
_EPS = 1e-9

class SpeechMeter(Protocol):
    """Tells how long a phrase sounds when spoken with a voice, in seconds."""

    def seconds(self, text: str, voice: Voice) -> float: ...


class EstimatedSpeechMeter:
    """An estimate from the text's length and the rate, for when no synthesizer is at hand.

    Calibrated against espeak-ng's English voice; it errs long so that timelines made
    with it leave room for the real speech.
    """

    def seconds(self, text: str, voice: Voice) -> float:
        chars_per_s = voice.rate * 6.0 / 60.0
        pauses = sum(text.count(p) for p in ".,;:!?")
        return round(0.2 + len(text) / chars_per_s + 0.3 * pauses, 3)


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


@dataclass
class _StepBuilder:
    """Collects one step's cues while keeping the cursor."""

    step: int
    meter: SpeechMeter
    voice: Voice
    cues: list[Cue]

    @property
    def book(self) -> Phrasebook:
        return phrasebook(self.voice.language)

    def speech(self, at: float, text: str, role: CueRole) -> Cue:
        cue = Cue(at=at, kind="speech", text=text, step=self.step, role=role,
                  length=self.meter.seconds(text, self.voice))
        self.cues.append(cue)
        return cue

    def tone(self, at: float, tone: ToneName, text: str, role: CueRole) -> Cue:
        cue = Cue(at=at, kind="tone", text=text, step=self.step, role=role,
                  length=TONE_SECONDS[tone], tone=tone)
        self.cues.append(cue)
        return cue

    def window(self, at: float, text: str, role: CueRole, least: float) -> float:
        """Speak ``text`` at ``at``; return when the window ends (``least`` or longer)."""
        cue = self.speech(at, text, role)
        return at + max(least, cue.length + GAP_S)


def _with_next(book: Phrasebook, text: str, next_title: str | None) -> str:
    return book.next_up.format(text=text, title=next_title) if next_title else text


def _stretch(b: _StepBuilder, s: Stretch, t: float, next_title: str | None) -> None:
    book = b.book
    sides: tuple[str | None, ...] = s.sides or (None,)
    rounds = [(rep, side) for rep in range(1, s.reps + 1) for side in sides]
    for n, (rep, side) in enumerate(rounds):
        said_side = book.sides.get(side, side) if side else None
        side_words = book.stretch_side.format(side=said_side.capitalize()) if said_side else ""
        if n == 0:
            times = ""
            if s.reps > 1:
                each = book.stretch_times_each_side if s.sides else book.stretch_times
                times = each.format(reps=s.reps)
            intro = book.stretch_intro.format(name=s.name, times=times, side=side_words,
                                              cue=s.cue)
        elif side is not None and rep == rounds[n - 1][0]:
            intro = book.stretch_switch.format(side=said_side, cue=s.cue)
        else:
            intro = book.stretch_again.format(name=s.name, rep=rep, reps=s.reps,
                                              side=side_words, cue=s.cue)
        hold_at = b.window(t, intro, "intro", s.prepare_s)
        b.speech(hold_at, book.hold_for.format(duration=book.duration(s.hold_s)), "hold")
        release_at = hold_at + s.hold_s
        for k in range(s.countdown, 0, -1):
            b.speech(release_at - k, book.number(k), "countdown")
        last = n == len(rounds) - 1
        release = b.speech(release_at,
                           _with_next(book, book.release, next_title if last else None),
                           "release")
        if not last:
            t = release_at + max(s.rest_s, release.length + GAP_S)


def _breathe_intro(book: Phrasebook, s: Breathe) -> str:
    parts = [book.breathe_in_for.format(seconds=f"{s.in_s:g}")]
    if s.hold_s:
        parts.append(book.breathe_hold_for.format(seconds=f"{s.hold_s:g}"))
    parts.append(book.breathe_out_for.format(seconds=f"{s.out_s:g}"))
    if s.hold_out_s:
        parts.append(book.breathe_hold_for.format(seconds=f"{s.hold_out_s:g}"))
    breaths = book.one_breath if s.cycles == 1 else book.breaths.format(count=s.cycles)
    return book.breathe_intro.format(name=s.name, parts=book.breathe_list_separator.join(parts),
                                     breaths=breaths, follow=book.follow[s.guide])


def _phases(book: Phrasebook) -> tuple[tuple[str, str, ToneName], ...]:
    return (
        ("in_s", book.phase_in, "in"),
        ("hold_s", book.phase_hold, "hold"),
        ("out_s", book.phase_out, "out"),
        ("hold_out_s", book.phase_hold, "hold"),
    )


def _breathe(b: _StepBuilder, s: Breathe, t: float, next_title: str | None) -> None:
    book = b.book
    t = b.window(t, _breathe_intro(book, s), "intro", s.prepare_s)
    phases = _phases(book)
    for _ in range(s.cycles):
        for attr, word, tone in phases:
            length: float = getattr(s, attr)
            if length <= 0:
                continue
            if s.guide in ("tones", "both"):
                b.tone(t, tone, word, "phase")
            if s.guide in ("words", "both"):
                b.speech(t, word, "phase")
            t += length
    b.speech(t, _with_next(book, book.breathe_end, next_title), "end")


#: The burn-safety words said before every compress (English; see the phrasebook).
COMPRESS_SAFETY = ENGLISH.compress_safety


def _compress(b: _StepBuilder, s: Compress, t: float, next_title: str | None) -> None:
    book = b.book
    start = b.window(t, book.compress_intro.format(name=s.name, safety=book.compress_safety),
                     "intro", s.prepare_s)
    amount = book.duration(s.duration_s)
    one = amount in (book.duration(60), book.duration(1))
    verb = book.compress_verb_one if one else book.compress_verb_many
    b.speech(start, book.compress_on.format(amount=amount, verb=verb), "start")
    k = 1
    while k * s.check_every_s < s.duration_s - _EPS:
        b.speech(start + k * s.check_every_s, book.compress_checkin, "checkin")
        k += 1
    b.speech(start + s.duration_s, _with_next(book, book.compress_end, next_title), "end")


# --- the wait step ------------------------------------------------------------------------------


def wait_reminder(step: Wait, language: str = "en") -> str:
    """What the voice says every ``remind_every`` while the session waits."""
    book = phrasebook(language)
    return book.wait_reminder.format(prompt=step.prompt, hint=book.wait_hint)


def _wait(b: _StepBuilder, s: Wait, t: float) -> None:
    """The prompt, marked: the player waits after it; render and plan go straight on."""
    book = b.book
    text = book.wait_prompt.format(prompt=s.prompt, hint=book.wait_hint)
    b.cues.append(Cue(at=t, kind="speech", text=text, step=b.step, role="wait",
                      length=b.meter.seconds(text, b.voice),
                      wait=WaitMark(s.max_wait_s, s.remind_every_s,
                                    wait_reminder(s, b.voice.language))))


# --- steps in sequence ---------------------------------------------------------------------------


def next_title(steps: Sequence[Step], i: int) -> str | None:
    """What is next after step ``i`` (-1: after the opening), said as "Next up" and shown
    as "next:": the next step that is not a rest; None when that step is a ``say`` or a
    ``wait`` (it speaks for itself a moment later) or nothing follows. The one place this
    is worked out."""
    for step in steps[i + 1:]:
        if isinstance(step, Rest):
            continue
        return None if isinstance(step, Say | Wait) else step.title
    return None


def _describe(step: Step, index: int) -> str:
    if isinstance(step, Say):
        return f"step {index + 1} (say)"
    if isinstance(step, Rest):
        return f"step {index + 1} (rest)"
    return f"step {index + 1} ({step.kind} '{step.title}')"


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
                    f"{_describe(step, index)}: {label}{what} lasts {prev.length:.2f} s and "
                    f"would run past the next cue {nxt.at - prev.at:.2f} s later; "
                    "give it more time",
                ))
                break
    return problems


def _opening(routine: Routine, meter: SpeechMeter, voice: Voice) -> list[Cue]:
    b = _StepBuilder(0, meter, voice, [])
    b.tone(0.0, "chime", "start chime", "opening")
    b.speech(OPENING_SPEECH_AT, opening_text(routine, voice.language), "opening")
    return b.cues


def _closing(routine: Routine, meter: SpeechMeter, voice: Voice, t: float) -> list[Cue]:
    b = _StepBuilder(max(len(routine.steps) - 1, 0), meter, voice, [])
    last = b.speech(t, closing_text(routine, voice.language), "closing")
    b.tone(last.end + GAP_S, "chime", "end chime", "closing")
    return b.cues


def _step(
    routine: Routine, i: int, t: float, meter: SpeechMeter, voice: Voice, label: str = "",
) -> tuple[StepSpan, list[Cue], list[Problem]]:
    """Step ``i`` starting at ``t``: its span, its cues in time order, and its overruns."""
    step = routine.steps[i]
    b = _StepBuilder(i, meter, voice, [])
    nxt = next_title(routine.steps, i)
    if isinstance(step, Rest):
        end = t + step.seconds
    elif isinstance(step, Say):
        cue = b.speech(t, step.text, "say")
        end = cue.end + step.pause_s
    elif isinstance(step, Wait):
        _wait(b, step, t)
        end = b.cues[-1].end + SETTLE_S
    else:
        if isinstance(step, Stretch):
            _stretch(b, step, t, nxt)
        elif isinstance(step, Breathe):
            _breathe(b, step, t, nxt)
        else:
            _compress(b, step, t, nxt)
        end = max(c.end for c in b.cues) + SETTLE_S
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


def phrases(routine: Routine, voice: Voice | None = None) -> list[str]:
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
