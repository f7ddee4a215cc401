"""What a phrasebook holds: the :class:`Phrasebook` of one language's sentences.

Apart from the package's lookups (``crampcoach.phrases``) so that ``en.py``, the English
source, and the catalogs' readers both import it without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

#: The form of a counted word for ``n``: (context, singular, plural, n) -> the form,
#: as :meth:`gettext.GNUTranslations.npgettext` gives it from a catalog's plural rule.
Plural = Callable[[str, str, str, int], str]


def english_plural(context: str, singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


@dataclass(frozen=True, slots=True)
class Phrasebook:
    """Sentences of one language. ``{name}`` fields are filled in with ``str.format``."""

    language: str
    #: "zero" to "ten": countdowns, the button's count and the spoken rating.
    numbers: tuple[str, ...]
    #: A duration's words, singular and plural ("{n} second", "{n} seconds"): the English
    #: forms, which are the keys a catalog translates with its own plural rule.
    second_forms: tuple[str, str]
    minute_forms: tuple[str, str]
    duration_join: str  # {minutes} {seconds}: "1 minute 30 seconds"
    decimal_point: str  # "7.5 seconds"; "7,5 Sekunden"

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
    #: How to say "ready" after a wait's prompt, by the inputs connected: the button and
    #: keys, the button only, keys only, or neither (the session carries on by itself).
    wait_hint: str
    wait_hint_button: str
    wait_hint_keys: str
    wait_hint_none: str
    wait_prompt: str  # {prompt} {hint}
    wait_reminder: str  # {prompt} {hint}
    #: What a rendered file says instead of the wait's hint (a file has no button).
    wait_in_file: str

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
    #: Said as a pause that went on too long ends the session.
    pause_ended: str

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
    #: Said before the check-in's questions after a session, and how to answer each.
    checkin_intro: str
    checkin_keys: str
    #: How to answer a check-in question with the bedside button (waiting skips it).
    checkin_button: str
    button_hint: str
    #: The rating question when the GPIO button answers (short: every press is counted
    #: aloud as it comes), without and with keys that can answer too.
    button_rating: str
    button_or_keys_rating: str
    button_count_confirmed: str  # {Word}
    spoken_prompt: str
    spoken_confirmed: str  # {Word}
    spoken_heard: str  # {word}
    spoken_sorry: str  # {prompt}
    spoken_retry: str
    spoken_gave_up: str
    hands_free_fallback: str
    hands_free_fallback_button: str
    spoken_rating_language: str
    voice_fallback: str

    # --- the bedside service (its controls, each answered aloud) ----------------------------
    bedside_busy: str  # {routine}
    bedside_nothing_playing: str
    bedside_already_paused: str
    bedside_not_paused: str
    bedside_stopped: str
    bedside_cannot_start: str  # {routine}
    #: The same when the routine's name is not known (a file path is never read aloud).
    bedside_cannot_start_unnamed: str
    #: The routine asked for cannot be played: the built-in rescue plays instead.
    bedside_routine_fallback: str
    #: Said when the service starts with settings that have a mistake.
    bedside_settings_fallback: str
    #: "continue" when nothing waits for the person to be ready.
    bedside_not_waiting: str

    # --- what the screen shows -----------------------------------------------------------
    shown_step: str  # {index} {count} {title} {upcoming}
    shown_step_title: str  # {title}
    shown_next: str  # {title}
    shown_paused: str  # {pause_key} {quit_key}
    shown_resumed: str  # {seconds}
    shown_speech_late: str  # {title} {seconds}
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

    #: The catalog's plural rule (English: one is singular, everything else plural).
    plural: Plural = english_plural

    def number(self, n: int) -> str:
        """``n`` as a word where the book has one (0 to 10), else in digits."""
        return self.numbers[n] if 0 <= n < len(self.numbers) else str(n)

    def decimal(self, value: float) -> str:
        """``7.5`` -> ``"7.5"`` (``"7,5"`` in German); whole numbers without a point."""
        return f"{value:g}".replace(".", self.decimal_point)

    def duration(self, seconds: float) -> str:
        """``90`` -> ``"1 minute 30 seconds"``; ``7.5`` -> ``"7.5 seconds"``."""
        whole = int(seconds)
        if seconds != whole or seconds < 60:
            # A fraction takes the form for 2 ("1.5 seconds", "1,5 Sekunden"), which is
            # right in every language here; so does 0 (French counts 0 as singular, and
            # its singular says "une" in words).
            n = whole if seconds == whole and whole else 2
            return self._counted("second_forms", n, self.decimal(seconds))
        minutes, rest = divmod(whole, 60)
        said = self._counted("minute_forms", minutes, str(minutes))
        if rest:
            said = self.duration_join.format(
                minutes=said, seconds=self._counted("second_forms", rest, str(rest)))
        return said

    def _counted(self, forms: str, n: int, said: str) -> str:
        singular, plural = getattr(self, forms)
        return self.plural(forms, singular, plural, n).format(n=said)
