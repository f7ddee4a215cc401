"""The sound of each cue: speech from a speech source, tones from the generator."""

from __future__ import annotations

from crampcoach.audio.base import Clip, SpeechSource
from crampcoach.audio.playback import scaled
from crampcoach.audio.tones import LEVEL, tone
from crampcoach.routines.timeline import Cue, Voice


class SpokenCueSounds:
    """A :class:`~crampcoach.audio.base.CueSounds` on a real (or fake) speech source.

    Thread-safe as long as the speech source is (:class:`SynthesizedSpeech` is); tones
    are made once and shared. Raises :class:`~crampcoach.errors.SynthesisError` for a
    speech cue whose phrase cannot be made: the player then shows the text instead.
    ``tone_gain`` (0.0 to 1.0) softens the tones against the voice, as at night.
    ``volume`` (0.0 to 1.0) scales everything here, ahead of need, rather than in the
    sink at the moment of playing: scaling a long phrase sample by sample takes tens of
    milliseconds, which would make every cue that late.
    """

    def __init__(self, speech: SpeechSource, tone_gain: float = 1.0,
                 volume: float = 1.0) -> None:
        if not 0.0 <= tone_gain <= 1.0:
            raise ValueError(f"tone gain must be between 0.0 and 1.0, not {tone_gain}")
        if not 0.0 <= volume <= 1.0:
            raise ValueError(f"volume must be between 0.0 and 1.0, not {volume}")
        self.speech = speech
        self.volume = volume
        self.tone_level = LEVEL * tone_gain * volume

    def clip_for(self, cue: Cue, voice: Voice) -> Clip:
        if cue.kind == "tone":
            if cue.tone is None:
                raise ValueError(f"tone cue at {cue.at:g} s names no tone")
            return tone(cue.tone, self.tone_level)
        return scaled(self.speech.clip(cue.text, voice), self.volume)
