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

from crampcoach.guidance import URGENT_HELP
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
#: A rating at or above this makes the advice to talk to the neurologist (the default of
#: the ``red_flag_threshold`` setting; :class:`RatingPolicy` carries the one in effect).
RED_FLAG_RATING = 8

PROMPTS: dict[RatingWhen, str] = {
    "before": "Before we start: how are your cramps right now? "
              "Press a number from 0, for none, to 10, for the worst.",
    "after": "How are your cramps now? "
             "Press a number from 0, for none, to 10, for the worst.",
}
#: The question when the answer is spoken (the spoken rating then asks for the number).
SPOKEN_PROMPTS: dict[RatingWhen, str] = {
    "before": "Before we start: how are your cramps right now, "
              "from zero, for none, to ten, for the worst?",
    "after": "How are your cramps now, from zero, for none, to ten, for the worst?",
}
#: The question after a routine that ends towards rest or sleep (a bedtime or rescue
#: routine): offered, not demanded, so that answering costs nothing.
GENTLE_PROMPT = ("Only if you like: how are your cramps now? "
                 "Press a number from 0, for none, to 10, for the worst, or q to skip.")
SPOKEN_GENTLE_PROMPT = ("Only if you like: how are your cramps now, "
                        "from zero, for none, to ten, for the worst?")
REMINDER = "When you are ready, press a number from 0 to 10. Or press q to skip."
INVALID = "Please press a number from 0 to 10."
ADVICE_HIGH = (
    "You rated your cramps {rating} out of 10. That is a lot to live with. "
    "It would be good to talk to your neurologist about it; they can review your "
    "medicines and what else may help. This is guidance, not a diagnosis. "
    + URGENT_HELP
)
ADVICE_WORSENING = (
    "Your cramp ratings have been getting worse over the last week. "
    "It would be good to talk to your neurologist about it; they can review your "
    "medicines and what else may help. This is guidance, not a diagnosis. " + URGENT_HELP
)

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


def thanks(value: int) -> str:
    return f"Thank you. Your rating is {value}."


def prompt_for(when: RatingWhen, *, gentle: bool = False, spoken: bool = False) -> str:
    """The rating question: ``gentle`` after a routine that ends towards rest (only ever
    after one: nothing is asked before a rescue routine); ``spoken`` when answered aloud."""
    if gentle and when == "after":
        return SPOKEN_GENTLE_PROMPT if spoken else GENTLE_PROMPT
    return SPOKEN_PROMPTS[when] if spoken else PROMPTS[when]


def ask_rating(when: RatingWhen, clock: Clock, speak: Speak, observer: SessionObserver,
               policy: RatingPolicy = RatingPolicy(), *, hint: str | None = None,
               keys_only: bool = True, gentle: bool = False) -> int | None:
    """Ask for a rating and wait for it. None when skipped, not answered or unanswerable.

    ``hint`` follows the question (how to answer with the GPIO button); ``gentle`` asks
    the gentle form (see :func:`prompt_for`). ``keys_only``
    False: another input (the button) pushes its answer as keys, so the keyboard's input
    ending does not end the wait.

    Raises :class:`RatingInterrupted` on an interrupt key; a real Ctrl-C propagates
    as ``KeyboardInterrupt``.
    """
    question = prompt_for(when, gentle=gentle)
    prompt = question if hint is None else f"{question} {hint}"
    observer(RatingAsked(when, prompt))
    speak(prompt)
    started = clock.now()
    give_up = started + policy.timeout_s
    remind_at = started + min(policy.reminder_after_s, policy.timeout_s / 2)
    settle = math.inf  # when a lone "1" becomes the rating
    typed = ""

    def done(value: int) -> int:
        text = thanks(value)
        observer(Rated(when, value, text))
        speak(text)
        return value

    while True:
        key = clock.wait_until(min(give_up, remind_at, settle))
        now = clock.now()
        if key is None:
            if now >= settle:
                return done(int(typed))
            if now >= give_up:
                observer(RatingMissing(when, "no answer in time; the session is kept "
                                             "without a rating"))
                return None
            if now >= remind_at:
                remind_at = math.inf
                observer(RatingReminder(REMINDER))
                speak(REMINDER)
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
            observer(RatingInvalid(INVALID))
            speak(INVALID)
        elif key == ENTER and typed:
            return done(int(typed))
        elif key == BACKSPACE and typed:
            typed, settle = "", math.inf
            observer(RatingTyped(typed))
        elif key in ("q", ESCAPE):
            observer(RatingMissing(when, "skipped"))
            return None
        elif key == INPUT_ENDED and keys_only:
            observer(RatingMissing(when, "no keyboard to answer with"))
            return None
        elif key == INTERRUPT:
            raise RatingInterrupted


def advice_for(rating: int, worsening: WorseningCheck | None,
               red_flag_at: int = RED_FLAG_RATING) -> str | None:
    """The advice a rating calls for, or None. Guidance, not diagnosis."""
    if rating >= red_flag_at:
        return ADVICE_HIGH.format(rating=rating)
    if worsening is not None and worsening(rating):
        return ADVICE_WORSENING
    return None


def advise(text: str, speak: Speak, observer: SessionObserver) -> None:
    observer(Advice(text))
    speak(text)
