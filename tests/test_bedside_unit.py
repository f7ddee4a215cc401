"""The bedside service's systemd user unit: its text, systemd-analyze's verdict on it, and
install, uninstall and status through a recording systemctl."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from crampcoach.bedside import unit as bedside_unit
from crampcoach.bedside.unit import UNIT_NAME, BedsideUnit, service_command, unit_text
from crampcoach.cli import cli
from crampcoach.errors import BedsideError, ScheduleError
from support.bedside import FakeSystemctl

PY = "/opt/venv/bin/python"


def _which(name: str) -> str | None:
    return f"/usr/bin/{name}"


def test_the_unit_file() -> None:
    assert unit_text(service_command(PY)) == f"""\
[Unit]
Description=crampcoach bedside: routines started by the button, a keypad or crampcoach bedside
StartLimitIntervalSec=600
StartLimitBurst=10

[Service]
Type=exec
ExecStart={PY} -m crampcoach bedside
Restart=on-failure
RestartSec=5
TimeoutStopSec=20
StandardInput=null
StandardOutput=journal
StandardError=journal
Environment=PYTHONUNBUFFERED=1

[Install]
WantedBy=default.target
"""


def test_a_settings_file_is_named_in_the_unit_quoted() -> None:
    text = unit_text(service_command(PY), Path("/home/ann/my settings/100%.yaml"))
    assert 'Environment="CRAMPCOACH_CONFIG=/home/ann/my settings/100%%.yaml"\n' in text


def _verify(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    units = tmp_path / "units"
    units.mkdir()
    (units / UNIT_NAME).write_text(text)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    return subprocess.run(["systemd-analyze", "verify", "--user", UNIT_NAME], cwd=units,
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)})


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed (Debian package systemd)")
def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    # The real interpreter, so systemd's check that ExecStart is executable means something.
    result = _verify(tmp_path, unit_text(service_command(sys.executable),
                                         tmp_path / "odd 100%.yaml"))
    if "Failed to initialize manager" in result.stderr:
        pytest.skip(f"systemd-analyze cannot run here: {result.stderr.strip()}")
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed (Debian package systemd)")
def test_systemd_analyze_would_catch_a_broken_unit(tmp_path: Path) -> None:
    broken = unit_text(service_command(sys.executable)).replace("Restart=on-failure",
                                                                "Restart=sometimes")
    result = _verify(tmp_path, broken)
    if "Failed to initialize manager" in result.stderr:
        pytest.skip(f"systemd-analyze cannot run here: {result.stderr.strip()}")
    # systemd words it differently from one release to the next (252: "Failed to parse
    # service restart specifier", 257: "Failed to parse Restart=..."): what matters is that
    # it names the unit file and the value it refused.
    assert f"{UNIT_NAME}:" in result.stderr
    assert "sometimes" in result.stderr


def test_install_writes_reloads_enables_and_restarts(tmp_path: Path) -> None:
    systemctl = FakeSystemctl()
    unit = BedsideUnit(tmp_path / "user", systemctl, _which)
    path = unit.install("[Unit]\n")
    assert path == tmp_path / "user" / UNIT_NAME
    assert path.read_text() == "[Unit]\n"
    assert systemctl.verbs() == ["show-environment", "daemon-reload",
                                 f"enable --now {UNIT_NAME}", f"restart {UNIT_NAME}"]


def test_an_install_that_cannot_be_enabled_leaves_nothing_behind(tmp_path: Path) -> None:
    systemctl = FakeSystemctl(failing={"enable": (1, "Failed to enable unit: bad\n")})
    unit = BedsideUnit(tmp_path, systemctl, _which)
    with pytest.raises(BedsideError) as caught:
        unit.install("[Unit]\n")
    assert str(caught.value) == f"could not enable {UNIT_NAME}: Failed to enable unit: bad"
    assert not (tmp_path / UNIT_NAME).exists()


def test_install_without_systemd_says_so(tmp_path: Path) -> None:
    unit = BedsideUnit(tmp_path, FakeSystemctl(), lambda name: None)
    with pytest.raises(ScheduleError) as caught:
        unit.install("[Unit]\n")
    assert str(caught.value) == ("systemd user services are not available here: "
                                 "systemctl is not installed.")


def test_uninstall_and_state(tmp_path: Path) -> None:
    systemctl = FakeSystemctl(active="active")
    unit = BedsideUnit(tmp_path, systemctl, _which)
    assert unit.state() == bedside_unit.UnitState(False, "not installed", "inactive")
    unit.install("[Unit]\n")
    state = unit.state()
    assert (state.installed, state.active) == (True, "active")
    systemctl.calls.clear()
    assert unit.uninstall() == tmp_path / UNIT_NAME
    assert not (tmp_path / UNIT_NAME).exists()
    assert systemctl.verbs() == ["show-environment", f"disable --now {UNIT_NAME}",
                                 "daemon-reload"]
    with pytest.raises(BedsideError) as caught:
        unit.uninstall()
    assert str(caught.value) == (f"the bedside service is not installed "
                                 f"({tmp_path / UNIT_NAME} is not there)")


def test_linger_state_and_enabling(tmp_path: Path) -> None:
    def loginctl(answer: str, code: int = 0) -> Any:
        calls: list[list[str]] = []

        def run(argv: Any) -> subprocess.CompletedProcess[str]:
            calls.append(list(argv))
            return subprocess.CompletedProcess(argv, code, answer, "Access denied\n")
        run.calls = calls  # type: ignore[attr-defined]
        return run

    assert bedside_unit.linger_state("ann", loginctl("yes\n")) is True
    assert bedside_unit.linger_state("ann", loginctl("no\n")) is False
    assert bedside_unit.linger_state("ann", loginctl("", 1)) is None
    runner = loginctl("")
    bedside_unit.enable_linger("ann", runner)
    assert runner.calls == [["loginctl", "enable-linger", "ann"]]
    with pytest.raises(BedsideError) as caught:
        bedside_unit.enable_linger("ann", loginctl("", 1))
    assert str(caught.value) == ("could not turn lingering on for ann: Access denied; run as "
                                 "an administrator: sudo loginctl enable-linger ann")


# --- the commands ----------------------------------------------------------------------------


@pytest.fixture
def systemctl(monkeypatch: pytest.MonkeyPatch) -> FakeSystemctl:
    fake = FakeSystemctl()
    real = BedsideUnit.__init__

    def init(self: BedsideUnit, unit_dir: Path, runner: Any = None, which: Any = None) -> None:
        real(self, unit_dir, fake, _which)

    monkeypatch.setattr(BedsideUnit, "__init__", init)
    monkeypatch.setattr(bedside_unit, "linger_state", lambda user=None: False)
    return fake


def _carried() -> tuple[tuple[str, str], ...]:
    from crampcoach.schedule import carried_environment

    return carried_environment(os.environ)


def test_install_dry_run_prints_the_unit(isolated_home: Path) -> None:
    result = CliRunner().invoke(cli, ["bedside", "install", "--dry-run"])
    assert result.exit_code == 0
    path = isolated_home / ".config" / "systemd" / "user" / UNIT_NAME
    assert result.stdout == f"# {path}\n" + unit_text(service_command(), None, _carried())
    assert not path.exists()


def test_install_enables_the_unit_and_gives_the_linger_step(
        systemctl: FakeSystemctl, isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USER", "ann")
    result = CliRunner().invoke(cli, ["bedside", "install"])
    path = isolated_home / ".config" / "systemd" / "user" / UNIT_NAME
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        f"Installed and started the bedside service ({path}).\n"
        "Note: no button_pin is set in the settings, so no GPIO button is read.\n"
        "On a Pi nobody logs in to, let it start at boot without a login: crampcoach bedside "
        "install --linger (or: loginctl enable-linger ann)\n"
        "Its log: journalctl --user -u crampcoach-bedside -f\n")
    assert path.read_text() == unit_text(service_command(), None, _carried())
    assert f"enable --now {UNIT_NAME}" in systemctl.verbs()


def test_install_names_the_settings_file_in_the_unit(
        systemctl: FakeSystemctl, isolated_home: Path, tmp_path: Path) -> None:
    config = tmp_path / "bedside.yaml"
    config.write_text("button_pin: 17\n")
    result = CliRunner().invoke(cli, ["bedside", "install", "--config", str(config)])
    assert result.exit_code == 0
    text = (isolated_home / ".config" / "systemd" / "user" / UNIT_NAME).read_text()
    assert f"Environment=CRAMPCOACH_CONFIG={config}\n" in text
    assert "Note: no button_pin" not in result.stdout


def test_install_refuses_settings_that_name_a_routine_that_is_not_there(
        systemctl: FakeSystemctl, tmp_path: Path) -> None:
    config = tmp_path / "bedside.yaml"
    config.write_text("bedside:\n  routine: nightly\n")
    result = CliRunner().invoke(cli, ["bedside", "install", "--config", str(config)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (f"{config}:2: bedside.routine: nightly: no such file or built-in "
                             "routine (crampcoach list shows them)\n")
    assert systemctl.calls == []


def test_uninstall_command(systemctl: FakeSystemctl, isolated_home: Path) -> None:
    assert CliRunner().invoke(cli, ["bedside", "install"]).exit_code == 0
    result = CliRunner().invoke(cli, ["bedside", "uninstall"])
    path = isolated_home / ".config" / "systemd" / "user" / UNIT_NAME
    assert (result.exit_code, result.stdout) == (
        0, f"Stopped the bedside service and removed {path}.\n")
    again = CliRunner().invoke(cli, ["bedside", "uninstall"])
    assert (again.exit_code, again.stderr) == (
        1, f"Error: the bedside service is not installed ({path} is not there)\n")


def test_install_with_the_page_puts_its_options_in_the_unit(isolated_home: Path) -> None:
    result = CliRunner().invoke(cli, ["bedside", "install", "--dry-run", "--web",
                                      "--web-host", "0.0.0.0"])
    assert result.exit_code == 0
    assert (f"ExecStart={sys.executable} -m crampcoach bedside --web --web-host 0.0.0.0 "
            "--web-port 8470\n") in result.stdout


def test_install_carries_the_shells_xdg_and_crampcoach_variables_like_schedule_add(
        isolated_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    journal = tmp_path / "elsewhere" / "journal.sqlite3"
    monkeypatch.setenv("CRAMPCOACH_JOURNAL", str(journal))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    result = CliRunner().invoke(cli, ["bedside", "install", "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("Environment=")]
    assert lines == [
        "Environment=PYTHONUNBUFFERED=1",
        f"Environment=CRAMPCOACH_JOURNAL={journal}",
        f"Environment=XDG_CACHE_HOME={isolated_home / '.cache'}",
        f"Environment=XDG_CONFIG_HOME={isolated_home / '.config'}",
        f"Environment=XDG_DATA_HOME={tmp_path / 'data'}",
    ]
    # One function writes both units' variables: a scheduled start carries the same ones.
    from crampcoach.schedule import plan_start

    start = plan_start("cramp-rescue", "21:30", environ=dict(os.environ))
    assert [line for line in start.service_text().splitlines()
            if line.startswith("Environment=")] == lines
