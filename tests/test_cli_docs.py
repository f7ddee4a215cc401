"""The docs cannot drift from the code: every command has help and appears in the README."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from crampcoach.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text()


def commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in group.commands.items():
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from commands(command, (*prefix, name))


ALL = sorted(commands(cli))


def test_there_are_commands() -> None:
    assert ("check",) in ALL
    assert ("plan",) in ALL


@pytest.mark.parametrize("path", ALL, ids=[" ".join(p) for p in ALL])
def test_command_has_help_and_is_in_the_readme(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: cli {' '.join(path)}")
    summary = result.stdout.split("\n\n")[1].strip()
    assert len(summary) > 20, f"'{' '.join(path)}' needs a real help text"
    assert f"crampcoach {' '.join(path)}" in README


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in first_block.strip().splitlines()] == [
        "make run", "make test"]
