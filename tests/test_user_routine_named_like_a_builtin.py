"""A routine of the person's own named like a built-in replaces it where they name it,
never inside the built-ins that include it; `list` says what it replaced."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach import locations
from crampcoach.cli import cli

MINE = """\
name: My box
description: A short box of my own.
steps:
  - say: Breathe gently.
"""


@pytest.fixture
def my_box() -> Path:
    folder = locations.user_routines_dir()
    folder.mkdir(parents=True)
    path = folder / "box-breathing.yaml"
    path.write_text(MINE)
    return path


def first_line(args: list[str]) -> str:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[0]


def test_builtins_that_include_it_keep_the_builtin() -> None:
    before = first_line(["plan", "twitch-wind-down"])
    box = first_line(["plan", "box-breathing"])
    folder = locations.user_routines_dir()
    folder.mkdir(parents=True)
    (folder / "box-breathing.yaml").write_text(MINE)
    assert first_line(["plan", "twitch-wind-down"]) == before
    # Where the person names it, theirs is played.
    assert first_line(["plan", "box-breathing"]) != box
    assert first_line(["plan", "box-breathing"]).startswith("My box: ")


@pytest.mark.usefixtures("my_box")
def test_their_own_routines_include_theirs(tmp_path: Path) -> None:
    folder = locations.user_routines_dir()
    (folder / "evening.yaml").write_text("name: Evening\nsteps:\n  - include: box-breathing\n")
    result = CliRunner().invoke(cli, ["plan", "evening", "--json"])
    assert result.exit_code == 0, result.output
    assert '"Breathe gently."' in result.stdout


# Slow: real espeak-ng speaks every built-in into a fresh speech cache.
@pytest.mark.slow
@pytest.mark.usefixtures("my_box")
def test_list_says_what_it_replaced() -> None:
    result = CliRunner().invoke(cli, ["list"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("box-breathing "))
    assert re.fullmatch(r'box-breathing +00:\d\d  A short box of my own\. \(yours; replaces the '
                        r'built-in "Box breathing", 02:\d\d\)', row), row
    twitch = next(line for line in result.stdout.splitlines()
                  if line.startswith("twitch-wind-down "))
    assert "yours" not in twitch
