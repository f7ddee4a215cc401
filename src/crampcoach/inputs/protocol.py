"""What the player knows of its inputs: how a rating is asked for, the button as a
session uses it, and how absence is told. The player imports this module and the key
table (:mod:`crampcoach.inputs.keys`), never an input itself.

A GPIO button (``crampcoach[pi]``) and a spoken rating (``crampcoach[voice]``) are both a
:class:`RatingSource`. When the extra, the hardware or the microphone is missing, opening
one raises :class:`HandsFreeUnavailable` with a sentence the person can act on; the
player says it once and falls back to the keys, or to no rating.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from crampcoach.errors import CrampcoachError
from crampcoach.phrases import ENGLISH

#: Speaks one short phrase aloud (the player passes its speech output).
Speak = Callable[[str], None]

#: The numbers the spoken rating hears (English: the recognizer's model is English).
RATING_WORDS = ENGLISH.numbers

#: The languages the spoken rating understands. Its recognizer needs an offline acoustic
#: model and dictionary per language: pocketsphinx's wheel carries US English only, and
#: neither the Python package index nor Debian has one for German, French, Spanish,
#: Italian or Dutch. A session in another language says so, in that language, and the
#: keys (and the button) answer instead.
SPOKEN_RATING_LANGUAGES = frozenset({"en"})


def spoken_rating_understands(language: str) -> bool:
    return language.strip().lower().replace("_", "-").split("-")[0] in SPOKEN_RATING_LANGUAGES


#: What the player adds after a HandsFreeUnavailable message when it falls back.
FALLBACK = ENGLISH.hands_free_fallback


class HandsFreeUnavailable(CrampcoachError):
    """A hands-free input cannot be used here; the message says why and what to do.

    The message is one sentence about the input alone; the player adds :data:`FALLBACK`
    (or its own words) when it goes on without it.
    """


class RatingSource(Protocol):
    """Asks the person for a 0-10 rating; None when nobody answers in time."""

    def ask_rating(self, timeout_s: float) -> int | None: ...


def rating_as_keys(value: int) -> tuple[str, ...]:
    """The key presses that give ``value`` to the player's key rating (a hand-off seam).

    The player reads "1" as the start of "10" until Enter or a short wait, so 1 is sent
    with Enter and 10 as "1", "0".
    """
    if not 0 <= value <= 10:
        raise ValueError(f"a rating is 0 to 10, not {value}")
    if value == 10:
        return ("1", "0")
    if value == 1:
        return ("1", "enter")
    return (str(value),)


class ButtonInput(Protocol):
    """The GPIO button as the session uses it (:class:`~crampcoach.inputs.button.BedsideButton`)."""

    def start_session(self, on_press: Callable[[], None]) -> None: ...

    def begin_rating(self, *, hint: bool = True,
                     on_rating: Callable[[int], None] | None = None) -> None: ...

    def end_rating(self) -> int | None: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class HandsFree:
    """How to open the hands-free inputs a session uses, given the session's voice.

    Each opener raises :class:`HandsFreeUnavailable` when its extra
    or hardware is missing; the session then says why, once, and goes on with the keys.
    The button is opened at the start (it pauses); the spoken rating when it is needed.
    """

    button: Callable[[Speak], ButtonInput] | None = None
    spoken_rating: Callable[[Speak], RatingSource] | None = None


#: No hands-free inputs: keys only.
NO_HANDS_FREE = HandsFree()
