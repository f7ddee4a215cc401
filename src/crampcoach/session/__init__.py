"""Start and play a session without the command line.

One entry point for whatever starts a session (the ``play`` command today; a resident
bedside service or a web page later): build a :class:`SessionRequest` (routine, settings,
inputs, journal, sound, clock), :func:`prepare_session` it (voice, night mode, the check
before any sound, the head start) and ``play`` it with an observer that receives every
event. Nothing here prints, exits or installs signal handlers, so it runs on any thread:
to stop a session from elsewhere, push a control key to its clock
(:meth:`PreparedSession.push`).

How a routine will sound and whether it fits, for every front end: the voice
(:mod:`.voice`: language, rate, night mode, engine, volume) and the measured, checked
timeline by day, at night or at a time of day (:mod:`.timing`).
"""

from __future__ import annotations

from crampcoach.session.request import (
    KeyState,
    NoKeys,
    RatingRequest,
    SessionInputs,
    SessionJournal,
    SessionRequest,
)
from crampcoach.session.sound import SessionSound, SoundMaker
from crampcoach.session.start import PreparedSession, prepare_session
from crampcoach.session.voice import (
    SpokenVoice,
    day_voice,
    decide_voice,
    engine_voice,
    night_rate_voice,
    routine_voice,
    voice_at,
)

__all__ = [
    "KeyState",
    "NoKeys",
    "PreparedSession",
    "RatingRequest",
    "SessionInputs",
    "SessionJournal",
    "SessionRequest",
    "SessionSound",
    "SoundMaker",
    "SpokenVoice",
    "day_voice",
    "decide_voice",
    "engine_voice",
    "night_rate_voice",
    "prepare_session",
    "routine_voice",
    "voice_at",
]
