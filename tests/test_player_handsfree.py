"""The GPIO button and the spoken rating in a session, and what is said when one of them
cannot be used."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from crampcoach.inputs.button import open_button
from crampcoach.inputs.protocol import FALLBACK, HandsFree, HandsFreeUnavailable, Speak
from crampcoach.phrases import ENGLISH
from crampcoach.player.clock import FakeClock
from crampcoach.player.events import HandsFreeFallback, Paused, RatingAsked, Resumed, Said
from crampcoach.player.rating import PROMPTS, SPOKEN_PROMPTS, RatingPolicy
from crampcoach.player.record import SessionRecord
from crampcoach.player.session import RatingChoice, play_session
from crampcoach.routines.compiler import iter_steps
from support.fakes import FakeCueSounds, FakeSpeech, RecordingSink
from support.player import ROUTINE, VOICE, Events, Recorder, timeline, tiny_end
from support.wiring import wired_play

gpiozero = pytest.importorskip("gpiozero", reason="gpiozero (crampcoach[pi]) is not installed")
from gpiozero.pins.mock import MockFactory  # noqa: E402

PIN = 17
NO_GPIOZERO = ("The GPIO button needs gpiozero, which is not installed "
               "(pip install 'crampcoach[pi]'). " + FALLBACK)
NO_ARECORD = ("The spoken rating needs arecord (the alsa-utils package), which is not "
              "installed. " + FALLBACK)


class ButtonTime:
    """The button's own clock (it tells a long press from a short one)."""

    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


class PressingClock(FakeClock):
    """A fake clock whose script can press the mock button: "!press" (short), "!hold"."""

    def __init__(self, script: Sequence[tuple[float, str]], pins: MockFactory,
                 button_time: ButtonTime | None = None, debounce_s: float = 0.0) -> None:
        super().__init__(script)
        self.pins = pins
        self.button_time = button_time
        self.debounce_s = debounce_s

    def wait_until(self, deadline: float) -> str | None:
        while True:
            key = super().wait_until(deadline)
            if key not in ("!press", "!hold"):
                return key
            pin: Any = self.pins.pin(PIN)
            time.sleep(self.debounce_s)  # gpiozero's debounce runs on real time
            pin.drive_low()
            if self.button_time is not None:
                self.button_time.now += 1.2 if key == "!hold" else 0.2
            pin.drive_high()


def test_a_press_during_the_session_pauses_and_the_next_resumes(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, mock_pins: MockFactory) -> None:
    config = f"preroll: 0\nbutton_pin: {PIN}\n"
    plain = wired_play(monkeypatch, tmp_path, ["--no-rating"], config=config)
    # The button as play opens it: gpiozero's 50 ms debounce on real time.
    clock = PressingClock([(1.0, "!press"), (3.0, "!press")], mock_pins, debounce_s=0.1)
    run = wired_play(monkeypatch, tmp_path, ["--no-rating"], config=config, clock=clock)
    assert run.result.exit_code == 0, run.result.output
    assert "Paused. Press space to carry on, q to stop." in run.lines
    assert "Carrying on in 3 seconds." in run.lines
    assert run.onsets[-1] == pytest.approx(plain.onsets[-1] + 5.0)


def _session(clock: FakeClock, hands_free: HandsFree, *, input_live: bool = False,
             before: bool = False) -> tuple[SessionRecord, Events, FakeSpeech]:
    speech = FakeSpeech()
    events = Events()
    record = play_session(
        ROUTINE, iter_steps(ROUTINE, speech, VOICE), voice=VOICE,
        sounds=FakeCueSounds(speech), sink_factory=lambda: RecordingSink(clock),
        clock=clock, observer=events, recorder=Recorder(),
        rating=RatingChoice(before=before, policy=RatingPolicy(timeout_s=60)),
        input_live=lambda: input_live, tick_s=None, prefetch_all=True,
        hands_free=hands_free)
    return record, events, speech


@pytest.mark.parametrize(("presses", "rating"), [(3, 3), (1, 1), (10, 10), (0, 0)])
def test_the_button_gives_the_rating_with_no_keyboard(
        mock_pins: MockFactory, presses: int, rating: int) -> None:
    end = timeline().total
    button_time = ButtonTime()
    script = [(end + 1 + k, "!press") for k in range(presses)]
    script.append((end + 2 + presses, "!hold"))
    clock = PressingClock(script, mock_pins, button_time)

    said: list[str] = []

    def opener(speak: Speak) -> Any:
        def speak_and_note(text: str) -> None:
            said.append(text)
            speak(text)

        return open_button(speak_and_note, PIN, clock=button_time, bounce_s=None)

    record, events, speech = _session(clock, HandsFree(button=opener))
    assert record.rating_after == rating
    # Short, and in words for the button alone (no keyboard here).
    assert [e.prompt for e in events.of(RatingAsked)] == [ENGLISH.button_rating]
    words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
             "ten"]
    counts = [words[k % 11] for k in range(1, presses + 1)]
    assert said == [*counts, f"{words[rating].capitalize()}. Thank you."]
    # What the button says is made ahead, so a count is heard as the button is let go.
    assert set(said) <= set(speech.requests)


def test_a_missing_gpiozero_is_said_once_and_the_keys_carry_on(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "gpiozero", None)
    run = wired_play(monkeypatch, tmp_path, [], [(tiny_end() + 30, "4")],
                     config=f"preroll: 0\nbutton_pin: {PIN}\n")
    assert run.result.exit_code == 0, run.result.output
    assert run.lines.count(f"Note: {NO_GPIOZERO}") == 1
    assert run.lines[0] == f"Note: {NO_GPIOZERO}"
    assert run.speech.requests.count(NO_GPIOZERO) == 1
    assert run.recorder.records[0].rating_after == 4


def test_a_missing_arecord_is_said_once_and_the_keys_give_the_rating(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from crampcoach.inputs import spoken as voice_rating

    monkeypatch.setattr(voice_rating.shutil, "which", lambda name: None)
    run = wired_play(monkeypatch, tmp_path, ["--rate-before"], [(0.5, "2"), (100, "4")],
                     config="preroll: 0\nspoken_rating: true\n")
    assert run.result.exit_code == 0, run.result.output
    assert run.lines.count(f"Note: {NO_ARECORD}") == 1
    assert run.speech.requests.count(NO_ARECORD) == 1
    assert run.recorder.starts[0].rating_before == 2
    assert run.recorder.records[0].rating_after == 4


def test_without_keyboard_or_button_nothing_is_asked(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "gpiozero", None)
    run = wired_play(monkeypatch, tmp_path, [], config=f"preroll: 0\nbutton_pin: {PIN}\n",
                     terminal=False, live=False)
    assert run.result.exit_code == 0, run.result.output
    assert not any(line.startswith("How are your cramps") for line in run.lines)
    assert run.recorder.records[0].rating_after is None


class SpokenAnswer:
    """Stands in for the spoken rating: asks through the session's voice, answers 7."""

    def __init__(self, speak: Speak) -> None:
        self.speak = speak
        self.timeouts: list[float] = []

    def ask_rating(self, timeout_s: float) -> int | None:
        self.timeouts.append(timeout_s)
        self.speak("Please say a number from zero to ten.")
        self.speak("Thank you. Seven it is.")
        return 7


def test_the_spoken_rating_is_asked_aloud_with_no_keyboard() -> None:
    opened: list[SpokenAnswer] = []

    def opener(speak: Speak) -> SpokenAnswer:
        opened.append(SpokenAnswer(speak))
        return opened[0]

    record, events, speech = _session(FakeClock(), HandsFree(spoken_rating=opener))
    assert record.rating_after == 7
    assert [e.prompt for e in events.of(RatingAsked)] == [SPOKEN_PROMPTS["after"]]
    assert [e.text for e in events.of(Said)] == [
        "Please say a number from zero to ten.", "Thank you. Seven it is."]
    assert opened[0].timeouts == [60]
    assert SPOKEN_PROMPTS["after"] in speech.requests


class DeafMicrophone:
    def __init__(self, speak: Speak) -> None:
        self.speak = speak

    def ask_rating(self, timeout_s: float) -> int | None:
        self.speak("Please say a number from zero to ten.")
        raise HandsFreeUnavailable("The microphone 'default' cannot be used (no such device).")


def test_a_microphone_that_cannot_record_hands_the_rating_to_the_keys() -> None:
    end = timeline().total
    clock = FakeClock([(end + 30, "5")])
    record, events, speech = _session(clock, HandsFree(spoken_rating=DeafMicrophone),
                                      input_live=True)
    text = f"The microphone 'default' cannot be used (no such device). {FALLBACK}"
    assert [e.text for e in events.of(HandsFreeFallback)] == [text]
    assert speech.requests.count(text) == 1
    assert [e.prompt for e in events.of(RatingAsked)] == [SPOKEN_PROMPTS["after"],
                                                          PROMPTS["after"]]
    assert record.rating_after == 5


def test_after_a_button_rating_before_a_press_pauses_the_session(
        mock_pins: MockFactory) -> None:
    button_time = ButtonTime()
    clock = PressingClock([(1, "!press"), (2, "!hold"), (15, "!press"), (17, "!press")],
                          mock_pins, button_time)

    def opener(speak: Speak) -> Any:
        return open_button(speak, PIN, clock=button_time, bounce_s=None)

    record, events, _ = _session(clock, HandsFree(button=opener), before=True)
    assert record.rating_before == 1
    assert [e.at for e in events.of(Paused)] != []
    assert len(events.of(Resumed)) == 1
    assert record.outcome == "finished"


def test_the_rating_question_names_the_keys_too_when_keys_can_answer(
        mock_pins: MockFactory) -> None:
    end = timeline().total
    button_time = ButtonTime()
    clock = PressingClock([(end + 1, "!hold")], mock_pins, button_time)

    def opener(speak: Speak) -> Any:
        return open_button(speak, PIN, clock=button_time, bounce_s=None)

    record, events, _ = _session(clock, HandsFree(button=opener), input_live=True)
    assert [e.prompt for e in events.of(RatingAsked)] == [ENGLISH.button_or_keys_rating]
    assert record.rating_after == 0


def test_each_press_is_counted_aloud_as_it_comes_cutting_the_question_short(
        mock_pins: MockFactory) -> None:
    end = timeline().total
    button_time = ButtonTime()
    # Two presses while the question is still being said, then a hold.
    script = [(end + 0.5, "!press"), (end + 1.0, "!press"), (end + 3.0, "!hold")]
    clock = PressingClock(script, mock_pins, button_time)
    sink = RecordingSink(clock)
    speech = FakeSpeech()

    def opener(speak: Speak) -> Any:
        return open_button(speak, PIN, clock=button_time, bounce_s=None)

    record = play_session(
        ROUTINE, iter_steps(ROUTINE, speech, VOICE), voice=VOICE,
        sounds=FakeCueSounds(speech), sink_factory=lambda: sink, clock=clock,
        observer=Events(), recorder=Recorder(),
        rating=RatingChoice(policy=RatingPolicy(timeout_s=60)), input_live=lambda: False,
        tick_s=None, prefetch_all=True, hands_free=HandsFree(button=opener))
    assert record.rating_after == 2
    question = speech.clip(ENGLISH.button_rating, VOICE)
    assert question.seconds > 1.0  # still being said at the presses
    # Each count starts as its press is let go, the question stopped first: heard at once,
    # not after the question, and never over it.
    for at, word in ((end + 0.5, "one"), (end + 1.0, "two")):
        assert at in sink.stops
        assert (at, speech.clip(word, VOICE)) in sink.played
