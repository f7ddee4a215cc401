"""A rendered file at a wait: it cannot wait for a button, so each wait's prompt says words
that fit a file, a humane pause follows (the wait's reminder interval, else a stated
default), then "Carrying on.", and everything after moves later by as much."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from crampcoach.audio.render import render_routine, waits_for_a_file
from crampcoach.routines.compiler import compile_routine
from crampcoach.routines.kinds.wait import FILE_PAUSE_S
from crampcoach.routines.model import Routine, Say, Wait
from crampcoach.routines.timeline import Voice
from support.fakes import FakeSpeech

VOICE = Voice("en", 140)
TOWEL = Wait(title="Get a towel", prompt="Reach for a towel.", remind_every_s=0,
             max_wait_s=30)
EASED = Wait(title="Until it eases", prompt="Keep the stretch until it eases.",
             remind_every_s=60, max_wait_s=240)
ROUTINE = Routine(name="Waits", steps=(Say("Lie down."), TOWEL, Say("Loop it round the foot."),
                                       EASED, Say("Let go.")))


def test_each_wait_keeps_a_humane_pause_and_says_what_fits_a_file() -> None:
    speech = FakeSpeech()
    plan = compile_routine(ROUTINE, speech, VOICE)
    filed = waits_for_a_file(ROUTINE, plan, speech, VOICE)
    texts = [c.text for c in filed.cues if c.kind == "speech"]
    assert texts[2:7] == [
        "Reach for a towel. Take your time, and pause the recording if you need longer.",
        "Carrying on.",
        "Loop it round the foot.",
        "Keep the stretch until it eases. Take your time, and pause the recording if you need "
        "longer.",
        "Carrying on."]
    assert not any("press" in t for t in texts)
    assert all(c.wait is None for c in filed.cues)
    said = {c.text: c for c in filed.cues}
    towel = said[texts[2]]
    (first_resume, second_resume) = [c for c in filed.cues if c.text == "Carrying on."]
    # No reminder interval: the stated default; with one, the reminder interval.
    assert first_resume.at - towel.end == pytest.approx(FILE_PAUSE_S)
    assert second_resume.at - said[texts[5]].end == pytest.approx(60)
    # What follows a wait comes after its pause, as long after "Carrying on." as the plan
    # left after the prompt; the whole file is longer by both pauses and more.
    loop = said["Loop it round the foot."]
    planned = {c.text: c for c in plan.cues}
    towel_plan = next(c for c in plan.cues if c.wait is not None)
    assert loop.at - first_resume.end == pytest.approx(
        planned["Loop it round the foot."].at - towel_plan.end)
    assert filed.total > plan.total + FILE_PAUSE_S + 60
    assert filed.steps[2].start == pytest.approx(
        plan.steps[2].start + first_resume.end - towel_plan.end)
    assert filed.steps[1].end > towel.end + FILE_PAUSE_S


def test_a_routine_without_waits_renders_as_planned() -> None:
    speech = FakeSpeech()
    routine = Routine(name="Plain", steps=(Say("Lie down."),))
    plan = compile_routine(routine, speech, VOICE)
    assert waits_for_a_file(routine, plan, speech, VOICE) is plan


def test_the_rendered_file_lasts_the_pauses(tmp_path: Path) -> None:
    speech = FakeSpeech()
    timeline, _ = render_routine(ROUTINE, tmp_path / "waits.wav", speech, VOICE)
    with wave.open(str(tmp_path / "waits.wav"), "rb") as wav:
        seconds = wav.getnframes() / wav.getframerate()
    assert seconds == pytest.approx(timeline.total, abs=0.05)
    assert seconds > compile_routine(ROUTINE, speech, VOICE).total + FILE_PAUSE_S + 60


def test_a_wait_says_its_file_words_in_the_session_language() -> None:
    speech = FakeSpeech()
    voice = Voice("de", 140)
    plan = compile_routine(ROUTINE, speech, voice)
    texts = [c.text for c in waits_for_a_file(ROUTINE, plan, speech, voice).cues]
    assert ("Reach for a towel. Lassen Sie sich Zeit, und halten Sie die Aufnahme an, wenn Sie "
            "länger brauchen.") in texts
    assert "Es geht weiter." in texts
