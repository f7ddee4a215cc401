"""Numbers joined by hyphens, as carers write them, must not be read out as 'dash'."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampcoach.audio.speech import SpeechCache, SynthesizedSpeech, spoken_form
from crampcoach.routines.timeline import Voice


@pytest.mark.parametrize(("written", "spoken"), [
    ("Hold for 10-15 seconds.", "Hold for 10 to 15 seconds."),
    ("Do this 2-3 times.", "Do this 2 to 3 times."),
    ("4-7-8 breathing.", "4 7 8 breathing."),
    ("Twitch wind-down, step-by-step.", "Twitch wind-down, step-by-step."),
    ("Breathe in for 4, out for -3.", "Breathe in for 4, out for -3."),
])
def test_spoken_form_in_english(written: str, spoken: str) -> None:
    assert spoken_form(written, "en") == spoken


def test_other_languages_get_a_pause_not_an_english_word() -> None:
    assert spoken_form("Halten Sie 10-15 Sekunden.", "de") == "Halten Sie 10 15 Sekunden."


@pytest.mark.parametrize("text", ["Hold for 10-15 seconds.", "Hold for 10 to 15 seconds."])
def test_a_range_sounds_the_same_as_written_out(tmp_path: Path, text: str) -> None:
    # One fresh worker per phrase: espeak-ng's output is then the same to the sample.
    voice = Voice("en", 140)
    with SynthesizedSpeech(SpeechCache(tmp_path / "a")) as speech:
        heard = speech.clip(text, voice)
    with SynthesizedSpeech(SpeechCache(tmp_path / "b")) as speech:
        written_out = speech.clip("Hold for 10 to 15 seconds.", voice)
    assert heard.pcm == written_out.pcm
