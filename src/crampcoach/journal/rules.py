"""What the journal accepts, in one place: every front end (the command line, the companion
page, an import) turns what a person typed into values through these functions, so none
can accept what another refuses.

* Times are checked on their UTC value (:func:`check_moment`): the years
  :data:`EARLIEST` to :data:`LATEST` in UTC, so every stored time is four digits in every
  zone and a backup the journal wrote imports again (up to the records an import holds,
  ``exchange.MAX_IMPORT_RECORDS``).
* Nothing typed may be in the future (a day, a time, a medicine's start).
* A local time that the clocks skipped (the spring-forward hour) is refused with the
  reason; one they passed twice is the first of the two.
* Text: at most :data:`MAX_TEXT` characters, no NUL, only characters that can be stored
  (bytes that were not UTF-8 are refused in one line).
* Whole numbers: at most :data:`MAX_DIGITS` digits. A refused value is echoed shortened
  and with control characters escaped (:func:`echo`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol

from crampcoach.errors import RecordError, escape_controls

#: The journal's time range, on the UTC clock.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9998, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
#: Notes, what helped, a question: one limit, on the page and the command line alike.
MAX_TEXT = 2000
#: A name (a body part, a medicine, a blood test, a dose): one short line.
MAX_NAME = 80
#: The most digits a whole number may have (more means nothing here, and could overflow).
MAX_DIGITS = 9
#: How much of a refused value a message repeats.
ECHO_CHARS = 40
#: Slack for a clock a little ahead of the one that made "now".
FUTURE_SLACK = timedelta(minutes=1)


def echo(value: object) -> str:
    """A value from outside as a message repeats it: text quoted, control characters
    escaped, and cut to :data:`ECHO_CHARS` characters."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > ECHO_CHARS:
        text = text[:ECHO_CHARS] + "..."
    return escape_controls(repr(text) if isinstance(value, str) else text)


def check_text(value: str, what: str, limit: int = MAX_TEXT) -> str:
    """``value`` if the journal can keep it as text."""
    if "\x00" in value:
        raise RecordError(f"{what} cannot contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RecordError(f"{what} is not readable text (bytes that are not UTF-8, or a lone "
                          "surrogate)") from None
    if len(value) > limit:
        raise RecordError(f"{what} is too long ({len(value)} characters; at most {limit})")
    return value


def check_moment(moment: datetime, what: str, shown: str | None = None) -> datetime:
    """``moment`` in UTC, if it lies in the journal's range (checked on UTC). ``shown``: the
    time as the person typed it, for the message."""
    if moment.tzinfo is None:
        raise RecordError(f"{what} must be a time with its time zone")
    try:
        utc = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        utc = None
    if utc is None or not EARLIEST <= utc <= LATEST:
        raise _out_of_range(what, shown or moment.isoformat())
    return utc


def _out_of_range(what: str, shown: str) -> RecordError:
    return RecordError(f"{what} must be in the years {EARLIEST.year} to {LATEST.year} on the "
                       f"UTC clock, not {echo(shown)}")


def check_day(day: date, what: str) -> date:
    if not EARLIEST.date() <= day <= LATEST.date():
        raise RecordError(f"{what} must be in the years {EARLIEST.year} to {LATEST.year}; "
                          f"got {day}")
    return day


def check_past_day(day: date, today: date, what: str = "the day") -> date:
    """``day`` if it is in range and not after ``today`` (the person's local day)."""
    if day > today:
        raise RecordError(f"{day} is in the future; the journal records what has happened")
    return check_day(day, what)


def parse_whole(text: str, what: str) -> int:
    """A whole number typed as text, of at most :data:`MAX_DIGITS` digits (its range is the
    journal's to check)."""
    cleaned = text.strip()
    if not re.fullmatch(r"[+-]?[0-9]+", cleaned):
        raise RecordError(f"{what} is a whole number, not {echo(text)}")
    if len(cleaned.lstrip("+-").lstrip("0")) > MAX_DIGITS:
        raise RecordError(f"{what} is a whole number of at most {MAX_DIGITS} digits")
    return int(cleaned)


def parse_number(text: str, what: str) -> float:
    """A number typed as text (``2.5``, ``2,5``), of at most :data:`MAX_DIGITS` digits
    before the point."""
    cleaned = text.strip().replace(",", ".")
    found = re.fullmatch(r"[+-]?([0-9]*)(\.[0-9]*)?", cleaned)
    if found is None or cleaned.strip("+-.") == "":
        raise RecordError(f"{what} is a number, not {echo(text)}")
    if len(found.group(1).lstrip("0")) > MAX_DIGITS:
        raise RecordError(f"{what} is a number of at most {MAX_DIGITS} digits before the point")
    return float(cleaned)


#: An episode's length as typed, in minutes.
EPISODE_MINUTES = "how long it lasted (minutes)"


def episode_seconds(text: str, most_s: int) -> int:
    """An episode's length typed in minutes (``5``, ``2.5``) as whole seconds, from 0 to
    ``most_s``."""
    minutes = parse_number(text, EPISODE_MINUTES)
    if not 0 <= minutes <= most_s / 60:
        raise RecordError(f"{EPISODE_MINUTES} is from 0 to {most_s // 60}; got {echo(text)}")
    return round(minutes * 60)


def parse_clock(text: str, what: str = "the time") -> time:
    """``HH:MM`` on the 24-hour clock."""
    found = re.fullmatch(r"\s*([01]?[0-9]|2[0-3]):([0-5][0-9])\s*", text, re.ASCII)
    if found is None:
        raise RecordError(f"{what} is HH:MM on the 24-hour clock, like 21:30, not {echo(text)}")
    return time(int(found.group(1)), int(found.group(2)))


def parse_day(text: str, today: date) -> date:
    """``today``, ``yesterday`` or ``YYYY-MM-DD``: the local day something belongs to (not
    in the future)."""
    word = text.strip().lower()
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    try:
        day = date.fromisoformat(word) if len(word) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise RecordError(f"{echo(text)} is not a day: use YYYY-MM-DD, today or yesterday")
    return check_past_day(day, today)


def local_moment(moment: datetime, tz: tzinfo | None, shown: str) -> datetime:
    """The naive local ``moment`` in ``tz`` (None: this machine's zone), in range and
    refused when the clocks skipped it. ``shown``: as typed, for the messages."""
    try:
        aware = moment.astimezone() if tz is None else moment.replace(tzinfo=tz)
        back = aware.astimezone(UTC).astimezone(aware.tzinfo if tz is None else tz)
    except (OverflowError, ValueError):
        raise _out_of_range("the time", shown) from None
    if back.replace(tzinfo=None) != moment:
        raise RecordError(f"{shown} did not happen here: the clocks went forward then (try "
                          f"{back:%H:%M})")
    return check_moment(aware, "the time", shown)


def parse_when(text: str, now: datetime, tz: tzinfo | None) -> datetime:
    """``HH:MM`` (the last time the clock showed it: 23:30 typed in the morning is last
    night) or ``YYYY-MM-DD HH:MM``, in local time; returned in UTC-aware form, checked on
    UTC and not in the future."""
    local_now = now.astimezone(tz)
    cleaned = text.strip().replace("T", " ")
    moment: datetime | None = None
    if len(cleaned) <= 5:
        try:
            clock = parse_clock(cleaned)
        except RecordError:
            clock = None
        if clock is not None:
            moment = datetime.combine(local_now.date(), clock)
            if moment > local_now.replace(tzinfo=None):
                moment -= timedelta(days=1)
    elif re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}", cleaned):
        try:
            moment = datetime.strptime(cleaned, "%Y-%m-%d %H:%M")
        except ValueError:
            moment = None
    if moment is None:
        raise RecordError(
            f"{echo(text)} is not a time: use HH:MM (today, or last night) or YYYY-MM-DD HH:MM"
        )
    aware = local_moment(moment, tz, cleaned)
    if aware > now + FUTURE_SLACK:
        raise RecordError(f"{cleaned} is in the future; the journal records what has happened")
    return aware


class MedicineChange(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def change(self) -> str: ...
    @property
    def day(self) -> date: ...


def medicine_order_problem(events: Iterable[MedicineChange]) -> str | None:
    """What is wrong with a medicine history in day order (None: nothing): each medicine
    (whatever its case) is started before it is changed or stopped, and not started again
    while it is taken. ``med start``/``change``/``stop`` and an import hold the same rule."""
    taking: dict[str, bool] = {}
    for m in events:
        key = m.name.casefold()
        on = taking.get(key, False)
        if m.change == "start" and on:
            return f"{m.name} is started on {m.day} while it is already taken"
        if m.change != "start" and not on:
            done = "stopped" if m.change == "stop" else "changed"
            return (f"{m.name} is {done} on {m.day} with no start recorded before it (record "
                    "its start first)")
        taking[key] = m.change != "stop"
    return None
