"""The bedside service's systemd user unit: written, enabled, removed and asked about.

``crampcoach bedside install`` writes ``crampcoach-bedside.service`` into the user unit
folder (``~/.config/systemd/user``), reloads systemd and enables it, so it starts with the
user's session, and at boot once lingering is on (``loginctl enable-linger``: a Pi by the
bed that nobody logs in to). Its output goes to the journal
(``journalctl --user -u crampcoach-bedside``). Every command goes through an injected
runner, as for scheduled starts.
"""

from __future__ import annotations

import getpass
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from crampcoach.errors import BedsideError
from crampcoach.schedule import (
    Runner,
    SystemdScheduler,
    _refuse_controls,
    _systemd_word,
    environment_lines,
    run_command,
)

UNIT_NAME = "crampcoach-bedside.service"


def service_command(python: str | None = None) -> tuple[str, ...]:
    """What the unit runs: this Python, this crampcoach, in the foreground."""
    return (python or sys.executable, "-m", "crampcoach", "bedside")


def unit_text(command: tuple[str, ...], config: Path | None = None,
              environment: tuple[tuple[str, str], ...] = ()) -> str:
    """The unit; a ScheduleError for a word with a line break (it would end the line).

    ``environment``: the variables carried from the shell that installs it
    (:func:`crampcoach.schedule.carried_environment`, as a scheduled start carries them),
    so the service reads and writes the same files as the commands.
    """
    for word in (*command, *([] if config is None else [str(config)])):
        _refuse_controls("the service's command", word)
    executable, *args = command
    exec_start = " ".join([_systemd_word(executable, executable=True),
                           *(_systemd_word(arg) for arg in args)])
    return (
        "[Unit]\n"
        "Description=crampcoach bedside: routines started by the button, "
        "a keypad or crampcoach bedside\n"
        # Restarted after a crash, but not for ever when the settings are broken.
        "StartLimitIntervalSec=600\n"
        "StartLimitBurst=10\n"
        "\n"
        "[Service]\n"
        "Type=exec\n"
        f"ExecStart={exec_start}\n"
        "Restart=on-failure\n"
        "RestartSec=5\n"
        # Time to say what a stop needs said (take the compress off) before it is killed.
        "TimeoutStopSec=20\n"
        "StandardInput=null\n"
        "StandardOutput=journal\n"
        "StandardError=journal\n"
        "Environment=PYTHONUNBUFFERED=1\n"
        + environment_lines(environment, config)
        + "\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


@dataclass(frozen=True, slots=True)
class UnitState:
    installed: bool
    enabled: str  # systemctl is-enabled: enabled, disabled, not-found, ...
    active: str  # systemctl is-active: active, inactive, failed, activating, ...


class BedsideUnit:
    """The unit in ``unit_dir``, through ``runner`` (``systemctl --user ...``)."""

    def __init__(self, unit_dir: Path, runner: Runner = run_command,
                 which: Callable[[str], str | None] = shutil.which) -> None:
        self.unit_dir = unit_dir
        self.path = unit_dir / UNIT_NAME
        self._runner = runner
        self._systemd = SystemdScheduler(unit_dir, runner, which)

    def _systemctl(self, *args: str) -> tuple[int, str]:
        done = self._runner(["systemctl", "--user", *args])
        detail = (done.stdout or done.stderr or "").strip().splitlines()
        return done.returncode, detail[0] if detail else ""

    def install(self, text: str) -> Path:
        self._systemd.require_systemd()
        try:
            self.unit_dir.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(self.path)
        except OSError as e:
            raise BedsideError(f"cannot write {self.path}: {e.strerror}") from None
        self._check("daemon-reload", "reload systemd")
        code, detail = self._systemctl("enable", "--now", UNIT_NAME)
        if code != 0:
            self.path.unlink(missing_ok=True)
            self._systemctl("daemon-reload")
            raise BedsideError(f"could not enable {UNIT_NAME}" + (f": {detail}" if detail else ""))
        # Enabled with the same file already running: the new settings need a restart.
        self._systemctl("restart", UNIT_NAME)
        return self.path

    def uninstall(self) -> Path:
        if not self.path.exists():
            raise BedsideError(f"the bedside service is not installed ({self.path} is not there)")
        self._systemd.require_systemd()
        self._systemctl("disable", "--now", UNIT_NAME)
        self.path.unlink()
        self._check("daemon-reload", "reload systemd")
        return self.path

    def state(self) -> UnitState:
        if not self.path.exists():
            return UnitState(False, "not installed", "inactive")
        _, enabled = self._systemctl("is-enabled", UNIT_NAME)
        _, active = self._systemctl("is-active", UNIT_NAME)
        return UnitState(True, enabled or "unknown", active or "unknown")

    def _check(self, verb: str, what: str) -> None:
        code, detail = self._systemctl(verb)
        if code != 0:
            raise BedsideError(f"could not {what}" + (f": {detail}" if detail else ""))


def linger_state(user: str | None = None, runner: Runner = run_command) -> bool | None:
    """Whether the user's services run without a login (None: loginctl cannot tell)."""
    who = user or getpass.getuser()
    done = runner(["loginctl", "show-user", who, "--property=Linger", "--value"])
    value = done.stdout.strip() if done.returncode == 0 else ""
    return {"yes": True, "no": False}.get(value)


def enable_linger(user: str | None = None, runner: Runner = run_command) -> None:
    who = user or getpass.getuser()
    done = runner(["loginctl", "enable-linger", who])
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BedsideError(f"could not turn lingering on for {who}"
                           + (f": {detail[0]}" if detail else "")
                           + f"; run as an administrator: sudo loginctl enable-linger {who}")
