from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach import schedule
from crampcoach.cli import cli
from crampcoach.errors import ScheduleError
from crampcoach.schedule import SystemdScheduler, parse_at, parse_days, plan_start
from support.bedside import FakeSystemctl, bedside_home_fixture  # noqa: F401  (the fixture "bedside_home")

PY = "/opt/venv/bin/python"


def _which(name: str) -> str | None:
    return f"/usr/bin/{name}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("21:30", (21, 30)), ("7:05", (7, 5)), ("00:00", (0, 0)), (" 23:59 ", (23, 59))],
)
def test_at_is_a_time_of_day(text: str, expected: tuple[int, int]) -> None:
    assert parse_at(text) == expected


@pytest.mark.parametrize("text", ["24:00", "21:60", "2130", "9pm", "", "21:3"])
def test_a_bad_at_says_what_is_expected(text: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_at(text)
    assert str(caught.value) == (
        f"--at {text!r}: give a time of day as HH:MM on the 24-hour clock, like 21:30"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("daily", (0, 1, 2, 3, 4, 5, 6)),
        ("mon-fri", (0, 1, 2, 3, 4)),
        ("weekdays", (0, 1, 2, 3, 4)),
        ("sat,sun", (5, 6)),
        ("Weekends", (5, 6)),
        ("fri-mon", (0, 4, 5, 6)),
        ("mon,wed,fri", (0, 2, 4)),
        ("tuesday", (1,)),
        ("mon-wed,sat", (0, 1, 2, 5)),
    ],
)
def test_days(text: str, expected: tuple[int, ...]) -> None:
    assert parse_days(text) == expected


@pytest.mark.parametrize(
    ("text", "bad"), [("mon-fry", "fry"), ("sat,,sun", None), ("noon", "noon")]
)
def test_bad_days_say_which_word(text: str, bad: str | None) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_days(text)
    if bad is None:
        assert str(caught.value) == f"--days {text!r}: an empty day between commas"
    else:
        assert str(caught.value) == (
            f"--days {text!r}: {bad!r} is not a day; use mon tue wed thu fri sat sun, "
            "ranges like mon-fri, lists like sat,sun, or daily, weekdays, weekends"
        )


def test_the_generated_units() -> None:
    start = plan_start("evening-calf-relief", "21:30", "mon-fri", python=PY)
    assert start.name == "evening-calf-relief-2130"
    assert start.timer_unit == "crampcoach-evening-calf-relief-2130.timer"
    assert start.timer_text() == """\
[Unit]
Description=crampcoach: start evening-calf-relief at 21:30 (Mon-Fri)

[Timer]
OnCalendar=Mon..Fri *-*-* 21:30:00
Persistent=true
Unit=crampcoach-evening-calf-relief-2130.service

[Install]
WantedBy=timers.target
"""
    assert start.service_text() == """\
[Unit]
Description=crampcoach: evening-calf-relief at 21:30 (Mon-Fri)

[Service]
Type=exec
ExecStart=/opt/venv/bin/python -m crampcoach play evening-calf-relief
StandardInput=null
Environment=PYTHONUNBUFFERED=1
"""
    assert start.crontab_line() == (
        "30 21 * * 1-5 /opt/venv/bin/python -m crampcoach play evening-calf-relief"
    )


@pytest.mark.parametrize(
    ("days", "calendar", "cron"),
    [
        ("daily", "*-*-* 07:05:00", "*"),
        ("sat,sun", "Sat,Sun *-*-* 07:05:00", "6,0"),
        ("fri-mon", "Mon,Fri..Sun *-*-* 07:05:00", "1,5,6,0"),
        ("mon,wed,fri", "Mon,Wed,Fri *-*-* 07:05:00", "1,3,5"),
    ],
)
def test_days_in_systemd_and_cron(days: str, calendar: str, cron: str) -> None:
    start = plan_start("x", "7:05", days, python=PY)
    assert start.on_calendar() == calendar
    assert start.crontab_line() == f"5 7 * * {cron} {PY} -m crampcoach play x"


def test_awkward_paths_are_quoted_for_systemd_and_cron(tmp_path: Path) -> None:
    routine = tmp_path / "my routines" / "50% legs.yaml"
    start = plan_start(str(routine), "22:00", python="/opt/my venv/bin/python",
                       config=Path("/etc/crampcoach $HOME.yaml"))
    assert start.name == "50-legs-2200"
    service = start.service_text()
    assert (f'ExecStart="/opt/my venv/bin/python" -m crampcoach play '
            f'"{tmp_path}/my routines/50%% legs.yaml"\n') in service
    # Environment= expands no variables: a $ is itself (systemd.exec(5)).
    assert 'Environment="CRAMPCOACH_CONFIG=/etc/crampcoach $HOME.yaml"\n' in service
    assert start.crontab_line() == (
        "0 22 * * * CRAMPCOACH_CONFIG='/etc/crampcoach $HOME.yaml' "
        f"'/opt/my venv/bin/python' -m crampcoach play '{tmp_path}/my routines/50\\% legs.yaml'"
    )


def test_a_bad_name_is_refused() -> None:
    with pytest.raises(ScheduleError) as caught:
        plan_start("x", "21:30", name="Bed Time")
    assert str(caught.value) == (
        "--name 'Bed Time': use lower-case letters, digits, - and _ "
        "(at most 64, starting with a letter or digit)"
    )


def _verify_env(tmp_path: Path) -> dict[str, str]:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    return {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed (Debian package systemd)")
@pytest.mark.parametrize("days", ["daily", "mon-fri", "fri-mon", "sat,sun"])
def test_systemd_analyze_verifies_the_units(tmp_path: Path, days: str) -> None:
    # The real interpreter, so systemd's check that ExecStart is executable means something.
    start = plan_start("evening", "21:30", days, python=sys.executable,
                       config=tmp_path / "odd 100%.yaml")
    units = tmp_path / "units"
    units.mkdir()
    (units / start.timer_unit).write_text(start.timer_text())
    (units / start.service_unit).write_text(start.service_text())
    result = subprocess.run(
        ["systemd-analyze", "verify", "--user", start.timer_unit, start.service_unit],
        cwd=units, capture_output=True, text=True, env=_verify_env(tmp_path), check=False,
    )
    if "Failed to initialize manager" in result.stderr:
        pytest.skip(f"systemd-analyze cannot run here: {result.stderr.strip()}")
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed (Debian package systemd)")
def test_systemd_analyze_would_catch_a_broken_timer(tmp_path: Path) -> None:
    # Proves the check above can fail: a timer with a calendar systemd cannot parse.
    start = plan_start("evening", "21:30", python=sys.executable)
    units = tmp_path / "units"
    units.mkdir()
    broken = start.timer_text().replace("*-*-* 21:30:00", "Mon..Fry 21:30")
    (units / start.timer_unit).write_text(broken)
    (units / start.service_unit).write_text(start.service_text())
    result = subprocess.run(
        ["systemd-analyze", "verify", "--user", start.timer_unit],
        cwd=units, capture_output=True, text=True, env=_verify_env(tmp_path), check=False,
    )
    if "Failed to initialize manager" in result.stderr:
        pytest.skip(f"systemd-analyze cannot run here: {result.stderr.strip()}")
    assert "Failed to parse calendar specification" in result.stderr


# --- writing, enabling, listing, removing --------------------------------------------------------

def test_add_writes_both_units_reloads_and_enables(tmp_path: Path) -> None:
    systemctl = FakeSystemctl()
    scheduler = SystemdScheduler(tmp_path / "user", systemctl, _which)
    start = plan_start("evening", "21:30", "mon-fri", python=PY)
    written = scheduler.add(start)
    assert [p.name for p in written] == [
        "crampcoach-evening-2130.service", "crampcoach-evening-2130.timer"]
    assert written[0].read_text() == start.service_text()
    assert written[1].read_text() == start.timer_text()
    assert systemctl.verbs() == [
        "show-environment", "daemon-reload", "enable --now crampcoach-evening-2130.timer"]
    assert [c[:2] for c in systemctl.calls] == [["systemctl", "--user"]] * 3


def test_add_refuses_a_name_already_used(tmp_path: Path) -> None:
    scheduler = SystemdScheduler(tmp_path, FakeSystemctl(), _which)
    start = plan_start("evening", "21:30", python=PY)
    scheduler.add(start)
    with pytest.raises(ScheduleError) as caught:
        scheduler.add(start)
    assert str(caught.value) == (
        "a scheduled start called 'evening-2130' already exists; remove it first "
        "(crampcoach schedule remove evening-2130) or pick --name"
    )


def test_a_failed_enable_leaves_nothing_behind(tmp_path: Path) -> None:
    systemctl = FakeSystemctl(failing={"enable": (1, "Failed to enable unit: Access denied\n")})
    scheduler = SystemdScheduler(tmp_path, systemctl, _which)
    with pytest.raises(ScheduleError) as caught:
        scheduler.add(plan_start("evening", "21:30", python=PY))
    assert str(caught.value) == (
        "could not enable crampcoach-evening-2130.timer: Failed to enable unit: Access denied"
    )
    assert list(tmp_path.iterdir()) == []
    assert systemctl.verbs()[-1] == "daemon-reload"


def test_without_systemctl_the_crontab_line_is_given(tmp_path: Path) -> None:
    scheduler = SystemdScheduler(tmp_path / "user", FakeSystemctl(), lambda name: None)
    with pytest.raises(ScheduleError) as caught:
        scheduler.add(plan_start("evening", "21:30", "mon-fri", python=PY))
    assert str(caught.value) == (
        "systemd user services are not available here: systemctl is not installed. "
        "To start it with cron instead, run 'crontab -e' and add this line: "
        f"30 21 * * 1-5 {PY} -m crampcoach play evening"
    )
    assert not (tmp_path / "user").exists()


def test_when_systemctl_user_does_not_answer_the_crontab_line_is_given(tmp_path: Path) -> None:
    systemctl = FakeSystemctl(
        failing={"show-environment": (1, "Failed to connect to bus: No medium found\n")})
    scheduler = SystemdScheduler(tmp_path / "user", systemctl, _which)
    with pytest.raises(ScheduleError) as caught:
        scheduler.add(plan_start("evening", "06:00", "sat,sun", python=PY))
    assert str(caught.value) == (
        "systemd user services are not available here: systemctl --user does not answer "
        "(Failed to connect to bus: No medium found). To start it with cron instead, run "
        f"'crontab -e' and add this line: 0 6 * * 6,0 {PY} -m crampcoach play evening"
    )
    assert systemctl.verbs() == ["show-environment"]


def test_list_and_remove(tmp_path: Path) -> None:
    systemctl = FakeSystemctl()
    scheduler = SystemdScheduler(tmp_path, systemctl, _which)
    assert scheduler.list_starts() == []
    scheduler.add(plan_start("evening", "21:30", "mon-fri", python=PY))
    scheduler.add(plan_start(str(tmp_path / "my legs.yaml"), "06:45", python=PY))
    listed = [(s.name, s.routine, s.on_calendar, s.state) for s in scheduler.list_starts()]
    assert listed == [
        ("evening-2130", "evening", "Mon..Fri *-*-* 21:30:00", "active"),
        ("my-legs-0645", f"{tmp_path}/my legs.yaml", "*-*-* 06:45:00", "active"),
    ]
    systemctl.calls.clear()
    removed = scheduler.remove("crampcoach-evening-2130.timer")
    assert [p.name for p in removed] == [
        "crampcoach-evening-2130.timer", "crampcoach-evening-2130.service"]
    assert systemctl.verbs() == [
        "show-environment", "disable --now crampcoach-evening-2130.timer", "daemon-reload"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "crampcoach-my-legs-0645.service", "crampcoach-my-legs-0645.timer"]
    with pytest.raises(ScheduleError) as caught:
        scheduler.remove("evening-2130")
    assert str(caught.value) == (
        "no scheduled start called 'evening-2130' (scheduled: my-legs-0645)"
    )


# --- the commands ------------------------------------------------------------------------------

@pytest.fixture
def fake_systemd(bedside_home: Path, monkeypatch: pytest.MonkeyPatch) -> FakeSystemctl:
    systemctl = FakeSystemctl()
    monkeypatch.setattr(schedule, "run_command", systemctl)
    monkeypatch.setattr(schedule.shutil, "which", _which)
    monkeypatch.setattr(schedule.sys, "executable", PY)
    monkeypatch.setenv("USER", "pat")
    return systemctl


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_add_list_remove(bedside_home: Path, fake_systemd: FakeSystemctl) -> None:
    code, out, err = _run("schedule", "add", "evening-calf-relief", "--at", "21:30",
                          "--days", "mon-fri")
    assert (code, err) == (0, "")
    assert out == (
        "Scheduled evening-calf-relief at 21:30 (Mon-Fri) as 'evening-calf-relief-2130'.\n"
        "On a machine nobody logs in to (a Raspberry Pi by the bed), let your timers run "
        "without a login: loginctl enable-linger pat\n"
    )
    unit_dir = bedside_home / ".config/systemd/user"
    assert (unit_dir / "crampcoach-evening-calf-relief-2130.timer").is_file()
    code, out, _ = _run("schedule", "list")
    assert (code, out) == (
        0, "evening-calf-relief-2130  evening-calf-relief  Mon..Fri *-*-* 21:30:00  [active]\n")
    code, out, _ = _run("schedule", "remove", "evening-calf-relief-2130")
    assert (code, out) == (0, "Removed crampcoach-evening-calf-relief-2130.timer, "
                              "crampcoach-evening-calf-relief-2130.service.\n")
    assert _run("schedule", "list")[:2] == (0, "No scheduled starts.\n")


def test_cli_dry_run_prints_the_units_and_changes_nothing(
    bedside_home: Path, fake_systemd: FakeSystemctl
) -> None:
    code, out, err = _run("schedule", "add", "evening-calf-relief", "--at", "21:30", "--dry-run")
    assert (code, err) == (0, "")
    start = plan_start("evening-calf-relief", "21:30", python=PY)
    unit_dir = bedside_home / ".config/systemd/user"
    assert out == (
        f"# {unit_dir}/crampcoach-evening-calf-relief-2130.timer\n{start.timer_text()}\n"
        f"# {unit_dir}/crampcoach-evening-calf-relief-2130.service\n{start.service_text()}\n"
        "# Without systemd, the crontab line ('crontab -e') would be:\n"
        f"# 30 21 * * * {PY} -m crampcoach play evening-calf-relief\n"
    )
    assert fake_systemd.calls == []
    assert not unit_dir.exists()


def test_cli_carries_the_settings_file_into_the_unit(
    bedside_home: Path, fake_systemd: FakeSystemctl, tmp_path: Path
) -> None:
    config = tmp_path / "bedroom.yaml"
    code, out, _ = _run("schedule", "add", "evening-calf-relief", "--at", "21:30", "--dry-run",
                        "--config", str(config))
    assert code == 0
    assert f"Environment=CRAMPCOACH_CONFIG={config}\n" in out


@pytest.mark.usefixtures("fake_systemd")
def test_cli_errors_are_one_line_and_exit_1() -> None:
    code, out, err = _run("schedule", "add", "evening-calf-relief", "--at", "9pm")
    assert (code, out) == (1, "")
    assert err == ("Error: --at '9pm': give a time of day as HH:MM on the 24-hour clock, "
                   "like 21:30\n")
    code, _, err = _run("schedule", "remove", "nothing")
    assert code == 1
    assert err == "Error: no scheduled start called 'nothing' (scheduled: none)\n"


def test_cli_without_systemd_gives_the_crontab_line(
    bedside_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schedule.shutil, "which", lambda name: None)
    monkeypatch.setattr(schedule.sys, "executable", PY)
    code, out, err = _run("schedule", "add", "evening-calf-relief", "--at", "21:30")
    assert (code, out) == (1, "")
    assert err == (
        "Error: systemd user services are not available here: systemctl is not installed. "
        "To start it with cron instead, run 'crontab -e' and add this line: "
        f"30 21 * * * {PY} -m crampcoach play evening-calf-relief\n"
    )


@pytest.mark.usefixtures("fake_systemd")
def test_cli_refuses_a_routine_that_would_fail_at_night() -> None:
    code, out, err = _run("schedule", "add", "evening-calf-releif", "--at", "21:30")
    assert (code, out) == (2, "")
    assert err == ("evening-calf-releif: no such file or built-in routine; did you mean "
                   "'evening-calf-relief'? (crampcoach list shows them)\n")


def test_cli_names_a_user_routine_by_name_and_a_file_by_its_full_path(
    bedside_home: Path, fake_systemd: FakeSystemctl, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = bedside_home / ".config/crampcoach/routines/legs.yaml"
    mine.parent.mkdir(parents=True)
    routine = "name: Legs\nsteps:\n  - say: Gently point your toes.\n"
    mine.write_text(routine)
    code, out, err = _run("schedule", "add", "legs", "--at", "22:00", "--dry-run")
    assert (code, err) == (0, "")
    assert f"ExecStart={PY} -m crampcoach play legs\n" in out
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "calves.yaml").write_text(routine)
    monkeypatch.chdir(folder)
    code, out, err = _run("schedule", "add", "calves.yaml", "--at", "22:00", "--dry-run")
    assert (code, err) == (0, "")
    assert f"ExecStart={PY} -m crampcoach play {folder}/calves.yaml\n" in out
    assert f"# {bedside_home}/.config/systemd/user/crampcoach-calves-2200.timer\n" in out
