"""The speech-engine seam: what an engine must do, and the one place that picks one.

espeak-ng through pyttsx3 (:class:`~crampcoach.audio.speech.SynthesizedSpeech`) is the
default engine; Piper (:mod:`crampcoach.audio.piper`) is the other. An engine implements
:class:`SpeechEngine`, registers a maker in :data:`ENGINES`, and is chosen by name in the
settings (``speech_engine``); everything else (the player, ``plan``, ``check``,
``render``) asks :func:`open_engine` and never names a concrete class. Phrases are cached
per engine and voice: :attr:`Voice.engine` and :attr:`Voice.voice_file` are part of the
cache key.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from crampcoach.errors import ConfigError, SynthesisError, VoiceUnusable
from crampcoach.routines.timeline import DEFAULT_ENGINE, Voice

if TYPE_CHECKING:
    from crampcoach.audio.base import Clip
    from crampcoach.audio.speech import SpeechCache
    from crampcoach.routines.compiler import SpeechMeter


class SpeechEngine(Protocol):
    """Speech as sound and its length, made ahead of need and cached.

    Thread-safe. Raises :class:`~crampcoach.errors.SynthesisError` for a phrase that
    cannot be made; ``prepare`` collects those instead.
    """

    @property
    def name(self) -> str:
        """The engine's name, as in :attr:`Voice.engine` and the settings."""
        ...

    def clip(self, text: str, voice: Voice) -> Clip: ...

    def seconds(self, text: str, voice: Voice) -> float: ...

    def cached_meter(self, otherwise: SpeechMeter) -> SpeechMeter:
        """A meter that never synthesizes: cached lengths, else ``otherwise``."""
        ...

    def prepare(self, texts: Iterable[str], voice: Voice) -> dict[str, SynthesisError]:
        """Make every phrase not yet cached; the ones that failed, with why."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> SpeechEngine: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...


def _espeak(cache: SpeechCache | None) -> SpeechEngine:
    from crampcoach.audio.speech import SynthesizedSpeech

    return SynthesizedSpeech(cache)


def _piper(cache: SpeechCache | None) -> SpeechEngine:
    from crampcoach.audio.piper import PiperSpeech

    return PiperSpeech(cache)


#: Every engine by name, with how to make one (given a cache folder or the default).
ENGINES: dict[str, Callable[[SpeechCache | None], SpeechEngine]] = {
    DEFAULT_ENGINE: _espeak, "piper": _piper}


def describe_voice(voice: Voice) -> str:
    """The engine and its voice as ``plan`` and ``render`` show them."""
    if voice.voice_file:
        return f"{voice.engine} {Path(voice.voice_file).name.removesuffix('.onnx')}"
    return f"{voice.engine} {voice.language}"


class SpeechEngines:
    """Every engine at once: each phrase goes to the engine its :class:`Voice` names, made
    when first asked for. The one engine ``play``, ``plan`` and ``render`` are given.

    An engine that cannot speak at all (:class:`~crampcoach.errors.VoiceUnusable`: not
    installed, a voice file that does not load) is replaced by espeak-ng for the rest of
    the run, and the reason is added to :attr:`notes` for the session to tell.
    """

    name = "by voice"

    def __init__(self, cache: SpeechCache | None = None) -> None:
        self._cache = cache
        self._engines: dict[str, SpeechEngine] = {}
        self._lock = threading.Lock()
        self._gone: set[str] = set()
        #: Why an engine was replaced by espeak-ng, in the order found.
        self.notes: list[str] = []

    def engine(self, name: str) -> SpeechEngine:
        with self._lock:
            if name not in self._engines:
                if self._cache is None:
                    from crampcoach.audio.speech import SpeechCache

                    self._cache = SpeechCache()
                self._engines[name] = ENGINES[name](self._cache)
            return self._engines[name]

    def spoken_by(self, voice: Voice) -> Voice:
        """``voice``, or espeak-ng's when its engine has been replaced."""
        if voice.engine in self._gone:
            return replace(voice, engine=DEFAULT_ENGINE, voice_file=None)
        return voice

    def _replace(self, voice: Voice, error: VoiceUnusable) -> None:
        with self._lock:
            if voice.engine not in self._gone:
                self._gone.add(voice.engine)
                self.notes.append(str(error))

    def clip(self, text: str, voice: Voice) -> Clip:
        spoken = self.spoken_by(voice)
        try:
            return self.engine(spoken.engine).clip(text, spoken)
        except VoiceUnusable as e:
            if spoken.engine == DEFAULT_ENGINE:
                raise
            self._replace(spoken, e)
            return self.clip(text, voice)

    def seconds(self, text: str, voice: Voice) -> float:
        spoken = self.spoken_by(voice)
        try:
            return self.engine(spoken.engine).seconds(text, spoken)
        except VoiceUnusable as e:
            if spoken.engine == DEFAULT_ENGINE:
                raise
            self._replace(spoken, e)
            return self.seconds(text, voice)

    def cached_meter(self, otherwise: SpeechMeter) -> SpeechMeter:
        return _RoutedMeter(self, otherwise)

    def prepare(self, texts: Iterable[str], voice: Voice) -> dict[str, SynthesisError]:
        texts = list(texts)
        spoken = self.spoken_by(voice)
        failed = self.engine(spoken.engine).prepare(texts, spoken)
        unusable = next((e for e in failed.values() if isinstance(e, VoiceUnusable)), None)
        if unusable is not None and spoken.engine != DEFAULT_ENGINE:
            self._replace(spoken, unusable)
            return self.prepare(texts, voice)
        return failed

    def close(self) -> None:
        with self._lock:
            engines = list(self._engines.values())
        for engine in engines:
            engine.close()

    def __enter__(self) -> SpeechEngines:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


@dataclass(frozen=True)
class _RoutedMeter:
    engines: SpeechEngines
    otherwise: SpeechMeter

    def seconds(self, text: str, voice: Voice) -> float:
        spoken = self.engines.spoken_by(voice)
        meter = self.engines.engine(spoken.engine).cached_meter(self.otherwise)
        return meter.seconds(text, spoken)


@dataclass(frozen=True, slots=True)
class EngineChoice:
    """The engine to use and where that choice came from ("default", "FILE:LINE", ...)."""

    name: str
    source: str

    def voice(self, voice: Voice) -> Voice:
        """``voice`` spoken by this engine."""
        return replace(voice, engine=self.name)


def pick_engine(requested: str | None = None, source: str = "default") -> EngineChoice:
    """The engine ``requested`` (from ``source``: a setting's FILE:LINE, an option), or
    the default. Raises :class:`ConfigError` naming the source for an unknown engine."""
    if requested is None:
        return EngineChoice(DEFAULT_ENGINE, "default")
    if requested not in ENGINES:
        known = ", ".join(sorted(ENGINES))
        raise ConfigError.single(source, 0, f"unknown speech engine '{requested}' "
                                            f"(known: {known})")
    return EngineChoice(requested, source)


def open_engine(choice: EngineChoice | None = None, *,
                cache: SpeechCache | None = None) -> SpeechEngine:
    """The chosen engine, caching in ``cache``; without a choice, every engine, each
    phrase spoken by the one its voice names (:class:`SpeechEngines`)."""
    if choice is None:
        return SpeechEngines(cache)
    return ENGINES[choice.name](cache)
