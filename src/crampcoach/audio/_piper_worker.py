"""The Piper worker: one neural voice, loaded once, in a process of its own.

Run as ``python -m crampcoach.audio._piper_worker MODEL RATE`` (a Piper ``.onnx`` voice
file, with its ``.onnx.json`` beside it, and words per minute). It speaks the same JSON
lines as the espeak-ng worker (``_speech_worker``), so the same parent runs it, with the
same deadline, kill and restart:

* on start ``{"ready": true}``; or ``{"error": "missing", ...}`` when piper-tts is not
  installed, ``{"error": "voice", ...}`` when the voice file cannot be loaded (then it ends);
* each request ``{"text", "out"}`` is synthesized into the WAV file ``out`` and answered
  ``{"ok": true, "frames": N}`` or ``{"ok": false, "error": ...}``.

Why a process of its own: the model (tens of MB) and onnxruntime's threads stay out of the
player's process, whose memory and timing targets are tight, and a fault in the runtime
cannot take a session down. It runs at a lower priority than the player for the same reason.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import wave
from typing import Any, TextIO

#: The pace of a Piper voice at its own speed (length scale 1), in words per minute
#: (en_US-joe-medium: a 15-word cue in 4.4 s, about 200); a routine's rate scales the
#: length from it, so 140 sounds about as fast as espeak-ng at 140.
NATURAL_WPM = 200
#: Priority below the player's (nice), so synthesis ahead of need never delays a cue.
_NICENESS = 10
#: onnxruntime's threads for one phrase. Its default, one per core, takes every core of a
#: 2-core machine while a phrase is made: a cue due then started 0.3 s late (measured).
_THREADS = 1


def _load(model: str) -> Any:
    """The voice, its runtime held to :data:`_THREADS` threads (piper-tts's own loader
    takes the runtime's default); the loader itself if its parts are not as expected."""
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = _THREADS
    options.inter_op_num_threads = _THREADS
    with open(f"{model}.json", encoding="utf-8") as f:
        config = json.load(f)
    session = onnxruntime.InferenceSession(model, sess_options=options,
                                           providers=["CPUExecutionProvider"])
    try:
        return PiperVoice(config=PiperConfig.from_dict(config), session=session)
    except TypeError:
        return PiperVoice.load(model)


def length_scale(rate: int) -> float:
    """Piper's length scale for ``rate`` words per minute (longer is slower)."""
    return round(NATURAL_WPM / max(rate, 1), 3)


def _send(stream: TextIO, answer: dict[str, Any]) -> None:
    stream.write(json.dumps(answer) + "\n")
    stream.flush()


def main(argv: list[str]) -> int:
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    # Anything the libraries print must never be read as an answer.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    model, rate = argv[0], int(argv[1])
    with contextlib.suppress(OSError):
        os.nice(_NICENESS)
    try:
        from piper import SynthesisConfig
    except ImportError as e:
        _send(answers, {"error": "missing", "detail": f"{type(e).__name__}: {e}"})
        return 1
    try:
        voice = _load(model)
    except Exception as e:  # any fault in the file: say which, then stop
        _send(answers, {"error": "voice",
                        "detail": f"the Piper voice {model} cannot be loaded "
                                  f"({type(e).__name__}: {str(e)[:200]})"})
        return 1
    config = SynthesisConfig(length_scale=length_scale(rate))
    _send(answers, {"ready": True})
    for line in sys.stdin:
        try:
            request = json.loads(line)
            with wave.open(request["out"], "wb") as wav:
                voice.synthesize_wav(request["text"], wav, syn_config=config)
            with wave.open(request["out"], "rb") as wav:
                frames = wav.getnframes()
        except Exception as e:  # one phrase failing is not the worker failing
            _send(answers, {"ok": False, "error": f"{type(e).__name__}: {e}"})
            continue
        if frames:
            _send(answers, {"ok": True, "frames": frames})
        else:
            _send(answers, {"ok": False, "error": "Piper made no sound"})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
