"""The bedside service for bench/bedside_latency.py, run as a process of its own so its
sound can be heard from outside and its CPU held to a quota.

    python bench/_bedside_child.py button|key|socket|idle --out FILE.json [--presses N]

The service is the real one on the real machine (espeak-ng speech from the cache,
simpleaudio into ALSA's default device); only its inputs are stand-ins: gpiozero's mock
pin factory for the button (the press goes through gpiozero and the button's own code,
as a real one does) and the tests' fake keypad behind evdev's protocol; ``socket`` sends
``start`` through the real control socket, as ``crampcoach bedside start`` does. ``button``,
``key`` and ``socket`` start N times, each after a second of quiet, and write the monotonic
time of each start (the sound's times come from the sink); ``idle`` writes the CPU time and memory
of the warm service over a quiet minute.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))

from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from crampcoach.bedside.control import Command, ControlServer, send
from crampcoach.bedside.service import BedsideService
from crampcoach.settings import BedsideSettings, Settings
from support.keypad import FakeInputFolder, FakeKeypad

PIN = 17
IDLE_S = 60.0


def _rss_kb() -> dict[str, int]:
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("button", "key", "socket", "idle"))
    ap.add_argument("--out", required=True)
    ap.add_argument("--presses", type=int, default=10)
    ap.add_argument("--verbose", action="store_true",
                    help="the service's log on standard error as it happens")
    args = ap.parse_args()

    Device.pin_factory = MockFactory()
    folder = FakeInputFolder()
    keypad = FakeKeypad("Bench keypad")
    folder.plug(keypad)
    settings = Settings(night=None, button_pin=PIN, rating_timeout_s=5.0,
                        bedside=BedsideSettings())
    log: list[str] = []

    def logged(line: str) -> None:
        log.append(line)
        if args.verbose:
            print(f"{time.monotonic():.3f} {line}", file=sys.stderr, flush=True)

    def observer_for(language: str) -> Callable[[object], None]:
        def observe(event: object) -> None:
            if args.verbose and type(event).__name__ != "Progress":
                print(f"{time.monotonic():.3f}   {event}", file=sys.stderr, flush=True)
        return observe

    service = BedsideService(settings, log=logged, observer_for=observer_for,
                             keypad_devices=(folder.open, folder.list))
    socket_path = Path(args.out).parent / f"{args.mode}-socket" / "bedside.sock"
    server = ControlServer(socket_path, service.handle, log.append)
    server.open()
    started = time.monotonic()
    service.start()
    if not service.warm.wait(600):
        print("the service did not warm up", file=sys.stderr)
        return 1
    warm_s = time.monotonic() - started
    result: dict[str, object] = {"warm_s": round(warm_s, 3)}
    try:
        if args.mode == "idle":
            time.sleep(5)  # threads settle after warming
            before = resource.getrusage(resource.RUSAGE_SELF)
            t0 = time.monotonic()
            time.sleep(IDLE_S)
            after = resource.getrusage(resource.RUSAGE_SELF)
            cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
            result.update(idle_s=round(time.monotonic() - t0, 3), cpu_s=round(cpu, 4),
                          **_rss_kb())
        else:
            presses = []
            pin = Device.pin_factory.pin(PIN)
            for _ in range(args.presses):
                time.sleep(1.0)
                presses.append(time.monotonic())
                if args.mode == "button":
                    pin.drive_low()
                    time.sleep(0.05)
                    pin.drive_high()
                elif args.mode == "socket":
                    send("start", path=socket_path)
                else:
                    keypad.press("KEY_1")
                time.sleep(1.5)  # the chime and the first words
                service.handle(Command("stop", origin="bench"))
                time.sleep(0.3)
                if service.status()["state"] != "idle":
                    # And no rating (when idle, a stop would be answered aloud: a second
                    # stream at once, which the sink cannot tell apart).
                    service.handle(Command("stop", origin="bench"))
                if not service.wait_idle(60):
                    print("a session did not end", file=sys.stderr)
                    return 1
            result["presses"] = presses
    finally:
        service.stop()
        server.close()
    result["log"] = log
    Path(args.out).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
