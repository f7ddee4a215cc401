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

Speech lengths come from a :class:`SpeechMeter`; the audio layer supplies one that
measures the real synthesized (leading-silence-trimmed) sound.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from crampcoach.errors import Problem, RoutineError
from crampcoach.routines.loader import MAX_SESSION_S
from crampcoach.routines.model import Breathe, Compress, Rest, Routine, Say, Step, Stretch
from crampcoach.routines.timeline import Cue, CueRole, StepSpan, Timeline, ToneName, Voice

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

_NUMBER_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
)


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


def spoken_seconds(seconds: float) -> str:
    """``90`` -> ``"1 minute 30 seconds"``; ``7.5`` -> ``"7.5 seconds"``."""
    whole = int(seconds)
    if seconds != whole or seconds < 60:
        value = f"{seconds:g}"
        return f"{value} second" if value == "1" else f"{value} seconds"
    minutes, rest = divmod(whole, 60)
    parts = [f"{minutes} minute" + ("" if minutes == 1 else "s")]
    if rest:
        parts.append(f"{rest} second" + ("" if rest == 1 else "s"))
    return " ".join(parts)


def number_word(n: int) -> str:
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def opening_text(routine: Routine) -> str:
    return f"{routine.name}. Move gently, and stop if anything hurts."


def closing_text(routine: Routine) -> str:
    return f"That is the end of {routine.name}. Well done."


@dataclass
class _StepBuilder:
    """Collects one step's cues while keeping the cursor."""

    step: int
    meter: SpeechMeter
    voice: Voice
    cues: list[Cue]

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


def _with_next(text: str, next_title: str | None) -> str:
    return f"{text} Next up: {next_title}." if next_title else text


def _stretch(b: _StepBuilder, s: Stretch, t: float, next_title: str | None) -> None:
    sides: tuple[str | None, ...] = s.sides or (None,)
    rounds = [(rep, side) for rep in range(1, s.reps + 1) for side in sides]
    for n, (rep, side) in enumerate(rounds):
        side_words = f" {side.capitalize()} side." if side else ""
        if n == 0:
            times = ""
            if s.reps > 1:
                times = f" {s.reps} times" + (" on each side." if s.sides else ".")
            intro = f"{s.name}.{times}{side_words} {s.cue}"
        elif side is not None and rep == rounds[n - 1][0]:
            intro = f"Switch to the {side} side. {s.cue}"
        else:
            intro = f"{s.name} again, {rep} of {s.reps}.{side_words} {s.cue}"
        hold_at = b.window(t, intro, "intro", s.prepare_s)
        b.speech(hold_at, f"And hold for {spoken_seconds(s.hold_s)}.", "hold")
        release_at = hold_at + s.hold_s
        for k in range(s.countdown, 0, -1):
            b.speech(release_at - k, number_word(k), "countdown")
        last = n == len(rounds) - 1
        release = b.speech(release_at, _with_next("And release.", next_title if last else None),
                           "release")
        if not last:
            t = release_at + max(s.rest_s, release.length + GAP_S)


def _breathe_intro(s: Breathe) -> str:
    parts = [f"in for {s.in_s:g}"]
    if s.hold_s:
        parts.append(f"hold for {s.hold_s:g}")
    parts.append(f"out for {s.out_s:g}")
    if s.hold_out_s:
        parts.append(f"hold for {s.hold_out_s:g}")
    breaths = "One breath" if s.cycles == 1 else f"{s.cycles} breaths"
    follow = {"words": "my voice", "tones": "the tones", "both": "my voice and the tones"}
    return f"{s.name}. Breathe {', '.join(parts)}. {breaths}. Follow {follow[s.guide]}."


_PHASES: tuple[tuple[str, str, ToneName], ...] = (
    ("in_s", "Breathe in", "in"),
    ("hold_s", "Hold", "hold"),
    ("out_s", "Breathe out", "out"),
    ("hold_out_s", "Hold", "hold"),
)


def _breathe(b: _StepBuilder, s: Breathe, t: float, next_title: str | None) -> None:
    t = b.window(t, _breathe_intro(s), "intro", s.prepare_s)
    for _ in range(s.cycles):
        for attr, word, tone in _PHASES:
            length: float = getattr(s, attr)
            if length <= 0:
                continue
            if s.guide in ("tones", "both"):
                b.tone(t, tone, word, "phase")
            if s.guide in ("words", "both"):
                b.speech(t, word, "phase")
            t += length
    b.speech(t, _with_next("And breathe normally.", next_title), "end")


COMPRESS_SAFETY = (
    "Use a compress that feels comfortably warm, never hot. "
    "Numb skin may not feel heat, so test it on the inside of your wrist first. "
    "If it ever feels hot, take it off at once."
)


def _compress(b: _StepBuilder, s: Compress, t: float, next_title: str | None) -> None:
    start = b.window(t, f"{s.name}. {COMPRESS_SAFETY} Place it now.", "intro", s.prepare_s)
    amount = spoken_seconds(s.duration_s)
    verb = "is" if amount in ("1 minute", "1 second") else "are"
    b.speech(start, f"Compress on. Rest and breathe slowly. "
                    f"I will tell you when {amount} {verb} up.", "start")
    k = 1
    while k * s.check_every_s < s.duration_s - _EPS:
        b.speech(start + k * s.check_every_s,
                 "Check in. The compress should feel warm, not hot. "
                 "If it feels hot, take it off now.", "checkin")
        k += 1
    b.speech(start + s.duration_s, _with_next("Time is up. Remove the compress.", next_title),
             "end")


def _next_title(steps: tuple[Step, ...], i: int) -> str | None:
    """The title to announce as "next up" after step ``i``: the next step that is not a rest."""
    for step in steps[i + 1:]:
        if isinstance(step, Rest):
            continue
        return None if isinstance(step, Say) else step.title
    return None


def _describe(step: Step, index: int) -> str:
    if isinstance(step, Say):
        return f"step {index + 1} (say)"
    if isinstance(step, Rest):
        return f"step {index + 1} (rest)"
    return f"step {index + 1} ({step.kind} '{step.title}')"


def _check_overruns(routine: Routine, index: int, cues: list[Cue]) -> list[Problem]:
    """Speech (or a tone) that would still sound when the next cue of its kind starts."""
    problems: list[Problem] = []
    step = routine.steps[index]
    for kind in ("speech", "tone"):
        same = sorted((c for c in cues if c.kind == kind), key=lambda c: c.at)
        for prev, nxt in itertools.pairwise(same):
            if prev.end > nxt.at + 1e-6:
                what = f"'{prev.text}'" if kind == "speech" else f"the {prev.tone} tone"
                problems.append(Problem(
                    routine.step_file(index), step.line,
                    f"{_describe(step, index)}: {what} lasts {prev.length:.2f} s and would run "
                    f"past the next cue {nxt.at - prev.at:.2f} s later; give it more time",
                ))
                break
    return problems


def _opening(routine: Routine, meter: SpeechMeter, voice: Voice) -> list[Cue]:
    b = _StepBuilder(0, meter, voice, [])
    b.tone(0.0, "chime", "start chime", "opening")
    b.speech(OPENING_SPEECH_AT, opening_text(routine), "opening")
    return b.cues


def _closing(routine: Routine, meter: SpeechMeter, voice: Voice, t: float) -> list[Cue]:
    b = _StepBuilder(max(len(routine.steps) - 1, 0), meter, voice, [])
    last = b.speech(t, closing_text(routine), "closing")
    b.tone(last.end + GAP_S, "chime", "end chime", "closing")
    return b.cues


def _step(
    routine: Routine, i: int, t: float, meter: SpeechMeter, voice: Voice,
) -> tuple[StepSpan, list[Cue], list[Problem]]:
    """Step ``i`` starting at ``t``: its span, its cues in time order, and its overruns."""
    step = routine.steps[i]
    b = _StepBuilder(i, meter, voice, [])
    if isinstance(step, Rest):
        end = t + step.seconds
    elif isinstance(step, Say):
        cue = b.speech(t, step.text, "say")
        end = cue.end + step.pause_s
    else:
        nxt = _next_title(routine.steps, i)
        if isinstance(step, Stretch):
            _stretch(b, step, t, nxt)
        elif isinstance(step, Breathe):
            _breathe(b, step, t, nxt)
        else:
            _compress(b, step, t, nxt)
        end = max(c.end for c in b.cues) + SETTLE_S
    b.cues.sort(key=lambda c: (c.at, c.kind != "tone"))
    return StepSpan(i, step.kind, step.title, t, end), b.cues, _check_overruns(routine, i, b.cues)


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


def compile_routine(routine: Routine, meter: SpeechMeter, voice: Voice) -> Timeline:
    """The whole timeline. Pure: the same routine, meter and voice give the same timeline.

    Raises :class:`RoutineError` listing every step whose speech would overrun.
    """
    cues = _opening(routine, meter, voice)
    spans: list[StepSpan] = []
    problems: list[Problem] = []
    t = cues[-1].end + SETTLE_S
    for i in range(len(routine.steps)):
        span, step_cues, step_problems = _step(routine, i, t, meter, voice)
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


def check_length(routine: Routine, total_s: float) -> None:
    """Refuse a session longer than the limit, its speech counted (the loader's own check
    counts only what needs no speech lengths)."""
    if total_s > MAX_SESSION_S:
        raise RoutineError.single(
            routine.source, 0, f"the session would last {total_s / 3600:,.1f} hours with its "
                               f"speech; sessions are limited to {MAX_SESSION_S // 3600} hours")


def check_estimated_length(routine: Routine, voice: Voice) -> None:
    """:func:`check_length` with estimated speech lengths, before any phrase is synthesized:
    so a routine of hours of speech is refused at once, not after synthesizing all of it."""
    meter = EstimatedSpeechMeter()
    t = OPENING_SPEECH_AT + meter.seconds(opening_text(routine), voice) + SETTLE_S
    for i in range(len(routine.steps)):
        span, _, _ = _step(routine, i, t, meter, voice)
        t = span.end
    check_length(routine, t)


def phrases(routine: Routine) -> list[str]:
    """Every distinct phrase the session will speak, in the order first heard.

    Lets the audio layer synthesize ahead of need; the text of cues never depends on timing.
    """
    timeline = compile_routine(routine, _ZeroMeter(), Voice())
    seen: dict[str, None] = {}
    for cue in timeline.cues:
        if cue.kind == "speech":
            seen.setdefault(cue.text, None)
    return list(seen)


class _ZeroMeter:
    """Lengths of zero: only the texts of the cues matter to :func:`phrases`."""

    def seconds(self, text: str, voice: Voice) -> float:
        return 0.0
