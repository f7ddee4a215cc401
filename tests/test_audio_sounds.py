"""The sound of each cue: speech from the speech source, tones generated."""

from __future__ import annotations

from array import array

import pytest

from crampcoach.audio.sounds import SpokenCueSounds
from crampcoach.audio.tones import LEVEL, tone
from crampcoach.routines.timeline import Cue, Voice
from support.fakes import FakeSpeech

VOICE = Voice("en", 140)
WORD = Cue(at=1.0, kind="speech", text="Breathe in", step=0, role="phase", length=0.5)
TONE = Cue(at=1.0, kind="tone", text="Breathe in", step=0, role="phase", length=0.6, tone="in")


def test_speech_cue_is_the_phrase() -> None:
    speech = FakeSpeech()
    assert SpokenCueSounds(speech).clip_for(WORD, VOICE) == speech.clip("Breathe in", VOICE)
    assert speech.requests == ["Breathe in", "Breathe in"]


def test_tone_cue_is_the_generated_tone() -> None:
    assert SpokenCueSounds(FakeSpeech()).clip_for(TONE, VOICE) == tone("in")


def test_tone_gain_softens_tones_only() -> None:
    soft = SpokenCueSounds(FakeSpeech(), tone_gain=0.5)
    peak = max(abs(s) for s in array("h", soft.clip_for(TONE, VOICE).pcm))
    assert peak == round(LEVEL * 0.5 * 32767)
    assert soft.clip_for(WORD, VOICE) == FakeSpeech().clip("Breathe in", VOICE)
    with pytest.raises(ValueError, match="tone gain must be between"):
        SpokenCueSounds(FakeSpeech(), tone_gain=2.0)


def test_volume_scales_speech_and_tones_as_they_are_made() -> None:
    from array import array

    from crampcoach.audio.sounds import SpokenCueSounds
    from crampcoach.routines.timeline import Cue, Voice
    from support.fakes import FakeSpeech

    speech = FakeSpeech(level=10000)
    cue = Cue(at=0.0, kind="speech", text="Hold.", step=0, role="hold", length=0.25)
    loud = SpokenCueSounds(speech).clip_for(cue, Voice())
    soft = SpokenCueSounds(speech, volume=0.5).clip_for(cue, Voice())
    assert set(array("h", loud.pcm)) == {10000}
    assert set(array("h", soft.pcm)) == {5000}
