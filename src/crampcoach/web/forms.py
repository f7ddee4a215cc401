"""Values from the page's forms: text turned into the values the library checks (its own
rules and messages), or one line that says what a field needs (:class:`Refused`)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask import Response, jsonify, request

from crampcoach.errors import CrampcoachError, RoutineError
from crampcoach.journal import rules


class Refused(CrampcoachError):
    """A request the page will not carry out, with the one line the person is shown."""


_LINE = re.compile(r"[^\x00-\x1f\x7f]*")


def field_text(name: str, what: str, *, limit: int = 2000, required: bool = False
               ) -> str | None:
    value = request.form.get(name, "")
    value = value.replace("\r\n", "\n").strip()
    if not value:
        if required:
            raise Refused(f"{what} is needed")
        return None
    return rules.check_text(value, what, limit)


def field_line(name: str, what: str, *, limit: int = 200, required: bool = False
               ) -> str | None:
    value = field_text(name, what, limit=limit, required=required)
    if value is not None and not _LINE.fullmatch(value):
        raise Refused(f"{what} is one line of text")
    return value


def field_whole(name: str, what: str) -> int | None:
    text = field_line(name, what, limit=rules.MAX_TEXT)
    return None if text is None else rules.parse_whole(text, what)


def field_number(name: str, what: str) -> float | None:
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
    text = field_line(name, what, limit=rules.MAX_TEXT)
    return today if text is None else rules.parse_day(text, today)


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
