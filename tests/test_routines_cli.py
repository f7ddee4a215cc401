"""check, plan and list as a carer would use them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.cli import cli

ROUTINE = """\
name: Short evening
description: A short test routine.
defaults: {prepare: 5s, rest: 10s}
steps:
  - say: Sit on the edge of the bed.
  - stretch: Calf stretch
    cue: Draw your toes toward you.
    hold: 20s
    sides: [left, right]
    countdown: 3
  - rest: 5
  - breathe: Slow breathing
    pattern: {in: 4, out: 6}
    cycles: 2
"""


@pytest.fixture
def routine(tmp_path: Path) -> Path:
    path = tmp_path / "short.yaml"
    path.write_text(ROUTINE)
    return path


def test_check_ok(routine: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(routine)])
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{routine}: ok\n", "")


def test_plan_json_follows_the_schema(routine: Path) -> None:
    result = CliRunner().invoke(cli, ["plan", str(routine), "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["name"] == "Short evening"
    assert {"name", "total", "cues"} <= plan.keys()
    cues = plan["cues"]
    assert all({"at", "kind", "text", "step"} <= c.keys() for c in cues)
    assert {c["kind"] for c in cues} == {"speech", "tone"}
    assert [c["at"] for c in cues] == sorted(c["at"] for c in cues)
    assert plan["total"] >= cues[-1]["at"]
    texts = [c["text"] for c in cues if c["kind"] == "speech"]
    assert "Sit on the edge of the bed." in texts
    assert "Switch to the right side. Draw your toes toward you." in texts
    hold = next(c for c in cues if c["text"] == "And hold for 20 seconds.")
    release = next(c for c in cues if c["text"].startswith("And release.")
                   and c["at"] > hold["at"])
    assert release["at"] - hold["at"] == pytest.approx(20)
    breaths_in = [c for c in cues if c["text"] == "Breathe in" and c["kind"] == "speech"]
    assert [c["step"] for c in breaths_in] == [3, 3]


def test_plan_table_shows_times_steps_and_words(routine: Path) -> None:
    result = CliRunner().invoke(cli, ["plan", str(routine)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Short evening: ")
    assert lines[0].endswith("(4 steps, 27 cues; voice: espeak-ng en)")
    assert lines[1] == "      at  step  what you hear"
    assert lines[2] == "   00:00     1  (start chime)"
    assert '     2  "And hold for 20 seconds."' in result.stdout
    assert "     4  (Breathe in tone)" in result.stdout
    assert lines[-1].endswith("        end")


def test_plan_of_an_invalid_routine_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: Bad\nsteps:\n  - rest: -5\n")
    result = CliRunner().invoke(cli, ["plan", str(path)])
    assert result.exit_code == 2
    assert result.stderr == (f"{path}:3: step 1: rest must be a duration like 30, 7.5, 30s, "
                             "2m or 1m30s, not '-5'\n")
    assert "Traceback" not in result.output


def test_include_by_relative_path(tmp_path: Path) -> None:
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "breath.yaml").write_text(
        "name: Breath\nsteps:\n  - breathe: Slow\n    pattern: {in: 4, out: 6}\n    cycles: 1\n")
    main = tmp_path / "main.yaml"
    main.write_text("name: Main\nsteps:\n  - say: Hello.\n  - include: parts/breath.yaml\n")
    result = CliRunner().invoke(cli, ["plan", str(main), "--json"])
    assert result.exit_code == 0, result.output
    steps = json.loads(result.stdout)["steps"]
    assert [(s["kind"], s["title"]) for s in steps] == [("say", "Hello."), ("breathe", "Slow")]


def test_error_in_included_file_names_that_file(tmp_path: Path) -> None:
    part = tmp_path / "part.yaml"
    part.write_text("name: Part\nsteps:\n  - rest: never\n")
    main = tmp_path / "main.yaml"
    main.write_text("name: Main\nsteps:\n  - include: part.yaml\n")
    result = CliRunner().invoke(cli, ["check", str(main)])
    assert result.exit_code == 2
    assert result.stderr == (f"{main}:3: in included 'part.yaml': "
                             f"{part}:3: step 1: rest must be a duration like 30, 7.5, 30s, "
                             "2m or 1m30s, not 'never'\n")


# Slow: real espeak-ng speaks every built-in into a fresh speech cache.
@pytest.mark.slow
def test_user_routine_found_by_name(isolated_home: Path) -> None:
    folder = isolated_home / ".config" / "crampcoach" / "routines"
    folder.mkdir(parents=True)
    (folder / "my-night.yaml").write_text("name: My night\ndescription: Mine.\n"
                                          "steps:\n  - say: Hello.\n")
    result = CliRunner().invoke(cli, ["check", "my-night"])
    assert (result.exit_code, result.stdout) == (0, "my-night: ok\n")
    listing = CliRunner().invoke(cli, ["list"])
    assert listing.exit_code == 0
    line = next(ln for ln in listing.stdout.splitlines() if ln.startswith("my-night "))
    assert line.endswith("Mine. (yours)")


@pytest.mark.parametrize("command", [[], ["check"], ["plan"], ["list"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.stdout


def test_stretch_rest_key_is_not_a_rest_step(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("name: R\nsteps:\n  - stretch: Calf\n    cue: Toes up.\n    hold: 10\n"
                    "    sides: [left, right]\n    rest: 7s\n")
    result = CliRunner().invoke(cli, ["plan", str(path), "--json"])
    assert result.exit_code == 0, result.output
    cues = json.loads(result.stdout)["cues"]
    release = next(c for c in cues if c["role"] == "release")
    switch = next(c for c in cues if c["text"].startswith("Switch"))
    assert switch["at"] - release["at"] == pytest.approx(7)
