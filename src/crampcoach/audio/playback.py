"""Playback through ALSA's default device with simpleaudio, one stream at a time.

simpleaudio is imported on the first ``play``, not at start-up: the first cue of a
session must sound within a quarter of a second of the command.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from array import array
from collections.abc import Iterator
from typing import Any

from crampcoach.audio.base import CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH, Clip
from crampcoach.errors import AudioDeviceError

_MAX = 32767
_MIN = -32768


def scaled(clip: Clip, volume: float) -> Clip:
    """``clip`` with every sample multiplied by ``volume`` (0.0 to 1.0)."""
    if volume >= 1.0:
        return clip
    if volume <= 0.0:
        return Clip(bytes(len(clip.pcm)))
    samples = array("h", clip.pcm)
    if sys.byteorder == "big":
        samples.byteswap()
    out = array("h", [round(s * volume) for s in samples])
    if sys.byteorder == "big":
        out.byteswap()
    return Clip(out.tobytes())


def _device_error(e: Exception) -> AudioDeviceError:
    # simpleaudio's messages read "Error opening PCM device. -- CODE: -16 -- MSG: Device or
    # resource busy": keep the part a person can act on.
    detail = str(e).split("-- MSG:")[-1].strip() or type(e).__name__
    return AudioDeviceError(f"the audio device is missing or busy ({detail})")


@contextlib.contextmanager
def _alsa_quiet() -> Iterator[None]:
    """Keep libasound's own error lines ("ALSA lib pcm.c:...") off the terminal while a
    stream is opened: they would spill over the session's text, and the failure is
    reported once, in words, from the exception simpleaudio raises."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all: nothing to keep quiet
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class SimpleaudioSink:
    """An :class:`~crampcoach.audio.base.AudioSink` on ALSA's default device.

    ``play`` stops whatever is still playing first, so only one stream is ever open
    (many ALSA devices refuse a second). ``volume`` (0.0 to 1.0) scales the samples.
    Thread-safe. Raises :class:`AudioDeviceError` when the device is missing or busy.
    """

    def __init__(self, volume: float = 1.0) -> None:
        if not 0.0 <= volume <= 1.0:
            raise ValueError(f"volume must be between 0.0 and 1.0, not {volume}")
        self.volume = volume
        self._lock = threading.Lock()
        self._current: Any = None
        self._module: Any = None

    def _simpleaudio(self) -> Any:
        if self._module is None:
            try:
                import simpleaudio
            except ImportError as e:
                raise AudioDeviceError(
                    f"simpleaudio is not installed ({e})") from None
            self._module = simpleaudio
        return self._module

    def play(self, clip: Clip) -> None:
        sa = self._simpleaudio()
        pcm = scaled(clip, self.volume).pcm
        if not pcm:
            self.stop()
            return
        with self._lock:
            self._stop_locked()
            try:
                with _alsa_quiet():
                    self._current = sa.play_buffer(pcm, CHANNELS, SAMPLE_WIDTH, SAMPLE_RATE)
            except Exception as e:  # simpleaudio raises its own error type from C
                raise _device_error(e) from None

    def stop(self) -> None:
        with self._lock:
            self._stop_locked()

    def _stop_locked(self) -> None:
        current, self._current = self._current, None
        if current is not None and current.is_playing():
            current.stop()

    def is_playing(self) -> bool:
        with self._lock:
            return self._current is not None and bool(self._current.is_playing())

    def wait_done(self) -> None:
        """Block until the current sound has finished (for rendering and tests)."""
        with self._lock:
            current = self._current
        if current is not None:
            current.wait_done()

    def close(self) -> None:
        self.stop()
