"""The urgent tier is said aloud as well as shown when `episode add` records an episode
that needs help now, at a terminal; without sound the words stand, with one note, and the
command still succeeds. The machine's sound and clock are fakes (the one seam)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

import crampcoach.cli as cli_module
from crampcoach.cli import cli
from crampcoach.errors import AudioDeviceError
from crampcoach.journal.wording import URGENT
from crampcoach.phrases import ENGLISH, phrasebook
from crampcoach.player.clock import FakeClock
from crampcoach.session import SessionSound, voice_at
from crampcoach.settings import load_settings
from support.fakes import FakeCueSounds, FakeSpeech, RecordingSink
from support.journal import JournalRunner, journal_machine

URGENT_EPISODE = ("episode", "add", "-k", "cramp", "-w", "calf", "-s", "L", "-m", "30",
                  "--not-eased")


@dataclass
class Heard:
    """What reached the fake sound: the phrases made, the clips played, the volumes."""

    clock: FakeClock = field(default_factory=FakeClock)
    speech: FakeSpeech = field(default_factory=FakeSpeech)
    sink: RecordingSink = field(init=False)
    made_at: list[tuple[float, float]] = field(default_factory=list)
    closed: int = 0

    def __post_init__(self) -> None:
        self.sink = RecordingSink(self.clock)

    def sound(self, volume: float = 1.0, tone_gain: float = 1.0) -> SessionSound:
        self.made_at.append((volume, tone_gain))

        def close() -> None:
            self.closed += 1

        return SessionSound(sounds=FakeCueSounds(self.speech), sink_factory=lambda: self.sink,
                            meter=self.speech, close=close)


@pytest.fixture(autouse=True)
def journal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CRAMPCOACH_JOURNAL", str(tmp_path / "j.sqlite3"))


def run(heard: Heard, *args: str, terminal: bool = True,
        monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.setattr(cli_module, "_stdout_is_terminal", lambda: terminal)
    machine = replace(journal_machine(), sound=heard.sound, clock=lambda: heard.clock)
    result = JournalRunner(machine).invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_an_urgent_episode_says_the_urgent_tier_aloud_and_waits_for_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    heard = Heard()
    code, shown, errors = run(heard, *URGENT_EPISODE, monkeypatch=monkeypatch)
    assert code == 0
    assert f"\n{URGENT}\n" in shown
    assert errors == ""
    assert heard.speech.requests == [ENGLISH.urgent_help]
    [(at, clip)] = heard.sink.played
    # Said to its end (the command waited on the machine's clock), then the sound closed.
    assert heard.clock.now() == pytest.approx(at + clip.seconds)
    assert heard.sink.closed
    assert heard.closed == 1
    # 22:30 in London: night mode's softer voice, as a session would have it now.
    night, _ = voice_at(load_settings()[0], journal_machine().now())
    assert night.volume < 1.0
    assert heard.made_at == [(night.volume, night.tone_gain)]


def test_it_is_said_in_the_language_of_the_person_s_voice(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("language: de\n")
    monkeypatch.setenv("CRAMPCOACH_CONFIG", str(config))
    heard = Heard()
    assert run(heard, *URGENT_EPISODE, monkeypatch=monkeypatch)[0] == 0
    assert phrasebook("de").urgent_help != ENGLISH.urgent_help
    assert heard.speech.requests == [phrasebook("de").urgent_help]


@pytest.mark.parametrize("args", [
    ("episode", "add", "-k", "cramp", "-w", "calf", "-m", "30", "--eased"),
    ("episode", "add", "-k", "cramp", "-m", "8", "--not-eased"),
])
def test_an_episode_that_is_not_urgent_says_nothing(
        monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]) -> None:
    heard = Heard()
    code, shown, _ = run(heard, *args, monkeypatch=monkeypatch)
    assert code == 0
    assert URGENT not in shown
    assert heard.speech.requests == []
    assert heard.made_at == []


def test_a_script_reading_the_output_gets_the_words_without_sound(
        monkeypatch: pytest.MonkeyPatch) -> None:
    heard = Heard()
    code, shown, errors = run(heard, *URGENT_EPISODE, terminal=False, monkeypatch=monkeypatch)
    assert code == 0
    assert f"\n{URGENT}\n" in shown
    assert errors == ""
    assert heard.made_at == []


def test_a_follow_up_that_answers_the_flag_is_not_said_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    heard = Heard()
    run(heard, *URGENT_EPISODE, terminal=False, monkeypatch=monkeypatch)
    code, shown, _ = run(heard, "episode", "--last", "--follow-up", "GP saw it",
                         monkeypatch=monkeypatch)
    assert code == 0
    assert URGENT not in shown
    assert heard.made_at == []


def test_without_an_audio_device_the_words_stand_with_one_note(
        monkeypatch: pytest.MonkeyPatch) -> None:
    heard = Heard()
    heard.sink.fail_with = AudioDeviceError("the audio device is missing or busy (no card)")
    code, shown, errors = run(heard, *URGENT_EPISODE, monkeypatch=monkeypatch)
    assert code == 0
    assert shown.endswith(f"{URGENT}\nOnce you have had help, note what happened: crampcoach "
                          "episode --last --follow-up TEXT.\n")
    assert errors == ("Note: not said aloud (the audio device is missing or busy (no card)); "
                      "the words above stand.\n")
    assert heard.closed == 1


def test_settings_that_cannot_be_read_leave_the_words_with_one_note(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("volume: [\n")
    monkeypatch.setenv("CRAMPCOACH_CONFIG", str(config))
    heard = Heard()
    code, shown, errors = run(heard, *URGENT_EPISODE, monkeypatch=monkeypatch)
    assert code == 0
    assert f"\n{URGENT}\n" in shown
    assert errors.startswith(f"Note: not said aloud (the settings cannot be read: {config}:")
    assert errors.endswith("); the words above stand.\n")
    assert errors.count("\n") == 1
    assert heard.made_at == []
