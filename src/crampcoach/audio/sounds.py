"""The sound of each cue: speech from a speech source, tones from the generator."""

from __future__ import annotations

from crampcoach.audio.base import Clip, SpeechSource
from crampcoach.audio.tones import tone
from crampcoach.routines.timeline import Cue, Voice


class SpokenCueSounds:
    """A :class:`~crampcoach.audio.base.CueSounds` on a real (or fake) speech source.

    Thread-safe as long as the speech source is (:class:`SynthesizedSpeech` is); tones
    are made once and shared. Raises :class:`~crampcoach.errors.SynthesisError` for a
    speech cue whose phrase cannot be made: the player then shows the text instead.
    """

    def __init__(self, speech: SpeechSource) -> None:
        self.speech = speech

    def clip_for(self, cue: Cue, voice: Voice) -> Clip:
        if cue.kind == "tone":
            if cue.tone is None:
                raise ValueError(f"tone cue at {cue.at:g} s names no tone")
            return tone(cue.tone)
        return self.speech.clip(cue.text, voice)
