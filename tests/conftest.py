"""Shared fixtures. Every test gets its own HOME and XDG folders, so nothing touches the
real user's config, cache or journal, and the suite runs the same on any machine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_CACHE_HOME", ".cache"),
                     ("XDG_DATA_HOME", ".local/share")):
        monkeypatch.setenv(var, str(home / sub))
    return home


@pytest.fixture
def routines_dir() -> Path:
    return DATA / "routines"


@pytest.fixture
def mock_pins() -> Iterator[Any]:
    """gpiozero's mock pin factory in place of real GPIO pins, restored afterwards."""
    gpiozero = pytest.importorskip("gpiozero", reason="gpiozero (crampcoach[pi]) is not installed")
    from gpiozero.pins.mock import MockFactory

    previous = gpiozero.Device.pin_factory
    gpiozero.Device.pin_factory = MockFactory()
    try:
        yield gpiozero.Device.pin_factory
    finally:
        gpiozero.Device.pin_factory.reset()
        gpiozero.Device.pin_factory = previous


@pytest.fixture(scope="session")
def real_speech(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Real espeak-ng through the project's speech worker, one cache for the whole run: the
    built-ins' lengths and gaps measured as a person hears them (the estimate errs long)."""
    from crampcoach.audio.speech import SpeechCache, SynthesizedSpeech

    with SynthesizedSpeech(SpeechCache(tmp_path_factory.mktemp("real-speech"))) as speech:
        yield speech
