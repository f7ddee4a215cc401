"""Values from the page's forms: text turned into the values the library checks (its own
rules and messages), or one line that says what a field needs (:class:`Refused`)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Response, jsonify, request

from crampcoach.errors import CrampcoachError, RoutineError


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
    if len(value) > limit:
        raise Refused(f"{what} is at most {limit} characters")
    if "\x00" in value:
        raise Refused(f"{what} cannot contain a NUL character")
    return value


def field_line(name: str, what: str, *, limit: int = 200, required: bool = False
               ) -> str | None:
    value = field_text(name, what, limit=limit, required=required)
    if value is not None and not _LINE.fullmatch(value):
        raise Refused(f"{what} is one line of text")
    return value


def field_whole(name: str, what: str) -> int | None:
    text = field_line(name, what, limit=12)
    if text is None:
        return None
    if not re.fullmatch(r"[+-]?\d{1,9}", text):
        raise Refused(f"{what} is a whole number, not {text!r}")
    return int(text)


def field_number(name: str, what: str) -> float | None:
    text = field_line(name, what, limit=12)
    if text is None:
        return None
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        raise Refused(f"{what} is a number, not {text!r}") from None
    if not math.isfinite(number):
        raise Refused(f"{what} is a number, not {text!r}")
    return number


def field_choice(name: str, what: str, choices: tuple[str, ...]) -> str | None:
    text = field_line(name, what, limit=40)
    if text is not None and text not in choices:
        raise Refused(f"{what} is one of {', '.join(choices)}")
    return text


def field_yes_no(name: str, what: str) -> bool | None:
    choice = field_choice(name, what, ("yes", "no"))
    return None if choice is None else choice == "yes"


def field_day(name: str, what: str, today: date) -> date:
    text = field_line(name, what, limit=10)
    if text is None:
        return today
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Refused(f"{what} is a date like {today.isoformat()}, not {text!r}") from None


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
