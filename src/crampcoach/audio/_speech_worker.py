"""The speech worker: espeak-ng through pyttsx3's bindings, a fork server of phrases.

Run as ``python -m crampcoach.audio._speech_worker VOICE RATE`` (an espeak-ng voice such
as ``gmw/en`` and words per minute). It answers in JSON lines on its original standard
output and reads requests on standard input:

* on start ``{"ready": true}``; or ``{"error": "missing", ...}`` when espeak-ng cannot be
  loaded, ``{"error": "voice", ...}`` when it has no such voice (and then it ends);
* each request ``{"text", "out"}`` is synthesized into the WAV file ``out`` and answered
  ``{"ok": true}`` or ``{"ok": false, "error": ...}``.

The process starts espeak-ng once (in synchronous mode, through the ctypes bindings that
come with pyttsx3), sets its voice and rate, says a short first phrase, and from then on
forks a child for each phrase. A child starts from exactly that state, so the same text
always makes the same sound whatever was said before (espeak-ng carries state from one
phrase to the next); it costs a fork (about a millisecond) instead of a new interpreter,
pyttsx3 and espeak-ng (about 60 ms of CPU). pyttsx3's engine itself is not used: its
espeak driver runs espeak-ng on a thread of espeak-ng's own, which a fork does not copy,
so a forked child of it waits forever. Why a process of its own at all: a crash or hang
inside espeak-ng must not take a session down; the parent kills and restarts this
process when it stops answering, and a phrase's child dies with it.

Only the standard library and pyttsx3's bindings are imported, so the worker starts
quickly.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
import threading
import time
import wave
from typing import Any, TextIO

# Room a phrase's WAV needs: 44,100 bytes a second, and at the slowest rate a character
# takes about an eighth of a second; doubled, as a margin.
ROOM_BASE_BYTES = 1024 * 1024
ROOM_PER_CHAR_BYTES = 12 * 1024
# How often the worker looks whether the process that started it is still there.
_PARENT_CHECK_S = 0.5


def _protocol_stream() -> TextIO:
    """Keep the real standard output for answers; send everything else printed to null.

    Whatever espeak-ng or a library prints must never be read as an answer, so file
    descriptor 1 itself is pointed at /dev/null.
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


def _room_for(text: str, out: str) -> bool:
    """Whether the disk under ``out`` can take the phrase's sound (looked at first, so a
    full disk is one clear answer, not a half-written file)."""
    try:
        free = shutil.disk_usage(os.path.dirname(out) or ".").free
    except OSError:
        return True  # let the write itself say what is wrong
    return free >= ROOM_BASE_BYTES + ROOM_PER_CHAR_BYTES * len(text)


class _Espeak:
    """espeak-ng through pyttsx3's bindings, in synchronous mode: ``Synth`` returns when
    the phrase is made, on this thread (no thread of espeak-ng's own, so a fork of this
    process can speak: a thread is not copied by ``fork``)."""

    def __init__(self, voice: str, rate: int) -> None:
        import ctypes

        from pyttsx3.drivers import _espeak

        self._ctypes = ctypes
        self._espeak = _espeak
        if _espeak.Initialize(_espeak.AUDIO_OUTPUT_SYNCHRONOUS, 1000) == -1:
            raise RuntimeError("could not initialize espeak-ng")
        self._chunks: list[bytes] = []
        # Held for the life of the process: ctypes calls it from inside Synth.
        self._callback = _espeak.SetSynthCallback(self._on_synth)
        # The same steps, in the same order, as pyttsx3's own espeak driver takes and
        # then the worker took (its default voice, rate 200, full volume, then the
        # session's voice and rate): espeak-ng's state, and so every phrase's sound, is
        # then exactly what a worker of pyttsx3's engine made.
        current = _espeak.GetCurrentVoice()
        default = (current.contents.name.decode("utf-8")
                   if current and current.contents.name else "gmw/en")
        _espeak.SetVoiceByName(default.encode("utf-8"))
        _espeak.SetParameter(_espeak.RATE, 200, 0)
        _espeak.SetParameter(_espeak.VOLUME, 100, 0)
        self.known = _espeak.SetVoiceByName(voice.encode("utf-8")) == 0
        _espeak.SetParameter(_espeak.RATE, rate, 0)

    def voice(self) -> str:
        current = self._espeak.GetCurrentVoice()
        if current and current.contents.identifier:
            return str(current.contents.identifier.decode("utf-8")).lower()
        return ""

    def _on_synth(self, wav: Any, samples: int, events: Any) -> int:
        if samples > 0:
            self._chunks.append(self._ctypes.string_at(wav, samples * 2))
        return 0

    def pcm(self, text: str) -> bytes:
        """``text`` spoken: 22050 Hz mono 16-bit samples in the machine's byte order."""
        self._chunks.clear()
        espeak = self._espeak
        espeak.Synth(text.encode("utf-8"), flags=espeak.ENDPAUSE | espeak.CHARS_UTF8)
        espeak.Synchronize()
        pcm = b"".join(self._chunks)
        self._chunks.clear()
        return pcm


def _audible(pcm: bytes) -> bool:
    # A sample's high byte is 0x00 or 0xff only when it is quieter than 256 of 32768.
    return bool(pcm[1::2].translate(None, b"\x00\xff"))


# How a phrase's child process ends.
_MADE, _SILENT = 0, 3


def _die_with_parent() -> None:
    """Linux: this process is killed when the one that forked it ends (the server killed
    for a phrase that hangs takes the phrase's process with it)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:
        os._exit(1)


def _speak_in_child(engine: _Espeak, text: str, out: str) -> None:
    """The forked child: speak ``text`` to the WAV ``out`` and end (never returns)."""
    code = 1
    try:
        _die_with_parent()
        pcm = engine.pcm(text)
        if not _audible(pcm):
            code = _SILENT
        else:
            with wave.open(out, "wb") as wav:
                wav.setnchannels(1)
                wav.setsampwidth(2)
                wav.setframerate(22050)
                wav.writeframes(pcm)
            code = _MADE
    finally:
        os._exit(code)


def _synthesize(engine: _Espeak, text: str, out: str) -> dict[str, Any]:
    """One phrase, spoken by a fork of this process: each starts from the state this
    process was in after its warm-up, so the same text always makes the same sound,
    whatever was said before (espeak-ng carries state, such as its pitch flutter, from
    one phrase to the next)."""
    if not _room_for(text, out):
        return {"ok": False, "error": "no space left on the disk for the sound"}
    if os.path.exists(out):
        os.unlink(out)
    pid = os.fork()
    if pid == 0:
        _speak_in_child(engine, text, out)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code == _MADE:
        return {"ok": True}
    if code == _SILENT:
        return {"ok": False, "error": "espeak-ng wrote no sound"}
    return {"ok": False, "error": f"the phrase's process ended with code {code}"}


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
        engine = _Espeak(voice, rate)
    except Exception as e:  # the library or its data is missing: say so, then stop
        _send(answers, {"error": "missing", "detail": f"{type(e).__name__}: {e}"})
        return 1
    # espeak-ng keeps its previous voice without complaint when a name is unknown.
    if not engine.known or engine.voice() != voice.lower():
        _send(answers, {"error": "voice", "detail": f"espeak-ng has no voice '{voice}'"})
        return 1
    # A short first phrase, as the worker of pyttsx3's engine said to apply its voice and
    # rate: every phrase's process starts from the state it leaves.
    engine.pcm("Ready.")
    _send(answers, {"ready": True})
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            answer = _synthesize(engine, str(request["text"]), str(request["out"]))
        except Exception as e:  # one bad phrase is an answer, not the end of the worker
            answer = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        _send(answers, answer)
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    # At once: espeak-ng's own thread must not keep an orphan alive after its input ended.
    os._exit(code)
