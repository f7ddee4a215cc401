"""The safety rules of the built-in routines that can be checked mechanically, on every
built-in, at the day rate and at the night rate (night mode slows the voice).

The bounds, and why (docs/routine-safety.md has the sources):

* A static stretch (a ``stretch`` step) is held 30 to 60 seconds: shorter does little for
  tight muscles; longer (up to 2 minutes) only where the routine says why aloud first, as
  MS guidance favours longer sustained stretch for raised tone. The spasticity routine
  holds 45 to 60 seconds, 2 or 3 times, as the guidance for raised tone asks.
* After a stretch's spoken cue, at least ``MOVE_S`` seconds remain to get into position
  (loop a towel, turn) before "And hold", at either rate, measured with the estimate,
  which errs long; a sentence that asks to put, roll or move a towel is followed by a
  wait or by as long before the next sentence (weak or numb hands, often at night).
* The moves the second review found can set off a cramp or a fall: an active heel-to-bottom
  (the back of the thigh pulls), bridging without "if the back of a thigh tightens",
  rubbing a leg before the calf has been looked at for a clot, a forward lean with both
  hands busy (a foot across the knee, a straight-leg towel loop from a chair, any lean
  without a hand holding on), a chair without a back and arms, and pointed toes.
* Every compress carries the burn warning and is time-limited (at most 15 minutes in a
  built-in), with check-ins, and ends with "Remove the compress" exactly on time.
* A routine that breathes says what to do when light-headed before the first breath.
* A rescue routine never asks for a rating before, whatever the settings say.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.audio.speech import SynthesizedSpeech
from crampcoach.cli import cli
from crampcoach.player.clock import FakeClock
from crampcoach.player.events import RatingAsked, SessionEvent
from crampcoach.player.session import RatingChoice, play_session
from crampcoach.routines import library
from crampcoach.routines.compiler import (
    COMPRESS_SAFETY,
    EstimatedSpeechMeter,
    compile_routine,
    iter_steps,
)
from crampcoach.routines.loader import load_routine
from crampcoach.routines.model import Breathe, Compress, Rest, Routine, Say, Stretch, Wait
from crampcoach.routines.timeline import Timeline, Voice
from crampcoach.settings import NightHours, Settings

NAMES = library.builtin_names()
DAY_RATE = Settings().rate
NIGHT_RATE = NightHours().rate
RATES = [pytest.param(DAY_RATE, id="day"), pytest.param(NIGHT_RATE, id="night")]

STATIC_HOLD_S = (30.0, 60.0)
SPASTICITY_HOLD_S = (45.0, 60.0)
SPASTICITY_REPS = (2, 3)
MOVE_S = 10.0
COMPRESS_MAX_S = 15 * 60


def load(name: str) -> Routine:
    return load_routine(name, user_dirs=[])


def compiled(routine: Routine, rate: int) -> Timeline:
    return compile_routine(routine, EstimatedSpeechMeter(), Voice(routine.language or "en", rate))


def test_the_night_rate_is_slower_than_the_day_rate() -> None:
    assert NIGHT_RATE < DAY_RATE


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("name", NAMES)
def test_every_built_in_fits_its_timing_at_day_and_night_rates(name: str, rate: int) -> None:
    timeline = compiled(load(name), rate)
    assert timeline.total > 0


# Slow: real espeak-ng speaks every built-in into a fresh speech cache.
@pytest.mark.slow
def test_check_passes_every_built_in_at_the_night_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    # Night mode lowers the rate to the night rate; the settings' rate stands in for it here.
    monkeypatch.setenv("CRAMPCOACH_RATE", str(NIGHT_RATE))
    result = CliRunner().invoke(cli, ["check", *NAMES])
    assert result.exit_code == 0, result.output
    assert result.stdout == "".join(f"{name}: ok\n" for name in NAMES)


@pytest.mark.realaudio
@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("name", NAMES)
def test_every_stretch_leaves_time_to_get_into_position(
        name: str, rate: int, real_speech: SynthesizedSpeech) -> None:
    # The time a person has is what is left after the real speech (the estimate errs long).
    routine = load(name)
    voice = Voice(routine.language or "en", rate)
    cues = compile_routine(routine, real_speech, voice).cues
    for i, cue in enumerate(cues):
        if cue.role == "intro" and isinstance(routine.steps[cue.step], Stretch):
            hold = cues[i + 1]
            assert hold.role == "hold"
            assert hold.at - cue.end >= MOVE_S, f"{cue.text!r}: {hold.at - cue.end:.1f} s"


#: A hold over the usual bound is allowed up to this, where the routine says why aloud
#: first (MS guidance favours longer sustained stretch for raised tone).
LONGEST_HOLD_S = 120.0


def hold_problems(routine: Routine, least: float, most: float) -> list[str]:
    """Holds shorter than ``least``, over ``LONGEST_HOLD_S``, or over ``most`` without a
    ``say`` before them that gives the reason ("... a longer hold ...")."""
    found = []
    for i, step in enumerate(routine.steps):
        if not isinstance(step, Stretch):
            continue
        said_why = any(isinstance(s, Say) and "longer hold" in s.text.lower()
                       for s in routine.steps[:i])
        if step.hold_s < least or step.hold_s > LONGEST_HOLD_S or (
                step.hold_s > most and not said_why):
            found.append(f"{step.name} holds {step.hold_s:g} s")
    return found


@pytest.mark.parametrize("name", NAMES)
def test_no_static_stretch_is_held_shorter_or_longer_than_the_guidance(name: str) -> None:
    least, most = SPASTICITY_HOLD_S if name == "spasticity-stretch" else STATIC_HOLD_S
    assert hold_problems(load(name), least, most) == []


def test_a_hold_over_a_minute_needs_its_reason_said_first() -> None:
    long = Stretch("Inner thigh stretch", "Let both knees fall apart.", hold_s=90)
    why = Say("Stiff muscles let go slowly, so this is a longer hold: a minute and a half.")
    assert hold_problems(Routine(name="R", steps=(long,)), *STATIC_HOLD_S) == [
        "Inner thigh stretch holds 90 s"]
    assert hold_problems(Routine(name="R", steps=(why, long)), *STATIC_HOLD_S) == []
    assert hold_problems(Routine(name="R", steps=(long, why)), *STATIC_HOLD_S) != []
    too_long = Stretch("Calf stretch", "Draw your toes up.", hold_s=150)
    assert hold_problems(Routine(name="R", steps=(why, too_long)), *STATIC_HOLD_S) != []


def test_the_spasticity_stretches_are_long_and_repeated() -> None:
    stretches = [s for s in load("spasticity-stretch").steps if isinstance(s, Stretch)]
    assert len(stretches) >= 3
    for step in stretches:
        assert SPASTICITY_REPS[0] <= step.reps <= SPASTICITY_REPS[1], step.name


@pytest.mark.parametrize("name", NAMES)
def test_every_compress_carries_the_burn_cue_and_a_time_limit(name: str) -> None:
    routine = load(name)
    timeline = compiled(routine, NIGHT_RATE)
    assert "burn" in COMPRESS_SAFETY
    for index, step in enumerate(routine.steps):
        if not isinstance(step, Compress):
            continue
        assert step.duration_s <= COMPRESS_MAX_S
        cues = [c for c in timeline.cues if c.step == index]
        (intro,) = [c for c in cues if c.role == "intro"]
        assert COMPRESS_SAFETY in intro.text
        (start,) = [c for c in cues if c.role == "start"]
        (end,) = [c for c in cues if c.role == "end"]
        assert end.at - start.at == pytest.approx(step.duration_s)
        assert end.text.startswith("Time is up. Remove the compress.")
        assert [c for c in cues if c.role == "checkin"]


def test_the_compress_routine_does_not_rely_on_a_numb_wrist() -> None:
    text = spoken(load("warm-compress"))
    assert "wrist" not in text
    assert "someone else test" in text
    for words in ("Never lie on the pack.", "Do not use an electric heating pad in bed.",
                  "blurred vision, weakness or tiredness", "Forty degrees Celsius at most.",
                  "Lie on your side, with that leg on top. Or sit, with the leg up on the bed.",
                  "lift the pack and look. If the skin is bright red or blotchy, take it off."):
        assert words in text
    # The position is said before the pack goes on, so nobody lies on it.
    assert text.index("Lie on your side") < text.index("Lay the pack on the upper calf")


def spoken(routine: Routine) -> str:
    return "\n".join(c.text for c in compiled(routine, DAY_RATE).cues if c.kind == "speech")


@pytest.mark.parametrize("name", NAMES)
def test_breathing_routines_say_what_to_do_when_light_headed_before_breathing(name: str) -> None:
    steps = load(name).steps
    first = next((i for i, s in enumerate(steps) if isinstance(s, Breathe)), None)
    if first is None:
        return
    assert any(isinstance(s, Say) and "light-headed" in s.text for s in steps[:first]), name


RESCUES = [n for n in NAMES if load(n).rescue]


def test_the_cramp_rescue_is_a_rescue_routine() -> None:
    assert "cramp-rescue" in RESCUES


@pytest.mark.parametrize("name", RESCUES)
def test_no_rescue_routine_asks_for_a_rating_before(name: str) -> None:
    routine = load(name)
    events: list[SessionEvent] = []
    clock = FakeClock()  # no keys: every wait runs to its max_wait, the rating times out
    play_session(routine, iter_steps(routine, EstimatedSpeechMeter(), Voice()), voice=Voice(),
                 sounds=None, sink_factory=None, clock=clock, observer=events.append,
                 rating=RatingChoice(before=True), input_live=lambda: True, tick_s=None)
    asked = [e.when for e in events if isinstance(e, RatingAsked)]
    assert asked == ["after"]


def test_the_rescue_routine_names_the_urgent_signs_and_never_asks_to_stand() -> None:
    routine = load("cramp-rescue")
    text = spoken(routine)
    for words in ("over ten minutes and will not ease", "Any one of them is enough",
                  "One calf that is swollen, warm or red, or stays painful after the cramp",
                  "Sudden new weakness, or a sudden rise in spasms", "get help now",
                  "If you are breathless or have chest pain, call the emergency number now."):
        assert words in text
    assert "red and warm" not in text  # one sign is enough, not all three together
    assert not re.search(r"\bstand (on|with|up on)\b", text)
    assert "stop if anything hurts" not in text
    # The stretch is held until the cramp eases, with a cap, not for a fixed time.
    # The button is asked for only once the hands have let go of the towel.
    assert any(isinstance(s, Wait) and s.prompt.startswith(
        "When the cramp has eased, slowly let go of the stretch.") for s in routine.steps)
    # A towel or a helper's hand for the calf: foot drop cannot draw the toes up.
    assert "towel" in text
    assert "helper's hand" in text


@pytest.mark.parametrize("name", NAMES)
def test_no_built_in_holds_the_toes_pointed(name: str) -> None:
    # A foot held pointed (sustained plantarflexion) is a classic trigger of calf cramps.
    text = spoken(load(name))
    assert not re.search(r"point (your|the) toes", text, re.IGNORECASE), name


@pytest.mark.parametrize("name", NAMES)
def test_a_bedtime_routine_ends_without_well_done(name: str) -> None:
    routine = load(name)
    if routine.style != "bedtime":
        return
    assert "Well done" not in spoken(routine)
    assert "Goodnight" not in spoken(routine)


def test_the_night_routines_are_bedtime_routines() -> None:
    assert load("evening-calf-relief").style == "bedtime"
    assert load("twitch-wind-down").style == "bedtime"


def test_medicines_are_never_to_be_changed_alone() -> None:
    text = spoken(load("hydration-tips"))
    assert "Never stop or change baclofen, or any other medicine, on your own." in text
    assert "ask your doctor for a blood test" in text
    assert "Drink less in the two hours before bed" in text


def test_the_strength_routines_pace_fatigue_with_waits() -> None:
    for name in ("seated-strength", "bed-strength"):
        steps = load(name).steps
        assert not any(isinstance(s, Stretch) for s in steps)
        assert sum(isinstance(s, Wait) for s in steps) >= 3, name


def test_the_safety_page_covers_every_built_in() -> None:
    page = (Path(__file__).parent.parent / "docs" / "routine-safety.md").read_text()
    headings = re.findall(r"^### (.*)$", page, re.MULTILINE)
    headed = {name for line in headings for name in re.findall(r"`([a-z0-9-]+)`", line)}
    assert headed == set(NAMES)


TOWEL_HANDLING = re.compile(r"\b(put|roll|move|loop)\b[^.]*\btowel\b", re.IGNORECASE)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("name", NAMES)
def test_handling_a_towel_is_given_time(name: str, rate: int) -> None:
    routine = load(name)
    if name == "cramp-rescue":
        # The rescue reads its moves first; the hold that follows is quiet time to do them.
        hold = next(i for i, s in enumerate(routine.steps)
                    if isinstance(s, Say) and s.text.startswith("Hold that gentle stretch"))
        assert isinstance(routine.steps[hold + 1], Rest)
        assert routine.steps[hold + 1].seconds >= 30
        return
    cues = [c for c in compiled(routine, rate).cues if c.kind == "speech"]
    for cue, after in itertools.pairwise(cues):
        step = routine.steps[cue.step]
        if isinstance(step, Say) and TOWEL_HANDLING.search(step.text):
            waits = isinstance(routine.steps[after.step], Wait) and after.step != cue.step
            assert waits or after.at - cue.end >= MOVE_S, (
                f"{name}: {step.text!r}: {after.at - cue.end:.1f} s before {after.text!r}")


HEEL_TO_BOTTOM = re.compile(r"heel (toward|towards|to) your bottom", re.IGNORECASE)
RUBBING = re.compile(r"(?<!not )\b(rub|knead|stroke|massage)\b (the|your|up|from|each)",
                     re.IGNORECASE)
LEG = re.compile(r"calf|calves|leg|thigh|muscle", re.IGNORECASE)
FORWARD_LEAN = re.compile(
    r"across your (other|left|right)? ?knee|keep the leg straight[^.]*\. loop|"
    r"straighten this leg[^.]*\. loop", re.IGNORECASE)
FOOT_LOOP = re.compile(r"loop the towel (around|under|round) (the ball|the toes|the foot|this "
                       r"foot|your foot)", re.IGNORECASE)


def said_in(routine: Routine, rate: int) -> list[tuple[int, str]]:
    """(step index, text) of every speech cue of ``routine`` compiled at ``rate``."""
    return [(c.step, c.text) for c in compiled(routine, rate).cues if c.kind == "speech"]


def cramp_trigger_problems(routine: Routine, rate: int) -> list[str]:
    """The moves the second review found can set off a cramp or a fall, as sentences."""
    said = said_in(routine, rate)
    texts = [t for _, t in said]
    found: list[str] = []
    for i, (step, text) in enumerate(said):
        # Bending the knee with the back of the thigh is a classic cramp trigger: the heel
        # comes in by a hand, a towel or a helper, and the person is told not to pull.
        if HEEL_TO_BOTTOM.search(text):
            near = " ".join(t for s, t in said[i:i + 2] if s in (step, step + 1))
            if not re.search(r"\b(hand|towel|helper)\b", text) or (
                    "Do not pull with the back of the thigh." not in near):
                found.append(f"active heel-to-bottom: {text!r}")
        if re.search(r"\bbridg|lift your hips", text, re.IGNORECASE):
            around = " ".join(texts[max(0, i - 2):i + 4])
            if ("If the back of a thigh tightens, lower down, and straighten that leg."
                    not in around or "close to your bottom" not in around):
                found.append(f"bridging without the cue: {text!r}")
    return found


def clot_check_problems(routine: Routine, rate: int) -> list[str]:
    """Rubbing a leg before a wait that looks at the calves for a clot."""
    checks = [i for i, s in enumerate(routine.steps) if isinstance(s, Wait)
              and all(w in s.prompt for w in ("swollen", "warm", "red"))
              and re.search(r"do not (rub|massage|stretch)", s.prompt)]
    return [f"massage before the clot check: {text!r}" for step, text in said_in(routine, rate)
            if RUBBING.search(text) and LEG.search(text) and not (checks and checks[0] < step)]


def lean_problems(routine: Routine, rate: int) -> list[str]:
    """A forward lean with both hands busy, a lean without a hand holding on, or a chair
    without a back and arms."""
    said = said_in(routine, rate)
    found = [f"unsupported forward lean: {m.group(0)!r}"
             for m in FORWARD_LEAN.finditer("\n".join(t for _, t in said))]
    for step, t in said:
        # A towel round a foot: the knee bends first, then the heel slides out.
        if FOOT_LOOP.search(t) and not (re.search(r"bend (this|your \w+) knee", t,
                                                  re.IGNORECASE) or "helper" in t):
            found.append(f"towel looped round a straight leg: {t!r}")
        for sentence in re.split(r"(?<=[.?!])\s+", t):
            same = " ".join(x for s, x in said if s == step)
            if re.search(r"(?<!a )\blean\b", sentence, re.IGNORECASE) and not re.search(
                    r"\b(hold|hand|armrest)\b", same, re.IGNORECASE):
                found.append(f"a lean without holding on: {sentence!r}")
        if re.search(r"\ba (firm )?chair\b", t) and not re.search(
                r"chair with (a back and )?arms", t):
            found.append(f"a chair without arms: {t!r}")
    return found


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("name", NAMES)
def test_no_move_that_can_set_off_a_cramp_or_a_fall(name: str, rate: int) -> None:
    routine = load(name)
    assert [*cramp_trigger_problems(routine, rate), *clot_check_problems(routine, rate),
            *lean_problems(routine, rate)] == []


def test_the_review_checks_find_what_the_old_built_ins_said() -> None:
    """The checks above fail on the moves the second review quoted."""
    old = Routine(name="Old", steps=(
        Say("For the front of the thigh: lie on your side. Ease the heel toward your bottom."),
        Say("Bridging: bend both knees, with your feet flat on the bed."),
        Say("Gently lift your hips a little way, then lower them slowly."),
        Say("Now rub the muscle gently, with slow, firm strokes."),
        Say("Rest your left foot across your right knee, or on the bed."),
        Stretch("Calf stretch", "Straighten this leg, heel on the floor. Loop the towel around "
                "the ball of the foot, and gently draw your toes toward you.", hold_s=30,
                prepare_s=30),
        Say("Sit on a firm chair. Lean forward and reach for your feet."),
        Wait("Check your legs", "If a calf is swollen, red and warm, do not rub it."),
    ))
    for rate in (DAY_RATE, NIGHT_RATE):
        assert [p.split(":")[0] for p in cramp_trigger_problems(old, rate)] == [
            "active heel-to-bottom", "bridging without the cue", "bridging without the cue"]
        assert clot_check_problems(old, rate) == [
            "massage before the clot check: 'Now rub the muscle gently, with slow, firm "
            "strokes.'"]
        assert [p.split(":")[0] for p in lean_problems(old, rate)] == [
            "unsupported forward lean", "unsupported forward lean",
            "towel looped round a straight leg", "a lean without holding on",
            "a chair without arms"]


DAYTIME = ("daily-stretch", "feet-and-toes", "seated-strength", "bed-strength", "self-massage",
           "hydration-tips", "carer-stretches", "wheelchair-routine")


@pytest.mark.parametrize("name", NAMES)
def test_daytime_routines_say_so(name: str) -> None:
    routine = load(name)
    assert routine.description.endswith("For the daytime.") == (name in DAYTIME), name
    if name in DAYTIME:
        assert routine.style not in ("bedtime", "rescue"), name


def test_there_are_at_least_twenty_built_ins_including_what_a_physiotherapist_expects() -> None:
    assert len(NAMES) >= 20
    for name in ("spasm-rescue", "night-positioning", "morning-stiffness", "carer-stretches",
                 "wheelchair-routine", "hands-and-forearms"):
        assert name in NAMES
    assert load("spasm-rescue").rescue
    assert load("night-positioning").style == "bedtime"
    positioning = spoken(load("night-positioning"))
    assert "Put a pillow between your knees" in positioning
    assert "on your side" in positioning or "onto whichever side" in positioning
    carer = spoken(load("carer-stretches"))
    assert "This routine speaks to you, the carer." in carer
    assert "the person's own left and right" in carer
    wheelchair = spoken(load("wheelchair-routine"))
    assert wheelchair.index("Put both brakes on.") < wheelchair.index("Side lean")
    assert "Relieve the pressure on your seat" in wheelchair


def test_twitching_is_pointed_to_warmth_or_massage() -> None:
    text = spoken(load("twitch-wind-down"))
    assert "warmth or a gentle massage can ease a twitching muscle" in text
    # It lies the person down and never asks them to sit after that.
    assert "Sit or lie" not in text


def test_the_smaller_fixes_are_there() -> None:
    assert "If a hold feels hard, shorten it" in spoken(load("breathing-4-7-8"))
    hydration = spoken(load("hydration-tips"))
    assert "Move gently" not in hydration
    assert "If you have kidney disease" in hydration
    seated = spoken(load("seated-strength"))
    assert "a firm chair with arms" in seated
    assert "put the brakes on" in seated
    for name in ("seated-strength", "bed-strength", "spasm-rescue"):
        assert "Sudden new weakness is different. Contact your MS team today." in spoken(
            load(name)), name
    assert "sit up first, then take a sip of water" in spoken(load("cramp-rescue"))
    assert "Now curl your toes only halfway" in spoken(load("feet-and-toes"))
