"""The sound a session is made with: cue sounds, the output, and speech lengths."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crampcoach.audio.base import CueSounds
    from crampcoach.player.output import SinkFactory
    from crampcoach.routines.compiler import SpeechMeter


@dataclass(frozen=True)
class SessionSound:
    """What makes a session heard. ``meter`` measures speech for real (synthesizing);
    ``quick_meter`` never synthesizes (cached lengths, else estimates), to check quickly."""

    sounds: CueSounds
    sink_factory: SinkFactory
    meter: SpeechMeter
    close: Callable[[], None]
    quick_meter: SpeechMeter | None = None
    #: Why a chosen voice was replaced by espeak-ng while speaking (a Piper voice file
    #: that does not load), for the session to tell once.
    notes: Callable[[], Sequence[str]] = lambda: ()


#: Makes the session's sound at a volume and tone gain (night mode softens both).
SoundMaker = Callable[[float, float], SessionSound]


def real_sound(volume: float = 1.0, tone_gain: float = 1.0) -> SessionSound:
    """The real sound: speech from the chosen engine (cached), generated tones, ALSA
    through simpleaudio, at ``volume`` with tones at ``tone_gain``.

    Nothing here touches the device yet: a missing one is found at the first sound, and
    the session then goes on in text and says why.
    """
    from crampcoach.audio.engine import SpeechEngines
    from crampcoach.audio.playback import SimpleaudioSink
    from crampcoach.audio.sounds import SpokenCueSounds
    from crampcoach.routines.compiler import EstimatedSpeechMeter

    # Every engine: each phrase is spoken by the one the session's voice names.
    speech = SpeechEngines()
    # The volume is applied as the sounds are made, ahead of need (see SpokenCueSounds).
    return SessionSound(sounds=SpokenCueSounds(speech, tone_gain=tone_gain, volume=volume),
                        sink_factory=SimpleaudioSink,
                        meter=speech, close=speech.close,
                        quick_meter=speech.cached_meter(EstimatedSpeechMeter()),
                        notes=lambda: tuple(speech.notes))
