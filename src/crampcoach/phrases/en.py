"""English: the phrasebook every other language is translated from."""

from __future__ import annotations

from crampcoach.phrases import Phrasebook


def duration(seconds: float) -> str:
    """``90`` -> ``"1 minute 30 seconds"``; ``7.5`` -> ``"7.5 seconds"``."""
    whole = int(seconds)
    if seconds != whole or seconds < 60:
        value = f"{seconds:g}"
        return f"{value} second" if value == "1" else f"{value} seconds"
    minutes, rest = divmod(whole, 60)
    parts = [f"{minutes} minute" + ("" if minutes == 1 else "s")]
    if rest:
        parts.append(f"{rest} second" + ("" if rest == 1 else "s"))
    return " ".join(parts)


_TO_NEUROLOGIST = (
    "It would be good to talk to your neurologist about it; they can review your "
    "medicines and what else may help. This is guidance, not a diagnosis."
)
_PRESS_A_NUMBER = "Press a number from 0, for none, to 10, for the worst."

PHRASES = Phrasebook(
    language="en",
    numbers=("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
             "nine", "ten"),
    duration=duration,
    opening="{routine}. Move gently, and stop if anything hurts.",
    closing="That is the end of {routine}. Well done.",
    next_up="{text} Next up: {title}.",
    part_opening="Opening",
    part_closing="Closing",
    stretch_times=" {reps} times.",
    stretch_times_each_side=" {reps} times on each side.",
    stretch_side=" {side} side.",
    stretch_intro="{name}.{times}{side} {cue}",
    stretch_switch="Switch to the {side} side. {cue}",
    stretch_again="{name} again, {rep} of {reps}.{side} {cue}",
    sides={"left": "left", "right": "right"},
    hold_for="And hold for {duration}.",
    release="And release.",
    breathe_in_for="in for {seconds}",
    breathe_hold_for="hold for {seconds}",
    breathe_out_for="out for {seconds}",
    one_breath="One breath",
    breaths="{count} breaths",
    follow={"words": "my voice", "tones": "the tones", "both": "my voice and the tones"},
    breathe_intro="{name}. Breathe {parts}. {breaths}. Follow {follow}.",
    breathe_list_separator=", ",
    phase_in="Breathe in",
    phase_hold="Hold",
    phase_out="Breathe out",
    breathe_end="And breathe normally.",
    compress_safety=(
        "Use a compress that feels comfortably warm, never hot. "
        "Numb skin may not feel heat, so test it on the inside of your wrist first. "
        "If it ever feels hot, take it off at once."
    ),
    compress_intro="{name}. {safety} Place it now.",
    compress_on=("Compress on. Rest and breathe slowly. "
                 "I will tell you when {amount} {verb} up."),
    compress_verb_one="is",
    compress_verb_many="are",
    compress_checkin=("Check in. The compress should feel warm, not hot. "
                      "If it feels hot, take it off now."),
    compress_end="Time is up. Remove the compress.",
    get_ready="Carrying on in three, two, one.",
    paused="Paused.",
    paused_compress="Paused. Take the compress off while we wait.",
    resume_compress="Put the compress back on now.",
    compress_remove_now="Remove the compress now.",
    rating_before=f"Before we start: how are your cramps right now? {_PRESS_A_NUMBER}",
    rating_after=f"How are your cramps now? {_PRESS_A_NUMBER}",
    spoken_rating_before=("Before we start: how are your cramps right now, "
                          "from zero, for none, to ten, for the worst?"),
    spoken_rating_after="How are your cramps now, from zero, for none, to ten, for the worst?",
    rating_reminder="When you are ready, press a number from 0 to 10. Or press q to skip.",
    rating_invalid="Please press a number from 0 to 10.",
    rating_thanks="Thank you. Your rating is {value}.",
    advice_high=("You rated your cramps {rating} out of 10. That is a lot to live with. "
                 + _TO_NEUROLOGIST),
    advice_worsening=("Your cramp ratings have been getting worse over the last week. "
                      + _TO_NEUROLOGIST),
    button_hint=("Press the button once for each point, from zero to ten. "
                 "Then hold it down for a second to confirm."),
    button_count_confirmed="{Word}. Thank you.",
    spoken_prompt="Please say a number from zero to ten.",
    spoken_confirmed="Thank you. {Word} it is.",
    spoken_heard="I heard {word}. Say yes to keep it, or say the number again.",
    spoken_sorry="Sorry. {prompt}",
    spoken_retry="I did not catch that.",
    spoken_gave_up="I did not get a rating.",
    hands_free_fallback="Using the keys instead.",
    shown_step="Step {index} of {count}{title}{upcoming}",
    shown_step_title=": {title}",
    shown_next=" (next: {title})",
    shown_paused="Paused. Press {pause_key} to carry on, {quit_key} to stop.",
    shown_resumed="Carrying on in {seconds} seconds.",
    shown_skipped_to_closing="Skipped to the closing.",
    shown_skipped_to_step="Skipped to step {index} of {count}{title}.",
    shown_note="Note: {text}",
    shown_night=("Night mode (until {end}): speech at {rate} words per minute, "
                 "volume at most {volume}, softer tones."),
    shown_night_rate_kept=("Night mode (until {end}): volume at most {volume}, softer tones; "
                           "speech stays at {rate} words per minute, as this routine does "
                           "not fit at {night_rate}."),
    status_times=" | step {step} left | session {session} left",
    status_next=" | next: {title}",
    shown_finished="Session finished.",
    shown_stopped_in_opening="Stopped during the opening.",
    shown_stopped_at="Stopped at step {index}{of}.",
    shown_of_count=" of {count}",
    shown_typed="  {digits} (press 0 for 10, or Enter)",
    shown_no_rating="No rating: {reason}.",
    no_rating_in_time="no answer in time; the session is kept without a rating",
    no_rating_skipped="skipped",
    no_rating_no_keyboard="no keyboard to answer with",
    no_rating_not_confirmed="no number was confirmed aloud",
)
