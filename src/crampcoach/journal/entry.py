"""What people type into the care record, read forgivingly: days and times, a blood
result of several words, sides as L/R, kinds in the plural, signs as a list. Each reader
returns the value the journal stores or raises :class:`RecordError` with a suggestion,
before anything is written.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo

from crampcoach.errors import RecordError
from crampcoach.journal.store import EPISODE_KINDS, LIMB_SIGNS, SIDES


def parse_day(text: str, today: date) -> date:
    """``today``, ``yesterday`` or ``YYYY-MM-DD``: the local day something belongs to."""
    word = text.strip().lower()
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    try:
        day = date.fromisoformat(word)
    except ValueError:
        raise RecordError(
            f"{text!r} is not a day: use YYYY-MM-DD, today or yesterday"
        ) from None
    if day > today:
        raise RecordError(f"{day} is in the future; the journal records what has happened")
    return day


def parse_when(text: str, now: datetime, tz: tzinfo | None) -> datetime:
    """``HH:MM`` (the last time the clock showed it: 23:30 typed in the morning is last
    night) or ``YYYY-MM-DD HH:MM``, in local time; returned in UTC-aware form."""
    local_now = now.astimezone(tz)
    cleaned = text.strip().replace("T", " ")
    try:
        if len(cleaned) <= 5:
            clock = datetime.strptime(cleaned, "%H:%M").time()
            moment = datetime.combine(local_now.date(), clock)
            if moment > local_now.replace(tzinfo=None):
                moment -= timedelta(days=1)
        else:
            moment = datetime.strptime(cleaned, "%Y-%m-%d %H:%M")
    except ValueError:
        raise RecordError(
            f"{text!r} is not a time: use HH:MM (today, or last night) or YYYY-MM-DD HH:MM"
        ) from None
    aware = moment.astimezone() if tz is None else moment.replace(tzinfo=tz)
    if aware > now + timedelta(minutes=1):
        raise RecordError(f"{text} is in the future; the journal records what has happened")
    return aware


def parse_moment(at: str | None, day: str | None, now: datetime,
                 tz: tzinfo | None) -> datetime | None:
    """``--at TIME`` or ``--date DAY`` (noon that day, or now if that is earlier), or None
    for now."""
    if at is not None and day is not None:
        raise RecordError("give --at or --date, not both")
    if at is not None:
        return parse_when(at, now, tz)
    if day is None:
        return None
    local_now = now.astimezone(tz)
    chosen = parse_day(day, local_now.date())
    if chosen == local_now.date():
        return None
    noon = datetime.combine(chosen, time(12))
    return noon.astimezone() if tz is None else noon.replace(tzinfo=tz)


def _suggest(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def episode_kind(text: str | None) -> str | None:
    """cramp, spasm, twitching or stiffness; plurals ("cramps", "spasms") and any case."""
    if text is None:
        return None
    word = text.strip().lower()
    for kind in EPISODE_KINDS:
        if word in (kind, kind + "s", kind + "es"):
            return kind
    if word in ("twitch", "twitches", "twitchings"):
        return "twitching"
    raise RecordError(f"{text!r} is not a kind of episode{_suggest(word, EPISODE_KINDS)}: "
                      f"use {', '.join(EPISODE_KINDS)}")


_SIDE_WORDS = {"l": "left", "r": "right", "b": "both", "lr": "both", "left and right": "both"}


def episode_side(text: str | None) -> str | None:
    """left, right or both; L, R and B too, in any case."""
    if text is None:
        return None
    word = text.strip().lower()
    side = _SIDE_WORDS.get(word, word)
    if side not in SIDES:
        raise RecordError(f"{text!r} is not a side{_suggest(word, SIDES)}: use left (L), "
                          "right (R) or both (B)")
    return side


def limb_signs(text: str | None) -> tuple[str, ...]:
    """``swollen,red,warm`` (commas or spaces, any case) as the journal's signs."""
    if text is None:
        return ()
    found = []
    for word in re.split(r"[,\s]+", text.strip().lower()):
        if not word:
            continue
        if word not in LIMB_SIGNS:
            raise RecordError(f"{word!r} is not a sign this records"
                              f"{_suggest(word, LIMB_SIGNS)}: use {', '.join(LIMB_SIGNS)}")
        found.append(word)
    return tuple(found)


_NUMBER = re.compile(r"^[<>≤≥]?=?\s*[-+]?(\d+([.,]\d*)?|[.,]\d+)$")


def blood_words(words: Sequence[str]) -> tuple[str, str, str | None]:
    """``vitamin D 48 nmol/L`` as (test, value, unit): the value is the last word that
    reads as a number (``48``, ``<0.5``, ``2,31``), the test everything before it, the
    unit everything after. Kept exactly as typed, never read as a number."""
    parts = [w.strip() for w in words if w.strip()]
    for index in range(len(parts) - 1, 0, -1):
        if _NUMBER.match(parts[index]):
            unit = " ".join(parts[index + 1:]) or None
            return " ".join(parts[:index]), parts[index], unit
    raise RecordError(
        f"no value found in {' '.join(parts)!r}: give the test, its value and the unit, "
        "like: crampcoach blood add vitamin D 48 nmol/L")
