"""One range of speech rates, with one message, for routines, the settings and the
environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.cli import cli


def check_routine(tmp_path: Path, rate: str) -> tuple[int, str]:
    routine = tmp_path / "r.yaml"
    routine.write_text(f"name: R\nrate: {rate}\nsteps:\n  - rest: 5\n")
    result = CliRunner().invoke(cli, ["check", str(routine)])
    return result.exit_code, result.stderr.replace(f"{routine}:2: ", "")


def check_settings(tmp_path: Path, rate: str) -> tuple[int, str]:
    settings = tmp_path / "config.yaml"
    settings.write_text(f"rate: {rate}\n")
    result = CliRunner().invoke(cli, ["config", "--config", str(settings)])
    return result.exit_code, result.stderr.replace(f"{settings}:1: ", "")


def check_night(tmp_path: Path, rate: str) -> tuple[int, str]:
    settings = tmp_path / "config.yaml"
    settings.write_text(f"night:\n  rate: {rate}\n")
    result = CliRunner().invoke(cli, ["config", "--config", str(settings)])
    return result.exit_code, result.stderr.replace(f"{settings}:2: night.", "")


def check_environment(tmp_path: Path, rate: str) -> tuple[int, str]:
    # No settings file: the default one, which is not there.
    result = CliRunner().invoke(cli, ["config"], env={"CRAMPCOACH_RATE": rate})
    return result.exit_code, result.stderr.replace("CRAMPCOACH_RATE: ", "rate ")


CHECKS = [check_routine, check_settings, check_night, check_environment]


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize(("rate", "message"), [
    ("60", "rate must be between 80 and 300 words per minute, not 60\n"),
    ("79", "rate must be between 80 and 300 words per minute, not 79\n"),
    ("301", "rate must be between 80 and 300 words per minute, not 301\n"),
    ("9" * 12, "rate must be between 80 and 300 words per minute, not a 12-digit number\n"),
    ("fast", "rate must be a whole number, not 'fast'\n"),
])
def test_the_same_rate_gets_the_same_message_everywhere(
        tmp_path: Path, check: object, rate: str, message: str) -> None:
    assert callable(check)
    assert check(tmp_path, rate) == (2, message)


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("rate", ["80", "300"])
def test_the_ends_of_the_range_are_accepted(tmp_path: Path, check: object, rate: str) -> None:
    assert callable(check)
    assert check(tmp_path, rate)[0] == 0
