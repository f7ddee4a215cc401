"""The bedside service on fakes: the GPIO button through gpiozero's mock pins, a fake keypad
behind evdev's protocol, fake speech and a recording speaker; real threads and the real
clock (a session of a few seconds), since the service is about threads meeting."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import pytest

from crampcoach.bedside.control import Command
from crampcoach.bedside.service import BedsideService
from crampcoach.journal import Journal
from crampcoach.phrases import ENGLISH
from crampcoach.player.events import (
    AudioFallback,
    Paused,
    Progress,
    RatingAsked,
    Resumed,
    SessionEnded,
    Skipped,
    StepChanged,
    WaitEnded,
    Waiting,
)
from crampcoach.session import SoundMaker
from support.bedside_service import (
    PIN,
    ManualTime,
    Rig,
    Speaker,
    button_opener,
    make_rig,
    press,
    rig_settings,
    routines_folder,
    started_rigs,
)
from support.keypad import KEYBOARD_KEYS, FakeInputFolder, FakeKeypad

pytestmark = pytest.mark.realtime




@pytest.fixture
def rig(tmp_path: Path, isolated_home: Path) -> Any:
    routines_folder(isolated_home)
    yield from started_rigs(tmp_path)






def _sessions(journal: Path) -> list[Any]:
    with Journal.open(journal, create=False) as opened:
        return list(opened.sessions())


def _episodes(journal: Path) -> list[Any]:
    with Journal.open(journal, create=False) as opened:
        return list(opened.episodes())


def _wait(predicate: Any, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


# --- the GPIO button ----------------------------------------------------------------------------

def test_a_press_when_idle_starts_the_buttons_routine_with_sound(
        rig: Any, mock_pins: Any, tmp_path: Path) -> None:
    clock = ManualTime()
    one: Rig = rig(rig_settings(tmp_path, button_pin=PIN), open_button=button_opener(clock))
    press(mock_pins, clock)
    assert one.speaker.played.wait(5)
    one.wait_for_log(lambda line: line == "Start short-rescue (button).")
    assert one.service.status()["routine"] == "Short rescue"
    assert one.service.status()["by"] == "button"


def test_the_button_pauses_resumes_and_a_long_press_stops(
        rig: Any, mock_pins: Any, tmp_path: Path) -> None:
    clock = ManualTime()
    one: Rig = rig(rig_settings(tmp_path, button_pin=PIN), open_button=button_opener(clock))
    press(mock_pins, clock)
    one.wait_for_log(lambda line: line.startswith("Start short-rescue"))
    _wait(lambda: one.service.status()["state"] == "playing")
    time.sleep(0.3)
    press(mock_pins, clock)
    one.wait_for_event(Paused)
    assert one.service.status()["state"] == "paused"
    press(mock_pins, clock)
    one.wait_for_event(Resumed)
    press(mock_pins, clock, held_s=1.5)  # pauses as it goes down, stops as it is let go
    ended = one.wait_for_event(SessionEnded)
    assert ended.outcome == "stopped"
    # Then the rating, by the button as in any session: three presses and a long one.
    one.wait_for_event(RatingAsked)
    for _ in range(3):
        press(mock_pins, clock)
    press(mock_pins, clock, held_s=1.5)
    assert one.service.wait_idle(10)
    [session] = _sessions(one.journal)
    assert (session.routine, session.status, session.rating_after) == (
        "Short rescue", "stopped", 3)
    assert "three" in one.speech.requests  # the count is said aloud
    # Started hands-free: an episode of the care record, to be completed in the morning.
    [episode] = _episodes(one.journal)
    assert (episode.session_id, episode.routine, episode.severity, episode.at) == (
        session.id, "Short rescue", 3, session.started_at)
    assert not episode.complete


def test_a_press_after_the_session_starts_the_next_one(
        rig: Any, mock_pins: Any, tmp_path: Path) -> None:
    clock = ManualTime()
    one: Rig = rig(rig_settings(tmp_path, button_pin=PIN), open_button=button_opener(clock))
    press(mock_pins, clock)
    one.wait_for_log(lambda line: line.startswith("Start short-rescue"))
    _wait(lambda: one.service.status()["state"] == "playing")
    one.service.handle(Command("stop"))
    one.wait_for_event(RatingAsked)
    press(mock_pins, clock, held_s=1.5)  # a long press with no count: a zero
    assert one.service.wait_idle(10)
    press(mock_pins, clock)
    _wait(lambda: len([line for line in one.log if line.startswith("Start ")]) == 2)


def test_no_button_when_the_pin_cannot_be_used_is_logged_and_the_rest_works(
        rig: Any, tmp_path: Path) -> None:
    from crampcoach.inputs.protocol import HandsFreeUnavailable

    def broken(speak: Any, pin: int, book: Any) -> Any:
        raise HandsFreeUnavailable(f"The GPIO button on GPIO{pin} cannot be used (busy).")

    one: Rig = rig(rig_settings(tmp_path, button_pin=PIN), open_button=broken)
    assert "No GPIO button: The GPIO button on GPIO17 cannot be used (busy)." in one.log
    assert one.service.status()["button"].startswith("unavailable")
    assert one.service.handle(Command("start")).ok


# --- the keypad ---------------------------------------------------------------------------------

def _keypad_rig(rig: Any, tmp_path: Path, folder: FakeInputFolder, **changes: Any) -> Rig:
    return rig(rig_settings(tmp_path, **changes), keypad_devices=(folder.open, folder.list),
               keypad_rescan_s=0.05)


def test_keypad_keys_start_their_routines_and_steer_the_session(
        rig: Any, tmp_path: Path) -> None:
    folder = FakeInputFolder()
    keypad = FakeKeypad("USB Keypad")
    folder.plug(keypad, 3)
    one = _keypad_rig(rig, tmp_path, folder)
    one.wait_for_log(lambda line: line == "Keypad: USB Keypad (/dev/input/event3).")
    assert keypad.grabbed
    keypad.press("KEY_KP2", repeat=3)  # held down: one start, not four
    one.wait_for_log(lambda line: line == "Start wind-down (keypad key 2).")
    _wait(lambda: one.service.status()["state"] == "playing")
    assert one.service.status()["routine"] == "Wind down"
    time.sleep(0.3)
    keypad.press("KEY_SPACE")
    one.wait_for_event(Paused)
    keypad.press("KEY_B")  # the presenter's "blank" key is pause too
    one.wait_for_event(Resumed)
    keypad.press("KEY_1")  # a start key during a session: said to be busy
    one.wait_for_log(lambda line: line == 'Said: "Wind down is already playing."')
    keypad.press("KEY_PAGEDOWN")
    one.wait_for_event(Skipped)
    keypad.press("KEY_Q")
    assert one.wait_for_event(SessionEnded).outcome == "stopped"
    # The keypad answers the rating: 7 then Enter.
    one.wait_for_event(RatingAsked)
    keypad.press("KEY_7")
    keypad.press("KEY_KPENTER")
    assert one.service.wait_idle(10)
    [session] = _sessions(one.journal)
    assert (session.routine, session.rating_after) == ("Wind down", 7)
    assert [e.session_id for e in _episodes(one.journal)] == [session.id]
    assert one.log.count("Start wind-down (keypad key 2).") == 1


def test_a_keypad_unplugged_and_plugged_back_is_found_again(rig: Any, tmp_path: Path) -> None:
    folder = FakeInputFolder()
    path = folder.plug(FakeKeypad("Presenter"), 5)
    one = _keypad_rig(rig, tmp_path, folder)
    one.wait_for_log(lambda line: line == "Keypad: Presenter (/dev/input/event5).")
    folder.unplug(path)
    one.wait_for_log(lambda line: line.startswith("Keypad Presenter (/dev/input/event5) is gone"))
    assert one.service.status()["keypads"] == []
    again = FakeKeypad("Presenter")
    folder.plug(again, 5)
    _wait(lambda: one.service.status()["keypads"] == ["Presenter (/dev/input/event5)"])
    again.press("KEY_1")
    one.wait_for_log(lambda line: line == "Start short-rescue (keypad key 1).")


def test_auto_leaves_a_full_keyboard_alone(rig: Any, tmp_path: Path) -> None:
    folder = FakeInputFolder()
    keyboard = FakeKeypad("Carer's keyboard", KEYBOARD_KEYS)
    folder.plug(keyboard, 1)
    folder.plug(FakeKeypad("Keypad"), 2)
    one = _keypad_rig(rig, tmp_path, folder)
    _wait(lambda: one.service.status()["keypads"] == ["Keypad (/dev/input/event2)"])
    assert not keyboard.grabbed
    assert keyboard.closed


def test_a_named_keypad_is_the_only_one_read(rig: Any, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    folder = FakeInputFolder()
    folder.plug(FakeKeypad("Keypad"), 2)
    folder.plug(FakeKeypad("Remote"), 4)
    settings = rig_settings(tmp_path)
    settings = dataclasses.replace(
        settings, bedside=dataclasses.replace(settings.bedside, keypad="/dev/input/event4"))
    lexists = {"/dev/input/event4"}
    monkeypatch.setattr("os.path.lexists", lambda p: p in lexists)
    one: Rig = rig(settings, keypad_devices=(folder.open, folder.list), keypad_rescan_s=0.05)
    _wait(lambda: one.service.status()["keypads"] == ["Remote (/dev/input/event4)"])
    assert folder.opened == ["/dev/input/event4"]


# --- one session at a time, failures, the speaker ----------------------------------------------

def test_a_start_during_a_session_says_so_aloud(rig: Any, tmp_path: Path) -> None:
    one: Rig = rig()
    assert one.service.handle(Command("start")).ok
    reply = one.service.handle(Command("start", "wind-down"))
    assert (reply.ok, reply.message) == (False, "Short rescue is already playing")
    _wait(lambda: ENGLISH.bedside_busy.format(routine="Short rescue")
          in one.speech.requests)
    one.service.handle(Command("stop"))
    assert one.service.wait_idle(10)
    assert len(_sessions(one.journal)) == 1


def test_controls_with_nothing_playing_are_answered_aloud(rig: Any) -> None:
    one: Rig = rig()
    for name in ("pause", "resume", "next", "repeat", "stop", "continue"):
        reply = one.service.handle(Command(name))  # type: ignore[arg-type]
        assert (reply.ok, reply.message) == (False, "nothing is playing")
    _wait(lambda: one.speaker.opened >= 1)
    assert one.said() == [ENGLISH.bedside_nothing_playing] * 6
    assert ENGLISH.bedside_nothing_playing in one.speech.requests


def test_a_session_that_fails_never_takes_the_service_down(
        rig: Any, isolated_home: Path) -> None:
    crashes = {"left": 1}

    def flaky(sound: SoundMaker) -> SoundMaker:
        def make(volume: float = 1.0, tone_gain: float = 1.0) -> Any:
            if crashes["left"]:
                crashes["left"] -= 1
                raise RuntimeError("the sound card's driver crashed")
            return sound(volume, tone_gain)
        return make

    one: Rig = rig(wrap_sound=flaky)
    reply = one.service.handle(Command("start"))
    assert (reply.ok, reply.message) == (
        False, "short-rescue cannot be played: the sound card's driver crashed")
    one.wait_for_log(lambda line: line == 'Said: "Short rescue cannot be played just now. '
                                          "Your carer can see why in the service's log.\"")
    # A routine file broken since: said and logged, and the service goes on.
    (isolated_home / ".config/crampcoach/routines/broken.yaml").write_text("name: x\n")
    reply = one.service.handle(Command("start", "broken"))
    assert not reply.ok
    assert reply.message.startswith("broken cannot be played: ")
    assert one.service.handle(Command("start")).ok
    assert one.service.status()["state"] in ("playing", "starting")


def test_a_routine_broken_after_the_service_loaded_it_plays_the_last_good_one(
        rig: Any, isolated_home: Path) -> None:
    one: Rig = rig()
    assert one.service.warm.wait(10)
    (isolated_home / ".config/crampcoach/routines/short-rescue.yaml").write_text("steps: [\n")
    reply = one.service.handle(Command("start"))
    assert (reply.ok, reply.message) == (True, "Started Short rescue.")
    assert any(line.startswith("short-rescue changed and cannot be used (") for line in one.log)


def test_a_speaker_unplugged_and_plugged_back_is_found_by_the_next_session(rig: Any) -> None:
    speaker = Speaker(plugged=False)
    one: Rig = rig(speaker=speaker)
    assert one.service.handle(Command("start")).ok
    fallback = one.wait_for_event(AudioFallback)
    assert fallback.reason.startswith("No sound: the audio device is missing or busy")
    one.service.handle(Command("stop"))
    assert one.service.wait_idle(10)
    speaker.plugged = True
    one.events.clear()
    assert one.service.handle(Command("start")).ok
    assert speaker.played.wait(5)
    one.service.handle(Command("stop"))
    assert one.service.wait_idle(10)
    assert not [e for e in one.events if isinstance(e, AudioFallback)]


def test_the_session_is_recorded_in_the_journal(rig: Any) -> None:
    one: Rig = rig()
    assert one.service.handle(Command("start", "wind-down")).ok
    time.sleep(0.3)
    one.service.handle(Command("next"))
    one.wait_for_event(Skipped)
    one.service.handle(Command("stop"))
    assert one.service.wait_idle(10)
    [session] = _sessions(one.journal)
    assert (session.routine, session.status) == ("Wind down", "stopped")
    # Started by a command (or the page): an episode to complete too, saying who started it.
    [episode] = _episodes(one.journal)
    assert (episode.session_id, episode.note) == (session.id, "Started by a bedside command.")
    assert not episode.complete


def test_warming_makes_every_phrase_of_its_routines_ahead(rig: Any) -> None:
    one: Rig = rig()
    assert one.service.warm.wait(10)
    prepared = one.speech.prepared
    assert "Breathe slowly." in prepared
    assert "Let your shoulders drop." in prepared
    assert ENGLISH.bedside_nothing_playing in prepared


def test_stopping_the_service_stops_the_session_as_interrupted(
        tmp_path: Path, isolated_home: Path) -> None:
    routines_folder(isolated_home)
    one = make_rig(tmp_path, rig_settings(tmp_path),
                   keypad_devices=(FakeInputFolder().open, list))
    service: BedsideService = one.service
    service.start()
    assert service.handle(Command("start")).ok
    service.stop()
    [session] = _sessions(one.journal)
    assert session.status == "stopped"
    assert 'Said: "Stopped."' not in one.log


def test_continue_ends_a_step_that_waits_until_the_person_is_ready(
        rig: Any, isolated_home: Path) -> None:
    (isolated_home / ".config/crampcoach/routines/towel.yaml").write_text(
        "name: Towel first\nsteps:\n  - wait: Get a towel\n    max_wait: 2m\n"
        "  - say: Good.\n  - rest: 20s\n")
    one: Rig = rig()
    assert one.service.handle(Command("start", "towel")).ok
    one.wait_for_event(Waiting)
    assert one.service.status()["waiting"]
    assert one.service.handle(Command("continue")).message == "Carrying on."
    ended = one.wait_for_event(WaitEnded)
    assert not one.service.status()["waiting"]
    assert not ended.timed_out
    assert ended.waited_s < 30
    one.service.handle(Command("stop"))
    assert one.service.wait_idle(10)


def test_the_status_carries_the_step_what_comes_next_and_the_time_left(
        rig: Any, isolated_home: Path) -> None:
    (isolated_home / ".config/crampcoach/routines/two.yaml").write_text(
        "name: Two stretches\nsteps:\n"
        "  - stretch: Calf stretch\n    cue: Draw your toes up.\n    hold: 20s\n"
        "  - stretch: Hamstring stretch\n    cue: Lean forward.\n    hold: 20s\n")
    one: Rig = rig()
    assert one.service.handle(Command("start", "two")).ok
    _wait(lambda: any(isinstance(e, StepChanged) and e.index == 0 for e in one.events))
    _wait(lambda: isinstance(one.events[-1], Progress))  # a tick inside the first step
    assert one.service.handle(Command("pause")).ok
    one.wait_for_event(Paused)
    status = one.service.status()
    step = [e for e in one.events if isinstance(e, StepChanged)][-1]
    progress = [e for e in one.events if isinstance(e, Progress)][-1]
    assert status["step"] == "step 1 of 2: Calf stretch"
    assert status["next"] == "Hamstring stretch" == step.next_title
    assert status["left"] == round(progress.session_left)
    # The second stretch, 20 s of hold at least, is still to come.
    assert 20 < status["left"] <= progress.total
    one.service.handle(Command("stop"))
    assert one.service.wait_idle(10)
    assert (one.service.status()["next"], one.service.status()["left"]) == (None, None)


def test_each_session_reads_the_settings_again(rig: Any, tmp_path: Path) -> None:
    from crampcoach.errors import ConfigError

    first = rig_settings(tmp_path)
    changed = dataclasses.replace(
        first, bedside=dataclasses.replace(first.bedside, routine="wind-down", keypad="off"))
    answers: list[Any] = [changed, ConfigError.single("config.yaml", 3, "volume must be ...")]

    def reload() -> Any:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    one: Rig = rig(first, reload_settings=reload)
    assert one.service.handle(Command("start")).message == "Started Wind down."
    one.service.handle(Command("stop"))
    assert one.service.wait_idle(10)
    # A file that cannot be read: the settings in use carry on (wind-down was only read).
    assert one.service.handle(Command("start")).message == "Started Short rescue."
    assert ("The settings cannot be read again (config.yaml:3: volume must be ...); "
            "using the ones in use.") in one.log
    assert one.service.status()["keypad_setting"] == "auto"  # fixed when the service starts


def test_the_companion_page_shows_the_real_services_step_next_and_time_left(
        rig: Any, isolated_home: Path) -> None:
    from crampcoach.web.app import create_app
    from support.web import ORIGIN, PASSWORD, make_page

    (isolated_home / ".config/crampcoach/routines/two.yaml").write_text(
        "name: Two stretches\nsteps:\n"
        "  - stretch: Calf stretch\n    cue: Draw your toes up.\n    hold: 20s\n"
        "  - stretch: Hamstring stretch\n    cue: Lean forward.\n    hold: 20s\n")
    one: Rig = rig()
    page = make_page()
    parts = dataclasses.replace(page.parts, control=lambda command, routine: one.service.handle(
        Command(command, routine, "web")).to_dict())  # type: ignore[arg-type]
    client = create_app(parts).test_client()
    client.post("/login", data={"password": PASSWORD}, headers=ORIGIN)
    assert one.service.handle(Command("start", "two")).ok
    _wait(lambda: any(isinstance(e, StepChanged) and e.index == 0 for e in one.events))
    _wait(lambda: isinstance(one.events[-1], Progress))
    assert one.service.handle(Command("pause")).ok
    one.wait_for_event(Paused)
    left = round([e for e in one.events if isinstance(e, Progress)][-1].session_left)
    body = client.get("/status.json").get_json()
    minutes, seconds = divmod(left, 60)
    assert body["words"] == {
        "state": "Paused: Two stretches", "detail": "", "mode": "paused",
        "step": "Now: step 1 of 2: Calf stretch", "next": "Next: Hamstring stretch",
        "left": f"Time left: about {minutes} min {seconds:02d} s"}
    assert "pid" not in body["status"]
    one.service.handle(Command("stop"))
    assert one.service.wait_idle(10)
