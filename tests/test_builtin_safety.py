"""The safety rules of the built-in routines that can be checked mechanically, on every
built-in, at the day rate and at the night rate (night mode slows the voice).

The bounds, and why (docs/routine-safety.md has the sources):

* A static stretch (a ``stretch`` step) is held 30 to 60 seconds, as MS physiotherapy
  guidance advises: shorter does little for tight muscles, longer than a minute is more
  than a tired body should be asked for unsupervised. The spasticity routine holds 45 to
  60 seconds, 2 or 3 times, as the issue and the guidance for raised tone ask.
* After a stretch's spoken cue, at least ``MOVE_S`` seconds remain to get into position
  (loop a towel, turn) before "And hold", measured with the estimate, which errs long.
* Every compress carries the burn warning and is time-limited (at most 15 minutes in a
  built-in), with check-ins, and ends with "Remove the compress" exactly on time.
* A routine that breathes says what to do when light-headed before the first breath.
* A rescue routine never asks for a rating before, whatever the settings say.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.audio.speech import SpeechCache, SynthesizedSpeech
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
from crampcoach.routines.model import Breathe, Compress, Routine, Say, Stretch, Wait
from crampcoach.routines.timeline import Timeline, Voice
from crampcoach.settings import NightHours, Settings

NAMES = library.builtin_names()
DAY_RATE = Settings().rate
NIGHT_RATE = NightHours().rate
RATES = [pytest.param(DAY_RATE, id="day"), pytest.param(NIGHT_RATE, id="night")]

STATIC_HOLD_S = (30.0, 60.0)
SPASTICITY_HOLD_S = (45.0, 60.0)
SPASTICITY_REPS = (2, 3)
MOVE_S = 5.0
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


def test_check_passes_every_built_in_at_the_night_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    # Night mode lowers the rate to the night rate; the settings' rate stands in for it here.
    monkeypatch.setenv("CRAMPCOACH_RATE", str(NIGHT_RATE))
    result = CliRunner().invoke(cli, ["check", *NAMES])
    assert result.exit_code == 0, result.output
    assert result.stdout == "".join(f"{name}: ok\n" for name in NAMES)


@pytest.fixture(scope="module")
def real_speech(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynthesizedSpeech]:
    with SynthesizedSpeech(SpeechCache(tmp_path_factory.mktemp("safety-speech"))) as speech:
        yield speech


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


@pytest.mark.parametrize("name", NAMES)
def test_no_static_stretch_is_held_shorter_or_longer_than_the_guidance(name: str) -> None:
    least, most = SPASTICITY_HOLD_S if name == "spasticity-stretch" else STATIC_HOLD_S
    for step in load(name).steps:
        if isinstance(step, Stretch):
            assert least <= step.hold_s <= most, f"{name}: {step.name} holds {step.hold_s:g} s"


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
                  "blurred vision, weakness or tiredness"):
        assert words in text


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
    for words in ("over ten minutes and will not ease", "swollen, red and warm",
                  "Sudden new weakness, or a sudden rise in spasms", "get help now"):
        assert words in text
    assert not re.search(r"\bstand (on|with|up on)\b", text)
    assert "stop if anything hurts" not in text
    # The stretch is held until the cramp eases, with a cap, not for a fixed time.
    assert any(isinstance(s, Wait) and "until the cramp eases" in s.prompt
               for s in routine.steps)
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
