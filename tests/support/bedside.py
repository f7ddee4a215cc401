"""Fixtures for the bedside tests: a private home, a recording systemctl, spoken phrases."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest


@pytest.fixture(name="bedside_home")
def bedside_home_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home of its own, so no test reads or writes the real ~/.config."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "CRAMPCOACH_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    for var in list(os.environ):
        if var.startswith("CRAMPCOACH_"):
            monkeypatch.delenv(var)
    return home


class FakeSystemctl:
    """Answers like systemctl --user would, and records every command."""

    def __init__(self, failing: dict[str, tuple[int, str]] | None = None,
                 active: str = "active") -> None:
        self.calls: list[list[str]] = []
        self.failing = failing or {}
        self.active = active

    def __call__(self, argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
        argv = list(argv)
        self.calls.append(argv)
        verb = argv[2] if len(argv) > 2 else ""
        if verb in self.failing:
            code, err = self.failing[verb]
            return subprocess.CompletedProcess(argv, code, "", err)
        if verb == "is-active":
            return subprocess.CompletedProcess(argv, 0, self.active + "\n", "")
        return subprocess.CompletedProcess(argv, 0, "", "")

    def verbs(self) -> list[str]:
        return [" ".join(call[2:]) for call in self.calls]


class SpokenPhrases:
    """Collects what would have been spoken aloud."""

    def __init__(self) -> None:
        self.said: list[str] = []

    def __call__(self, text: str) -> None:
        self.said.append(text)


def spoken_recording(text: str, rate: int, folder: Path) -> bytes:
    """``text`` said by espeak-ng at ``rate`` words per minute, as a microphone would give it.

    16 kHz, 16-bit mono raw samples with half a second of quiet before and a second after,
    like a few seconds of arecord with the person answering in the middle.
    """
    stem = f"{'-'.join(text.split())}-{rate}"
    wav = folder / f"{stem}.wav"
    raw = folder / f"{stem}.raw"
    subprocess.run(["espeak-ng", "-s", str(rate), "-w", str(wav), text], check=True,
                   capture_output=True)
    subprocess.run(["sox", str(wav), "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer",
                    "-t", "raw", str(raw), "pad", "0.5", "1.0"], check=True, capture_output=True)
    return raw.read_bytes()
