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
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from crampcoach.web import care_pages, pages
from crampcoach.web.auth import SESSION_IDLE_S, same_token
from crampcoach.web.parts import (
    CONTROL_BUTTONS,
    KNOWN_BROWSER_COOKIE,
    KNOWN_BROWSER_S,
    SESSION_COOKIE,
    WEB_NAMES_ENV,
    Control,
    WebParts,
)
from crampcoach.web.render import is_night

# Control and WebParts are taken from here by the server and the tests.
__all__ = ["CSP", "KNOWN_BROWSER_COOKIE", "KNOWN_BROWSER_S", "SECURITY_HEADERS",
           "WEB_NAMES_ENV", "Control", "WebParts", "create_app", "same_origin"]

#: The largest request read: a routine file (1 MB at most) sent from the editor, and a bit.
MAX_REQUEST_BYTES = 1_200_000
#: Each page's own scripts and styles only; images only from itself (the inline chart is
#: SVG markup in the page, not a source).
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
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
                "logged_in": session is not None, "controls": CONTROL_BUTTONS,
                "night": is_night(parts)}

    pages.register(app, parts)
    care_pages.register(app, parts)
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

# The manifest and the favicon say nothing about the person, and a browser asks for them
# without the session's cookie.
_OPEN_ENDPOINTS = {"static", "login", "manifest", "favicon"}


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
