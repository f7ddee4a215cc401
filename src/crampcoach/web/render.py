"""What every page does to answer: its notices (shown once, on the next page), the
template filled in, and the settings read for this request. Both page modules use it; it
imports neither."""

from __future__ import annotations

from typing import Any

from flask import g, render_template

from crampcoach.errors import CrampcoachError
from crampcoach.web.auth import Session
from crampcoach.web.parts import WebParts


def add_notice(kind: str, text: str) -> None:
    """Shown once on the next page (``ok`` or ``error``)."""
    if g.session is not None:
        g.session.notices.append((kind, text))


def _notices() -> list[tuple[str, str]]:
    session: Session | None = g.session
    if session is None:
        return []
    taken, session.notices = session.notices, []
    return taken


def render_page(template: str, **values: Any) -> str:
    return render_template(template, notices=_notices(), **values)


def settings_of(parts: WebParts) -> Any:
    """The settings, read per request (the file may change under the service)."""
    from crampcoach.settings import Settings, load_settings

    try:
        return load_settings(parts.settings_file)[0]
    except CrampcoachError:
        return Settings()  # the Settings page shows what is wrong with the file
