"""What the companion page takes from outside (:class:`WebParts`) and the names every
page module shares. It imports no page module, so the pages and the application import it
without importing each other."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from crampcoach.web.auth import LoginThrottle, PasswordFile, Sessions

SESSION_COOKIE = "crampcoach_session"
#: Names (besides IP addresses and localhost) the page answers to, comma-separated: the
#: name the person gave the Pi on the home network, like ``bedside.home``.
WEB_NAMES_ENV = "CRAMPCOACH_WEB_NAMES"
#: A browser that logged in before: its address's failed logins never make it wait.
KNOWN_BROWSER_COOKIE = "crampcoach_known"
KNOWN_BROWSER_S = 365 * 24 * 3600
#: What a control request may ask, and the words on its button.
CONTROL_BUTTONS: dict[str, str] = {"pause": "Pause", "resume": "Carry on", "next": "Next step",
                            "repeat": "Repeat", "stop": "Stop", "continue": "I am ready"}

#: A control reaches the bedside service: (command, routine) -> the service's reply
#: (``{"ok": bool, "message" or "error": str, "status": {...}}``). Raises CrampcoachError
#: when the service cannot be reached.
Control = Callable[[str, str | None], Mapping[str, Any]]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class WebParts:
    """Everything the page needs from outside.

    ``settings_file``: the settings file read and changed (``--config`` or the usual one).
    ``control``: reaches the bedside service. ``passwords``: the hashed password.
    ``machine``: the speech engine that measures a routine's plan, as ``plan`` does.
    ``now``/``tz``: the journal's clock and the zone times are shown in.
    ``report``: makes the report PDF for the last N days (None: not offered).
    ``user_routines``: the folder of the person's own routines.
    """

    settings_file: Path
    control: Control
    passwords: PasswordFile
    machine: Any = None
    now: Callable[[], datetime] = _utc_now
    tz: tzinfo | None = None
    report: Callable[[int], bytes] | None = None
    user_routines: Path | None = None
    #: The names the page may be reached by besides its IP addresses and localhost (a
    #: name the person gave the Pi on the home network); see ``app.host_allowed``.
    hosts: tuple[str, ...] = ()
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    sessions: Sessions = field(default_factory=Sessions)

