"""The companion page as a Flask application: security first, then the pages.

:func:`create_app` takes everything from outside as arguments (the control callable, the
machine's parts, the password file, the clocks), so the bedside service mounts it with
the real ones and tests with fakes behind the same protocols. Every page calls the same
library functions as the command line; nothing here keeps its own copy of a rule.

Security, in the order a request meets it (see docs/companion.md):

1. The request's size is bounded (:data:`MAX_REQUEST_BYTES`).
2. Every page but the login page needs a session cookie from a login; without one a page
   is redirected to the login and anything else is refused with 401.
3. Every POST must come from this page: its Origin (or, when a browser sends none, its
   Referer) must be the page's own, and its form must carry the session's CSRF token.
4. Every answer carries the security headers (:data:`SECURITY_HEADERS`): a strict CSP
   with no third-party source, no framing, no referrer sent elsewhere, no sniffing, and
   no caching of pages that show health data.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from crampcoach.errors import CrampcoachError, RoutineError
from crampcoach.web.auth import (
    SESSION_IDLE_S,
    LoginThrottle,
    PasswordFile,
    Sessions,
    same_token,
)

#: The largest request read: a routine file (1 MB at most) sent from the editor, and a bit.
MAX_REQUEST_BYTES = 1_200_000
SESSION_COOKIE = "crampcoach_session"
#: Names (besides IP addresses and localhost) the page answers to, comma-separated: the
#: name the person gave the Pi on the home network, like ``bedside.home``.
WEB_NAMES_ENV = "CRAMPCOACH_WEB_NAMES"
#: A browser that logged in before: its address's failed logins never make it wait.
KNOWN_BROWSER_COOKIE = "crampcoach_known"
KNOWN_BROWSER_S = 365 * 24 * 3600
#: Each page's own scripts and styles only; images only from itself (the inline chart is
#: SVG markup in the page, not a source).
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    # Not "no-referrer": with it a browser sends "Origin: null" on the page's own forms,
    # and the origin check could no longer tell them from a forged one. "same-origin"
    # sends nothing to any other site, which is what no-referrer would be for.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
#: What a control request may ask, and the words on its button.
CONTROLS: dict[str, str] = {"pause": "Pause", "resume": "Carry on", "next": "Next step",
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
    #: name the person gave the Pi on the home network); see :func:`host_allowed`.
    hosts: tuple[str, ...] = ()
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    sessions: Sessions = field(default_factory=Sessions)


class Refused(CrampcoachError):
    """A request the page will not carry out, with the one line the person is shown."""


def create_app(parts: WebParts) -> Flask:
    """The companion page's application, ready for any WSGI server (waitress here)."""
    app = Flask("crampcoach.web", root_path=str(Path(__file__).parent))
    app.config.update(MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES, TEMPLATES_AUTO_RELOAD=False,
                      SEND_FILE_MAX_AGE_DEFAULT=3600)
    app.jinja_env.autoescape = True
    app.extensions["crampcoach"] = parts

    @app.before_request
    def guard() -> BaseResponse | None:
        return _guard(parts)

    @app.after_request
    def headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers[name] = value
        session = g.get("session")
        if (session is not None and SESSION_COOKIE not in str(response.headers.get(
                "Set-Cookie", "")) and request.endpoint != "logout"):
            # Each use slides the session: the cookie's life starts again, as the
            # server's does (a month from the last use, not from the login).
            response.set_cookie(SESSION_COOKIE, session.token, max_age=SESSION_IDLE_S,
                                httponly=True, samesite="Strict", path="/",
                                secure=request.scheme == "https")
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        return render_template("error.html", code=code,
                               message=_HTTP_MESSAGES.get(code, error.description)), code

    @app.context_processor
    def shared() -> dict[str, Any]:
        session = g.get("session")
        return {"csrf_token": session.csrf if session is not None else "",
                "logged_in": session is not None, "controls": CONTROLS}

    from crampcoach.web import pages

    pages.register(app, parts)
    return app


_HTTP_MESSAGES = {
    400: "That request was not understood.",
    401: "Please log in first.",
    403: "That request was refused: it did not come from this page.",
    404: "There is no such page.",
    405: "That is not something this page does.",
    413: "That is too large to send.",
    429: "Too many tries: please wait before trying again.",
}


# --- the guard --------------------------------------------------------------------------------

_OPEN_ENDPOINTS = {"static", "login"}


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin() -> bool:
    """Whether the request came from one of this page's own pages (Origin, else Referer).

    A browser sends Origin on every POST; a request with neither header did not come from
    a form of this page's, and is refused as well."""
    own = request.host_url.rstrip("/").lower()
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin.lower() == own
    referer = request.headers.get("Referer")
    return referer is not None and _origin_of(referer) == own


def host_allowed(host: str, parts: WebParts) -> bool:
    """Whether the request's Host names this page: an IP address (a browser sends one only
    when the address was typed, and then it is this page), a loopback name, or a name the
    person configured (:data:`WEB_NAMES_ENV`). A DNS-rebinding page sends its own name
    and is refused before anything else."""
    if not host or any(c in host for c in "@/?#\\ ") or not host.isprintable():
        return False
    try:
        name = urlsplit(f"//{host}").hostname or ""
        urlsplit(f"//{host}").port  # noqa: B018 (a malformed port raises here)
    except ValueError:
        return False
    name = name.lower().rstrip(".")
    if name == "localhost" or name in parts.hosts:
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def safe_target(target: str, fallback: str) -> str:
    """Where a login may go next: a path of this page's own, one line of printable text
    with no space, never an address elsewhere (``//x``, ``/\\x``, ``/\t/x`` all are)."""
    if (not target.startswith("/") or target.startswith(("//", "/\\"))
            or any(not c.isprintable() or c.isspace() or c == "\\" for c in target)
            or len(target) > 2000):
        return fallback
    split = urlsplit(target)
    if split.scheme or split.netloc:
        return fallback
    return target


def wait_text(seconds: float) -> str:
    if seconds < 90:
        whole = max(1, math.ceil(seconds))
        return f"{whole} second{'s' if whole != 1 else ''}"
    return f"{round(seconds / 60)} minutes"


def _guard(parts: WebParts) -> BaseResponse | None:
    if not host_allowed(request.host, parts):
        abort(400)
    g.session = parts.sessions.find(request.cookies.get(SESSION_COOKIE),
                                    parts.passwords.mark())
    if request.method not in ("GET", "HEAD") and not same_origin():
        abort(403)
    if request.endpoint in _OPEN_ENDPOINTS:
        return None
    if g.session is None:
        if request.method in ("GET", "HEAD") and not request.path.endswith(".json"):
            return redirect(url_for("login", next=request.full_path.rstrip("?")))
        abort(401)
    if request.method not in ("GET", "HEAD") and not same_token(request.form.get("csrf"),
                                                                g.session.csrf):
        abort(403)
    return None


# --- values from forms ------------------------------------------------------------------------
# Forms carry text; these turn it into the values the library checks (its own rules and
# messages), or say in one line what a field needs.

_LINE = re.compile(r"[^\x00-\x1f\x7f]*")


def field_text(name: str, what: str, *, limit: int = 2000, required: bool = False
               ) -> str | None:
    value = request.form.get(name, "")
    value = value.replace("\r\n", "\n").strip()
    if not value:
        if required:
            raise Refused(f"{what} is needed")
        return None
    from crampcoach.journal import rules

    return rules.check_text(value, what, limit)


def field_line(name: str, what: str, *, limit: int = 200, required: bool = False
               ) -> str | None:
    value = field_text(name, what, limit=limit, required=required)
    if value is not None and not _LINE.fullmatch(value):
        raise Refused(f"{what} is one line of text")
    return value


def field_whole(name: str, what: str) -> int | None:
    from crampcoach.journal import rules

    text = field_line(name, what, limit=rules.MAX_TEXT)
    return None if text is None else rules.parse_whole(text, what)


def field_number(name: str, what: str) -> float | None:
    from crampcoach.journal import rules

    text = field_line(name, what, limit=rules.MAX_TEXT)
    return None if text is None else rules.parse_number(text, what)


def field_choice(name: str, what: str, choices: tuple[str, ...]) -> str | None:
    text = field_line(name, what, limit=40)
    if text is not None and text not in choices:
        raise Refused(f"{what} is one of {', '.join(choices)}")
    return text


def field_yes_no(name: str, what: str) -> bool | None:
    choice = field_choice(name, what, ("yes", "no"))
    return None if choice is None else choice == "yes"


def field_day(name: str, what: str, today: date) -> date:
    """A day as ``--date`` takes it (the journal's rules: not in the future, in range)."""
    from crampcoach.journal import rules

    text = field_line(name, what, limit=rules.MAX_TEXT)
    return today if text is None else rules.parse_day(text, today)


def problems_of(error: CrampcoachError) -> list[str]:
    """Each line a person is shown for an error (a routine's FILE:LINE problems, or one)."""
    if isinstance(error, RoutineError):
        return [str(p) for p in error.problems]
    return [str(error)]


def shown(text: object) -> str:
    """Text from outside with control characters escaped, as the command line shows it."""
    return "".join(c if c.isprintable() or c in "\n\t" else repr(c)[1:-1] for c in str(text))


def json_reply(body: Mapping[str, Any], code: int = 200) -> tuple[Response, int]:
    return jsonify(body), code
