"""Facts of the care model that the player and the journal share: how a session can end,
when a rating is asked before a routine, and when a rating calls for advice.

The ``red_flag_threshold`` setting carries the one in effect to the player (the advice
after a rating), to ``rate`` and to ``history`` (what is worth raising); this is only
its default.
"""

from __future__ import annotations

from typing import Literal

#: How a session ended. "interrupted": Ctrl-C or SIGTERM, or, in the journal, a session
#: whose end was never recorded (killed, power cut).
Outcome = Literal["finished", "stopped", "interrupted"]

#: A rating at or above this calls for the advice to talk to the neurologist.
RED_FLAG_RATING = 8
#: The days of ratings the red flags look back over.
RED_FLAG_DAYS = 7


def asks_rating_before(wanted: bool, rescue: bool) -> bool:
    """Whether a rating is asked before a routine: when ``wanted``, and never before a
    rescue routine (a cramp happening now: help comes first, whatever the settings)."""
    return wanted and not rescue
