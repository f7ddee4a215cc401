"""The speech-engine seam: one factory picks the engine and says where the choice came
from; the cache keeps each engine's phrases apart; render works with any engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampcoach.audio.engine import ENGINES, EngineChoice, open_engine, pick_engine
from crampcoach.audio.render import render_routine
from crampcoach.audio.speech import SpeechCache, SynthesizedSpeech
from crampcoach.errors import ConfigError
from crampcoach.routines.model import Routine, Say
from crampcoach.routines.timeline import Voice
from support.fakes import FakeSpeech


def test_the_default_engine_is_espeak_ng_and_says_so() -> None:
    choice = pick_engine()
    assert choice == EngineChoice("espeak-ng", "default")
    with open_engine(choice) as engine:
        assert isinstance(engine, SynthesizedSpeech)
        assert engine.name == "espeak-ng"


def test_an_unknown_engine_names_where_it_was_asked_for() -> None:
    with pytest.raises(ConfigError) as caught:
        pick_engine("robot", "config.yaml:4")
    assert str(caught.value) == ("config.yaml:4: unknown speech engine 'robot' "
                                 "(known: espeak-ng, piper)")


def test_each_engine_has_its_own_cache_entries(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    espeak, other = Voice("en", 140), Voice("en", 140, engine="other")
    assert cache.key("Hold.", espeak) != cache.key("Hold.", other)
    assert EngineChoice("other", "test").voice(espeak) == other


def test_a_registered_engine_renders_a_session(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    monkeypatch.setitem(ENGINES, "fake", lambda cache: FakeSpeech())
    routine = Routine(name="Tiny", steps=(Say("Sit comfortably."),))
    with open_engine(pick_engine("fake", "test")) as engine:
        assert engine.name == "fake"
        timeline, rendered = render_routine(routine, tmp_path / "out.wav", engine, Voice())
    assert rendered.path.stat().st_size > 44
    assert [c.text for c in timeline.cues if c.kind == "speech"][-1] == (
        "That is the end of Tiny. Well done.")
