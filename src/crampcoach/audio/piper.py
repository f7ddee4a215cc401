"""Piper: a natural neural voice, an optional engine (``pip install 'crampcoach[neural]'``).

The person brings a voice: a ``NAME.onnx`` file with its ``NAME.onnx.json`` beside it,
named by ``piper_voice`` in the settings (a path, or a NAME in the voices folder). Phrases
are made by a worker process (``_piper_worker``) with the same protocol, deadline, cache and
trimming as espeak-ng's, so everything else treats both alike.

A voice that cannot speak falls back to espeak-ng, and says so once: a file that is missing
or unreadable, one for another language than the routine's, piper-tts not installed (all
found before the first sound, :func:`choose_voice`), or a model that does not load (found
at the first phrase, :class:`~crampcoach.audio.engine.SpeechEngines`).
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib.util import find_spec
from pathlib import Path

from crampcoach import locations
from crampcoach.audio.speech import SynthesizedSpeech
from crampcoach.errors import VoiceUnusable
from crampcoach.routines.timeline import DEFAULT_ENGINE, Voice

ENGINE = "piper"
MISSING_HINT = "the natural voice needs piper-tts: pip install 'crampcoach[neural]'"
#: An ONNX model is a protobuf whose first field is its IR version (field 1, varint).
_ONNX_START = b"\x08"


class PiperSpeech(SynthesizedSpeech):
    """Piper through its worker: a :class:`~crampcoach.audio.engine.SpeechEngine`. The
    voice file comes with each phrase (:attr:`Voice.voice_file`); a worker speaks with one
    voice and rate, like espeak-ng's."""

    name = ENGINE
    _made_by = "Piper"
    _missing_hint = MISSING_HINT
    # Loading a voice takes seconds; a worker keeps it for phrase after phrase.
    _fresh_worker_per_phrase = False

    def _command(self) -> Sequence[str]:
        return [sys.executable, "-m", "crampcoach.audio._piper_worker"]

    def _voice_id(self, voice: Voice) -> str:
        if not voice.voice_file:
            raise VoiceUnusable("no Piper voice file is set (piper_voice in the settings)")
        return voice.voice_file


@dataclass(frozen=True, slots=True)
class PiperVoiceFile:
    """A Piper voice on disk: its name (the file's), language ("en_US") and model file."""

    name: str
    language: str
    model: Path

    @property
    def family(self) -> str:
        """The language without its region: "en"."""
        return self.language.replace("-", "_").split("_")[0].lower()


#: A voice's settings file is a few kilobytes; anything much larger is not one.
MAX_CONFIG_BYTES = 1_000_000


def _read_regular(path: Path, most: int) -> bytes:
    """At most ``most`` + 1 bytes of ``path``, opened without blocking and checked to be a
    regular file first: a FIFO, a device (a link to /dev/zero) or a folder is refused
    before a byte is read, so nothing hangs or fills the memory."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise VoiceUnusable(f"the Piper voice file {path} is missing") from None
    except OSError as e:
        raise VoiceUnusable(f"the Piper voice file {path} cannot be read "
                            f"({e.strerror})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise VoiceUnusable(f"the Piper voice file {path} is not a regular file")
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        size = 0
        while size <= most:
            chunk = os.read(fd, min(65536, most + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except OSError as e:
        raise VoiceUnusable(f"the Piper voice file {path} cannot be read "
                            f"({e.strerror or e})") from None
    finally:
        os.close(fd)


def _language_of(settings: object) -> str | None:
    """The voice's language from its settings: ``language.code``, else ``espeak.voice``
    (each only if it is the type it should be)."""
    if not isinstance(settings, dict):
        return None
    for section, key in (("language", "code"), ("espeak", "voice")):
        part = settings.get(section)
        value = part.get(key) if isinstance(part, dict) else None
        if isinstance(value, str) and value and len(value) <= 35 and value.isprintable():
            return value
    return None


def read_voice_file(model: Path) -> PiperVoiceFile:
    """The voice in ``model`` (an ``.onnx`` with its ``.onnx.json``). Raises
    :class:`VoiceUnusable` saying what is wrong. Reads the small config and the model's
    first bytes only: loading the model is the worker's, and takes a while."""
    config = model.with_name(model.name + ".json")
    start = _read_regular(model, 0)[:1]
    raw = _read_regular(config, MAX_CONFIG_BYTES)
    if len(raw) > MAX_CONFIG_BYTES:
        raise VoiceUnusable(f"the Piper voice settings {config} are larger than "
                            f"{MAX_CONFIG_BYTES:,} bytes")
    try:
        settings = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise VoiceUnusable(f"the Piper voice settings {config} are not valid JSON") from None
    except RecursionError:
        raise VoiceUnusable(f"the Piper voice settings {config} are nested too deeply") \
            from None
    if start != _ONNX_START:
        raise VoiceUnusable(f"the Piper voice file {model} is not an ONNX model")
    language = _language_of(settings)
    if language is None:
        raise VoiceUnusable(f"the Piper voice settings {config} do not say its language")
    return PiperVoiceFile(model.name.removesuffix(".onnx"), language, model)


def voice_path(setting: str, folder: Path | None = None) -> Path:
    """The model file ``piper_voice`` names: a path, or a voice's NAME in the voices
    folder (``en_US-joe-medium``). VoiceUnusable for ``~user`` of no such user."""
    try:
        path = locations.expand_user(Path(setting))
    except LookupError as e:
        raise VoiceUnusable(f"piper_voice {setting!r}: {e}") from None
    if path.suffix != ".onnx" and len(path.parts) == 1:
        return (folder or locations.piper_voices_dir()) / f"{setting}.onnx"
    return path


def installed_voices(folder: Path | None = None,
                     also: Sequence[Path] = ()) -> list[PiperVoiceFile | tuple[Path, str]]:
    """The Piper voices in the voices folder and ``also`` (the one in the settings), each
    read, or (path, why not) for one that cannot be used."""
    where = folder or locations.piper_voices_dir()
    models = sorted(where.glob("*.onnx")) if where.is_dir() else []
    for extra in also:
        if extra not in models:
            models.append(extra)
    found: list[PiperVoiceFile | tuple[Path, str]] = []
    for model in models:
        try:
            found.append(read_voice_file(model))
        except VoiceUnusable as e:
            found.append((model, str(e)))
    return found


def _language_name(code: str) -> str:
    return {"en": "English", "de": "German", "fr": "French", "es": "Spanish",
            "it": "Italian", "nl": "Dutch"}.get(code, code)


@dataclass(frozen=True, slots=True)
class VoiceChoice:
    """The voice a session speaks with, and why it is not the one asked for (or None)."""

    voice: Voice
    fallback_reason: str | None = None


def choose_voice(voice: Voice, engine: str, setting: str | None) -> VoiceChoice:
    """``voice`` spoken by ``engine``; for Piper with the voice file ``setting`` names, or
    espeak-ng with the reason when that voice cannot speak this routine."""
    if engine != ENGINE:
        return VoiceChoice(replace(voice, engine=engine, voice_file=None))
    espeak = replace(voice, engine=DEFAULT_ENGINE, voice_file=None)
    if not setting:
        return VoiceChoice(espeak, "no Piper voice file is set (piper_voice in the settings)")
    try:
        found = read_voice_file(voice_path(setting))
    except VoiceUnusable as e:
        return VoiceChoice(espeak, str(e))
    wanted = voice.language.replace("_", "-").split("-")[0].lower()
    if found.family != wanted:
        return VoiceChoice(espeak, f"the Piper voice {found.name} speaks "
                                   f"{_language_name(found.family)}, not "
                                   f"{_language_name(wanted)}")
    if find_spec("piper") is None:
        return VoiceChoice(espeak, MISSING_HINT)
    return VoiceChoice(replace(voice, engine=ENGINE, voice_file=str(found.model)))
