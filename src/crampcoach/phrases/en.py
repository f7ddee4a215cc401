"""English: the phrasebook every other language is translated from.

Each value here is the ``msgid`` of a catalog entry whose ``msgctxt`` is the field's name
(see :mod:`crampcoach.phrases`); after changing one, run ``make catalogs`` and translate
what it marks as new or changed in every ``locale/*/LC_MESSAGES/crampcoach.po``.
"""

from __future__ import annotations

from crampcoach.phrases.book import Phrasebook

_TO_NEUROLOGIST = (
    "It would be good to talk to your neurologist about it; they can review your "
    "medicines and what else may help. This is guidance, not a diagnosis."
)
_PRESS_A_NUMBER = "Press a number from 0, for none, to 10, for the worst."

PHRASES = Phrasebook(
    language="en",
    numbers=("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
             "nine", "ten"),
    second_forms=("{n} second", "{n} seconds"),
    minute_forms=("{n} minute", "{n} minutes"),
    duration_join="{minutes} {seconds}",
    decimal_point=".",
    opening="{routine}. Move gently, and stop if anything hurts.",
    closing="That is the end of {routine}. Well done.",
    # A rescue routine is for pain already there, so it does not open with "stop if
    # anything hurts"; a bedtime or rescue routine ends towards rest, without "Well done"
    # (see docs/routine-safety.md).
    style_openings={
        "breathing": "{routine}. Breathe softly. Never force a breath.",
        "bedtime": "{routine}. Get comfortable, and go gently. Stop if anything hurts.",
        "rescue": "{routine}. This will pass. We will ease it gently, together.",
        "guidance": "{routine}. Sit or lie comfortably, and listen.",
    },
    style_closings={
        "breathing": "That is the end of {routine}. Let your breathing find its own pace.",
        "bedtime": "That is all for {routine}. Rest well.",
        "rescue": "That is the end of {routine}. Rest now, and go gently.",
        "guidance": "That is the end of {routine}.",
    },
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
    # Hands are often numb in MS too, so the warmth is tested by someone else or a
    # thermometer, not on the person's own wrist.
    compress_safety=(
        "Use a compress that feels comfortably warm, never hot. "
        "Numb skin can miss a burn, so have someone else test it, or use a thermometer. "
        "Keep a cloth between it and your skin. "
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
    wait_hint="When you are ready, press the button or the next key.",
    wait_hint_button="When you are ready, press the button.",
    wait_hint_keys="When you are ready, press the next key.",
    wait_hint_none="I will carry on by myself in a little while.",
    wait_prompt="{prompt} {hint}",
    wait_reminder="Take your time. {prompt} {hint}",
    wait_in_file="Take your time, and pause the recording if you need longer.",
    get_ready="Carrying on in three, two, one.",
    paused="Paused.",
    paused_compress="Paused. Take the compress off while we wait.",
    resume_compress="Put the compress back on now.",
    compress_remove_now="Remove the compress now.",
    wait_resume="Carrying on.",
    pause_ended="The pause went on a long time, so this session has ended.",
    rating_before=f"Before we start: how are your cramps right now? {_PRESS_A_NUMBER}",
    rating_after=f"How are your cramps now? {_PRESS_A_NUMBER}",
    spoken_rating_before=("Before we start: how are your cramps right now, "
                          "from zero, for none, to ten, for the worst?"),
    spoken_rating_after="How are your cramps now, from zero, for none, to ten, for the worst?",
    # Offered, not demanded, so that answering costs nothing.
    gentle_rating_after=("Only if you like: how are your cramps now? "
                         "Press a number from 0, for none, to 10, for the worst, or q to skip."),
    spoken_gentle_rating_after=("Only if you like: how are your cramps now, "
                                "from zero, for none, to ten, for the worst?"),
    rating_reminder="When you are ready, press a number from 0 to 10. Or press q to skip.",
    rating_invalid="Please press a number from 0 to 10.",
    rating_thanks="Thank you. Your rating is {value}.",
    advice_high=("You rated your cramps {rating} out of 10. That is a lot to live with. "
                 + _TO_NEUROLOGIST),
    advice_worsening=("Your cramp ratings have been getting worse over the last week. "
                      + _TO_NEUROLOGIST),
    # Signs that need help now rather than a talk with the neurologist later (a cramp that
    # will not ease, a possible clot, a possible relapse, a possible infection); said
    # calmly. Guidance, not diagnosis: the reasons are in docs/routine-safety.md.
    urgent_help=("Get help now, without waiting, if a cramp lasts over 10 minutes and will not "
                 "ease, if one calf is swollen, painful, warm or red, if new weakness comes on "
                 "suddenly, or if spasms suddenly get much worse. If you are breathless or "
                 "have chest pain, call the emergency number now."),
    # The four signs the source advice names for seeing the neurologist, asked once a week.
    checkin_questions={
        "painful": "Are your cramps, spasms or twitching painful?",
        "more_often": "Are they coming more often than before?",
        "weakness": "Do they come with weakness, stiffness or spasticity?",
        "daily_life": "Are they getting in the way of daily life?",
    },
    checkin_clear=("Thank you. Nothing in these answers calls for a change; keep going gently. "
                   "This is guidance, not a diagnosis."),
    checkin_raise=("Thank you. You said the cramps are {signs}. That is worth talking over with "
                   "your neurologist soon; they can review your medicines and what else may "
                   "help. This is guidance, not a diagnosis."),
    checkin_signs={
        "painful": "painful",
        "more_often": "coming more often",
        "weakness": "coming with weakness, stiffness or spasticity",
        "daily_life": "getting in the way of daily life",
    },
    checkin_and="and",
    checkin_intro="Time for the weekly check-in: four short questions.",
    checkin_keys="Press y or 1 for yes, n or 0 for no, or s to skip.",
    checkin_button=("Press the button once for yes. Hold it down for no. "
                    "Or just wait, to skip."),
    button_hint=("Press the button once for each point, from zero to ten. "
                 "Then hold it down for a second to confirm."),
    button_count_confirmed="{Word}. Thank you.",
    button_rating=("How are your cramps, from 0 to 10? "
                   "Press the button once for each point, then hold it."),
    button_or_keys_rating=("How are your cramps, from 0 to 10? Press a number, "
                           "or the button once for each point, then hold it."),
    spoken_prompt="Please say a number from zero to ten.",
    spoken_confirmed="Thank you. {Word} it is.",
    spoken_heard="I heard {word}. Say yes to keep it, or say the number again.",
    spoken_sorry="Sorry. {prompt}",
    spoken_retry="I did not catch that.",
    spoken_gave_up="I did not get a rating.",
    hands_free_fallback="Using the keys instead.",
    hands_free_fallback_button="Using the button or the keys instead.",
    spoken_rating_language="The spoken rating understands only English.",
    voice_fallback="The natural voice cannot be used, so the standard voice speaks instead.",
    bedside_busy="{routine} is already playing.",
    bedside_nothing_playing="Nothing is playing just now.",
    bedside_already_paused="Already paused.",
    bedside_not_paused="Already playing.",
    bedside_stopped="Stopped.",
    bedside_cannot_start=("{routine} cannot be played just now. "
                          "Your carer can see why in the service's log."),
    bedside_cannot_start_unnamed=("That routine cannot be played just now. "
                                  "Your carer can see why in the service's log."),
    bedside_routine_fallback="That routine cannot be played just now, so here is the cramp rescue.",
    bedside_settings_fallback=("The settings have a mistake, so safe settings are used for now. "
                               "Your carer can see why in the service's log."),
    bedside_not_waiting="Nothing is waiting for you to be ready just now.",
    shown_step="Step {index} of {count}{title}{upcoming}",
    shown_step_title=": {title}",
    shown_next=" (next: {title})",
    shown_paused="Paused. Press {pause_key} to carry on, {quit_key} to stop.",
    shown_resumed="Carrying on in {seconds} seconds.",
    shown_speech_late=("The speech for {title} was not ready in time: "
                       "from here everything is {seconds} seconds later than planned."),
    shown_waiting=("Waiting until you are ready (at most {duration}). "
                   "Press {next_key} or {pause_key} to carry on."),
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
    no_rating_before_no_way=("the question before the session needs a keyboard, the button or "
                             "the spoken rating"),
    no_rating_not_confirmed="no number was confirmed aloud",
)
