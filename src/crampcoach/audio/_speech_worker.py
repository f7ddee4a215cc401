"""The speech worker: one pyttsx3 engine on espeak-ng in a process of its own.

Run as ``python -m crampcoach.audio._speech_worker VOICE RATE`` (an espeak-ng voice such
as ``gmw/en`` and words per minute). It answers in JSON lines on its original standard
output and reads requests on standard input:

* on start ``{"ready": true}``; or ``{"error": "missing", ...}`` when espeak-ng cannot be
  loaded, ``{"error": "voice", ...}`` when it has no such voice (and then it ends);
* each request ``{"text", "out"}`` is synthesized into the WAV file ``out`` and answered
  ``{"ok": true, "frames": N}`` or ``{"ok": false, "error": ...}``.

Why a process of its own: pyttsx3 2.99 prints to standard output while saving, writes
only the last file when several are queued, loses files when one engine is shared by
threads, and a crash or hang inside espeak-ng must not take a session down. So the
engine lives here, is held for the life of the process, and runs one phrase per
``runAndWait``; the parent kills and restarts this process when it stops answering.
The other traps of its espeak driver are explained where they are avoided below.

Only the standard library and pyttsx3 are imported, so the worker starts quickly.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import wave
from typing import Any, TextIO

# A phrase that comes back silent (pyttsx3 lost the file) is tried again this often.
_ATTEMPTS = 3
# Room a phrase's WAV needs: 44,100 bytes a second, and at the slowest rate a character
# takes about an eighth of a second; doubled, as a margin.
ROOM_BASE_BYTES = 1024 * 1024
ROOM_PER_CHAR_BYTES = 12 * 1024
# How often the worker looks whether the process that started it is still there.
_PARENT_CHECK_S = 0.5
# Seconds to wait for espeak-ng to finish one phrase (it takes milliseconds).
_PHRASE_WAIT_S = 10.0


def _protocol_stream() -> TextIO:
    """Keep the real standard output for answers; send everything else printed to null.

    pyttsx3 prints "Audio saved to ..." with ``print``; a stray line must never be read
    as an answer, so file descriptor 1 itself is pointed at /dev/null.
    """
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    return answers


def _send(stream: TextIO, answer: dict[str, Any]) -> None:
    stream.write(json.dumps(answer) + "\n")
    stream.flush()


def _audible_frames(path: str) -> int:
    """Frames in the WAV at ``path`` if any sample is audible, else 0."""
    try:
        with wave.open(path, "rb") as wav:
            frames = wav.getnframes()
            pcm = wav.readframes(frames)
    except (OSError, EOFError, wave.Error):
        return 0
    # A sample's high byte is 0x00 or 0xff only when it is quieter than 256 of 32768:
    # a file of nothing but such samples is silence, a phrase pyttsx3 lost.
    return frames if pcm[1::2].translate(None, b"\x00\xff") else 0


class _Finished:
    """Set when espeak-ng's thread has written the file.

    pyttsx3's espeak driver returns from ``runAndWait`` as soon as the phrase is queued;
    the file is written later, from espeak-ng's own thread, which then says
    "finished-utterance". Reading before that reads nothing, or the previous phrase.
    """

    def __init__(self) -> None:
        self.event = threading.Event()
        self.completed = False

    def __call__(self, completed: bool = True, **_: Any) -> None:
        self.completed = completed
        self.event.set()


def _room_for(text: str, out: str) -> bool:
    """Whether the disk under ``out`` can take the phrase's sound. pyttsx3 fails to write a
    full disk's file inside espeak-ng's callback and never says it finished: the phrase
    would wait out every attempt. So the space is looked at first."""
    try:
        free = shutil.disk_usage(os.path.dirname(out) or ".").free
    except OSError:
        return True  # let the write itself say what is wrong
    return free >= ROOM_BASE_BYTES + ROOM_PER_CHAR_BYTES * len(text)


def _synthesize(engine: Any, finished: _Finished, text: str, out: str) -> dict[str, Any]:
    if not _room_for(text, out):
        return {"ok": False, "error": "no space left on the disk for the sound"}
    for _ in range(_ATTEMPTS):
        if os.path.exists(out):
            os.unlink(out)
        finished.event.clear()
        engine.save_to_file(text, out)
        engine.runAndWait()
        # A phrase that never finishes counts as lost; one that hangs is the parent's to kill.
        if not finished.event.wait(_PHRASE_WAIT_S) or not finished.completed:
            continue
        settle_until = time.monotonic() + 1.0
        while engine.isBusy() and time.monotonic() < settle_until:
            time.sleep(0.001)
        frames = _audible_frames(out)
        if frames:
            return {"ok": True, "frames": frames}
    return {"ok": False, "error": "espeak-ng wrote no sound"}


#: Niceness of a worker: synthesis ahead of need yields the CPU to the session's own
#: process, which starts every sound on its deadline (on a Pi 3 the CPU is scarce).
WORKER_NICENESS = 5


def _exit_with_parent() -> None:
    """End this process as soon as the one that started it is gone (killed, SIGTERM):
    a worker busy in espeak-ng would not see its closed standard input for minutes."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv: list[str]) -> int:
    _exit_with_parent()
    answers = _protocol_stream()
    voice, rate = argv[0], int(argv[1])
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
    try:
        import pyttsx3

        engine = pyttsx3.init("espeak")
    except Exception as e:  # the library or its data is missing: say so, then stop
        _send(answers, {"error": "missing", "detail": f"{type(e).__name__}: {e}"})
        return 1
    # pyttsx3 queues property changes until the first runAndWait, and a change between
    # phrases races espeak-ng's own thread (the new rate applies to some phrases and not
    # others). So the voice and rate are set once, before anything is spoken, and a
    # worker speaks with nothing else; a short first phrase applies them.
    # runAndWait ends its loop through the driver's stop(), which cancels whatever
    # espeak-ng still has queued or is speaking: the voice and rate just set, or the tail
    # of a phrase (phrases came back cut short, or at the old rate). Nothing here ever
    # needs stopping, so stop() does nothing.
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    if driver is not None and hasattr(driver, "stop"):
        driver.stop = lambda: None
    finished = _Finished()
    engine.connect("finished-utterance", finished)
    engine.setProperty("voice", voice)
    engine.setProperty("rate", rate)
    # A file of our own (O_EXCL, private): a predictable name in /tmp could be made first
    # by another local user, and every synthesis would then fail.
    fd, warm_up = tempfile.mkstemp(prefix="crampcoach-warm-up-", suffix=".wav")
    os.close(fd)
    try:
        _synthesize(engine, finished, "Ready.", warm_up)
    finally:
        if os.path.exists(warm_up):
            os.unlink(warm_up)
    current = str(engine.getProperty("voice") or "")
    # espeak-ng keeps its previous voice without complaint when a name is unknown.
    if current.lower() != voice.lower():
        _send(answers, {"error": "voice", "detail": f"espeak-ng has no voice '{voice}'"})
        return 1
    _send(answers, {"ready": True})
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            answer = _synthesize(engine, finished, str(request["text"]), str(request["out"]))
        except Exception as e:  # one bad phrase is an answer, not the end of the worker
            answer = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        _send(answers, answer)
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    # At once: espeak-ng's own thread must not keep an orphan alive after its input ended.
    os._exit(code)
