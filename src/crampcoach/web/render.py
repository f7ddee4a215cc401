"""What every page does to answer: its notices (shown once, on the next page), the
template filled in, and the settings read for this request. Both page modules use it; it
imports neither."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import g, render_template

from crampcoach.errors import CrampcoachError
from crampcoach.web.auth import Session
from crampcoach.web.parts import WebParts

#: An absolute path in a message: the page shows its last part only (the file's name).
_ABSOLUTE_PATH = re.compile(r"(?<![\w.~/-])/(?:[^\s:'\"/(),]+/)+([^\s:'\"/(),]+)")


def without_paths(text: str) -> str:
    """``text`` with every absolute path cut to its file's name: the page is seen on a
    phone, often by someone other than who set the machine up, and a folder's path tells
    them nothing (and tells anyone looking more than it should)."""
    return _ABSOLUTE_PATH.sub(r"\1", text)


def add_notice(kind: str, text: str) -> None:
    """Shown once on the next page (``ok``, ``error``, or ``urgent``: recorded, and
    needing help now)."""
    if g.session is not None:
        g.session.notices.append((kind, without_paths(text)))


def _notices() -> list[tuple[str, str]]:
    session: Session | None = g.session
    if session is None:
        return []
    taken, session.notices = session.notices, []
    return taken


def render_page(template: str, **values: Any) -> str:
    if isinstance(values.get("error"), str):
        values["error"] = without_paths(values["error"])
    if isinstance(values.get("problems"), list):
        values["problems"] = [without_paths(str(p)) for p in values["problems"]]
    return render_template(template, notices=_notices(), **values)


def settings_of(parts: WebParts) -> Any:
    """The settings, read per request (the file may change under the service)."""
    from crampcoach.settings import Settings, load_settings

    try:
        return load_settings(parts.settings_file)[0]
    except CrampcoachError:
        return Settings()  # the Settings page shows what is wrong with the file


def is_night(parts: WebParts, now: datetime | None = None) -> bool:
    """Whether it is the night hours the bedside service plays by (the settings' ``night``):
    the page turns dark then, whatever the phone's own setting."""
    night = settings_of(parts).night
    if night is None:
        return False
    moment = (now or parts.now()).astimezone(parts.tz)
    return bool(night.contains(moment.time().replace(tzinfo=None)))
