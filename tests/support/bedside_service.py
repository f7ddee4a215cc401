"""A bedside service on fakes: fake speech, a recording speaker that can be unplugged,
a short routine, a journal in a temporary folder, and the log it writes."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from crampcoach.audio.base import Clip
from crampcoach.bedside.service import BedsideService
from crampcoach.errors import AudioDeviceError, SynthesisError
from crampcoach.player.events import SessionEvent
from crampcoach.routines.timeline import Voice
from crampcoach.session import SessionSound, SoundMaker
from crampcoach.session.machine import Machine, journal_at, monotonic_clock
from crampcoach.settings import BedsideSettings, Settings
from support.fakes import FakeCueSounds, FakeSpeech, RecordingSink

#: A routine short enough to finish in a test, long enough to steer: a quiet stretch in
#: the middle where pause, next and stop can land.
SHORT_ROUTINE = """\
name: Short rescue
steps:
  - say: Breathe slowly.
  - rest: 20s
  - say: Let the leg rest.
"""

NIGHT_ROUTINE = """\
name: Wind down
steps:
  - say: Let your shoulders drop.
  - rest: 20s
"""


class PreparingSpeech(FakeSpeech):
    """Fake speech that keeps what it was asked to make ahead (``prepared``)."""

    def __init__(self, seconds_per_char: float) -> None:
        super().__init__(seconds_per_char)
        self.prepared: list[str] = []

    def prepare(self, texts: Iterable[str], voice: Voice) -> dict[str, SynthesisError]:
        self.prepared.extend(texts)
        return {}


class _Monotonic:
    def now(self) -> float:
        return time.monotonic()


@dataclass
class Speaker:
    """The sink every session (and the service's own voice) plays on; ``plugged`` False
    makes opening it fail as a missing device does."""

    plugged: bool = True
    sink: RecordingSink = field(default_factory=lambda: RecordingSink(_Monotonic()))
    opened: int = 0
    refused: int = 0
    played: threading.Event = field(default_factory=threading.Event)

    def open(self) -> RecordingSink:
        if not self.plugged:
            self.refused += 1
            raise AudioDeviceError("the audio device is missing or busy (no such device)")
        self.opened += 1
        return _Notifying(self)  # type: ignore[return-value]

    def clips(self) -> list[Clip]:
        return [clip for _, clip in self.sink.played]


class _Notifying:
    def __init__(self, speaker: Speaker) -> None:
        self._speaker = speaker

    def play(self, clip: Clip) -> None:
        self._speaker.sink.play(clip)
        self._speaker.played.set()

    def stop(self) -> None:
        self._speaker.sink.stop()

    def is_playing(self) -> bool:
        return self._speaker.sink.is_playing()

    def close(self) -> None:
        pass


@dataclass
class Rig:
    """A service and everything it was given."""

    service: BedsideService
    speaker: Speaker
    speech: PreparingSpeech
    journal: Path
    log: list[str]
    events: list[SessionEvent]

    def said(self) -> list[str]:
        return [line.removeprefix('Said: "')[:-1] for line in self.log
                if line.startswith('Said: "')]

    def wait_for_log(self, predicate: Callable[[str], bool], timeout_s: float = 10.0) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for line in list(self.log):
                if predicate(line):
                    return line
            time.sleep(0.01)
        raise AssertionError(f"no such log line; the log: {self.log}")

    def wait_for_event(self, kind: type, timeout_s: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for event in list(self.events):
                if isinstance(event, kind):
                    return event
            time.sleep(0.01)
        raise AssertionError(f"no {kind.__name__}; the events: {self.events}")


def routines_folder(home: Path) -> Path:
    """The user's routines folder (the tests' own HOME) with the two test routines."""
    folder = home / ".config" / "crampcoach" / "routines"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "short-rescue.yaml").write_text(SHORT_ROUTINE)
    (folder / "wind-down.yaml").write_text(NIGHT_ROUTINE)
    return folder


def rig_settings(tmp: Path, **changes: Any) -> Settings:
    """Day-time settings on the test routines, with a short wait for the rating."""
    bedside = BedsideSettings(routine="short-rescue",
                              start_keys=(("1", "short-rescue"), ("2", "wind-down")))
    base = Settings(night=None, bedside=bedside, rating_timeout_s=1.0,
                    journal=tmp / "journal.sqlite3")
    return dataclasses.replace(base, **changes)


def make_rig(tmp: Path, settings: Settings, *, speaker: Speaker | None = None,
             seconds_per_char: float = 0.002,
             wrap_sound: Callable[[SoundMaker], SoundMaker] = lambda sound: sound,
             now: Callable[[], datetime] = lambda: datetime(2026, 11, 30, 14, 0),
             **service_options: Any) -> Rig:
    speaker = speaker or Speaker()
    speech = PreparingSpeech(seconds_per_char)
    log: list[str] = []
    events: list[SessionEvent] = []

    def fake_sound(volume: float = 1.0, tone_gain: float = 1.0) -> SessionSound:
        return SessionSound(sounds=FakeCueSounds(speech), sink_factory=speaker.open,
                            meter=speech, close=lambda: None, quick_meter=speech)

    machine = Machine(sound=wrap_sound(fake_sound), speech=lambda: speech,
                      clock=monotonic_clock, journal=journal_at, now=now)
    service = BedsideService(settings, machine=machine, log=log.append,
                             observer_for=lambda language: events.append, **service_options)
    return Rig(service, speaker, speech, settings.journal, log, events)


#: The GPIO pin the rigs' button is on (mock pins in the tests).
PIN = 17


class ManualTime:
    """The button's clock for telling a long press from a short one, moved by hand."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def button_opener(clock: ManualTime) -> Any:
    """Opens the real GPIO button (on mock pins) with ``clock`` and no debounce."""
    from crampcoach.inputs.button import open_button

    def opener(speak: Any, pin: int, book: Any) -> Any:
        return open_button(speak, pin, clock=clock, bounce_s=None, book=book)
    return opener


def press(mock_pins: Any, clock: ManualTime, held_s: float = 0.1) -> None:
    """Press the rig's button for ``held_s`` seconds of the button's clock."""
    pin = mock_pins.pin(PIN)
    pin.drive_low()
    clock.t += held_s
    pin.drive_high()


def started_rigs(tmp: Path) -> Iterator[Callable[..., Rig]]:
    """A fixture's body: yields a builder of started rigs, each stopped afterwards."""
    from support.keypad import FakeInputFolder

    made: list[Rig] = []

    def build(settings: Any = None, **options: Any) -> Rig:
        options.setdefault("keypad_devices", (FakeInputFolder().open, list))
        one = make_rig(tmp, settings or rig_settings(tmp), **options)
        one.service.start()
        made.append(one)
        return one

    yield build
    for one in made:
        one.service.stop()

