"""The phrasebook: every fixed sentence a session speaks or shows, one table per language.

A translator edits one file (``en.py`` is the model: copy it, translate the values, keep
the ``{names}`` in braces, and add the table to :data:`BOOKS`). Routine text (names,
cues, ``say`` lines) is the author's and never comes from here. A language without a
table falls back to English (:func:`phrasebook`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

#: Says a duration in words: 90 -> "1 minute 30 seconds".
SayDuration = Callable[[float], str]


@dataclass(frozen=True, slots=True)
class Phrasebook:
    """Sentences of one language. ``{name}`` fields are filled in with ``str.format``."""

    language: str
    #: "zero" to "ten": countdowns, the button's count and the spoken rating.
    numbers: tuple[str, ...]
    duration: SayDuration

    # --- the timeline (the compiler) ---------------------------------------------------
    opening: str  # {routine}
    closing: str  # {routine}
    #: By the routine's ``style`` (breathing, bedtime, rescue); "standard" is ``opening``
    #: and ``closing`` above.
    style_openings: Mapping[str, str]  # {routine}
    style_closings: Mapping[str, str]  # {routine}
    next_up: str  # {text} {title}
    part_opening: str
    part_closing: str
    stretch_times: str  # {reps}
    stretch_times_each_side: str  # {reps}
    stretch_side: str  # {side}
    stretch_intro: str  # {name} {times} {side} {cue}
    stretch_switch: str  # {side} {cue}
    stretch_again: str  # {name} {rep} {reps} {side} {cue}
    sides: Mapping[str, str]  # left/right as said in "Switch to the {side} side"
    hold_for: str  # {duration}
    release: str
    breathe_in_for: str  # {seconds}
    breathe_hold_for: str  # {seconds}
    breathe_out_for: str  # {seconds}
    one_breath: str
    breaths: str  # {count}
    follow: Mapping[str, str]  # guide -> what to follow
    breathe_intro: str  # {name} {parts} {breaths} {follow}
    breathe_list_separator: str
    phase_in: str
    phase_hold: str
    phase_out: str
    breathe_end: str
    compress_safety: str
    compress_intro: str  # {name} {safety}
    compress_on: str  # {amount} {verb}
    compress_verb_one: str
    compress_verb_many: str
    compress_checkin: str
    compress_end: str
    wait_hint: str
    wait_prompt: str  # {prompt} {hint}
    wait_reminder: str  # {prompt} {hint}

    # --- controls ------------------------------------------------------------------------
    get_ready: str
    paused: str
    #: Said on a pause while a warm compress is on (time under heat stays bounded).
    paused_compress: str
    #: Said on resuming a compress step, before the get-ready.
    resume_compress: str
    #: Said and shown when a session stops or skips while a compress may be on.
    compress_remove_now: str
    wait_resume: str

    # --- the rating ----------------------------------------------------------------------
    rating_before: str
    rating_after: str
    spoken_rating_before: str
    spoken_rating_after: str
    #: After a routine that ends towards rest or sleep (its style bedtime or rescue).
    gentle_rating_after: str
    spoken_gentle_rating_after: str
    rating_reminder: str
    rating_invalid: str
    rating_thanks: str  # {value}
    advice_high: str  # {rating}
    advice_worsening: str
    #: The urgent tier, said after the advice and shown after the journal's red flags.
    urgent_help: str
    #: The weekly check-in after a session (or ``crampcoach checkin``): the four questions
    #: by key (painful, more_often, weakness, daily_life), asked in that order, then what is
    #: said after the answers.
    checkin_questions: Mapping[str, str]
    checkin_clear: str
    checkin_raise: str  # {signs}
    #: How each yes is named in checkin_raise ("painful and getting in the way of ...").
    checkin_signs: Mapping[str, str]
    checkin_and: str
    button_hint: str
    button_count_confirmed: str  # {Word}
    spoken_prompt: str
    spoken_confirmed: str  # {Word}
    spoken_heard: str  # {word}
    spoken_sorry: str  # {prompt}
    spoken_retry: str
    spoken_gave_up: str
    hands_free_fallback: str

    # --- what the screen shows -----------------------------------------------------------
    shown_step: str  # {index} {count} {title} {upcoming}
    shown_step_title: str  # {title}
    shown_next: str  # {title}
    shown_paused: str  # {pause_key} {quit_key}
    shown_resumed: str  # {seconds}
    shown_waiting: str  # {duration} {next_key} {pause_key}
    shown_skipped_to_closing: str
    shown_skipped_to_step: str  # {index} {count} {title}
    shown_note: str  # {text}
    shown_night: str  # {end} {rate} {volume}
    shown_night_rate_kept: str  # {end} {rate} {night_rate} {volume}
    status_times: str  # {step} {session}
    status_next: str  # {title}
    shown_finished: str
    shown_stopped_in_opening: str
    shown_stopped_at: str  # {index} {of}
    shown_of_count: str  # {count}
    shown_typed: str  # {digits}
    shown_no_rating: str  # {reason}
    no_rating_in_time: str
    no_rating_skipped: str
    no_rating_no_keyboard: str
    #: A rating before the session was asked for, and nothing can answer it.
    no_rating_before_no_way: str
    no_rating_not_confirmed: str

    def number(self, n: int) -> str:
        """``n`` as a word where the book has one (0 to 10), else in digits."""
        return self.numbers[n] if 0 <= n < len(self.numbers) else str(n)


def _books() -> dict[str, Phrasebook]:
    from crampcoach.phrases import en

    return {"en": en.PHRASES}


#: The phrasebooks by language code (the part before any "-": "en-gb" uses "en").
BOOKS: dict[str, Phrasebook] = _books()
ENGLISH = BOOKS["en"]


def phrasebook(language: str) -> Phrasebook:
    """The phrasebook for a routine's ``language`` ("de", "en-gb", "pt-BR"); English
    when there is none for it."""
    code = language.strip().lower().replace("_", "-")
    return BOOKS.get(code) or BOOKS.get(code.split("-")[0]) or ENGLISH


def has_phrasebook(language: str) -> bool:
    code = language.strip().lower().replace("_", "-")
    return code in BOOKS or code.split("-")[0] in BOOKS
