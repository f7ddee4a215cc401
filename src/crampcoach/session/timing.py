"""How long a routine lasts and whether it fits: its timeline from the real lengths of its
speech (synthesized, or from the speech cache), by day, at night, or at a time of day.

The one place ``check``, ``plan``, ``list`` and ``render``, the companion page and the
bedside service get a routine's timeline from, with the voice :mod:`.voice` decides, so
they report the same engine and the same total for the same settings. Nothing here
prints: what the person should be told (an engine that cannot speak, lengths that are
estimates) comes back as notes, for the front end to show in its own way.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from crampcoach.session.voice import day_voice, decide_voice, engine_voice, night_rate_voice

if TYPE_CHECKING:
    from crampcoach.audio.engine import SpeechEngine
    from crampcoach.routines.compiler import SpeechMeter
    from crampcoach.routines.model import Routine
    from crampcoach.routines.timeline import Timeline, Voice
    from crampcoach.settings import Settings


@dataclass(frozen=True, slots=True)
class Note:
    """Something the person should know about a timeline, as one sentence part: why
    another voice speaks (``kind`` "voice"), or why lengths are estimates ("estimate")."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class MeasuredTimeline:
    """A routine's timeline, measured as it will be played, and what to say about it.
    ``night``: the night voice was used; ``night_note``: what night mode does (None by day
    or when no time of day was asked for)."""

    timeline: Timeline
    notes: tuple[Note, ...] = ()
    night: bool = False
    night_note: str | None = None


def _voice_note(reason: str) -> Note:
    return Note("voice", reason)


@contextlib.contextmanager
def measured_speech(routine: Routine, voice: Voice, speech: SpeechEngine | None,
                    notes: list[Note]) -> Iterator[SpeechMeter]:
    """A meter giving each phrase's real length with ``voice``: everything the routine says
    is synthesized first (two at a time; cached phrases cost nothing). The estimate, never
    shorter than the speech, with a note in ``notes``, when ``speech`` is None or cannot
    speak. Refuses hours of speech before synthesizing any."""
    from crampcoach.routines.compiler import (
        EstimatedSpeechMeter,
        check_speech_length,
        spoken_texts,
    )

    texts = spoken_texts(routine, voice)
    check_speech_length(routine, texts, voice)
    if speech is None:
        notes.append(Note("estimate", ""))
        yield EstimatedSpeechMeter()
        return
    failed = speech.prepare(texts, voice)
    if not failed:
        yield speech
        return
    notes.append(Note("estimate", str(next(iter(failed.values())))))
    yield EstimatedSpeechMeter()


def spoken_by(speech: SpeechEngine | None, voice: Voice, notes: list[Note]) -> Voice:
    """The voice that really spoke: espeak-ng's, with a note, when the chosen engine could
    not speak at all (a Piper voice file that does not load)."""
    from crampcoach.audio.engine import SpeechEngines

    if not isinstance(speech, SpeechEngines) or speech.spoken_by(voice) == voice:
        return voice
    notes.extend(_voice_note(note) for note in speech.notes)
    return speech.spoken_by(voice)


def _compiled(routine: Routine, voice: Voice, speech: SpeechEngine | None,
              notes: list[Note]) -> Timeline:
    from crampcoach.routines.compiler import compile_routine

    with measured_speech(routine, voice, speech, notes) as meter:
        timeline = compile_routine(routine, meter, voice)
    return dataclasses.replace(timeline, voice=spoken_by(speech, voice, notes))


def day_timeline(routine: Routine, settings: Settings, speech: SpeechEngine | None,
                 ) -> MeasuredTimeline:
    """The day timeline, as ``plan`` shows it. Raises
    :class:`~crampcoach.errors.RoutineError` for a routine that does not fit."""
    notes: list[Note] = []
    chosen = day_voice(routine, settings)
    if chosen.note is not None:
        notes.append(_voice_note(chosen.note))
    return MeasuredTimeline(_compiled(routine, chosen.voice, speech, notes), tuple(notes))


def timeline_at(routine: Routine, settings: Settings, speech: SpeechEngine | None,
                at: datetime) -> MeasuredTimeline:
    """The timeline of a session started at ``at``, decided as a session decides it:
    night mode's slower rate when the routine fits at it, else the day rate."""
    notes: list[Note] = []
    made: dict[Voice, Timeline] = {}

    def measured(voice: Voice) -> None:
        spoken, note = engine_voice(voice, settings)
        if note is not None:
            notes.append(_voice_note(note))  # once: the notes are deduplicated below
        made[voice] = _compiled(routine, spoken, speech, notes)

    decided = decide_voice(routine, settings, at, measured)
    return MeasuredTimeline(made[decided.effective.voice], tuple(dict.fromkeys(notes)),
                            decided.effective.night, decided.night_note)


def checked_timeline(routine: Routine, settings: Settings, speech: SpeechEngine | None,
                     ) -> MeasuredTimeline:
    """The day timeline once the routine is known to fit at the day rate and at the
    (slower) night rate too, so one that passes plays at any hour, as ``check`` and the
    page's editor check it. Raises :class:`~crampcoach.errors.RoutineError` naming each
    step that does not fit and at which rate."""
    from crampcoach.routines.compiler import check_day_and_night

    notes: list[Note] = []
    day = day_voice(routine, settings)
    if day.note is not None:
        notes.append(_voice_note(day.note))
    night = night_rate_voice(routine, settings)
    with contextlib.ExitStack() as stack:
        day_meter = stack.enter_context(measured_speech(routine, day.voice, speech, notes))
        night_meter = (None if night is None else stack.enter_context(
            measured_speech(routine, night.voice, speech, notes)))
        timeline = check_day_and_night(
            routine, (day_meter, day.voice),
            None if night is None or night_meter is None else (night_meter, night.voice))
    timeline = dataclasses.replace(timeline, voice=spoken_by(speech, day.voice, notes))
    return MeasuredTimeline(timeline, tuple(dict.fromkeys(notes)))
