"""The speech-engine seam: what an engine must do, and the one place that picks one.

espeak-ng through pyttsx3 (:class:`~crampcoach.audio.speech.SynthesizedSpeech`) is the
engine today. Another (a neural voice, say) implements :class:`SpeechEngine`, registers
a maker in :data:`ENGINES`, and is chosen by name; everything else (the player, ``plan``,
``check``, ``render``) asks :func:`open_engine` and never names a concrete class. Phrases
are cached per engine: :attr:`Voice.engine` is part of the cache key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from crampcoach.errors import ConfigError
from crampcoach.routines.timeline import DEFAULT_ENGINE, Voice

if TYPE_CHECKING:
    from crampcoach.audio.base import Clip
    from crampcoach.audio.speech import SpeechCache
    from crampcoach.errors import SynthesisError
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


#: Every engine by name, with how to make one (given a cache folder or the default).
ENGINES: dict[str, Callable[[SpeechCache | None], SpeechEngine]] = {DEFAULT_ENGINE: _espeak}


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
    """The chosen engine (the default when none is given), caching in ``cache``."""
    return ENGINES[(choice or pick_engine()).name](cache)
