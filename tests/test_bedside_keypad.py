"""Keypads and presenter remotes through the Linux input layer: key names as the settings
know them, which devices ``auto`` takes, and the real evdev path through uinput."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from crampcoach.inputs.keypad import KeypadWatch, is_keypad, key_names, list_event_devices
from support.keypad import KEYBOARD_KEYS, FakeInputFolder, FakeKeypad

evdev = pytest.importorskip("evdev", reason="evdev (crampcoach[pi]) is not installed")
ecodes = evdev.ecodes


@pytest.mark.parametrize(("key", "name"), [
    ("KEY_1", "1"), ("KEY_KP1", "1"), ("KEY_0", "0"), ("KEY_KP0", "0"), ("KEY_B", "b"),
    ("KEY_Q", "q"), ("KEY_SPACE", "space"), ("KEY_PAGEDOWN", "pagedown"),
    ("KEY_PAGEUP", "pageup"), ("KEY_KPENTER", "enter"), ("KEY_ENTER", "enter"),
    ("KEY_ESC", "escape"), ("KEY_DOT", "."),
])
def test_keys_are_named_as_the_settings_name_them(key: str, name: str) -> None:
    assert key_names()[ecodes.ecodes[key]] == name


def test_keys_the_settings_cannot_name_are_left_out() -> None:
    names = key_names()
    for key in ("KEY_F5", "KEY_POWER", "KEY_VOLUMEUP", "KEY_LEFTSHIFT"):
        assert ecodes.ecodes[key] not in names


def test_auto_takes_keypads_and_remotes_not_keyboards_or_power_buttons() -> None:
    assert is_keypad(FakeKeypad("Keypad"))
    assert is_keypad(FakeKeypad("Presenter", ("KEY_PAGEUP", "KEY_PAGEDOWN", "KEY_B")))
    assert not is_keypad(FakeKeypad("Keyboard", KEYBOARD_KEYS))
    assert not is_keypad(FakeKeypad("Power Button", ("KEY_POWER",)))


def test_no_input_folder_is_no_devices(tmp_path: Path) -> None:
    assert list_event_devices(str(tmp_path / "none")) == []
    (tmp_path / "event3").touch()
    (tmp_path / "mouse0").touch()
    assert list_event_devices(str(tmp_path)) == [str(tmp_path / "event3")]


@pytest.mark.realtime
def test_a_device_that_cannot_be_read_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    log: list[str] = []

    def refuse(path: str) -> FakeKeypad:
        raise PermissionError(13, "Permission denied", path)

    watch = KeypadWatch("/dev/input/event7", lambda key: None, log.append, refuse,
                        lambda: ["/dev/input/event7"], 0.05)
    monkeypatch.setattr("os.path.lexists", lambda p: p == "/dev/input/event7")
    watch.start()
    watch.close()
    assert log == ["Keypad /dev/input/event7 cannot be read (Permission denied); the "
                   "service's user needs the input group: sudo adduser $USER input"]


@pytest.mark.realtime
def test_keys_reach_the_handler_once_per_press() -> None:
    folder = FakeInputFolder()
    keypad = FakeKeypad()
    folder.plug(keypad)
    got: list[str] = []
    arrived = threading.Event()

    def on_key(name: str) -> None:
        got.append(name)
        if len(got) == 3:
            arrived.set()

    watch = KeypadWatch("auto", on_key, lambda line: None, folder.open, folder.list, 0.05)
    watch.start()
    try:
        keypad.press("KEY_KP5", repeat=5)
        keypad.press("KEY_F5")  # not a key the service knows: ignored
        keypad.press("KEY_PAGEDOWN")
        keypad.press("KEY_SPACE")
        assert arrived.wait(5)
    finally:
        watch.close()
    assert got == ["5", "pagedown", "space"]
    assert keypad.closed


def _uinput_usable() -> bool:
    try:
        evdev.UInput({ecodes.EV_KEY: [ecodes.KEY_1]}, name="crampcoach-probe").close()
    except Exception:
        return False
    return True


@pytest.mark.realtime
@pytest.mark.skipif(not os.path.exists("/dev/uinput"),
                    reason="/dev/uinput is not there (a kernel without the uinput module); "
                    "the fake keypad covers the same protocol")
def test_a_real_input_device_through_uinput() -> None:
    if not _uinput_usable():
        pytest.skip("/dev/uinput cannot be opened here")
    keys = [ecodes.KEY_KP1, ecodes.KEY_KP2, ecodes.KEY_PAGEDOWN, ecodes.KEY_SPACE]
    got: list[str] = []
    log: list[str] = []
    with evdev.UInput({ecodes.EV_KEY: keys}, name="crampcoach test keypad") as device:
        time.sleep(0.5)  # udev makes the node
        watch = KeypadWatch("auto", got.append, log.append, rescan_s=0.1)
        watch.start()
        try:
            deadline = time.monotonic() + 5
            while not any("crampcoach test keypad" in c for c in watch.connected):
                assert time.monotonic() < deadline, log
                time.sleep(0.05)
            for code in (ecodes.KEY_KP2, ecodes.KEY_PAGEDOWN):
                device.write(ecodes.EV_KEY, code, 1)
                device.write(ecodes.EV_KEY, code, 0)
                device.syn()
            deadline = time.monotonic() + 5
            while len(got) < 2:
                assert time.monotonic() < deadline, (got, log)
                time.sleep(0.05)
        finally:
            watch.close()
    assert got == ["2", "pagedown"]
