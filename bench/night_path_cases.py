"""The 3 a.m. path's cases, before and after issue 21, from the real voice's own lengths.

What a person hears in two of the cases depends only on how long the sentences are at the
night voice (espeak-ng, real synthesis, the default night rate), so they are worked out
from the real clips rather than timed:

* the GPIO button's count during the rating question: before, each press was counted
  aloud only once the question was over (the question, then 0.4 s); now the count cuts
  the question short, so it is heard as the button is let go. The worst case is a press
  as the question begins: the delay is the question's whole length (plus the gap).
* "repeat" twice, 2 s apart (or "repeat" while the instruction is still said): before,
  the second copy was mixed over what was left of the first; now the first stops.

    python bench/night_path_cases.py
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime
from pathlib import Path

from crampcoach.audio.speech import SpeechCache, SynthesizedSpeech
from crampcoach.phrases import ENGLISH
from crampcoach.settings import Settings, effective_voice

#: The gap the session left after what was being said before a phrase said meanwhile.
PHRASE_GAP_S = 0.4
#: The longest instruction of the built-in cramp rescue (the one a person may ask again).
INSTRUCTION = ("If cramps come often, are very painful, or come with weakness or stiffness, "
               "talk to your doctor or MS nurse.")
REPEAT_APART_S = 2.0


def main() -> int:
    voice = effective_voice(Settings(), datetime(2026, 12, 1, 3, 0)).voice
    before_question = f"{ENGLISH.rating_after} {ENGLISH.button_hint}"
    with tempfile.TemporaryDirectory(prefix="crampcoach-bench-night-") as tmp, \
            SynthesizedSpeech(SpeechCache(Path(tmp))) as speech:
        lengths = {name: speech.clip(text, voice).seconds for name, text in (
            ("before", before_question), ("after", ENGLISH.button_rating),
            ("after_keys", ENGLISH.button_or_keys_rating), ("instruction", INSTRUCTION))}
    print(f"night voice: {voice.engine} {voice.language}, {voice.rate} words per minute")
    print("rating question with the button (no keyboard):")
    print(f"  before: {lengths['before']:.1f} s ({before_question!r})")
    print(f"  after:  {lengths['after']:.1f} s ({ENGLISH.button_rating!r}); "
          f"with keys too {lengths['after_keys']:.1f} s")
    print("a press as the question begins is counted aloud:")
    print(f"  before: {lengths['before'] + PHRASE_GAP_S:.1f} s after the press "
          "(once the question is over)")
    print("  after:  as the button is let go (the question is cut short)")
    overlap = max(0.0, lengths["instruction"] - REPEAT_APART_S)
    print(f"repeat twice, {REPEAT_APART_S:g} s apart, of a {lengths['instruction']:.1f} s "
          "instruction:")
    print(f"  before: two copies at once for {overlap:.1f} s")
    print("  after:  0 s (the first copy stops as the second begins)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
