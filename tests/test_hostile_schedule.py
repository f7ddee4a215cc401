"""Scheduled starts with hostile names and paths (issue 11, case 6): control characters are
refused, every value is escaped by systemd's documented rules, and the variables saying where
the person's files are go into the unit. Checked against the real systemd-analyze (the
Makefile installs the Debian package systemd)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.cli import cli
from crampcoach.errors import ScheduleError
from crampcoach.schedule import plan_start

PY = "/opt/venv/bin/python"


@pytest.mark.parametrize("routine", ["/home/sam/evening\nExecStartPre=/bin/rm -rf ~.yaml",
                                     "/home/sam/evening\r.yaml", "/home/sam/ev\x1b[2Jening.yaml"])
def test_control_characters_in_a_routine_path_are_refused(routine: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        plan_start(routine, "21:30", python=PY)
    message = str(caught.value)
    assert message.startswith("the routine '/home/sam/ev")
    assert message.endswith("' contains control characters, which a scheduled start cannot "
                            "carry")
    assert "\n" not in message
    assert "\x1b" not in message


def test_the_command_refuses_a_routine_path_with_a_line_break(tmp_path: Path) -> None:
    path = tmp_path / "evening\nExecStartPre=x.yaml"
    path.write_text("name: Evening\nsteps:\n  - rest: 1\n")
    result = CliRunner().invoke(cli, ["schedule", "add", str(path), "--at", "21:30",
                                      "--dry-run"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (f"{tmp_path}/evening\\nExecStartPre=x.yaml: a routine's name or "
                             "path cannot contain control characters\n")


def test_a_dollar_is_itself_in_environment_and_doubled_in_exec_start_arguments() -> None:
    start = plan_start("/srv/50% $HOME legs.yaml", "21:30", python=PY,
                       config=Path('/etc/odd $USER "100%".yaml'))
    service = start.service_text()
    assert 'ExecStart=/opt/venv/bin/python -m crampcoach play "/srv/50%% $$HOME legs.yaml"\n' \
        in service
    assert 'Environment="CRAMPCOACH_CONFIG=/etc/odd $USER \\"100%%\\".yaml"\n' in service
    assert "Description=crampcoach: /srv/50%% $HOME legs.yaml at 21:30 (every day)\n" in service


def test_the_variables_the_person_ran_with_go_into_the_unit(tmp_path: Path) -> None:
    environ = {"XDG_DATA_HOME": "/data/sam", "XDG_CONFIG_HOME": "relative/ignored",
               "CRAMPCOACH_JOURNAL": "~/night.sqlite3", "CRAMPCOACH_VOLUME": "0.3",
               "HOME": "/home/sam", "PATH": "/usr/bin"}
    start = plan_start("evening", "21:30", python=PY, environ=environ)
    home = Path("~").expanduser()
    assert start.service_text().endswith(
        "Environment=PYTHONUNBUFFERED=1\n"
        f"Environment=CRAMPCOACH_JOURNAL={home}/night.sqlite3\n"
        "Environment=CRAMPCOACH_VOLUME=0.3\n"
        "Environment=XDG_DATA_HOME=/data/sam\n")
    assert start.crontab_line() == (
        f"30 21 * * * CRAMPCOACH_JOURNAL={home}/night.sqlite3 CRAMPCOACH_VOLUME=0.3 "
        f"XDG_DATA_HOME=/data/sam {PY} -m crampcoach play evening")


def test_a_variable_with_a_line_break_is_refused() -> None:
    with pytest.raises(ScheduleError) as caught:
        plan_start("evening", "21:30", python=PY,
                   environ={"CRAMPCOACH_MICROPHONE": "hw:0\nExecStart=/bin/sh"})
    assert str(caught.value) == ("$CRAMPCOACH_MICROPHONE 'hw:0\\nExecStart=/bin/sh' contains "
                                 "control characters, which a scheduled start cannot carry")


def _verify(tmp_path: Path, service: str, timer: str, names: tuple[str, str]) -> str:
    units = tmp_path / "units"
    units.mkdir(exist_ok=True)
    (units / names[0]).write_text(timer)
    (units / names[1]).write_text(service)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--user", *names], cwd=units, capture_output=True,
        text=True, env={"XDG_RUNTIME_DIR": str(runtime), "PATH": "/usr/bin:/bin",
                        "HOME": str(tmp_path)}, check=False)
    return result.stderr


def test_systemd_analyze_accepts_units_for_awkward_names(tmp_path: Path) -> None:
    routine = tmp_path / 'my "50%" $HOME \\ legs.yaml'
    start = plan_start(str(routine), "21:30", "mon-fri", python=sys.executable,
                       config=tmp_path / "odd $USER 100%.yaml",
                       environ={"CRAMPCOACH_NOTE": 'a "quoted" \\ $word 5%'})
    stderr = _verify(tmp_path, start.service_text(), start.timer_text(),
                     (start.timer_unit, start.service_unit))
    assert stderr == ""


def test_systemd_reads_the_executable_path_back_as_written(tmp_path: Path) -> None:
    # systemd-analyze names the executable it parsed when it is not there: this proves the
    # escaping of % and the quoting of spaces and of $ (which this word does not expand).
    python = f"{tmp_path}/my venv/50% $HOME/python"
    start = plan_start("evening", "21:30", python=python)
    stderr = _verify(tmp_path, start.service_text(), start.timer_text(),
                     (start.timer_unit, start.service_unit))
    assert f"Command {python} is not executable" in stderr
