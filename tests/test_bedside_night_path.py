"""The 3 a.m. path, second pass (issue 21), on the real service with its real threads:
mock GPIO pins for the button, the fake keypad, commands as the control socket gives them.

A forgotten pause never blocks the rescue, settings with a mistake never silence the
button, and every control does what it says, in the session's language."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import pytest

from crampcoach.bedside.control import Command
from crampcoach.bedside.service import BedsideService, service_settings
from crampcoach.journal import Journal
from crampcoach.phrases import ENGLISH, phrasebook
from crampcoach.player.events import (
    Paused,
    Rated,
    RatingAsked,
    Resumed,
    SafetyNotice,
    SessionEnded,
    StepChanged,
    WaitEnded,
    Waiting,
)
from support.bedside_service import (
    PIN,
    ManualTime,
    Rig,
    button_opener,
    make_rig,
    press,
    rig_settings,
    routines_folder,
    started_rigs,
)
from support.keypad import FakeInputFolder, FakeKeypad

pytestmark = pytest.mark.realtime

TOWEL = ("name: Towel first\nsteps:\n  - wait: Get a towel\n    max_wait: 2m\n"
         "  - say: Good.\n  - rest: 20s\n")
GERMAN = "name: Krampfhilfe\nlanguage: de\nsteps:\n  - say: Atmen Sie ruhig.\n  - rest: 20s\n"
WARM = ("name: Warm\nsteps:\n  - compress: Warm compress on the calf\n    duration: 2m\n"
        "    prepare: 30s\n  - say: Well done.\n")




@pytest.fixture
def folder(isolated_home: Path) -> Path:
    routines = routines_folder(isolated_home)
    (routines / "towel.yaml").write_text(TOWEL)
    (routines / "krampfhilfe.yaml").write_text(GERMAN)
    (routines / "warm.yaml").write_text(WARM)
    return routines


@pytest.fixture
def rig(tmp_path: Path, folder: Path) -> Any:
    yield from started_rigs(tmp_path)






def _wait(predicate: Any, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


def _starts(one: Rig) -> list[str]:
    return [line for line in one.log if line.startswith("Start ")]


def _episodes(journal: Path) -> list[Any]:
    with Journal.open(journal, create=False) as opened:
        return list(opened.episodes())


def _sessions(journal: Path) -> list[Any]:
    with Journal.open(journal, create=False) as opened:
        return list(opened.sessions())


# --- 1. a forgotten pause never blocks the rescue ---


def test_a_start_while_paused_ends_the_paused_session_and_starts_the_rescue(rig: Any) -> None:
    one: Rig = rig()
    assert one.service.handle(Command("start", "wind-down")).ok
    _wait(lambda: one.service.status()["state"] == "playing")
    assert one.service.handle(Command("pause")).message == "Paused."
    one.wait_for_event(Paused)
    # Minutes later (or at 3 a.m.): "start" plays the rescue, not "already playing".
    reply = one.service.handle(Command("start"))
    assert (reply.ok, reply.message) == (True, "Started Short rescue.")
    assert one.service.status()["routine"] == "Short rescue"
    one.service.handle(Command("stop"))
    assert one.service.wait_idle(10)
    wind_down, rescue = sorted(_sessions(one.journal), key=lambda s: s.started_at)
    assert (wind_down.routine, wind_down.status) == ("Wind down", "stopped")
    assert wind_down.rating_after is None
    assert rescue.routine == "Short rescue"


def test_a_button_press_while_paused_resumes_within_the_limit_and_starts_afresh_after(
        rig: Any, mock_pins: Any, tmp_path: Path) -> None:
    clock = ManualTime()
    one: Rig = rig(rig_settings(tmp_path, button_pin=PIN), open_button=button_opener(clock))
    assert one.service.handle(Command("start", "wind-down")).ok
    _wait(lambda: one.service.status()["state"] == "playing")
    time.sleep(0.3)
    press(mock_pins, clock)
    one.wait_for_event(Paused)
    press(mock_pins, clock)  # a pause of a moment: the press carries on
    one.wait_for_event(Resumed)
    assert one.service.status()["routine"] == "Wind down"
    one.service.handle(Command("stop"))
    one.wait_for_event(RatingAsked)
    press(mock_pins, clock, held_s=1.5)
    assert one.service.wait_idle(10)


def test_a_keypad_start_key_while_paused_starts_its_routine(rig: Any, tmp_path: Path) -> None:
    inputs = FakeInputFolder()
    keypad = FakeKeypad("USB Keypad")
    inputs.plug(keypad, 3)
    one: Rig = rig(keypad_devices=(inputs.open, inputs.list), keypad_rescan_s=0.05)
    one.wait_for_log(lambda line: line.startswith("Keypad: USB Keypad"))
    keypad.press("KEY_2")
    _wait(lambda: one.service.status()["state"] == "playing")
    time.sleep(0.3)
    keypad.press("KEY_SPACE")  # the forgotten evening pause
    one.wait_for_event(Paused)
    keypad.press("KEY_1")  # 3 a.m.: the rescue's key
    _wait(lambda: one.service.status()["routine"] == "Short rescue")
    assert _starts(one) == ["Start wind-down (keypad key 2).", "Start short-rescue (keypad key 1)."]
    keypad.press("KEY_Q")
    one.wait_for_event(RatingAsked)
    keypad.press("KEY_0")
    assert one.service.wait_idle(10)


# --- 2. settings with a mistake never silence the button ---


def _service_from(config: Path, last_good: Path, tmp_path: Path, **options: Any) -> Rig:
    settings, _, note = service_settings(config, last_good)
    one = make_rig(tmp_path, settings, settings_note=note,
                   keypad_devices=(FakeInputFolder().open, list), **options)
    one.service.start()
    return one


def test_a_settings_file_with_a_mistake_still_gives_a_working_button(
        mock_pins: Any, tmp_path: Path, folder: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"button_pin: {PIN}\nnight:\n  volum_cap: 0.3\nbedside:\n"
                      "  routine: short-rescue\n  keypad: off\n")
    clock = ManualTime()
    one = _service_from(config, tmp_path / "last-good.yaml", tmp_path,
                        open_button=button_opener(clock))
    try:
        note = one.service.status()["settings"]
        assert note.startswith(f"the settings file has a mistake ({config}:3: ")
        assert note.endswith("what has a mistake is at its default until it is mended")
        one.wait_for_log(lambda line: line == f'Said: "{ENGLISH.bedside_settings_fallback}"')
        assert one.service.status()["button"] == f"GPIO{PIN}"
        press(mock_pins, clock)
        one.wait_for_log(lambda line: line == "Start short-rescue (button).")
        assert one.speaker.played.wait(5)
        one.service.handle(Command("stop"))
        one.wait_for_event(RatingAsked)
        press(mock_pins, clock, held_s=1.5)
        assert one.service.wait_idle(10)
    finally:
        one.service.stop()


def test_a_settings_file_that_cannot_be_read_gives_way_to_the_last_good_one(
        mock_pins: Any, tmp_path: Path, folder: Path) -> None:
    config = tmp_path / "config.yaml"
    last_good = tmp_path / "last-good.yaml"
    config.write_text(f"button_pin: {PIN}\nbedside:\n  keypad: off\n")
    settings, _, note = service_settings(config, last_good)
    assert (settings.button_pin, note) == (PIN, None)
    assert last_good.read_text() == config.read_text()
    config.write_text("button_pin: [17\n")  # not even YAML: nothing of it can be read
    clock = ManualTime()
    one = _service_from(config, last_good, tmp_path, open_button=button_opener(clock))
    try:
        assert one.service.status()["settings"].endswith(
            "using the last good settings until it is mended")
        assert one.service.status()["button"] == f"GPIO{PIN}"
        press(mock_pins, clock)
        one.wait_for_log(lambda line: line.startswith("Start cramp-rescue (button)"))
    finally:
        one.service.stop()


def test_the_buttons_routine_that_cannot_be_played_gives_the_built_in_rescue(
        rig: Any, mock_pins: Any, tmp_path: Path, folder: Path) -> None:
    gone = folder / "mine.yaml"  # named in the settings, deleted since
    settings = rig_settings(tmp_path, button_pin=PIN)
    settings = dataclasses.replace(
        settings, bedside=dataclasses.replace(settings.bedside, routine=str(gone)))
    clock = ManualTime()
    one: Rig = rig(settings, open_button=button_opener(clock))
    assert one.service.warm.wait(20)
    # Said in the status, not "Idle" alone; and the rescue is made ahead instead.
    note = one.service.status()["button_routine"]
    assert note.startswith(f"{gone} cannot be played (")
    assert note.endswith("); the button plays the built-in cramp-rescue")
    assert "Stay lying down or sitting. There is no need to stand up." in one.speech.prepared
    press(mock_pins, clock)
    one.wait_for_event(StepChanged)
    assert one.service.status()["routine"] == "Cramp rescue"
    assert ENGLISH.bedside_routine_fallback in one.speech.requests
    assert not any("mine" in text for text in one.said())
    assert any(line.startswith(f"{gone} cannot be played (") and
               line.endswith("playing the built-in cramp-rescue instead.") for line in one.log)
    one.service.handle(Command("stop"))
    one.wait_for_event(SessionEnded)
    one.wait_for_event(RatingAsked)
    press(mock_pins, clock, held_s=1.5)
    assert one.service.wait_idle(20)


def test_a_start_of_the_buttons_routine_from_a_command_falls_back_too(
        rig: Any, tmp_path: Path, folder: Path) -> None:
    gone = folder / "mine.yaml"
    settings = rig_settings(tmp_path)
    settings = dataclasses.replace(
        settings, bedside=dataclasses.replace(settings.bedside, routine=str(gone)))
    one: Rig = rig(settings)
    reply = one.service.handle(Command("start"))
    assert reply.ok
    assert reply.message.startswith(f"{gone} cannot be played (")
    assert reply.message.endswith("); started Cramp rescue instead.")
    one.service.handle(Command("stop"))
    assert one.service.wait_idle(20)


# --- 3. pause and resume during a wait ---


def test_pause_during_a_wait_pauses_and_resume_goes_back_to_waiting(rig: Any) -> None:
    one: Rig = rig()
    assert one.service.handle(Command("start", "towel")).ok
    one.wait_for_event(Waiting)
    assert one.service.handle(Command("pause")).message == "Paused."
    one.wait_for_event(Paused)
    assert one.service.status()["state"] == "paused"
    assert one.service.handle(Command("resume")).message == "Carrying on."
    one.wait_for_event(Resumed)
    time.sleep(0.3)
    # Still waiting: the pause and the resume were never a "ready".
    assert not [e for e in one.events if isinstance(e, WaitEnded)]
    assert one.service.handle(Command("continue")).message == "Carrying on."
    ended = one.wait_for_event(WaitEnded)
    assert not ended.timed_out
    one.service.handle(Command("stop"))
    assert one.service.wait_idle(10)


def test_the_keypads_pause_key_during_a_wait_is_ready_as_documented(
        rig: Any, tmp_path: Path) -> None:
    inputs = FakeInputFolder()
    keypad = FakeKeypad("Presenter")
    inputs.plug(keypad, 4)
    one: Rig = rig(keypad_devices=(inputs.open, inputs.list), keypad_rescan_s=0.05)
    one.wait_for_log(lambda line: line.startswith("Keypad: Presenter"))
    assert one.service.handle(Command("start", "towel")).ok
    one.wait_for_event(Waiting)
    keypad.press("KEY_B")  # the presenter's pause key: "I am ready" in a wait
    assert not one.wait_for_event(WaitEnded).timed_out
    assert not [e for e in one.events if isinstance(e, Paused)]
    one.service.handle(Command("stop"))
    assert one.service.wait_idle(10)


# --- 4. the rating count with a keypad: answered at once ---


def test_a_keypad_rating_is_answered_as_it_comes(rig: Any) -> None:
    inputs = FakeInputFolder()
    keypad = FakeKeypad("USB Keypad")
    inputs.plug(keypad, 3)
    one: Rig = rig(keypad_devices=(inputs.open, inputs.list), keypad_rescan_s=0.05)
    one.wait_for_log(lambda line: line.startswith("Keypad: USB Keypad"))
    assert one.service.handle(Command("start")).ok
    _wait(lambda: one.service.status()["state"] == "playing")
    keypad.press("KEY_Q")
    one.wait_for_event(RatingAsked)
    stops = len(one.speaker.sink.stops)
    keypad.press("KEY_6")  # while the question is still said
    rated = one.wait_for_event(Rated)
    assert rated.value == 6
    assert len(one.speaker.sink.stops) > stops  # the question was cut short for the answer
    assert one.service.wait_idle(10)


def test_a_stop_during_the_rating_skips_it(rig: Any, mock_pins: Any, tmp_path: Path) -> None:
    clock = ManualTime()
    one: Rig = rig(rig_settings(tmp_path, button_pin=PIN, rating_timeout_s=60.0),
                   open_button=button_opener(clock))
    press(mock_pins, clock)
    _wait(lambda: one.service.status()["state"] == "playing")
    one.service.handle(Command("stop"))
    one.wait_for_event(RatingAsked)
    assert one.service.handle(Command("stop")).message == "Stopping."
    assert one.service.wait_idle(5)
    [session] = _sessions(one.journal)
    assert session.rating_after is None


# --- 7. the service's own words ---


def test_the_service_answers_in_the_sessions_language(rig: Any) -> None:
    one: Rig = rig()
    assert one.service.handle(Command("start", "krampfhilfe")).ok
    _wait(lambda: one.service.status()["state"] == "playing")
    german = phrasebook("de")
    assert not one.service.handle(Command("start", "wind-down")).ok
    one.service.handle(Command("pause"))
    one.service.handle(Command("pause"))
    _wait(lambda: german.bedside_already_paused in one.said())
    assert german.bedside_busy.format(routine="Krampfhilfe") in one.said()
    assert ENGLISH.bedside_busy.format(routine="Krampfhilfe") not in one.said()
    one.service.handle(Command("stop"))
    assert one.service.wait_idle(10)


def test_a_routine_file_path_is_never_read_aloud(rig: Any, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\n")
    one: Rig = rig()
    reply = one.service.handle(Command("start", str(broken)))
    assert not reply.ok
    one.wait_for_log(lambda line: line.startswith('Said: "That routine cannot be played'))
    assert ENGLISH.bedside_cannot_start_unnamed in one.said()
    assert not any(str(tmp_path) in text or "broken" in text for text in one.said())


def test_holding_the_button_to_stop_does_not_say_paused_first(
        rig: Any, mock_pins: Any, tmp_path: Path) -> None:
    clock = ManualTime()
    one: Rig = rig(rig_settings(tmp_path, button_pin=PIN), open_button=button_opener(clock))
    press(mock_pins, clock)
    _wait(lambda: one.service.status()["state"] == "playing")
    time.sleep(0.3)
    press(mock_pins, clock, held_s=1.5)
    assert one.wait_for_event(SessionEnded).outcome == "stopped"
    assert not [e for e in one.events if isinstance(e, Paused)]
    one.wait_for_event(RatingAsked)
    press(mock_pins, clock, held_s=1.5)
    assert one.service.wait_idle(10)


def test_the_press_that_starts_a_session_is_not_also_a_pause_when_let_go(
        rig: Any, mock_pins: Any, tmp_path: Path) -> None:
    clock = ManualTime()
    one: Rig = rig(rig_settings(tmp_path, button_pin=PIN), open_button=button_opener(clock))
    pin = mock_pins.pin(PIN)
    pin.drive_low()  # the press starts the rescue...
    _wait(lambda: one.service.status()["state"] == "playing")
    time.sleep(0.2)
    clock.t += 0.3
    pin.drive_high()  # ...and is let go once the session has the button
    time.sleep(0.3)
    assert not [e for e in one.events if isinstance(e, Paused)]
    assert one.service.status()["state"] == "playing"
    one.service.handle(Command("stop"))
    one.wait_for_event(RatingAsked)
    press(mock_pins, clock, held_s=1.5)
    assert one.service.wait_idle(10)


def test_continue_outside_a_wait_says_so_and_is_refused(rig: Any) -> None:
    one: Rig = rig()
    assert one.service.handle(Command("start")).ok
    _wait(lambda: one.service.status()["state"] == "playing")
    reply = one.service.handle(Command("continue"))
    assert (reply.ok, reply.message) == (False, "nothing is waiting for the person to be ready")
    _wait(lambda: ENGLISH.bedside_not_waiting in one.said())
    one.service.handle(Command("stop"))
    assert one.service.wait_idle(10)


# --- 6. the compress: every exit from "Place it now." says to take it off ---


def test_a_stop_after_place_it_now_and_before_compress_on_says_remove_it(rig: Any) -> None:
    from crampcoach.player.events import CueStarted

    one: Rig = rig()
    assert one.service.handle(Command("start", "warm")).ok
    intro = one.wait_for_event(CueStarted)
    while intro.cue.role != "intro":
        time.sleep(0.01)
        intro = next((e for e in one.events
                      if isinstance(e, CueStarted) and e.cue.role == "intro"), intro)
    # Just after the introduction ("... Place it now."), long before "Compress on."
    time.sleep(max(0.0, intro.cue.length) + 0.2)
    one.service.handle(Command("stop"))
    one.wait_for_event(SessionEnded)
    assert one.events.count(SafetyNotice(ENGLISH.compress_remove_now)) == 1
    assert one.service.wait_idle(10)


# --- 8. every session the service starts is an episode to complete ---


@pytest.mark.parametrize(("origin", "who"), [("web", "the companion page"),
                                             ("socket", "a bedside command")])
def test_a_session_started_from_the_page_or_a_command_is_an_episode(
        rig: Any, origin: str, who: str) -> None:
    one: Rig = rig()
    assert one.service.handle(Command("start", origin=origin)).ok
    _wait(lambda: one.service.status()["state"] == "playing")
    one.service.handle(Command("stop"))
    assert one.service.wait_idle(10)
    [session] = _sessions(one.journal)
    [episode] = _episodes(one.journal)
    assert (episode.session_id, episode.routine, episode.note) == (
        session.id, "Short rescue", f"Started by {who}.")
    assert not episode.complete


def test_stopping_the_service_is_still_clean(tmp_path: Path, folder: Path) -> None:
    one = make_rig(tmp_path, rig_settings(tmp_path), keypad_devices=(FakeInputFolder().open, list))
    service: BedsideService = one.service
    service.start()
    service.stop()
