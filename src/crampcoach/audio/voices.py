"""The voices espeak-ng offers, and which one speaks a routine's ``language``.

A routine names a language (``en``, ``en-gb``, ``de``); espeak-ng names voices by file
(``gmw/en``, ``gmw/en-US``). A language matches a voice's own language first, then the
languages a voice also speaks, preferring the voice espeak-ng ranks first for it.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache

from crampcoach.errors import SynthesisError

INSTALL_HINT = "espeak-ng is not installed: sudo apt-get install espeak-ng"


@dataclass(frozen=True, slots=True)
class EspeakVoice:
    """One line of ``espeak-ng --voices``."""

    language: str
    name: str
    identifier: str
    priority: int
    # (language, priority) pairs the voice also speaks, e.g. ("en", 2) for en-gb.
    also: tuple[tuple[str, int], ...] = ()


def normalize_language(code: str) -> str:
    """``EN_gb`` -> ``en-gb``: the form espeak-ng lists languages in."""
    return code.strip().lower().replace("_", "-")


def parse_voices(listing: str) -> tuple[EspeakVoice, ...]:
    """The voices in the text of ``espeak-ng --voices`` (the header line is skipped)."""
    voices: list[EspeakVoice] = []
    for line in listing.splitlines()[1:]:
        parts = line.split()
        if len(parts) < 5 or not parts[0].isdigit():
            continue
        # The other languages come as "(en 2)(en-gb 3)".
        also: list[tuple[str, int]] = []
        for chunk in " ".join(parts[5:]).replace("(", " ").split(")"):
            fields = chunk.split()
            if len(fields) == 2 and fields[1].isdigit():
                also.append((normalize_language(fields[0]), int(fields[1])))
        voices.append(EspeakVoice(
            language=normalize_language(parts[1]),
            name=parts[3].replace("_", " "),
            identifier=parts[4],
            priority=int(parts[0]),
            also=tuple(also),
        ))
    return tuple(voices)


@lru_cache(maxsize=1)
def list_voices() -> tuple[EspeakVoice, ...]:
    """Every voice espeak-ng offers, in its own order. Asked once per process.

    Raises :class:`SynthesisError` when espeak-ng is not installed or will not answer.
    """
    program = shutil.which("espeak-ng")
    if program is None:
        raise SynthesisError(INSTALL_HINT)
    try:
        done = subprocess.run(
            [program, "--voices"], capture_output=True, text=True, timeout=10, check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SynthesisError(f"espeak-ng could not list its voices: {e}") from None
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
        raise SynthesisError(f"espeak-ng could not list its voices: {detail[0]}")
    return parse_voices(done.stdout)


def _resolve(code: str, voices: tuple[EspeakVoice, ...]) -> EspeakVoice | None:
    wanted = normalize_language(code)
    for voice in voices:
        if voice.language == wanted:
            return voice
    candidates = [
        (prio, voice.priority, n, voice)
        for n, voice in enumerate(voices)
        for lang, prio in voice.also
        if lang == wanted
    ]
    if candidates:
        return min(candidates, key=lambda c: c[:3])[3]
    return None


@lru_cache(maxsize=256)
def _espeak_voice_cached(code: str) -> EspeakVoice | None:
    return _resolve(code, list_voices())


def espeak_voice(language: str) -> EspeakVoice:
    """The espeak-ng voice that speaks ``language``.

    Raises :class:`SynthesisError` for a language espeak-ng does not speak, or when
    espeak-ng is not installed.
    """
    voice = _espeak_voice_cached(normalize_language(language))
    if voice is None:
        raise SynthesisError(
            f"espeak-ng has no voice for language '{language}' (see: crampcoach voices)"
        )
    return voice


def known_language(code: str) -> bool:
    """Whether espeak-ng can speak ``code``. Fast after the first call (cached).

    When espeak-ng is not installed there is nothing to check against, so every code
    is accepted: synthesis then reports the missing program, which is the real problem.
    """
    try:
        return _espeak_voice_cached(normalize_language(code)) is not None
    except SynthesisError:
        return True
