"""How well the spoken rating hears the numbers zero to ten, offline.

Each number is spoken by espeak-ng in four English voices at 120 and 160 words per minute,
converted to what arecord gives (16 kHz, 16-bit mono) with half a second of quiet before and
a second after, and recognized twice: by crampcoach's recognizer (the loud part cut out,
dithered) and, as the naive baseline, by the same pocketsphinx grammar given the raw
recording.

    python bench/bedside_voice_accuracy.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crampcoach.inputs.protocol import RATING_WORDS
from crampcoach.inputs.spoken import NumberRecognizer

RATES = (120, 160)
#: espeak-ng's default English first: the figure the docs lead with.
VOICES = ("en", "en-us", "en-gb-x-rp", "en+f3")
# Not numbers: what comes out for these is why a number is only kept after a "yes".
OTHER = ("hello", "banana", "um", "what", "okay", "I don't know", "yes", "no")


def recording(text: str, voice: str, rate: int, folder: Path) -> bytes:
    wav, raw = folder / "said.wav", folder / "said.raw"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(wav), text], check=True)
    subprocess.run(["sox", str(wav), "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer",
                    "-t", "raw", str(raw), "pad", "0.5", "1.0"], check=True)
    return raw.read_bytes()


def naive(recognizer: NumberRecognizer, pcm: bytes) -> int | None:
    decoder = recognizer._decoder
    decoder.reinit_feat()
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    word = hyp.hypstr if hyp is not None else ""
    return RATING_WORDS.index(word) if word in RATING_WORDS else None


def main() -> int:
    recognizer = NumberRecognizer()
    totals = {"crampcoach": 0, "naive": 0}
    elapsed = 0.0
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for voice in VOICES:
            for rate in RATES:
                right = {"crampcoach": 0, "naive": 0}
                misheard: list[str] = []
                for number, word in enumerate(RATING_WORDS):
                    pcm = recording(word, voice, rate, folder)
                    started = time.perf_counter()
                    heard = recognizer.recognize(pcm)
                    elapsed += time.perf_counter() - started
                    count += 1
                    right["crampcoach"] += heard == number
                    right["naive"] += naive(recognizer, pcm) == number
                    if heard != number:
                        said = RATING_WORDS[heard] if heard is not None else "nothing"
                        misheard.append(f"{word} as {said}")
                for key in totals:
                    totals[key] += right[key]
                print(f"{voice:<11} {rate} wpm: crampcoach {right['crampcoach']:>2}/11, "
                      f"naive {right['naive']:>2}/11"
                      + (f"  misheard: {', '.join(misheard)}" if misheard else ""))
        answers = {w: recognizer.recognize_answer(recording(w, "en", 140, folder))
                   for w in OTHER}
    n = count
    print(f"all: crampcoach {totals['crampcoach']}/{n} ({100 * totals['crampcoach'] / n:.0f} %), "
          f"naive {totals['naive']}/{n} ({100 * totals['naive'] / n:.0f} %), "
          f"ratio {totals['crampcoach'] / max(1, totals['naive']):.2f}x")
    print("not numbers (en, 140 wpm): " + ", ".join(f"{w!r} -> {a}" for w, a in answers.items()))
    print(f"recognition time: {1000 * elapsed / n:.0f} ms per answer on average")
    return 0


if __name__ == "__main__":
    sys.exit(main())
