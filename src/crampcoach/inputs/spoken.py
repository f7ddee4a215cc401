"""The rating said aloud, recognized offline: "zero" to "ten", nothing else.

A few seconds are recorded with ``arecord`` (16 kHz, 16-bit, mono: what the recognizer's
acoustic model was trained on), and pocketsphinx decodes them against a JSGF grammar of the
eleven number words plus "yes" and "no", with the English model inside its wheel; nothing
is downloaded. The number heard is said back and kept only when the person says "yes"
("I heard three. Say yes to keep it, or say the number again."): a grammar this small
turns any sound into one of its words, so an unconfirmed guess never reaches the journal.

Two things make the recognizer reliable on quiet recordings: the sound is cut to the
loud part with a little margin (long silences make pocketsphinx guess), and digital
silence gets a faint, fixed dither (all-zero frames upset its noise estimate).
"""

from __future__ import annotations

import array
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any, Literal

from crampcoach.inputs.protocol import RATING_WORDS, HandsFreeUnavailable, Speak
from crampcoach.phrases import ENGLISH

SAMPLE_RATE = 16000
LISTEN_S = 4
ATTEMPTS = 4
# The recognizer's model is English, so the exchange is too (from the phrasebook).
PROMPT = ENGLISH.spoken_prompt
RETRY = ENGLISH.spoken_retry
GAVE_UP = ENGLISH.spoken_gave_up

# "yes" and "no" are in the grammar for the confirmation; out-of-grammar words such as
# "hello" mostly come out as "no", which is then not mistaken for a number.
GRAMMAR = (
    "#JSGF V1.0;\n"
    "grammar rating;\n"
    "public <answer> = " + " | ".join((*RATING_WORDS, "yes", "no")) + ";\n"
)

Answer = int | Literal["yes", "no"] | None

#: Records this many seconds and returns raw S16_LE 16 kHz mono samples.
Recorder = Callable[[float], bytes]

_FRAME = SAMPLE_RATE // 100  # 10 ms
_MARGIN_FRAMES = 20  # 0.2 s kept either side of the loud part
_LOUD_FRACTION = 0.05  # of the loudest frame's peak
_DITHER = 32


def prepare(pcm: bytes) -> bytes:
    """The loud part of a recording with a margin, dithered; what the decoder is given."""
    samples = array.array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % 2])
    if sys.byteorder == "big":
        samples.byteswap()
    peaks = [
        max((abs(s) for s in samples[i:i + _FRAME]), default=0)
        for i in range(0, len(samples), _FRAME)
    ]
    top = max(peaks, default=0)
    if top:
        loud = [i for i, p in enumerate(peaks) if p > top * _LOUD_FRACTION]
        first = max(0, loud[0] - _MARGIN_FRAMES)
        last = min(len(peaks), loud[-1] + 1 + _MARGIN_FRAMES)
        samples = samples[first * _FRAME:last * _FRAME]
    # A fixed linear congruential sequence: the same input always decodes the same way.
    state = 12345
    out = array.array("h", bytes(2 * len(samples)))
    for i, s in enumerate(samples):
        state = (1103515245 * state + 12345) & 0x7FFFFFFF
        noise = (state >> 16) % (2 * _DITHER + 1) - _DITHER
        out[i] = max(-32768, min(32767, s + noise))
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()


class NumberRecognizer:
    """pocketsphinx with a grammar of the eleven number words."""

    def __init__(self) -> None:
        try:
            from pocketsphinx import Decoder
        except ImportError:
            msg = ("The spoken rating needs pocketsphinx, which is not installed "
                   "(pip install 'crampcoach[voice]').")
            raise HandsFreeUnavailable(msg) from None
        try:
            self._decoder: Any = Decoder(lm=None, loglevel="FATAL")
            self._decoder.add_jsgf_string("rating", GRAMMAR)
            self._decoder.activate_search("rating")
        except (RuntimeError, ValueError, OSError) as e:
            msg = f"The speech recognizer could not start ({e})."
            raise HandsFreeUnavailable(msg) from None

    def recognize_answer(self, pcm: bytes) -> Answer:
        """A number, "yes" or "no" said in ``pcm`` (S16_LE, 16 kHz, mono); None for nothing."""
        if len(pcm) < 2 * _FRAME:
            return None
        decoder = self._decoder
        # Forget the noise and loudness estimates of earlier answers: the same recording
        # always gives the same result (measured: as good as a fresh decoder, 30 ms).
        decoder.reinit_feat()
        decoder.start_utt()
        decoder.process_raw(prepare(pcm), full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        words = hypothesis.hypstr.split() if hypothesis is not None else []
        if len(words) != 1:
            return None
        if words[0] in RATING_WORDS:
            return RATING_WORDS.index(words[0])
        if words[0] == "yes":
            return "yes"
        if words[0] == "no":
            return "no"
        return None

    def recognize(self, pcm: bytes) -> int | None:
        """The number said in ``pcm``, or None when no number was heard."""
        answer = self.recognize_answer(pcm)
        return answer if isinstance(answer, int) else None


def arecord_recorder(device: str = "default") -> Recorder:
    """Records with ``arecord`` from an ALSA device; HandsFreeUnavailable when it cannot."""

    def record(seconds: float) -> bytes:
        argv = ["arecord", "-q", "-D", device, "-f", "S16_LE", "-r", str(SAMPLE_RATE),
                "-c", "1", "-t", "raw", "-d", str(max(1, round(seconds)))]
        try:
            result = subprocess.run(argv, capture_output=True, timeout=seconds + 10,
                                    stdin=subprocess.DEVNULL, check=False)
        except FileNotFoundError:
            msg = ("The spoken rating needs arecord (the alsa-utils package), "
                   "which is not installed.")
            raise HandsFreeUnavailable(msg) from None
        except subprocess.TimeoutExpired:
            msg = f"The microphone {device!r} did not stop recording."
            raise HandsFreeUnavailable(msg) from None
        if result.returncode != 0:
            lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
            detail = f" ({lines[-1]})" if lines else ""
            msg = f"The microphone {device!r} cannot be used{detail}."
            raise HandsFreeUnavailable(msg)
        return bytes(result.stdout)

    return record


class SpokenRating:
    """Asks aloud, listens, and says back the number heard.

    ``speak`` must return once the phrase has been played, so the recording does not
    pick up the prompt.
    """

    def __init__(self, recognizer: NumberRecognizer, record: Recorder, speak: Speak, *,
                 listen_s: float = LISTEN_S, attempts: int = ATTEMPTS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._recognizer = recognizer
        self._record = record
        self._speak = speak
        self._listen_s = listen_s
        self._attempts = attempts
        self._clock = clock

    def ask_rating(self, timeout_s: float) -> int | None:
        """Ask, hear a number, have it confirmed with "yes"; None when that does not happen.

        Every round is one prompt and one recording; there are at most ``attempts`` rounds
        and none starts when it could not finish before ``timeout_s``.
        """
        deadline = self._clock() + timeout_s
        candidate: int | None = None
        prompt = PROMPT
        for attempt in range(self._attempts):
            if attempt and self._clock() + self._listen_s > deadline:
                break
            self._speak(prompt)
            heard = self._recognizer.recognize_answer(self._record(self._listen_s))
            if candidate is not None and heard == "yes":
                self._speak(ENGLISH.spoken_confirmed.format(
                    Word=RATING_WORDS[candidate].capitalize()))
                return candidate
            if isinstance(heard, int):
                candidate = heard
                prompt = ENGLISH.spoken_heard.format(word=RATING_WORDS[heard])
            elif candidate is not None:
                candidate = None
                prompt = ENGLISH.spoken_sorry.format(prompt=PROMPT)
            else:
                prompt = f"{RETRY} {PROMPT}"
        self._speak(GAVE_UP)
        return None


def open_spoken_rating(speak: Speak, device: str = "default", *,
                       listen_s: float = LISTEN_S) -> SpokenRating:
    """A spoken rating on ``device``; HandsFreeUnavailable (saying why) when it cannot work."""
    if shutil.which("arecord") is None:
        msg = ("The spoken rating needs arecord (the alsa-utils package), "
               "which is not installed.")
        raise HandsFreeUnavailable(msg)
    return SpokenRating(NumberRecognizer(), arecord_recorder(device), speak, listen_s=listen_s)
