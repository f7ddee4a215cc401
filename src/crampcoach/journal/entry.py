"""What people type into the care record, read forgivingly: days and times, a blood
result of several words, sides as L/R, kinds in the plural, signs as a list. Each reader
returns the value the journal stores or raises :class:`RecordError` with a suggestion,
before anything is written.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from datetime import date, datetime, time, tzinfo

from crampcoach.errors import RecordError
from crampcoach.journal import rules
from crampcoach.journal.store import EPISODE_KINDS, LIMB_SIGNS, SIDES


def parse_day(text: str, today: date) -> date:
    """``today``, ``yesterday`` or ``YYYY-MM-DD``: see :mod:`crampcoach.journal.rules`."""
    return rules.parse_day(text, today)


def parse_when(text: str, now: datetime, tz: tzinfo | None) -> datetime:
    """``HH:MM`` or ``YYYY-MM-DD HH:MM``: see :mod:`crampcoach.journal.rules`."""
    return rules.parse_when(text, now, tz)


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
    if len(word) > 40:
        return ""  # not a typo of a short word
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
    raise RecordError(f"{rules.echo(text)} is not a kind of episode"
                      f"{_suggest(word, EPISODE_KINDS)}: "
                      f"use {', '.join(EPISODE_KINDS)}")


_SIDE_WORDS = {"l": "left", "r": "right", "b": "both", "lr": "both", "left and right": "both"}


def episode_side(text: str | None) -> str | None:
    """left, right or both; L, R and B too, in any case."""
    if text is None:
        return None
    word = text.strip().lower()
    side = _SIDE_WORDS.get(word, word)
    if side not in SIDES:
        raise RecordError(f"{rules.echo(text)} is not a side{_suggest(word, SIDES)}: use left (L), "
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
            raise RecordError(f"{rules.echo(word)} is not a sign this records"
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
        f"no value found in {rules.echo(' '.join(parts))}: give the test, its value and the unit, "
        "like: crampcoach blood add vitamin D 48 nmol/L")
