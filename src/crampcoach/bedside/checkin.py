"""The weekly check-in, asked by the bedside service after a session when it is due:
aloud, each question answered with the GPIO button (one press yes, a long press no) or a
keypad's keys (1 yes, 0 no), and skipped by waiting. Never at night, never after a rescue
or bedtime routine (:func:`crampcoach.journal.checkin.checkin_due`); a first question
that nobody answers means nobody is there: nothing is kept and it is asked next time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from crampcoach.errors import JournalError
from crampcoach.inputs.keys import COMMAND_STOP, INTERRUPT

if TYPE_CHECKING:
    from crampcoach.inputs.button import BedsideButton
    from crampcoach.journal.checkin import CheckinOutcome
    from crampcoach.phrases import Phrasebook
    from crampcoach.player.clock import Clock

#: The keys the button gives the check-in: a press, and a long press.
BUTTON_YES, BUTTON_NO = "y", "n"
#: Seconds each question waits for an answer before it is skipped (the first: before the
#: check-in stops, nobody being there).
ANSWER_WAIT_S = 30.0


def ask_checkin(path: Path, *, now: Callable[[], datetime], style: str | None, night: bool,
                book: Phrasebook, say: Callable[[str], None], clock: Clock,
                button: BedsideButton | None, keypad: bool,
                log: Callable[[str], None]) -> CheckinOutcome | None:
    """Ask the check-in if it is due (``now``: an aware moment; ``style``: the routine
    just played; ``night``: the session was in the night hours) and something can answer
    it (``button``, or a ``keypad`` plugged in), wait for the answers on ``clock`` (keys
    pushed to it, the button's too), keep them, and say the advice with the urgent tier.
    Returns what was kept, None when nothing was asked or answered."""
    from crampcoach.journal import Journal
    from crampcoach.journal.checkin import ask_and_record, checkin_due, key_asker

    if button is None and not keypad:
        return None
    try:
        with Journal.open(path, create=False, clock=now) as journal:
            if not checkin_due(journal, now(), after_style=style, at_night=night):
                return None
            log("The weekly check-in is due: asking it.")
            if button is not None:
                button.start_session(lambda: clock.push(BUTTON_YES),
                                     on_hold=lambda: clock.push(BUTTON_NO))
            try:
                how = book.checkin_button if button is not None else book.checkin_keys
                ask = key_asker(say, _nobody_there_stops(clock.wait_until), clock.now, book,
                                ANSWER_WAIT_S, how=how)
                outcome = ask_and_record(journal, ask, book)
            finally:
                if button is not None:
                    button.idle()
    except JournalError as e:
        log(f"Note: the check-in could not be kept in the journal: {e}")
        return None
    if outcome is None:
        log("The check-in was not answered: it is asked again after the next session.")
        return None
    say(outcome.advice)
    say(outcome.urgent)
    return outcome


def _nobody_there_stops(wait_key: Callable[[float], str | None],
                        ) -> Callable[[float], str | None]:
    """``wait_key``, but the first question's wait running out with no key at all stops
    the check-in (nobody is there), as a stop from the page or a command does; after any
    key, waiting out a question skips it."""
    heard = False

    def wait(deadline: float) -> str | None:
        nonlocal heard
        key = wait_key(deadline)
        if (key is None and not heard) or key == COMMAND_STOP:
            return INTERRUPT
        heard = heard or key is not None
        return key

    return wait
