"""The built-in routine library: every routine loads, fits its timing, and is safe.

These routines are what a tired person hears in bed at night, so their safety rules are
checked here as facts about the shipped files, not left to review alone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.audio.speech import SynthesizedSpeech
from crampcoach.cli import cli
from crampcoach.routines import library
from crampcoach.routines.compiler import EstimatedSpeechMeter, compile_routine
from crampcoach.routines.loader import load_routine
from crampcoach.routines.model import Breathe, Compress, Routine, Say, Stretch
from crampcoach.routines.timeline import Timeline, Voice

EXPECTED = {
    "daily-stretch", "evening-calf-relief", "feet-and-toes", "cramp-rescue",
    "box-breathing", "breathing-4-7-8", "resonance-breathing", "warm-compress",
    "twitch-wind-down", "seated-strength", "bed-strength", "self-massage", "spasticity-stretch",
    "hydration-tips",
}
NAMES = library.builtin_names()

# Lengths in minutes with the estimate meter (which errs long): what each routine promises.
LENGTH_MINUTES: dict[str, tuple[float, float]] = {
    "daily-stretch": (13, 17),
    "evening-calf-relief": (8, 11),
    "feet-and-toes": (4, 8),
    "cramp-rescue": (2, 6),
    "box-breathing": (1.5, 4),
    "breathing-4-7-8": (1.5, 4),
    "resonance-breathing": (4.5, 7),
    "warm-compress": (10, 20),
    "twitch-wind-down": (5, 10),
    # Without the rests the person takes at the waits (up to 3 minutes each).
    "seated-strength": (4, 8),
    "bed-strength": (4, 8),
    "self-massage": (6, 10),
    "spasticity-stretch": (12, 18),
    "hydration-tips": (1.5, 4),
    "spasm-rescue": (2, 6),
    "night-positioning": (3, 6),
    "morning-stiffness": (5, 9),
    "carer-stretches": (9, 14),
    "wheelchair-routine": (8, 12),
    "hands-and-forearms": (8, 12),
}

# Words that urge someone past their limits; none belongs in a routine for MS.
UNSAFE = re.compile(
    r"push (through|past|into|harder)|pain is good|no pain,? no gain|through the pain|"
    r"as far as (you|it) can|as hot as|(?<!not )(?<!never )hotter",
    re.IGNORECASE,
)


def load(name: str) -> Routine:
    # No user folder: a user's own routine of the same name must not stand in for a built-in.
    return load_routine(name, user_dirs=[])


def compiled(routine: Routine) -> Timeline:
    voice = Voice(language=routine.language or "en", rate=routine.rate or 140)
    return compile_routine(routine, EstimatedSpeechMeter(), voice)


def spoken(routine: Routine) -> str:
    return "\n".join(c.text for c in compiled(routine).cues if c.kind == "speech")


def test_the_library_has_every_promised_routine() -> None:
    assert set(NAMES) >= EXPECTED


def test_the_default_routine_is_a_built_in() -> None:
    assert library.DEFAULT_ROUTINE == "evening-calf-relief"
    assert library.DEFAULT_ROUTINE in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_each_built_in_loads_and_compiles_without_overruns(name: str) -> None:
    routine = load(name)
    timeline = compiled(routine)
    assert timeline.name == routine.name
    assert routine.description
    assert routine.source == f"builtin:{name}.yaml"


@pytest.mark.parametrize("name", NAMES)
def test_each_built_in_opens_with_a_comment_for_people_writing_their_own(name: str) -> None:
    text = (library.BUILTIN_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    assert len(header) >= 5, "a comment header explaining the routine as a worked example"
    assert "docs/routine-format.md" in "\n".join(header)


# The length a person hears is the real speech's (the estimate errs long on purpose).
@pytest.mark.realaudio
@pytest.mark.parametrize("name", sorted(LENGTH_MINUTES))
def test_lengths_are_what_the_routines_promise(name: str,
                                               real_speech: SynthesizedSpeech) -> None:
    least, most = LENGTH_MINUTES[name]
    routine = load(name)
    voice = Voice(language=routine.language or "en", rate=routine.rate or 140)
    total = compile_routine(routine, real_speech, voice).total
    assert least * 60 <= total <= most * 60, f"{name} lasts {total / 60:.1f} minutes"


@pytest.mark.parametrize("name", NAMES)
def test_nothing_urges_anyone_past_their_limits(name: str) -> None:
    text = (library.BUILTIN_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    found = UNSAFE.search(text) or UNSAFE.search(spoken(load(name)))
    assert found is None, f"{name} says '{found.group(0) if found else ''}'"


@pytest.mark.parametrize("name", NAMES)
def test_stretches_are_gentle_holds(name: str) -> None:
    for step in load(name).steps:
        if isinstance(step, Stretch):
            assert 10 <= step.hold_s <= 120, f"{step.name}: hold {step.hold_s} s"
            assert step.countdown < step.hold_s
            # The person hears the whole cue and still has a moment to get into position.
            assert step.prepare_s >= 5


@pytest.mark.parametrize("name", NAMES)
def test_every_compress_is_short_warm_and_checked(name: str) -> None:
    routine = load(name)
    compresses = [s for s in routine.steps if isinstance(s, Compress)]
    if not compresses:
        return
    timeline = compiled(routine)
    for step in compresses:
        assert step.duration_s <= 20 * 60
        assert step.check_every_s < step.duration_s
        index = routine.steps.index(step)
        cues = [c for c in timeline.cues if c.step == index]
        checkins = [c for c in cues if c.role == "checkin"]
        assert len(checkins) >= 1
        intro = next(c for c in cues if c.role == "intro")
        assert "never hot" in intro.text
        assert any(c.role == "end" and "Remove the compress" in c.text for c in cues)


@pytest.mark.parametrize("name", NAMES)
def test_breath_phases_leave_room_for_their_words(name: str) -> None:
    for step in load(name).steps:
        if isinstance(step, Breathe):
            for phase in (step.in_s, step.hold_s, step.out_s, step.hold_out_s):
                # "Breathe out" lasts about a second; a phase is 0 (absent) or well above.
                assert phase == 0 or phase >= 3


@pytest.mark.parametrize("name", NAMES)
def test_said_sentences_are_short(name: str) -> None:
    meter = EstimatedSpeechMeter()
    for step in load(name).steps:
        if isinstance(step, Say):
            # About 10 s said: the estimate, never short, runs about half as long again.
            assert meter.seconds(step.text, Voice()) <= 15, step.text


def test_warm_compress_warns_that_heat_can_worsen_ms() -> None:
    text = spoken(load("warm-compress"))
    assert ("Heat can make MS symptoms worse for a while, such as blurred vision, weakness or "
            "tiredness." in text)
    assert "Do not fall asleep with it on." in text
    compress = next(s for s in load("warm-compress").steps if isinstance(s, Compress))
    assert 10 * 60 <= compress.duration_s <= 15 * 60


@pytest.mark.parametrize("name", ["cramp-rescue", "twitch-wind-down"])
def test_routines_for_symptoms_say_when_to_seek_advice(name: str) -> None:
    assert "talk to your doctor or MS nurse" in spoken(load(name))


def test_box_breathing_is_four_even_sides() -> None:
    (breathe,) = [s for s in load("box-breathing").steps if isinstance(s, Breathe)]
    assert (breathe.in_s, breathe.hold_s, breathe.out_s, breathe.hold_out_s) == (4, 4, 4, 4)


def test_4_7_8_breathing_keeps_to_four_breaths_for_beginners() -> None:
    (breathe,) = [s for s in load("breathing-4-7-8").steps if isinstance(s, Breathe)]
    assert (breathe.in_s, breathe.hold_s, breathe.out_s, breathe.hold_out_s) == (4, 7, 8, 0)
    assert breathe.cycles == 4


def test_resonance_breathing_is_about_five_and_a_half_breaths_a_minute() -> None:
    (breathe,) = [s for s in load("resonance-breathing").steps if isinstance(s, Breathe)]
    assert 60 / breathe.cycle_s == pytest.approx(5.5, abs=0.1)
    # Given as a duration of 5 minutes: as many whole breaths as fit.
    assert breathe.cycles == 27


def test_twitch_wind_down_reuses_box_breathing_by_include() -> None:
    routine = load("twitch-wind-down")
    included = [i for i, step in enumerate(routine.steps)
                if routine.step_file(i) == "builtin:box-breathing.yaml"]
    assert len(included) == len(load("box-breathing").steps)
    assert any(isinstance(routine.steps[i], Breathe) and routine.steps[i].title == "Box breathing"
               for i in included)


@pytest.mark.slow
def test_check_passes_every_built_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    result = CliRunner().invoke(cli, ["check", *NAMES])
    assert result.exit_code == 0, result.output
    assert result.output == "".join(f"{name}: ok\n" for name in NAMES)


@pytest.mark.slow
def test_list_shows_every_built_in_with_its_length(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    result = CliRunner().invoke(cli, ["list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == NAMES
    daily = next(line for line in lines if line.startswith("daily-stretch "))
    assert re.search(r" (13|14|15|16):\d\d  A gentle daily stretch for the whole body", daily)


def test_the_format_reference_lists_every_built_in() -> None:
    docs = Path(__file__).parent.parent / "docs" / "routine-format.md"
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \| \d+:\d\d \|", docs.read_text(), re.MULTILINE))
    assert listed == set(NAMES)
