"""A routine's style: openings and closings that fit it, a gentle rating after a bedtime
or rescue routine, and never a rating before a rescue routine."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.cli import cli
from crampcoach.player.events import Rated, RatingAsked
from crampcoach.player.rating import GENTLE_PROMPT, PROMPTS
from crampcoach.player.session import RatingChoice
from crampcoach.routines.loader import load_routine
from crampcoach.routines.model import Routine, Say, Style
from support.player import play_cli, run_session, timeline


def routine(style: Style) -> Routine:
    return Routine(name="Ease", source="ease.yaml", steps=(Say("Rest a moment."),), style=style)


@pytest.mark.parametrize(("style", "opening", "closing"), [
    ("standard", "Ease. Move gently, and stop if anything hurts.",
     "That is the end of Ease. Well done."),
    ("breathing", "Ease. Breathe softly. Never force a breath.",
     "That is the end of Ease. Let your breathing find its own pace."),
    ("bedtime", "Ease. Get comfortable, and go gently. Stop if anything hurts.",
     "That is all for Ease. Rest well."),
    ("rescue", "Ease. This will pass. We will ease it gently, together.",
     "That is the end of Ease. Rest now, and go gently."),
])
def test_each_style_opens_and_closes_in_its_own_words(
        style: Style, opening: str, closing: str) -> None:
    cues = timeline(routine(style)).cues
    assert [c.text for c in cues if c.role == "opening" and c.kind == "speech"] == [opening]
    assert [c.text for c in cues if c.role == "closing" and c.kind == "speech"] == [closing]


def test_style_is_read_from_the_file_and_a_wrong_one_is_one_line(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("name: Ease\nstyle: rescue\nsteps:\n  - say: Breathe.\n")
    assert load_routine(str(good)).rescue
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: Ease\nstyle: resuce\nsteps:\n  - say: Breathe.\n")
    result = CliRunner().invoke(cli, ["check", str(bad)])
    assert result.exit_code == 2
    assert result.output == (f"{bad}:2: style must be one of standard, breathing, bedtime, "
                             "rescue, guidance, not 'resuce'; did you mean 'rescue'?\n")


def test_a_rescue_routine_is_never_rated_before_even_when_asked_to() -> None:
    tl = timeline(routine("rescue"))
    session = run_session([(tl.total + 2, "6")], routine=routine("rescue"),
                          rating=RatingChoice(before=True), input_live=True)
    asked = session.events.of(RatingAsked)
    assert [a.when for a in asked] == ["after"]
    assert session.events.of(Rated)[0].value == 6
    assert session.record is not None
    assert (session.record.rating_before, session.record.rating_after) == (None, 6)


def test_the_same_routine_not_marked_rescue_is_rated_before() -> None:
    session = run_session([(0.0, "5")], routine=routine("standard"),
                          rating=RatingChoice(before=True, ask=True), input_live=True)
    assert [a.when for a in session.events.of(RatingAsked)][:1] == ["before"]


RESCUE = "name: Tiny\nstyle: rescue\nsteps:\n  - say: Sit comfortably.\n"


def test_play_with_rate_before_in_the_settings_starts_a_rescue_routine_at_once(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CRAMPCOACH_RATE_BEFORE", "true")
    # The setting is in effect: an ordinary routine is rated first.
    ordinary = play_cli(monkeypatch, tmp_path, [], [(0.0, "5")])
    assert ordinary.result.stdout.startswith(f"12:00:00 {PROMPTS['before']}\n")
    end = timeline(Routine(name="Tiny", steps=(Say("Sit comfortably."),), style="rescue")).total
    run = play_cli(monkeypatch, tmp_path, [], [(end + 2, "4")], routine_text=RESCUE)
    assert run.result.exit_code == 0, run.result.output
    assert PROMPTS["before"] not in run.result.stdout
    assert run.result.stdout.startswith(
        "12:00:00 Opening\n12:00:00   Tiny. This will pass. We will ease it gently, together.\n")
    assert run.recorder.records[0].rating_before is None
    assert run.recorder.records[0].rating_after == 4


def test_a_bedtime_routine_offers_the_rating_gently(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bedtime = "name: Tiny\nstyle: bedtime\nsteps:\n  - say: Sit comfortably.\n"
    end = timeline(Routine(name="Tiny", steps=(Say("Sit comfortably."),), style="bedtime")).total
    run = play_cli(monkeypatch, tmp_path, [], [(end + 2, "3")], routine_text=bedtime)
    assert run.result.exit_code == 0, run.result.output
    assert GENTLE_PROMPT == ("Only if you like: how are your cramps now? Press a number from "
                             "0, for none, to 10, for the worst, or q to skip.")
    assert f"12:00:00 {GENTLE_PROMPT}\n" in run.result.stdout
    assert PROMPTS["after"] not in run.result.stdout
    assert "Well done" not in run.result.stdout
    assert run.result.stdout.endswith("12:00:00 Thank you. Your rating is 3.\n")


def test_a_guidance_routine_does_not_ask_to_move() -> None:
    from crampcoach.routines.compiler import closing_text, opening_text
    from crampcoach.routines.loader import load_routine

    routine = load_routine("hydration-tips", user_dirs=[])
    assert routine.style == "guidance"
    assert opening_text(routine) == "Hydration tips. Sit or lie comfortably, and listen."
    assert closing_text(routine) == "That is the end of Hydration tips."
