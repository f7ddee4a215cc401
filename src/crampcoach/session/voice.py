"""Which voice speaks a routine: the routine's language and rate (the settings' where it
is silent), night mode's slower rate and softer sound, and the engine in the settings.

The one place every front end (``play``, ``check``, ``plan``, ``list``, ``render``, the
companion page, the bedside service) asks how a routine will sound, so they cannot
disagree on its engine, rate or volume.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import TYPE_CHECKING

from crampcoach.errors import RoutineError
from crampcoach.routines.timeline import Voice

if TYPE_CHECKING:
    from crampcoach.routines.model import Routine
    from crampcoach.settings import EffectiveVoice, Settings


def routine_voice(routine: Routine, settings: Settings) -> Voice:
    """The routine's own language and rate win; the settings give them where it is silent.

    Night mode is not applied here: a session applies it when it starts.
    """
    return Voice(language=routine.language or settings.language,
                 rate=routine.rate or settings.rate)


@dataclass(frozen=True, slots=True)
class SessionVoice:
    """How a session sounds, decided once when it starts, and what to show about night
    mode (None by day)."""

    effective: EffectiveVoice
    night_note: str | None = None


def decide_voice(routine: Routine, settings: Settings, at: datetime,
                 check: Callable[[Voice], object]) -> SessionVoice:
    """The voice for a session starting at ``at``: night mode's slower rate when the
    routine fits at it, else the day rate (night's volume cap and softer tones still
    apply), so a routine that fits by day is never refused at night.

    ``check`` compiles the routine with a voice and raises
    :class:`~crampcoach.errors.RoutineError` when it does not fit; the day voice's error
    is the one raised.
    """
    from crampcoach.phrases import phrasebook
    from crampcoach.settings import effective_voice

    day = routine_voice(routine, settings)
    effective = effective_voice(settings, at, day)
    night = settings.night
    if not effective.night or night is None:
        check(effective.voice)
        return SessionVoice(effective)
    book = phrasebook(effective.voice.language)
    end = f"{night.end:%H:%M}"
    volume = f"{effective.volume:g}".replace(".", book.decimal_point)
    if effective.voice != day:
        try:
            check(effective.voice)
        except RoutineError:
            check(day)
            return SessionVoice(replace(effective, voice=day), book.shown_night_rate_kept.format(
                end=end, volume=volume, rate=day.rate, night_rate=effective.voice.rate))
    else:
        check(day)
    return SessionVoice(effective, book.shown_night.format(
        end=end, rate=effective.voice.rate, volume=volume))


def engine_voice(voice: Voice, settings: Settings) -> tuple[Voice, str | None]:
    """``voice`` spoken by the engine in the settings, and why not when that engine's
    voice cannot speak it (espeak-ng then speaks; the session says so once)."""
    if settings.speech_engine == voice.engine and settings.piper_voice is None:
        return voice, None
    from crampcoach.audio.piper import choose_voice

    choice = choose_voice(voice, settings.speech_engine, settings.piper_voice)
    return choice.voice, choice.fallback_reason


@dataclass(frozen=True, slots=True)
class SpokenVoice:
    """A voice as the engine in the settings speaks it; ``note`` says why the chosen
    engine's voice cannot speak it (espeak-ng then does), None when it can."""

    voice: Voice
    note: str | None = None


def day_voice(routine: Routine, settings: Settings) -> SpokenVoice:
    """The routine's day voice, spoken by the engine in the settings."""
    return SpokenVoice(*engine_voice(routine_voice(routine, settings), settings))


def night_rate_voice(routine: Routine, settings: Settings) -> SpokenVoice | None:
    """The routine's voice at night mode's rate, spoken by the engine in the settings;
    None when night mode is off or would not slow it."""
    from crampcoach.settings import night_voice

    night = night_voice(settings, routine_voice(routine, settings))
    return None if night is None else SpokenVoice(*engine_voice(night, settings))


def voice_at(settings: Settings, at: datetime | time, routine: Routine | None = None,
             ) -> tuple[EffectiveVoice, str | None]:
    """How a session (or, without ``routine``, the service's own answers) sounds at the
    time of day ``at``: the rate, volume and tone gain night mode gives, the voice spoken
    by the engine in the settings, and why that engine's voice cannot speak it (None)."""
    from crampcoach.settings import effective_voice

    base = None if routine is None else routine_voice(routine, settings)
    effective = effective_voice(settings, at, base)
    voice, note = engine_voice(effective.voice, settings)
    return replace(effective, voice=voice), note
