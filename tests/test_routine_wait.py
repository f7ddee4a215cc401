"""The wait step: the voice asks, the session waits until the person is ready (a key, the
button or a service command), reminds, and carries on by itself after max_wait."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.audio.render import render_timeline
from crampcoach.cli import cli
from crampcoach.errors import RoutineError
from crampcoach.player.clock import BUTTON, CONTINUE
from crampcoach.player.deadlines import PHRASE_GAP_S, WAIT_RESUME_S, WAIT_RESUME_TEXT
from crampcoach.player.events import (
    CueStarted,
    Repeated,
    SessionEnded,
    WaitEnded,
    Waiting,
    WaitReminded,
)
from crampcoach.routines.compiler import SETTLE_S
from crampcoach.routines.loader import load_routine
from crampcoach.routines.model import Routine, Say, Wait
from crampcoach.routines.timeline import Cue
from support.controls import played, said, spelled_session, starts_with
from support.fakes import FakeCueSounds, FakeSpeech
from support.player import VOICE, run_session, timeline

#: Said after the prompt when nothing but a service command can say "ready" (the run's
#: default here: no keys, no button).
HINT = "I will carry on by myself in a little while."
TOWEL = Wait(title="Get a towel", prompt="Reach for a towel.", remind_every_s=30,
             max_wait_s=120)
ROUTINE = Routine(name="Towel", source="towel.yaml",
                  steps=(Say("Lie down."), TOWEL, Say("Loop the towel.")))


def wait_cue() -> Cue:
    return next(c for c in timeline(ROUTINE).cues if c.wait is not None)


def after_wait() -> Cue:
    return next(c for c in timeline(ROUTINE).cues if c.text == "Loop the towel.")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "w.yaml"
    path.write_text(text)
    return path


# --- the format ---------------------------------------------------------------------------------


def test_a_wait_step_loads_with_its_prompt_reminder_and_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "name: W\nsteps:\n  - wait: Get a towel\n    prompt: Reach for a "
                           "towel.\n    remind_every: 45s\n    max_wait: 3m\n")
    routine = load_routine(str(path))
    assert routine.steps == (Wait("Get a towel", "Reach for a towel.", 45, 180, line=3),)


def test_a_wait_says_its_title_when_it_has_no_prompt_and_a_short_one_does_not_remind(
        tmp_path: Path) -> None:
    path = write(tmp_path, "name: W\nsteps:\n  - wait: Turn over slowly.\n    max_wait: 30s\n")
    (step,) = load_routine(str(path)).steps
    assert step == Wait("Turn over slowly.", "Turn over slowly.", 0, 30, line=3)


@pytest.mark.parametrize(("keys", "message"), [
    ("    max_wait: 31m\n", "step 1: max_wait must be at most 30 minutes, not 31m"),
    ("    max_wait: 30m0.001s\n",
     "step 1: max_wait must be at most 30 minutes, not 30m0.001s"),
    ("    max_wait: 30m1s\n", "step 1: max_wait must be at most 30 minutes, not 30m1s"),
    ("    max_wait: 0.001\n", "step 1: max_wait must be at least 5 seconds, not 0.001"),
    ("    remind_every: 5s\n",
     "step 1: remind_every must be 0 (no reminders) or at least 15 seconds, not 5"),
    ("    remind_every: 2m\n    max_wait: 1m\n",
     "step 1: remind_every (120 s) must be shorter than max_wait (60 s), or 0 for no reminders"),
    ("    max_wiat: 1m\n", "step 1 (wait): unknown key 'max_wiat'; did you mean 'max_wait'?"),
])
def test_a_wrong_wait_is_one_line_naming_file_and_line(
        tmp_path: Path, keys: str, message: str) -> None:
    path = write(tmp_path, "name: W\nsteps:\n  - wait: Get a towel\n" + keys)
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 2
    assert result.output == f"{path}:4: {message}\n"


def test_waits_count_towards_the_24_hour_bound(tmp_path: Path) -> None:
    steps = "".join("  - wait: Ready\n    max_wait: 30m\n" for _ in range(49))
    path = write(tmp_path, "name: W\nsteps:\n" + steps)
    with pytest.raises(RoutineError) as e:
        load_routine(str(path))
    assert str(e.value.problems[0]).endswith(
        "the session would last at least 24.5 hours; sessions are limited to 24 hours")


# --- the timeline, plan and render --------------------------------------------------------------


def test_the_prompt_is_a_marked_cue_and_the_timeline_goes_straight_on() -> None:
    tl = timeline(ROUTINE)
    cue = wait_cue()
    assert (cue.text, cue.role) == ("Reach for a towel.", "wait")
    assert cue.wait is not None
    assert (cue.wait.max_wait_s, cue.wait.remind_every_s) == (120, 30)
    assert cue.wait.reminder == "Take your time. Reach for a towel."
    # A marked point: the next step starts as if the person were ready at once.
    assert after_wait().at == pytest.approx(cue.end + SETTLE_S)
    assert tl.steps[1].end == pytest.approx(cue.end + SETTLE_S)
    assert tl.max_wait == 120


def test_plan_json_marks_the_wait_and_its_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "name: W\nsteps:\n  - say: Lie down.\n  - wait: Get a towel\n"
                           "    max_wait: 2m\n")
    result = CliRunner().invoke(cli, ["plan", str(path), "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output.split("\n", 1)[-1] if result.output.startswith("Note")
                      else result.output)
    marked = [c for c in plan["cues"] if c.get("wait")]
    assert len(marked) == 1
    # How to say "ready" depends on the inputs connected: the player says it, not the plan.
    assert marked[0]["text"] == "Get a towel"
    assert (marked[0]["max_wait"], marked[0]["remind_every"], marked[0]["role"]) == (
        120, 30, "wait")
    assert plan["max_wait"] == 120
    assert all("wait" not in c for c in plan["cues"] if c is not marked[0])


def test_plan_shows_the_wait_as_a_marked_point(tmp_path: Path) -> None:
    path = write(tmp_path, "name: W\nsteps:\n  - wait: Get a towel\n    max_wait: 2m\n")
    result = CliRunner().invoke(cli, ["plan", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = next(line for line in lines if line.startswith("W: "))
    assert header.endswith("cues, plus waits of at most 2m; voice: espeak-ng en)")
    prompt = next(i for i, line in enumerate(lines) if '"Get a towel"' in line)
    assert lines[prompt + 1] == "             1  -- waits until you are ready, at most 2m --"


def test_render_has_the_prompt_then_carries_on_without_reminders() -> None:
    speech = FakeSpeech()
    tl = timeline(ROUTINE)
    rendered = render_timeline(tl, FakeCueSounds(speech))
    assert rendered.seconds == pytest.approx(tl.total, abs=1e-4)
    assert not any(text.startswith("Take your time") for text in speech.requests)
    assert "Reach for a towel." in speech.requests
    assert not any(text.startswith("When you are ready") for text in speech.requests)


# --- playing: the scheduler holds every deadline while it waits ---------------------------------


def onset(session_events: list[CueStarted], text: str) -> float:
    return next(e.actual for e in session_events if e.cue.text == text)


def test_a_key_ends_the_wait_and_everything_after_moves_by_the_time_waited() -> None:
    point = timeline(ROUTINE).steps[1].end
    ready_at = point + 17.0
    session = run_session([(ready_at, "n")], routine=ROUTINE)
    assert session.events.of(Waiting) == [Waiting(point, 120)]
    assert session.events.of(WaitEnded) == [WaitEnded(17.0, False, WAIT_RESUME_TEXT)]
    # "Carrying on." is said at once; the next step WAIT_RESUME_S later.
    assert (ready_at, FakeSpeech().clip(WAIT_RESUME_TEXT, VOICE)) in session.sink.played
    started = session.events.of(CueStarted)
    assert onset(started, "Loop the towel.") == pytest.approx(
        after_wait().at + 17.0 + WAIT_RESUME_S)
    assert session.record is not None
    assert session.record.outcome == "finished"
    # The time waited is not part of the session played, as with a pause.
    assert session.record.elapsed_s == pytest.approx(timeline(ROUTINE).total, abs=1e-3)


@pytest.mark.parametrize("key", ["space", BUTTON, CONTINUE, "pagedown"])
def test_the_button_pause_key_and_a_service_command_end_the_wait_too(key: str) -> None:
    point = timeline(ROUTINE).steps[1].end
    session = run_session([(point + 5.0, key)], routine=ROUTINE)
    assert session.events.of(WaitEnded) == [WaitEnded(5.0, False, WAIT_RESUME_TEXT)]
    assert onset(session.events.of(CueStarted), "Loop the towel.") == pytest.approx(
        after_wait().at + 5.0 + WAIT_RESUME_S)


def test_reminders_come_every_remind_every_and_the_wait_ends_at_max_wait() -> None:
    point = timeline(ROUTINE).steps[1].end
    session = spelled_session([], routine=ROUTINE)
    reminder = "Take your time. Reach for a towel."
    assert session.events.of(WaitReminded) == [WaitReminded(reminder)] * 3  # at 30, 60, 90 s
    # Each reminder is followed by how to say "ready" (here: nothing connected).
    assert played(session.sink, reminder) == pytest.approx([point + 30, point + 60, point + 90])
    [(_, first)] = [(t, c) for t, c in session.sink.played if t == point + 30]
    assert starts_with(first, said(HINT), said(reminder).seconds + PHRASE_GAP_S)
    (ended,) = session.events.of(WaitEnded)
    assert (ended.waited_s, ended.timed_out) == (pytest.approx(120), True)
    assert onset(session.events.of(CueStarted), "Loop the towel.") == pytest.approx(
        after_wait().at + 120 + WAIT_RESUME_S)


def test_ready_during_the_prompt_cuts_it_short_and_carries_on() -> None:
    cue = wait_cue()
    pressed = cue.at + 0.5
    session = run_session([(pressed, BUTTON)], routine=ROUTINE)
    assert pressed in session.sink.stops
    assert session.events.of(Waiting) == []
    assert session.events.of(WaitEnded) == [WaitEnded(0.0, False, WAIT_RESUME_TEXT)]
    assert onset(session.events.of(CueStarted), "Loop the towel.") == pytest.approx(
        pressed + (after_wait().at - timeline(ROUTINE).steps[1].end) + WAIT_RESUME_S)


def test_a_continue_outside_a_wait_does_nothing() -> None:
    session = run_session([(2.0, CONTINUE)], routine=ROUTINE)
    started = session.events.of(CueStarted)
    assert [e.actual for e in started if e.cue.wait is None][:3] == [
        c.at for c in timeline(ROUTINE).cues if c.wait is None][:3]


def test_repeat_says_the_prompt_again_while_waiting() -> None:
    point = timeline(ROUTINE).steps[1].end
    session = run_session([(point + 3, "r"), (point + 8, "n")], routine=ROUTINE)
    assert session.events.of(Repeated) == [Repeated("Reach for a towel.")]
    (ended,) = session.events.of(WaitEnded)
    assert (ended.waited_s, ended.timed_out) == (pytest.approx(8.0), False)


def test_stopping_while_waiting_is_recorded_at_the_wait_step() -> None:
    point = timeline(ROUTINE).steps[1].end
    session = run_session([(point + 40, "q")], routine=ROUTINE)
    assert session.events.of(SessionEnded)[0].outcome == "stopped"
    assert session.record is not None
    assert (session.record.outcome, session.record.step_reached) == ("stopped", 1)
    assert session.record.elapsed_s == pytest.approx(point, abs=1e-3)


# --- how to say "ready": only the inputs connected (issue 21) ------------------------------------


@pytest.mark.parametrize(("keys", "button", "hint"), [
    (True, True, "When you are ready, press the button or the next key."),
    (False, True, "When you are ready, press the button."),
    (True, False, "When you are ready, press the next key."),
    (False, False, "I will carry on by myself in a little while."),
])
def test_the_hint_after_the_prompt_names_only_the_inputs_connected(
        keys: bool, button: bool, hint: str) -> None:
    from crampcoach.inputs.protocol import HandsFree
    from support.fakes import FakeButton

    point = timeline(ROUTINE).steps[1].end
    session = spelled_session([(point + 10, CONTINUE)], routine=ROUTINE, input_live=keys,
                              hands_free=HandsFree(button=lambda speak: FakeButton())
                              if button else HandsFree())
    assert played(session.sink, hint) == [point]
    others = {"When you are ready, press the button or the next key.",
              "When you are ready, press the button.", "When you are ready, press the next key.",
              "I will carry on by myself in a little while."} - {hint}
    assert [t for text in others for t in played(session.sink, text)] == []


# --- a service's pause and resume during a wait (issue 21) ----------------------------------------


def test_a_service_pause_during_the_wait_pauses_and_its_resume_goes_back_to_waiting() -> None:
    from crampcoach.inputs.keys import COMMAND_PAUSE, COMMAND_RESUME
    from crampcoach.player.events import Paused, Resumed

    point = timeline(ROUTINE).steps[1].end
    # Paused 5 s into the wait for 200 s: longer than max_wait (120 s), and no reminder.
    session = spelled_session([(point + 5, COMMAND_PAUSE), (point + 205, COMMAND_RESUME),
                               (point + 215, "n")], routine=ROUTINE)
    assert [type(e) for e in session.events
            if isinstance(e, Paused | Resumed | WaitEnded)] == [Paused, Resumed, WaitEnded]
    assert played(session.sink, "Paused.") == [point + 5]
    reminder = "Take your time. Reach for a towel."
    # The resume says the prompt again: the wait goes on (it is not taken as "ready").
    assert played(session.sink, reminder) == [point + 205]
    (ended,) = session.events.of(WaitEnded)
    assert (ended.waited_s, ended.timed_out) == (pytest.approx(215.0), False)
    assert onset(session.events.of(CueStarted), "Loop the towel.") == pytest.approx(
        after_wait().at + 215.0 + WAIT_RESUME_S)


def test_a_service_pause_during_the_prompt_pauses_and_does_not_end_the_wait() -> None:
    from crampcoach.inputs.keys import COMMAND_PAUSE, COMMAND_RESUME
    from crampcoach.player.events import Paused, Resumed

    cue = wait_cue()
    session = spelled_session([(cue.at + 0.3, COMMAND_PAUSE), (cue.at + 30, COMMAND_RESUME),
                               (cue.at + 60, "n")], routine=ROUTINE)
    assert [type(e) for e in session.events
            if isinstance(e, Paused | Resumed | Waiting | WaitEnded)] == [
        Paused, Resumed, Waiting, WaitEnded]
    (ended,) = session.events.of(WaitEnded)
    assert not ended.timed_out


def test_repeat_during_the_wait_stops_what_is_said_before_saying_it_again() -> None:
    point = timeline(ROUTINE).steps[1].end
    session = spelled_session([(point + 0.5, "r"), (point + 8, "n")], routine=ROUTINE)
    assert point + 0.5 in session.sink.stops


def test_the_rescue_reminds_every_30_seconds_while_the_cramp_eases() -> None:
    # 60 s between reminders felt long during a cramp (issue 21); a routine sets its own.
    rescue = load_routine("cramp-rescue")
    waits = [step for step in rescue.steps if isinstance(step, Wait)]
    eases = next(w for w in waits if w.title == "Until the cramp eases")
    assert eases.remind_every_s == 30
    assert all(w.remind_every_s <= 30 for w in waits)
