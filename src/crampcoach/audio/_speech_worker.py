"""The speech worker: one pyttsx3 engine on espeak-ng in a process of its own.

Run as ``python -m crampcoach.audio._speech_worker``. It speaks a line protocol of JSON
objects on its original standard output and reads requests on standard input:

* on start it answers ``{"ready": true}``, or ``{"error": "missing", "detail": ...}``
  when espeak-ng cannot be loaded;
* each request ``{"text", "voice", "rate", "out"}`` is synthesized into the WAV file
  ``out`` and answered ``{"ok": true, "frames": N}`` or ``{"ok": false, "error": ...}``.

Why a process of its own: pyttsx3 2.99 prints to standard output while saving, writes
only the last file when several are queued, loses files when one engine is shared by
threads, and a crash or hang inside espeak-ng must not take a session down. So the
engine lives here, is held for the life of the process, and runs one phrase per
``runAndWait``; the parent kills and restarts this process when it stops answering.

Only the standard library and pyttsx3 are imported, so the worker starts quickly.
"""

from __future__ import annotations

import json
import os
import sys
import wave
from typing import Any, TextIO


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


def _synthesize(engine: Any, request: dict[str, Any]) -> dict[str, Any]:
    voice = str(request["voice"])
    out = str(request["out"])
    engine.setProperty("voice", voice)
    # espeak-ng keeps the previous voice without complaint when a name is unknown.
    current = str(engine.getProperty("voice") or "")
    if current.lower() != voice.lower():
        return {"ok": False, "error": f"espeak-ng has no voice '{voice}'"}
    engine.setProperty("rate", int(request["rate"]))
    if os.path.exists(out):
        os.unlink(out)
    engine.save_to_file(str(request["text"]), out)
    engine.runAndWait()
    try:
        with wave.open(out, "rb") as wav:
            frames = wav.getnframes()
    except (OSError, EOFError, wave.Error) as e:
        return {"ok": False, "error": f"espeak-ng wrote no sound ({e})"}
    if frames <= 0:
        return {"ok": False, "error": "espeak-ng wrote an empty sound"}
    return {"ok": True, "frames": frames}


def main() -> int:
    answers = _protocol_stream()
    try:
        import pyttsx3

        engine = pyttsx3.init("espeak")
    except Exception as e:  # the library or its data is missing: say so, then stop
        _send(answers, {"error": "missing", "detail": f"{type(e).__name__}: {e}"})
        return 1
    _send(answers, {"ready": True})
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            answer = _synthesize(engine, json.loads(line))
        except Exception as e:  # one bad phrase is an answer, not the end of the worker
            answer = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        _send(answers, answer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
