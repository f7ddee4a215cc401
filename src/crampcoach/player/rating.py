"""The cramp rating: asked aloud and on screen, answered with one key press.

How keys make a rating (0 = no cramps, 10 = the worst):

* ``0`` and ``2``..``9`` give that rating at once: one key press, no Enter needed.
* ``1`` waits up to ``ONE_WAITS_S`` for a ``0`` (making 10); Enter, or the wait running
  out, gives 1. So ``1`` ``0`` typed at any normal speed is 10.
* Backspace takes back a typed ``1``; Enter after a complete rating is ignored.
* ``q`` or Escape skips the rating; so does the input ending (nobody can answer).
* A spoken reminder comes once; after the timeout the session is kept without a rating.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from crampcoach.care import RED_FLAG_RATING
from crampcoach.inputs.keys import COMMAND_STOP
from crampcoach.phrases import ENGLISH, Phrasebook
from crampcoach.player.clock import BACKSPACE, ENTER, ESCAPE, INPUT_ENDED, INTERRUPT, Clock
from crampcoach.player.events import (
    Advice,
    Rated,
    RatingAsked,
    RatingInvalid,
    RatingMissing,
    RatingReminder,
    RatingTyped,
    RatingWhen,
    SessionObserver,
)

ONE_WAITS_S = 1.5
TIMEOUT_S = 120.0
REMINDER_AFTER_S = 30.0

# The English sentences, by their old names (the phrasebook is their home).
PROMPTS: dict[RatingWhen, str] = {"before": ENGLISH.rating_before, "after": ENGLISH.rating_after}
SPOKEN_PROMPTS: dict[RatingWhen, str] = {"before": ENGLISH.spoken_rating_before,
                                         "after": ENGLISH.spoken_rating_after}
GENTLE_PROMPT = ENGLISH.gentle_rating_after
SPOKEN_GENTLE_PROMPT = ENGLISH.spoken_gentle_rating_after
REMINDER = ENGLISH.rating_reminder
INVALID = ENGLISH.rating_invalid


def prompt(book: Phrasebook, when: RatingWhen, *, spoken: bool = False,
           gentle: bool = False) -> str:
    """The rating question: press a number, or (``spoken``) say one. ``gentle``: after a
    routine that ends towards rest (only ever after one: nothing is asked before a rescue
    routine)."""
    if gentle and when == "after":
        return book.spoken_gentle_rating_after if spoken else book.gentle_rating_after
    if spoken:
        return book.spoken_rating_before if when == "before" else book.spoken_rating_after
    return book.rating_before if when == "before" else book.rating_after


#: Says a phrase aloud if sound works (the display shows it through the events).
Speak = Callable[[str], None]
#: Whether ratings, with this new one, have been worsening over the last week.
WorseningCheck = Callable[[int], bool]


@dataclass(frozen=True, slots=True)
class RatingPolicy:
    """How a rating is waited for, and the rating that calls for the advice."""

    timeout_s: float = TIMEOUT_S
    reminder_after_s: float = REMINDER_AFTER_S
    one_waits_s: float = ONE_WAITS_S
    red_flag_at: int = RED_FLAG_RATING


class RatingInterrupted(Exception):
    """Ctrl-C or SIGTERM while waiting for a rating (delivered through the key queue)."""


def thanks(value: int, book: Phrasebook = ENGLISH) -> str:
    return book.rating_thanks.format(value=value)


def ask_rating(when: RatingWhen, clock: Clock, speak: Speak, observer: SessionObserver,
               policy: RatingPolicy = RatingPolicy(), *, hint: str | None = None,
               question: str | None = None, keys_only: bool = True,
               book: Phrasebook = ENGLISH, gentle: bool = False,
               answer: Speak | None = None) -> int | None:
    """Ask for a rating and wait for it. None when skipped, not answered or unanswerable.

    ``hint`` follows the question; ``question`` replaces it (and the reminder): the
    GPIO button's own short question. ``gentle`` asks the gentle form (see
    :func:`prompt`). ``answer`` says what answers a key (the thanks, "please press a
    number"), by default ``speak``: the session passes one that cuts the question short,
    so a key pressed during it is answered at once. ``keys_only``
    False: another input (the button) pushes its answer as keys, so the keyboard's input
    ending does not end the wait.

    Raises :class:`RatingInterrupted` on an interrupt key; a real Ctrl-C propagates
    as ``KeyboardInterrupt``.
    """
    reminder = book.rating_reminder if question is None else question
    if question is None:
        question = prompt(book, when, gentle=gentle)
        question = question if hint is None else f"{question} {hint}"
    observer(RatingAsked(when, question))
    speak(question)
    started = clock.now()
    give_up = started + policy.timeout_s
    remind_at = started + min(policy.reminder_after_s, policy.timeout_s / 2)
    settle = math.inf  # when a lone "1" becomes the rating
    typed = ""
    reply = answer or speak

    def done(value: int) -> int:
        text = thanks(value, book)
        observer(Rated(when, value, text))
        reply(text)
        return value

    while True:
        key = clock.wait_until(min(give_up, remind_at, settle))
        now = clock.now()
        if key is None:
            if now >= settle:
                return done(int(typed))
            if now >= give_up:
                observer(RatingMissing(when, book.no_rating_in_time))
                return None
            if now >= remind_at:
                remind_at = math.inf
                observer(RatingReminder(reminder))
                speak(reminder)
            continue
        if key.isdigit() and len(key) == 1:
            typed += key
            if typed == "1":
                settle = now + policy.one_waits_s
                observer(RatingTyped(typed))
                continue
            if typed.isdigit() and 0 <= int(typed) <= 10 and (len(typed) == 1 or typed == "10"):
                return done(int(typed))
            typed, settle = "", math.inf
            observer(RatingInvalid(book.rating_invalid))
            reply(book.rating_invalid)
        elif key == ENTER and typed:
            return done(int(typed))
        elif key == BACKSPACE and typed:
            typed, settle = "", math.inf
            observer(RatingTyped(typed))
        elif key in ("q", ESCAPE, COMMAND_STOP):  # a service's "stop" skips it too
            observer(RatingMissing(when, book.no_rating_skipped))
            return None
        elif key == INPUT_ENDED and keys_only:
            observer(RatingMissing(when, book.no_rating_no_keyboard))
            return None
        elif key == INTERRUPT:
            raise RatingInterrupted


def advice_for(rating: int, worsening: WorseningCheck | None,
               red_flag_at: int = RED_FLAG_RATING, book: Phrasebook = ENGLISH) -> str | None:
    """The advice a rating calls for, or None, each followed by the urgent tier (when to
    get help now). Guidance, not diagnosis."""
    if rating >= red_flag_at:
        return f"{book.advice_high.format(rating=rating)} {book.urgent_help}"
    if worsening is not None and worsening(rating):
        return f"{book.advice_worsening} {book.urgent_help}"
    return None


def advise(text: str, speak: Speak, observer: SessionObserver) -> None:
    observer(Advice(text))
    speak(text)
