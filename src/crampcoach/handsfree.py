"""What the hands-free inputs share: how a rating is asked for, and how absence is told.

A GPIO button (``crampcoach[pi]``) and a spoken rating (``crampcoach[voice]``) are both a
:class:`RatingSource`. When the extra, the hardware or the microphone is missing, opening
one raises :class:`HandsFreeUnavailable` with a sentence the person can act on; the
player says it once and falls back to the keys, or to no rating.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from crampcoach.errors import CrampcoachError

#: Speaks one short phrase aloud (the player passes its speech output).
Speak = Callable[[str], None]

RATING_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
)


class HandsFreeUnavailable(CrampcoachError):
    """A hands-free input cannot be used here; the message says why and what to do."""


class RatingSource(Protocol):
    """Asks the person for a 0-10 rating; None when nobody answers in time."""

    def ask_rating(self, timeout_s: float) -> int | None: ...
