"""How well the spoken rating hears the numbers zero to ten, offline.

Each number is spoken by espeak-ng at 120 and 160 words per minute, converted to what
arecord gives (16 kHz, 16-bit mono) with half a second of quiet before and a second after,
and recognized twice: by crampcoach's recognizer (the loud part cut out, dithered) and, as
the naive baseline, by the same pocketsphinx grammar given the raw recording.

    python bench/bedside_voice_accuracy.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crampcoach.handsfree import RATING_WORDS
from crampcoach.voice_rating import NumberRecognizer

RATES = (120, 160)
# Not numbers: what comes out for these is why a number is only kept after a "yes".
OTHER = ("hello", "banana", "um", "what", "okay", "I don't know", "yes", "no")


def recording(word: str, rate: int, folder: Path) -> bytes:
    stem = "-".join(word.split())
    wav, raw = folder / f"{stem}-{rate}.wav", folder / f"{stem}-{rate}.raw"
    subprocess.run(["espeak-ng", "-s", str(rate), "-w", str(wav), word], check=True)
    subprocess.run(["sox", str(wav), "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer",
                    "-t", "raw", str(raw), "pad", "0.5", "1.0"], check=True)
    return raw.read_bytes()


def naive(recognizer: NumberRecognizer, pcm: bytes) -> int | None:
    decoder = recognizer._decoder
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    word = hyp.hypstr if hyp is not None else ""
    return RATING_WORDS.index(word) if word in RATING_WORDS else None


def main() -> int:
    recognizer = NumberRecognizer()
    with tempfile.TemporaryDirectory() as tmp:
        clips = {(w, r): recording(w, r, Path(tmp)) for w in RATING_WORDS for r in RATES}
        others = {w: recording(w, 140, Path(tmp)) for w in OTHER}
    totals = {"crampcoach": 0, "naive": 0}
    elapsed = 0.0
    for rate in RATES:
        right = {"crampcoach": 0, "naive": 0}
        misheard: list[str] = []
        for number, word in enumerate(RATING_WORDS):
            started = time.perf_counter()
            heard = recognizer.recognize(clips[word, rate])
            elapsed += time.perf_counter() - started
            baseline = naive(recognizer, clips[word, rate])
            right["crampcoach"] += heard == number
            right["naive"] += baseline == number
            if heard != number:
                misheard.append(f"{word}->{RATING_WORDS[heard] if heard is not None else '-'}")
        for key in totals:
            totals[key] += right[key]
        print(f"{rate} wpm: crampcoach {right['crampcoach']}/11, naive {right['naive']}/11"
              + (f"  misheard: {', '.join(misheard)}" if misheard else ""))
    n = len(RATING_WORDS) * len(RATES)
    print(f"all: crampcoach {totals['crampcoach']}/{n} ({100 * totals['crampcoach'] / n:.0f} %), "
          f"naive {totals['naive']}/{n} ({100 * totals['naive'] / n:.0f} %), "
          f"ratio {totals['crampcoach'] / max(1, totals['naive']):.2f}x")
    answers = {w: recognizer.recognize_answer(pcm) for w, pcm in others.items()}
    print("not numbers (140 wpm): " + ", ".join(f"{w!r}->{a}" for w, a in answers.items()))
    print(f"recognition time: {1000 * elapsed / n:.0f} ms per answer on average")
    return 0


if __name__ == "__main__":
    sys.exit(main())
