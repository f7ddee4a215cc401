"""One phrase through pyttsx3's own espeak engine, in a process of its own, the way the
speech worker made every phrase before it forked them: the reference its sound must
match byte for byte (so caches made either way stay valid, and lengths stay the same).

Run as ``python tests/support/pyttsx3_phrase.py VOICE RATE TEXT OUT.wav``.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import threading
import time


def main(voice: str, rate: int, text: str, out: str) -> None:
    import pyttsx3

    engine = pyttsx3.init("espeak")
    # Its driver's stop() cancels what espeak-ng still has queued when runAndWait ends.
    engine.proxy._driver.stop = lambda: None
    done = threading.Event()
    engine.connect("finished-utterance", lambda **_: done.set())
    engine.setProperty("voice", voice)
    engine.setProperty("rate", rate)
    for phrase, path in (("Ready.", out + ".warm-up.wav"), (text, out)):
        done.clear()
        with contextlib.redirect_stdout(io.StringIO()):
            engine.save_to_file(phrase, path)
            engine.runAndWait()
            if not done.wait(10):
                raise SystemExit(f"no sound for {phrase!r}")
        while engine.isBusy():
            time.sleep(0.001)
    os.unlink(out + ".warm-up.wav")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4])
    os._exit(0)  # espeak-ng's own thread must not keep the process alive


def reference_wav(voice: str, rate: int, text: str, out: str) -> bytes:
    """The phrase's WAV file as pyttsx3's engine in a fresh process writes it."""
    import subprocess

    subprocess.run([sys.executable, __file__, voice, str(rate), text, out], check=True,
                   timeout=60)
    with open(out, "rb") as f:
        return f.read()


__all__ = ["reference_wav"]
