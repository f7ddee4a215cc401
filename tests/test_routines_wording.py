"""What the person hears must read as good English: the plan is the transcript."""

from __future__ import annotations

import pytest

from crampcoach.routines.compiler import EstimatedSpeechMeter, compile_routine
from crampcoach.routines.model import Breathe, Compress, Routine
from crampcoach.routines.timeline import Voice


def _texts(*steps: Breathe | Compress) -> list[str]:
    timeline = compile_routine(Routine(name="Test", steps=steps), EstimatedSpeechMeter(), Voice())
    return [c.text for c in timeline.cues if c.kind == "speech"]


def test_a_single_breath_starts_its_sentence_with_a_capital() -> None:
    texts = _texts(Breathe(name="One slow breath", in_s=4, out_s=6, cycles=1, prepare_s=12))
    assert texts[1] == ("One slow breath. Breathe in for 4 seconds, out for 6 seconds. One "
                        "breath. Follow my voice and the tones.")


@pytest.mark.parametrize(("seconds", "heard"), [
    (60, "I will tell you when 1 minute is up."),
    (120, "I will tell you when 2 minutes are up."),
    (90, "I will tell you when 1 minute 30 seconds are up."),
])
def test_the_compress_says_is_up_for_one_minute(seconds: float, heard: str) -> None:
    texts = _texts(Compress(name="Warm compress", duration_s=seconds, check_every_s=seconds,
                            prepare_s=20))
    assert texts[2] == f"Compress on. Rest and breathe slowly. {heard}"


def test_no_built_in_phrase_has_a_hyphen_between_digits() -> None:
    # espeak-ng reads "4-7-8" as "four dash seven dash eight".
    import re

    from crampcoach.routines import library
    from crampcoach.routines.compiler import spoken_texts
    from crampcoach.routines.loader import load_routine

    spoken = {name: [text for text in spoken_texts(load_routine(name))
                     if re.search(r"\d-\d", text)]
              for name in library.builtin_names()}
    assert {name: texts for name, texts in spoken.items() if texts} == {}
