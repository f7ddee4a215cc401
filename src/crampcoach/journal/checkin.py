"""The weekly check-in: when it is due, asking it, recording the answers and the advice.

Front ends call two functions: :func:`checkin_due` (is it time to ask, here and now?) and
:func:`record_checkin` (keep the answers given, any of them skipped). :func:`run_checkin`
asks the four questions through a function it is given (keys at a terminal, the voice
with keys or the button after a session) and records them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from crampcoach.journal.store import CHECKIN_KEYS, Checkin
from crampcoach.journal.wording import and_list
from crampcoach.phrases import ENGLISH, Phrasebook

if TYPE_CHECKING:
    from crampcoach.journal.store import Journal

CHECKIN_EVERY = timedelta(days=7)
#: What a calm check-in says (the phrasebook's words).
CHECKIN_CLEAR = ENGLISH.checkin_clear
#: Styles of routine after which the check-in is never asked: a cramp happening now, or
#: winding down to sleep.
NOT_AFTER_STYLES = frozenset({"rescue", "bedtime"})


@dataclass(frozen=True, slots=True)
class CheckinOutcome:
    checkin: Checkin
    advice: str
    urgent: str = ENGLISH.urgent_help


def checkin_due(journal: Journal, now: datetime, *, after_style: str | None = None,
                at_night: bool = False) -> bool:
    """Whether to ask the check-in now: a week since the last one (or none yet), never at
    night, never after a rescue or bedtime routine (``after_style``: the style of the
    routine just played, None when no session was played)."""
    if at_night or after_style in NOT_AFTER_STYLES:
        return False
    return not journal.checkins(now - CHECKIN_EVERY, now + timedelta(seconds=1))


def last_checkin(journal: Journal) -> Checkin | None:
    found = journal.checkins()
    return found[-1] if found else None


def checkin_advice(checkin: Checkin, book: Phrasebook = ENGLISH) -> str:
    signs = [book.checkin_signs[k] for k in CHECKIN_KEYS if checkin.answer(k)]
    if not signs:
        return book.checkin_clear
    return book.checkin_raise.format(signs=and_list(signs, book.checkin_and))


def record_checkin(journal: Journal, answers: Mapping[str, bool | None], *,
                   at: datetime | None = None, book: Phrasebook = ENGLISH) -> CheckinOutcome:
    """Keep the answers (a yes True, a no False, skipped None or left out) and return the
    advice to show or say, with the urgent tier."""
    checkin = journal.add_checkin(dict(answers), at=at)
    return CheckinOutcome(checkin, checkin_advice(checkin, book), book.urgent_help)


def run_checkin(journal: Journal, ask: Callable[[str], bool | None],
                book: Phrasebook = ENGLISH, *, at: datetime | None = None) -> CheckinOutcome:
    """Ask the four questions through ``ask`` (a yes is True, a no False, skipped None),
    record the answers, and return the advice with the urgent tier."""
    answers = {key: ask(book.checkin_questions[key]) for key in CHECKIN_KEYS}
    return record_checkin(journal, answers, at=at, book=book)


#: Keys that answer a question asked aloud (a keypad has digits; a terminal has letters).
YES_KEYS = frozenset({"y", "1"})
NO_KEYS = frozenset({"n", "0"})
SKIP_KEYS = frozenset({"s", "enter", "\r", "\n", " "})
#: Keys that end the check-in (what was answered is kept).
STOP_KEYS = frozenset({"q", "escape", "interrupt", "eof"})
#: How long each question waits for a key before it counts as skipped.
ANSWER_WAIT_S = 30.0


class CheckinStopped(Exception):
    """The person stopped the check-in; the answers given so far are kept."""


def key_asker(say: Callable[[str], object], wait_key: Callable[[float], str | None],
              now: Callable[[], float], book: Phrasebook = ENGLISH,
              wait_s: float = ANSWER_WAIT_S, *, how: str | None = None,
              ) -> Callable[[str], bool | None]:
    """An ``ask`` for :func:`run_checkin` that says each question aloud with how to
    answer (``say``; ``how``: the words for that, the phrasebook's keys by default), then
    waits for a key (``wait_key(deadline)``, None at the deadline: the player's clock):
    y or 1 yes, n or 0 no, s or Enter skips, no key in ``wait_s`` skips; q, Escape or an
    interrupt raise :class:`CheckinStopped`."""
    started = False

    def ask(question: str) -> bool | None:
        nonlocal started
        if not started:
            say(book.checkin_intro)
            started = True
        say(f"{question} {how or book.checkin_keys}")
        deadline = now() + wait_s
        while True:
            key = wait_key(deadline)
            if key is None:
                return None
            key = key.lower()
            if key in YES_KEYS:
                return True
            if key in NO_KEYS:
                return False
            if key in SKIP_KEYS:
                return None
            if key in STOP_KEYS:
                raise CheckinStopped

    return ask


def ask_and_record(journal: Journal, ask: Callable[[str], bool | None],
                   book: Phrasebook = ENGLISH) -> CheckinOutcome | None:
    """Run the check-in through ``ask``; if it is stopped part-way, keep the answers given
    (None when none was)."""
    answers: dict[str, bool | None] = {}
    try:
        for key in CHECKIN_KEYS:
            answers[key] = ask(book.checkin_questions[key])
    except CheckinStopped:
        if not any(v is not None for v in answers.values()):
            return None
    return record_checkin(journal, answers, book=book)


def describe_checkin(c: Checkin) -> str:
    """``painful: yes, more often: no, ...`` (skipped ones say so)."""
    names = {"painful": "painful", "more_often": "more often",
             "weakness": "with weakness, stiffness or spasticity",
             "daily_life": "in the way of daily life"}
    words = {True: "yes", False: "no", None: "skipped"}
    return ", ".join(f"{names[k]}: {words[c.answer(k)]}" for k in CHECKIN_KEYS)
