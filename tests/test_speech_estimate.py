"""The estimate a routine is checked with before its speech is made is never shorter
than espeak-ng's speech: numbers, times, doses and units are counted as they are said."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crampcoach.audio.speech import SpeechCache, SynthesizedSpeech
from crampcoach.routines.compiler import EstimatedSpeechMeter, spoken_letters
from crampcoach.routines.timeline import RATE_RANGE, Voice

WORDS = ["Take", "then", "of", "magnesium", "at", "and", "breathe", "slowly", "hold",
         "calf", "stretch", "gently", "your", "toes", "toward", "you", "vitamin", "water",
         "drink", "before", "bed", "baclofen", "release", "a", "I", "knee", "minutes"]
UNITS = ["mg", "ml", "IU", "g", "kg", "mmHg", "bpm", "%", "mcg", "h"]
PUNCTUATION = [".", ",", ";", ":", "!", "?", ""]

numbers = st.one_of(
    st.integers(0, 9_999_999).map(str),
    st.tuples(st.integers(0, 9999), st.integers(0, 999)).map(lambda p: f"{p[0]}.{p[1]}"),
    st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda p: f"{p[0]}:{p[1]:02d}"),
    st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda p: f"{p[0]}.{p[1]:02d}"),
    st.tuples(st.integers(1, 999), st.integers(0, 999)).map(lambda p: f"{p[0]},{p[1]:03d}"),
    st.tuples(st.integers(0, 20), st.integers(0, 20)).map(lambda p: f"{p[0]}-{p[1]}"),
)
doses = st.tuples(numbers, st.sampled_from(UNITS), st.booleans()).map(
    lambda d: f"{d[0]}{'' if d[2] else ' '}{d[1]}")
pieces = st.one_of(st.sampled_from(WORDS), numbers, doses)
sentences = st.lists(st.tuples(pieces, st.sampled_from(PUNCTUATION)), min_size=1,
                     max_size=12).map(lambda ps: " ".join(p + mark for p, mark in ps))
RATES = st.sampled_from([RATE_RANGE[0], 100, 140, 200, RATE_RANGE[1]])


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynthesizedSpeech]:
    folder: Path = tmp_path_factory.mktemp("estimate-speech")
    with SynthesizedSpeech(SpeechCache(folder)) as made:
        yield made


@pytest.mark.realaudio
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=sentences, rate=RATES)
def test_the_estimate_is_never_short_in_english(speech: SynthesizedSpeech, text: str,
                                                rate: int) -> None:
    voice = Voice("en", rate)
    assert EstimatedSpeechMeter().seconds(text, voice) >= speech.seconds(text, voice)


@pytest.mark.realaudio
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(said=st.lists(st.one_of(numbers, doses), min_size=1, max_size=6).map(" ".join),
       language=st.sampled_from(["de", "fr", "es", "it", "nl"]), rate=RATES)
def test_numbers_and_doses_are_never_short_in_other_languages(
        speech: SynthesizedSpeech, said: str, language: str, rate: int) -> None:
    voice = Voice(language, rate)
    assert EstimatedSpeechMeter().seconds(said, voice) >= speech.seconds(said, voice)


def test_a_dose_counts_as_it_is_said() -> None:
    # "two point five milligrams at seven point four five": digits and units said long.
    assert spoken_letters("Take 2.5 mg at 7.45.") == (5 + 28 + 13 + 3 + 38 + 1, 1)
    written = EstimatedSpeechMeter().seconds("Take 2.5 mg at 7.45.", Voice("en", 140))
    plain = EstimatedSpeechMeter().seconds("Take some at noon.", Voice("en", 140))
    assert written > plain + 1.5
