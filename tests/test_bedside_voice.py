from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from crampcoach.inputs import spoken as voice_rating
from crampcoach.inputs.protocol import RATING_WORDS, HandsFreeUnavailable
from crampcoach.inputs.spoken import (
    GAVE_UP,
    PROMPT,
    NumberRecognizer,
    SpokenRating,
    arecord_recorder,
    open_spoken_rating,
    prepare,
)
from support.bedside import SpokenPhrases, spoken_recording

needs_pocketsphinx = pytest.mark.skipif(
    importlib.util.find_spec("pocketsphinx") is None,
    reason="pocketsphinx (crampcoach[voice]) is not installed",
)
needs_espeak_and_sox = pytest.mark.skipif(
    shutil.which("espeak-ng") is None or shutil.which("sox") is None,
    reason="espeak-ng and sox make the test recordings",
)
RATES = (120, 160)
CONFIRM = "Say yes to keep it, or say the number again."


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int], bytes]:
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        pytest.skip("espeak-ng and sox make the test recordings")
    folder = tmp_path_factory.mktemp("spoken")
    words = (*RATING_WORDS, "yes", "no")
    return {(w, r): spoken_recording(w, r, folder) for w in words for r in RATES}


@pytest.fixture(scope="module")
def recognizer() -> NumberRecognizer:
    if importlib.util.find_spec("pocketsphinx") is None:
        pytest.skip("pocketsphinx (crampcoach[voice]) is not installed")
    return NumberRecognizer()


@needs_pocketsphinx
@needs_espeak_and_sox
def test_numbers_spoken_at_two_rates_are_recognized(
    recognizer: NumberRecognizer, recordings: dict[tuple[str, int], bytes]
) -> None:
    heard = {(w, r): recognizer.recognize(recordings[w, r])
             for w in RATING_WORDS for r in RATES}
    right = [key for key, number in heard.items() if number == RATING_WORDS.index(key[0])]
    # Measured here: 20 of 22 (see docs/bedside.md); the bar leaves room for another
    # espeak-ng build, not for a recognizer that has stopped working.
    assert len(right) >= 18, heard
    # Every number that is heard is one of the eleven: nothing else comes out.
    assert all(n is None or 0 <= n <= 10 for n in heard.values())


@needs_pocketsphinx
@needs_espeak_and_sox
def test_yes_and_no_are_recognized(
    recognizer: NumberRecognizer, recordings: dict[tuple[str, int], bytes]
) -> None:
    for rate in RATES:
        assert recognizer.recognize_answer(recordings["yes", rate]) == "yes"
        assert recognizer.recognize_answer(recordings["no", rate]) == "no"
        assert recognizer.recognize(recordings["yes", rate]) is None


@needs_pocketsphinx
def test_silence_and_too_little_sound_are_nothing(recognizer: NumberRecognizer) -> None:
    assert recognizer.recognize_answer(bytes(4 * 16000 * 2)) is None
    assert recognizer.recognize_answer(b"") is None
    assert recognizer.recognize_answer(b"\x01\x00" * 100) is None


def test_prepare_keeps_the_loud_part_with_a_margin() -> None:
    quiet, loud = b"\x00\x00" * 16000, b"\x00\x40" * 8000
    out = prepare(quiet + loud + quiet)
    # 0.5 s of sound plus 0.2 s either side, at 16 kHz, 2 bytes a sample.
    assert len(out) == (8000 + 2 * 3200) * 2
    assert prepare(quiet + loud + quiet) == out  # the dither is the same every time
    assert out != bytes(len(out))


# --- the dialogue ------------------------------------------------------------------------------

class ScriptedRecorder:
    def __init__(self, answers: list[bytes]) -> None:
        self.answers = list(answers)
        self.asked: list[float] = []

    def __call__(self, seconds: float) -> bytes:
        self.asked.append(seconds)
        return self.answers.pop(0) if self.answers else bytes(16000 * 2)


def _dialogue(recognizer: NumberRecognizer, answers: list[bytes], timeout_s: float = 120
              ) -> tuple[int | None, list[str], ScriptedRecorder]:
    spoken = SpokenPhrases()
    recorder = ScriptedRecorder(answers)
    rating = SpokenRating(recognizer, recorder, spoken, listen_s=4).ask_rating(timeout_s)
    return rating, spoken.said, recorder


@needs_pocketsphinx
@needs_espeak_and_sox
def test_a_number_confirmed_with_yes_is_the_rating(
    recognizer: NumberRecognizer, recordings: dict[tuple[str, int], bytes]
) -> None:
    rating, said, recorder = _dialogue(
        recognizer, [recordings["three", 160], recordings["yes", 160]])
    assert rating == 3
    assert said == [PROMPT, f"I heard three. {CONFIRM}", "Thank you. Three it is."]
    assert recorder.asked == [4, 4]


@needs_pocketsphinx
@needs_espeak_and_sox
def test_saying_the_number_again_replaces_it(
    recognizer: NumberRecognizer, recordings: dict[tuple[str, int], bytes]
) -> None:
    rating, said, _ = _dialogue(recognizer, [
        recordings["two", 160], recordings["seven", 160], recordings["yes", 120]])
    assert rating == 7
    assert said == [PROMPT, f"I heard two. {CONFIRM}", f"I heard seven. {CONFIRM}",
                    "Thank you. Seven it is."]


@needs_pocketsphinx
@needs_espeak_and_sox
def test_no_starts_again_and_silence_gives_up_without_a_rating(
    recognizer: NumberRecognizer, recordings: dict[tuple[str, int], bytes]
) -> None:
    rating, said, recorder = _dialogue(recognizer, [
        recordings["five", 160], recordings["no", 160]])
    assert rating is None
    assert said == [PROMPT, f"I heard five. {CONFIRM}", f"Sorry. {PROMPT}",
                    f"I did not catch that. {PROMPT}", GAVE_UP]
    assert len(recorder.asked) == 4


@needs_pocketsphinx
def test_no_round_starts_that_could_not_finish_in_time(recognizer: NumberRecognizer) -> None:
    now = [0.0]

    def record(seconds: float) -> bytes:
        now[0] += seconds
        return bytes(16000 * 2)

    spoken = SpokenPhrases()
    rating = SpokenRating(recognizer, record, spoken, listen_s=4,
                          clock=lambda: now[0]).ask_rating(timeout_s=10)
    assert rating is None
    assert spoken.said == [PROMPT, f"I did not catch that. {PROMPT}", GAVE_UP]
    assert now[0] == 8


# --- when it cannot work ----------------------------------------------------------------------

def test_without_pocketsphinx_it_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pocketsphinx", None)
    with pytest.raises(HandsFreeUnavailable) as caught:
        NumberRecognizer()
    assert str(caught.value) == (
        "The spoken rating needs pocketsphinx, which is not installed "
        "(pip install 'crampcoach[voice]')."
    )


def test_without_arecord_it_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = ("The spoken rating needs arecord (the alsa-utils package), "
                "which is not installed.")
    monkeypatch.setattr(voice_rating.shutil, "which", lambda name: None)
    with pytest.raises(HandsFreeUnavailable) as caught:
        open_spoken_rating(SpokenPhrases())
    assert str(caught.value) == expected
    monkeypatch.setenv("PATH", "")
    with pytest.raises(HandsFreeUnavailable) as caught:
        arecord_recorder()(1)
    assert str(caught.value) == expected


@pytest.mark.skipif(shutil.which("arecord") is None, reason="arecord (alsa-utils) is missing")
def test_a_microphone_that_is_not_there_says_which() -> None:
    record: Callable[[float], bytes] = arecord_recorder("crampcoach_no_such_device")
    with pytest.raises(HandsFreeUnavailable) as caught:
        record(1)
    message = str(caught.value)
    assert message.startswith("The microphone 'crampcoach_no_such_device' cannot be used (")
    assert message.endswith(").")


def test_arecord_is_asked_for_what_the_recognizer_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stand-in arecord first on PATH: it writes down its arguments and gives two samples.
    args = tmp_path / "args"
    fake = tmp_path / "arecord"
    fake.write_text(f'#!/bin/sh\necho "$@" > {args}\nprintf "\\001\\000\\002\\000"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    assert arecord_recorder("plughw:1,0")(3.6) == b"\x01\x00\x02\x00"
    assert args.read_text() == "-q -D plughw:1,0 -f S16_LE -r 16000 -c 1 -t raw -d 4\n"
