"""Helpers for the player's tests: a small routine, a fake session, recorded events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crampcoach.audio.base import Clip
from crampcoach.errors import AudioDeviceError
from crampcoach.inputs.protocol import NO_HANDS_FREE, HandsFree
from crampcoach.player.clock import FakeClock
from crampcoach.player.events import SessionEvent
from crampcoach.player.record import SessionRecord, SessionStart
from crampcoach.player.session import RatingChoice, play_session
from crampcoach.routines.compiler import compile_routine, iter_steps
from crampcoach.routines.model import Breathe, Rest, Routine, Say, Stretch
from crampcoach.routines.timeline import Cue, Timeline, Voice
from crampcoach.session import SessionJournal, SessionSound
from crampcoach.session.machine import Machine
from support.fakes import FakeCueSounds, FakeSpeech, RecordingSink

VOICE = Voice()

ROUTINE = Routine(
    name="Test calm",
    source="test.yaml",
    steps=(
        Say("Sit on the edge of the bed."),
        Stretch(name="Calf stretch", cue="Draw your toes toward you.", hold_s=10,
                sides=("left", "right"), countdown=2, prepare_s=5, rest_s=5),
        Rest(4),
        Breathe(name="Box breathing", in_s=4, hold_s=2, out_s=4, cycles=2, guide="both"),
    ),
)


def timeline(routine: Routine = ROUTINE) -> Timeline:
    return compile_routine(routine, FakeSpeech(), VOICE)


class Events(list[SessionEvent]):
    """Every event the session sent, with filters by type."""

    def __call__(self, event: SessionEvent) -> None:
        self.append(event)

    def of(self, kind: type[Any]) -> list[Any]:
        return [e for e in self if isinstance(e, kind)]


@dataclass
class Recorder:
    starts: list[SessionStart] = field(default_factory=list)
    records: list[SessionRecord] = field(default_factory=list)
    ends: list[SessionRecord] = field(default_factory=list)
    steps: list[tuple[int, str]] = field(default_factory=list)
    error: Exception | None = None

    def started(self, start: SessionStart) -> None:
        self.starts.append(start)

    def reached(self, step_index: int, step_title: str) -> None:
        self.steps.append((step_index, step_title))

    def ended(self, record: SessionRecord) -> None:
        self.ends.append(record)

    def finished(self, record: SessionRecord) -> None:
        self.records.append(record)


@dataclass
class FakeSession:
    clock: FakeClock
    sink: RecordingSink
    speech: FakeSpeech
    events: Events
    recorder: Recorder
    record: SessionRecord | None = None

    @property
    def onsets(self) -> list[float]:
        return [t for t, _ in self.sink.played]


def run_session(
    script: list[tuple[float, str]] | None = None, *, routine: Routine = ROUTINE,
    rating: RatingChoice | None = None, input_live: bool = False,
    person_present: bool = False, sink_error: AudioDeviceError | None = None,
    sounds: Any = None, text_only: bool = False, worsening: Any = None,
    voice: Voice = VOICE, hands_free: HandsFree = NO_HANDS_FREE,
) -> FakeSession:
    clock = FakeClock(script or [])
    sink = RecordingSink(clock)
    speech = FakeSpeech()
    events = Events()
    recorder = Recorder()

    def make_sink() -> RecordingSink:
        if sink_error is not None:
            raise sink_error
        return sink

    session = FakeSession(clock, sink, speech, events, recorder)
    session.record = play_session(
        routine, iter_steps(routine, speech, voice), voice=voice,
        sounds=None if text_only else (sounds or FakeCueSounds(speech)),
        sink_factory=make_sink, clock=clock, observer=events, recorder=recorder,
        rating=rating or RatingChoice(ask=False), input_live=lambda: input_live,
        person_present=person_present, worsening=worsening, tick_s=None, prefetch_all=True,
        hands_free=hands_free,
    )
    return session


def sound_of(cue: Cue) -> Clip:
    return FakeCueSounds(FakeSpeech()).clip_for(cue, VOICE)


def beats(tl: Timeline) -> list[float]:
    """The distinct offsets at which something sounds, in order."""
    return sorted({c.at for c in tl.cues})


# --- the play command with a fake clock, fake keys and fake sound -------------------------

TINY = "name: Tiny\nsteps:\n  - say: Sit comfortably.\n"


class FakeKeys:
    """Stands in for the key reader: scripted keys come through the fake clock instead."""

    def __init__(self, live: bool, terminal: bool) -> None:
        self.live = live
        self.is_terminal = terminal

    def __enter__(self) -> FakeKeys:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


@dataclass
class PlayRun:
    result: Any
    recorder: Recorder
    sink: RecordingSink
    speech: FakeSpeech
    clock: FakeClock


def play_cli(
    monkeypatch: Any, tmp_path: Any, args: list[str], script: list[tuple[float, str]],
    *, routine_text: str = TINY, terminal: bool = True, live: bool = True,
    clock: FakeClock | None = None, worsening: Any = None,
) -> PlayRun:
    """Run ``crampcoach play`` on a file routine, with keys at fake times after ``end``."""
    from click.testing import CliRunner

    from crampcoach.cli import cli

    path = tmp_path / "tiny.yaml"
    path.write_text(routine_text)
    fake_clock = clock or FakeClock(script)
    speech = FakeSpeech()
    sink = RecordingSink(fake_clock)
    recorder = Recorder()
    sound = SessionSound(sounds=FakeCueSounds(speech), sink_factory=lambda: sink,
                         meter=speech, close=lambda: None)
    # The settings' pre-roll and night hours are tested in test_player_preroll.py and
    # test_player_voice_settings.py; here the session starts at once, at noon, so key
    # times follow the plan alone.
    import datetime

    monkeypatch.setenv("CRAMPCOACH_PREROLL", "0")
    machine = Machine(
        sound=lambda volume, tone_gain: sound, clock=lambda: fake_clock,
        keys=lambda clock: FakeKeys(live, terminal),
        journal=lambda path, routine: SessionJournal(recorder, worsening),
        now=lambda: datetime.datetime(2026, 1, 5, 12, 0))
    result = CliRunner().invoke(cli, ["play", str(path), *args], obj=machine)
    return PlayRun(result, recorder, sink, speech, fake_clock)


def tiny_end(routine_text: str = TINY) -> float:
    """When the tiny session's last sound ends (keys after this reach the rating)."""
    import yaml

    data = yaml.safe_load(routine_text)
    routine = Routine(name=data["name"], steps=tuple(Say(s["say"]) for s in data["steps"]))
    return timeline(routine).total
