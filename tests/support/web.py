"""The companion page's tests share: a fake bedside service behind the control protocol,
the page on fakes, and logging in."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crampcoach import locations
from crampcoach.session.machine import Machine
from crampcoach.web.app import WebParts, create_app
from crampcoach.web.auth import LoginThrottle, PasswordFile, Sessions
from support.fakes import FakeSpeech

PASSWORD = "calm-blue-sea"
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@dataclass
class FakeService:
    """Answers the control protocol's commands as the bedside service does (the same reply
    shape: ok, message or error, status) and keeps every command it was sent."""

    commands: list[tuple[str, str | None]] = field(default_factory=list)
    state: str = "idle"
    routine: str | None = None
    reachable: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)

    def status(self) -> dict[str, Any]:
        if self.state == "idle":
            return {"state": "idle", "routine": None, "step": None}
        return {"state": self.state, "routine": self.routine,
                "step": "step 2 of 4: Calf stretch", "next": "Box breathing", "left": 185}

    def __call__(self, command: str, routine: str | None) -> dict[str, Any]:
        from crampcoach.errors import CrampcoachError

        if not self.reachable:
            raise CrampcoachError("the bedside service is not running (start it with: "
                                  "systemctl --user start crampcoach-bedside)")
        with self.lock:
            if command != "status":
                self.commands.append((command, routine))
            if command == "status":
                return {"ok": True, "message": "", "status": self.status()}
            if command == "start":
                if self.state != "idle":
                    return {"ok": False, "error": f"{self.routine} is already playing"}
                self.state, self.routine = "playing", routine
                return {"ok": True, "message": f"Started {routine}.", "status": self.status()}
            if self.state == "idle":
                return {"ok": False, "error": "nothing is playing"}
            if command == "pause":
                self.state = "paused"
            elif command == "resume":
                self.state = "playing"
            elif command == "stop":
                self.state, self.routine = "idle", None
            words = {"pause": "Paused.", "resume": "Carrying on.", "next": "Next.",
                     "repeat": "Repeating.", "stop": "Stopping.", "continue": "Carrying on."}
            return {"ok": True, "message": words[command], "status": self.status()}


class StepClock:
    """A monotonic clock the test moves (for the login rate limit)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        """What the login pace waits: the time passes at once."""
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class Page:
    """The companion page on fakes, and where its files are."""

    parts: WebParts
    service: FakeService
    clock: StepClock

    @property
    def settings_file(self) -> Path:
        return self.parts.settings_file

    @property
    def journal(self) -> Path:
        return locations.journal_path()

    @property
    def routines(self) -> Path:
        return locations.user_routines_dir()


def make_page(*, password: str | None = PASSWORD, report: Any = None) -> Page:
    """The page with a fake service, fake speech, a fixed journal clock and, unless
    ``password`` is None, a password set (in the test's own HOME)."""
    passwords = PasswordFile(locations.web_password_path())
    if password is not None:
        passwords.set(password)
    service = FakeService()
    clock = StepClock()
    parts = WebParts(settings_file=locations.config_path(), control=service,
                     passwords=passwords, machine=Machine(speech=FakeSpeech),
                     now=lambda: NOW, tz=UTC, report=report,
                     throttle=LoginThrottle(clock, clock.sleep), sessions=Sessions(clock))
    return Page(parts, service, clock)


ORIGIN = {"Origin": "http://localhost"}


def logged_in(page: Page) -> tuple[Any, str]:
    """A test client of the page, logged in, and its CSRF token."""
    client = create_app(page.parts).test_client()
    response = client.post("/login", data={"password": PASSWORD}, headers=ORIGIN)
    assert response.status_code == 302, response.data
    return client, csrf_of(client.get("/").get_data(as_text=True))


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)


def notices(html: str) -> list[str]:
    """The notices a page shows, as text."""
    return [re.sub(r"<[^>]+>", "", m) for m in
            re.findall(r'<p class="notice [a-z]+" role="(?:alert|status)">(.*?)</p>', html,
                       re.S)]
