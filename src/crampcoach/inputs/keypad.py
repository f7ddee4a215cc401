"""A USB keypad or presenter remote, read through the Linux input layer (python-evdev).

No terminal is involved: the kernel's event device (``/dev/input/eventN``) is opened,
grabbed (its keys then reach no console or desktop), and each key going down becomes a
key name as the terminal's key reader names it ("1", "b", "space", "pagedown"), so the
settings bind keypad keys exactly as keyboard keys.

Devices come and go: the folder is looked at again every :data:`RESCAN_S` seconds (a
directory listing; devices are opened only when it changed), and a device that fails on
read (unplugged) is dropped until it comes back. With ``keypad: auto`` every device with
keys the service understands is used, except full keyboards (a carer's keyboard on the
Pi is left alone); name one device in the settings to use only that one.

The device is reached through :class:`InputDevice`, the part of ``evdev.InputDevice``
used here, so tests give a fake device behind the same protocol.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

from crampcoach.inputs.keys import EVDEV_NAMES

#: Seconds between looks at /dev/input for keypads plugged in or out.
RESCAN_S = 3.0
#: Where the kernel's event devices are.
EVENT_DEVICES = "/dev/input"
#: A device with every one of these keys is a full keyboard: ``auto`` leaves it alone.
_KEYBOARD_KEYS = ("KEY_Q", "KEY_A", "KEY_Z", "KEY_M", "KEY_P")
#: Key-down in an EV_KEY event (1); 0 is key-up and 2 auto-repeat, both ignored.
_KEY_DOWN = 1


class InputEvent(Protocol):
    type: int
    code: int
    value: int


class InputDevice(Protocol):
    """What is used of ``evdev.InputDevice``."""

    name: str

    def fileno(self) -> int: ...

    def read(self) -> Iterable[InputEvent]:
        """Events waiting now; BlockingIOError when there are none."""
        ...

    def capabilities(self) -> Mapping[int, list[int]]: ...

    def grab(self) -> None: ...

    def close(self) -> None: ...


@cache
def key_names() -> dict[int, str]:
    """Kernel key code -> the key's name as the settings and the player know it."""
    from evdev import ecodes

    names: dict[int, str] = {}
    for code, name in ecodes.KEY.items():
        for one in name if isinstance(name, list | tuple) else [name]:
            if one in EVDEV_NAMES:
                names[code] = EVDEV_NAMES[one]
            elif one.startswith("KEY_KP") and one[6:].isdigit() and len(one) == 7:
                names[code] = one[6:]
            elif one.startswith("KEY_") and len(one) == 5 and one[4].isalnum():
                names[code] = one[4].lower()
    return names


def _ev_key() -> int:
    from evdev import ecodes

    return int(ecodes.EV_KEY)


def is_keypad(device: InputDevice) -> bool:
    """A device with keys the service understands that is not a full keyboard."""
    from evdev import ecodes

    keys = set(device.capabilities().get(_ev_key(), []))
    known = key_names()
    if not any(code in known for code in keys):
        return False
    return not all(ecodes.ecodes[name] in keys for name in _KEYBOARD_KEYS)


def open_evdev(path: str) -> InputDevice:
    """The real device (raises OSError when it cannot be opened)."""
    from evdev import InputDevice as EvdevDevice

    device: InputDevice = EvdevDevice(path)
    return device


def list_event_devices(folder: str = EVENT_DEVICES) -> list[str]:
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(os.path.join(folder, n) for n in names if n.startswith("event"))


@dataclass
class KeypadWatch:
    """Reads every keypad on a thread of its own; ``on_key`` gets each key name.

    ``setting``: "auto", "off" or one device's path (the settings' ``bedside.keypad``).
    ``log`` gets a line for each device found, lost or refused.
    """

    setting: str
    on_key: Callable[[str], None]
    log: Callable[[str], None]
    open_device: Callable[[str], InputDevice] = open_evdev
    list_devices: Callable[[], list[str]] = list_event_devices
    rescan_s: float = RESCAN_S
    _devices: dict[str, InputDevice] = field(default_factory=dict)
    _refused: set[str] = field(default_factory=set)
    _listing: list[str] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _wake: tuple[int, int] | None = None
    _thread: threading.Thread | None = None
    _stopping: bool = False
    _told_missing: bool = False

    @property
    def connected(self) -> list[str]:
        """The devices read now, as "name (path)"."""
        with self._lock:
            return [f"{d.name} ({path})" for path, d in self._devices.items()]

    @property
    def live(self) -> bool:
        """A keypad is there to answer with (the rating can be given by keys)."""
        with self._lock:
            return bool(self._devices)

    def start(self) -> None:
        if self.setting == "off":
            return
        self._wake = os.pipe()
        self.rescan()
        self._thread = threading.Thread(target=self._run, name="crampcoach-keypad",
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stopping = True
        if self._wake is not None:
            with contextlib.suppress(OSError):
                os.write(self._wake[1], b"x")
        if self._thread is not None:
            self._thread.join(5)
        with self._lock:
            devices, self._devices = list(self._devices.values()), {}
        for device in devices:
            with contextlib.suppress(OSError):
                device.close()
        if self._wake is not None:
            for fd in self._wake:
                with contextlib.suppress(OSError):
                    os.close(fd)
            self._wake = None

    # --- finding devices -----------------------------------------------------------------

    def _candidates(self) -> list[str]:
        if self.setting == "auto":
            return self.list_devices()
        return [self.setting] if os.path.lexists(self.setting) else []

    def rescan(self) -> None:
        """Open keypads that appeared since the last look (only when the folder changed)."""
        listing = self._candidates()
        if listing == self._listing:
            return
        self._listing = listing
        with self._lock:
            known = set(self._devices)
        for path in listing:
            if path in known:
                continue
            self._try_open(path)
        if self.setting != "auto" and not listing and not self._told_missing:
            self._told_missing = True
            self.log(f"Keypad {self.setting} is not plugged in; it is used once it is.")

    def _try_open(self, path: str) -> None:
        try:
            device = self.open_device(path)
        except OSError as e:
            if path not in self._refused and (self.setting != "auto"
                                              or e.errno not in (2, 19)):
                self._refused.add(path)
                self.log(f"Keypad {path} cannot be read ({e.strerror or e}); the service's "
                         "user needs the input group: sudo adduser $USER input")
            return
        try:
            if self.setting == "auto" and not is_keypad(device):
                device.close()
                return
            device.grab()
        except OSError as e:
            # Someone else holds it: its keys still arrive, and may reach a console too.
            self.log(f"Keypad {device.name} ({path}) cannot be grabbed ({e.strerror or e}); "
                     "reading it anyway.")
        self._refused.discard(path)
        self._told_missing = False
        with self._lock:
            self._devices[path] = device
        self.log(f"Keypad: {device.name} ({path}).")

    def _drop(self, path: str, why: str) -> None:
        with self._lock:
            device = self._devices.pop(path, None)
        if device is None:
            return
        with contextlib.suppress(OSError):
            device.close()
        # Looked at again on the next rescan: plugged back in, it is opened again.
        self._listing = None
        self.log(f"Keypad {device.name} ({path}) is gone ({why}).")

    # --- reading -------------------------------------------------------------------------

    def _run(self) -> None:
        assert self._wake is not None
        wake = self._wake[0]
        while not self._stopping:
            with self._lock:
                devices = dict(self._devices)
            by_fd = {d.fileno(): (path, d) for path, d in devices.items()}
            try:
                # Blocks with no CPU until a key, the wake-up pipe, or the next look.
                ready, _, _ = select.select([wake, *by_fd], [], [], self.rescan_s)
            except (OSError, ValueError):
                ready = []
                for fd, (path, _) in by_fd.items():
                    if not _fd_ok(fd):
                        self._drop(path, "closed")
            if self._stopping:
                return
            for fd in ready:
                if fd in by_fd:
                    self._read(*by_fd[fd])
            if not ready or wake not in ready:
                self.rescan()

    def _read(self, path: str, device: InputDevice) -> None:
        try:
            events = list(device.read())
        except BlockingIOError:
            return
        except OSError as e:
            self._drop(path, e.strerror or str(e))
            return
        names = key_names()
        ev_key = _ev_key()
        for event in events:
            if event.type == ev_key and event.value == _KEY_DOWN:
                name = names.get(event.code)
                if name is not None:
                    self.on_key(name)


def _fd_ok(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True
