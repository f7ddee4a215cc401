"""A fake keypad behind the part of evdev's ``InputDevice`` the bedside service uses, and
a fake /dev/input folder to plug it into.

Its ``fileno`` is a real pipe, so the service's ``select`` wakes for it as for a device;
``press`` queues what the kernel sends for one key (down, up, a sync report), as
``evdev.InputEvent`` objects.
"""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Iterable, Mapping

from evdev import InputEvent, ecodes

#: A small numeric keypad with the paging keys a presenter remote sends.
KEYPAD_KEYS = (*(f"KEY_KP{n}" for n in range(10)), *(f"KEY_{n}" for n in range(10)),
               "KEY_KPENTER", "KEY_ENTER", "KEY_SPACE", "KEY_PAGEUP", "KEY_PAGEDOWN",
               "KEY_B", "KEY_N", "KEY_R", "KEY_Q", "KEY_DOT")
#: What a full keyboard has: the service's auto mode leaves such a device alone.
KEYBOARD_KEYS = (*KEYPAD_KEYS, *(f"KEY_{c}" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


class FakeKeypad:
    def __init__(self, name: str = "Fake keypad", keys: Iterable[str] = KEYPAD_KEYS) -> None:
        self.name = name
        self._codes = [ecodes.ecodes[k] for k in keys]
        self._read_fd, self._write_fd = os.pipe()
        os.set_blocking(self._read_fd, False)
        self._events: list[InputEvent] = []
        self._lock = threading.Lock()
        self.grabbed = False
        self.closed = False
        self.unplugged = False

    def fileno(self) -> int:
        return self._read_fd

    def read(self) -> list[InputEvent]:
        if self.unplugged:
            raise OSError(errno.ENODEV, "No such device")
        os.read(self._read_fd, 4096)  # BlockingIOError when nothing came, as evdev's
        with self._lock:
            events, self._events = self._events, []
        return events

    def capabilities(self) -> Mapping[int, list[int]]:
        return {ecodes.EV_KEY: list(self._codes)}

    def grab(self) -> None:
        self.grabbed = True

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self._read_fd)
            os.close(self._write_fd)

    def press(self, key: str, *, repeat: int = 0) -> None:
        """One key pressed and let go (``repeat``: auto-repeat reports while held)."""
        code = ecodes.ecodes[key]
        events = [InputEvent(0, 0, ecodes.EV_KEY, code, 1),
                  *(InputEvent(0, 0, ecodes.EV_KEY, code, 2) for _ in range(repeat)),
                  InputEvent(0, 0, ecodes.EV_KEY, code, 0),
                  InputEvent(0, 0, ecodes.EV_SYN, ecodes.SYN_REPORT, 0)]
        with self._lock:
            self._events.extend(events)
        os.write(self._write_fd, b"k")

    def unplug(self) -> None:
        self.unplugged = True
        os.write(self._write_fd, b"k")


class FakeInputFolder:
    """/dev/input with fake devices plugged in and out."""

    def __init__(self) -> None:
        self.devices: dict[str, FakeKeypad] = {}
        self.opened: list[str] = []

    def plug(self, device: FakeKeypad, number: int = 0) -> str:
        path = f"/dev/input/event{number}"
        self.devices[path] = device
        return path

    def unplug(self, path: str) -> None:
        self.devices.pop(path).unplug()

    def open(self, path: str) -> FakeKeypad:
        if path not in self.devices:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        self.opened.append(path)
        return self.devices[path]

    def list(self) -> list[str]:
        return sorted(self.devices)
