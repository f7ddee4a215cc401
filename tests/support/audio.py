"""Helpers for the audio tests: ALSA routed into a file, sound analysis, fake workers."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crampcoach.audio import voices
from crampcoach.audio.base import SAMPLE_RATE

# A worker that never answers, and one that says it is ready and then never answers.
SILENT_WORKER = [sys.executable, "-c", "import time; time.sleep(60)"]
HANGING_WORKER = [
    sys.executable, "-c",
    "import sys, time; print('{\"ready\": true}', flush=True); sys.stdin.readline(); "
    "time.sleep(60)",
]
# The real worker, started as if libespeak-ng were not installed.
NO_ESPEAK_WORKER = [
    sys.executable, "-c",
    "import runpy, sys; sys.modules['pyttsx3.drivers._espeak'] = None; "
    "runpy.run_module('crampcoach.audio._speech_worker', run_name='__main__')",
]


def samples_of(pcm: bytes) -> array[int]:
    return array("h", pcm)


def first_sound(samples: array[int], level: int = 200, start: int = 0) -> int | None:
    """Index of the first sample at or after ``start`` louder than ``level``."""
    for i in range(start, len(samples)):
        if abs(samples[i]) > level:
            return i
    return None


def onset_error(samples: array[int], at_s: float, quiet_before_s: float = 0.08,
                level: int = 200) -> float | None:
    """Seconds between ``at_s`` and the sound that begins there, or None when there is
    sound in the ``quiet_before_s`` before it (so the onset is not a fresh sound) or none
    begins within 50 ms. Negative: early.
    """
    tolerance = round(0.015 * SAMPLE_RATE)
    at = round(at_s * SAMPLE_RATE)
    quiet_to = max(0, at - tolerance)
    quiet_from = max(0, quiet_to - round(quiet_before_s * SAMPLE_RATE))
    if any(abs(s) > level for s in samples[quiet_from:quiet_to]):
        return None
    found = first_sound(samples, level, max(0, at - tolerance))
    if found is None or found > at + round(0.05 * SAMPLE_RATE):
        return None
    return (found - at) / SAMPLE_RATE


@pytest.fixture
def fresh_voice_list() -> Iterator[None]:
    """Forget what espeak-ng said about its voices, before and after the test."""
    voices.list_voices.cache_clear()
    voices._espeak_voice_cached.cache_clear()
    yield
    voices.list_voices.cache_clear()
    voices._espeak_voice_cached.cache_clear()


@dataclass(frozen=True)
class AlsaHome:
    """A HOME whose .asoundrc sends ALSA's default device somewhere of the test's choosing."""

    home: Path
    capture: Path

    def run(self, script: str, *, extra_env: dict[str, str] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run a Python script with this HOME (ALSA reads .asoundrc once per process)."""
        env = dict(os.environ, HOME=str(self.home), **(extra_env or {}))
        return subprocess.run(
            [sys.executable, "-c", textwrap.dedent(script)], env=env, capture_output=True,
            text=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False,
        )

    def captured(self) -> bytes:
        return self.capture.read_bytes()


def alsa_home(root: Path, pcm: str | None = None) -> AlsaHome:
    """``pcm`` is the default device's definition; by default the file plugin, raw PCM."""
    home = root / "alsa-home"
    home.mkdir()
    capture = root / "captured.raw"
    if pcm is None:
        pcm = f'type file slave.pcm "null" file "{capture}" format "raw"'
    (home / ".asoundrc").write_text(f"pcm.!default {{ {pcm} }}\n")
    return AlsaHome(home, capture)
