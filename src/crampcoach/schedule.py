"""Scheduled starts: a systemd user timer and service per start, or a crontab line.

``crampcoach schedule add evening --at 21:30 --days mon-fri`` writes
``crampcoach-evening-2130.timer`` and ``.service`` into ``~/.config/systemd/user``
(``$XDG_CONFIG_HOME`` honoured), reloads systemd and enables the timer. Every call to
``systemctl`` goes through an injected :data:`Runner`, so tests see exactly what would run.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from crampcoach import locations
from crampcoach.errors import ScheduleError, escape_controls

UNIT_PREFIX = "crampcoach-"
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SYSTEMD_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_WORDS: dict[str, tuple[int, ...]] = {
    "daily": tuple(range(7)),
    "everyday": tuple(range(7)),
    "weekdays": tuple(range(5)),
    "weekends": (5, 6),
}
_LONG_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
#: What the person ran with that says where their files are: carried into the unit, whose
#: environment is the user manager's and not the shell's.
CARRIED_ENV = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")
CARRIED_PREFIX = "CRAMPCOACH_"
# Variables naming a file, made absolute: the unit runs in another working directory.
_PATH_ENV = ("CRAMPCOACH_CONFIG", "CRAMPCOACH_JOURNAL")

Runner = Callable[[Sequence[str]], "subprocess.CompletedProcess[str]"]


def run_command(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """The real runner: a short command, its output captured, never a hang."""
    try:
        return subprocess.run(
            list(argv), capture_output=True, text=True, timeout=30, check=False,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        return subprocess.CompletedProcess(list(argv), 127, "", f"{argv[0]}: not found")
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(list(argv), 124, "", f"{argv[0]}: timed out")


# --- parsing what the person typed --------------------------------------------------------------

def parse_at(text: str) -> tuple[int, int]:
    """``21:30`` -> (21, 30); a ScheduleError that says what is expected otherwise."""
    from crampcoach.errors import RecordError
    from crampcoach.journal.rules import parse_clock

    try:
        clock = parse_clock(text)
    except RecordError:
        msg = f"--at {text!r}: give a time of day as HH:MM on the 24-hour clock, like 21:30"
        raise ScheduleError(msg) from None
    return clock.hour, clock.minute


def _day(word: str, whole: str) -> int:
    word = word.strip().lower()
    if word in DAY_NAMES:
        return DAY_NAMES.index(word)
    if word in _LONG_DAYS:
        return _LONG_DAYS.index(word)
    msg = (
        f"--days {whole!r}: {word!r} is not a day; use mon tue wed thu fri sat sun, "
        "ranges like mon-fri, lists like sat,sun, or daily, weekdays, weekends"
    )
    raise ScheduleError(msg)


def parse_days(text: str) -> tuple[int, ...]:
    """Days of the week (0 = Monday) from ``mon-fri``, ``sat,sun``, ``daily``, ``fri-mon``..."""
    whole = text
    text = text.strip().lower()
    if text in _DAY_WORDS:
        return _DAY_WORDS[text]
    days: set[int] = set()
    for part in text.split(","):
        if not part.strip():
            msg = f"--days {whole!r}: an empty day between commas"
            raise ScheduleError(msg)
        if "-" in part:
            first_text, _, last_text = part.partition("-")
            first, last = _day(first_text, whole), _day(last_text, whole)
            # A range may wrap over the weekend: fri-mon is Fri, Sat, Sun, Mon.
            span = (last - first) % 7
            days.update((first + i) % 7 for i in range(span + 1))
        else:
            days.add(_day(part, whole))
    return tuple(sorted(days))


# --- what is written --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ScheduledStart:
    name: str
    routine: str
    hour: int
    minute: int
    days: tuple[int, ...]
    command: tuple[str, ...]
    config: Path | None = None
    #: Variables the unit sets (CRAMPCOACH_CONFIG among them when ``config`` is given).
    environment: tuple[tuple[str, str], ...] = ()

    @property
    def timer_unit(self) -> str:
        return f"{UNIT_PREFIX}{self.name}.timer"

    @property
    def service_unit(self) -> str:
        return f"{UNIT_PREFIX}{self.name}.service"

    @property
    def at(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"

    def days_text(self) -> str:
        return describe_days(self.days)

    def on_calendar(self) -> str:
        clock = f"*-*-* {self.hour:02d}:{self.minute:02d}:00"
        if len(self.days) == 7:
            return clock
        return f"{_systemd_days(self.days)} {clock}"


    def service_text(self) -> str:
        executable, *args = self.command
        exec_start = " ".join([_systemd_word(executable, executable=True),
                               *(_systemd_word(a) for a in args)])
        return (
            "[Unit]\n"
            f"Description=crampcoach: {_specifiers(self.routine)} at {self.at} "
            f"({self.days_text()})\n"
            "\n"
            "[Service]\n"
            "Type=exec\n"
            f"ExecStart={exec_start}\n"
            # The session speaks, so nothing waits on a terminal; its lines go to the journal.
            "StandardInput=null\n"
            "Environment=PYTHONUNBUFFERED=1\n"
            + environment_lines(self.environment, self.config)
        )

    def timer_text(self) -> str:
        return (
            "[Unit]\n"
            f"Description=crampcoach: start {_specifiers(self.routine)} at {self.at} "
            f"({self.days_text()})\n"
            "\n"
            "[Timer]\n"
            f"OnCalendar={self.on_calendar()}\n"
            "Persistent=true\n"
            f"Unit={self.service_unit}\n"
            "\n"
            "[Install]\n"
            "WantedBy=timers.target\n"
        )

    def crontab_line(self) -> str:
        days = "*" if len(self.days) == 7 else _cron_days(self.days)
        # cron gives % a meaning of its own; the command must carry it escaped.
        command = " ".join(shlex.quote(part) for part in self.command)
        assignments = [f"{k}={shlex.quote(v)}"
                       for k, v in unit_variables(self.environment, self.config)]
        command = " ".join([*assignments, command]).replace("%", r"\%")
        return f"{self.minute} {self.hour} * * {days} {command}"


def describe_days(days: tuple[int, ...]) -> str:
    if len(days) == 7:
        return "every day"
    if days == (0, 1, 2, 3, 4):
        return "Mon-Fri"
    return ",".join(_SYSTEMD_DAYS[d] for d in days)


def _systemd_days(days: tuple[int, ...]) -> str:
    # Runs of three or more consecutive days read better as ranges: Mon..Fri.
    parts: list[str] = []
    for run in _runs(days):
        if len(run) >= 3:
            parts.append(f"{_SYSTEMD_DAYS[run[0]]}..{_SYSTEMD_DAYS[run[-1]]}")
        else:
            parts.extend(_SYSTEMD_DAYS[d] for d in run)
    return ",".join(parts)


def _runs(days: tuple[int, ...]) -> list[list[int]]:
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _cron_days(days: tuple[int, ...]) -> str:
    # cron counts Sunday as 0, so Monday..Saturday keep their order as 1..6.
    parts: list[str] = []
    for run in _runs(days):
        numbers = [(d + 1) % 7 for d in run]
        if len(run) >= 3 and 0 not in numbers:
            parts.append(f"{numbers[0]}-{numbers[-1]}")
        else:
            parts.extend(str(n) for n in numbers)
    return ",".join(parts)


# The rules are systemd.service(5) "Command lines", systemd.exec(5) "Environment=" and
# systemd.unit(5) "Specifiers": every value below expands % specifiers (so % is %%);
# ExecStart's arguments also expand $VARIABLES (so $ is $$), but neither its executable
# path nor Environment= does (there $ is itself); quoted words take C escapes (\\ and \").
_PLAIN_WORD = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")


def _specifiers(text: str) -> str:
    return text.replace("%", "%%")


def _quoted(word: str) -> str:
    if word and _PLAIN_WORD.fullmatch(word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _systemd_word(word: str, *, executable: bool = False) -> str:
    """One word of ExecStart=: the executable path, or an argument."""
    word = _specifiers(word)
    return _quoted(word if executable else word.replace("$", "$$"))


def _environment_word(assignment: str) -> str:
    """One ``NAME=value`` of Environment=."""
    return _quoted(_specifiers(assignment))


def _refuse_controls(what: str, text: str) -> None:
    """A line break would end the unit's line and start another (or split the crontab line)."""
    if escape_controls(text) != text:
        raise ScheduleError(f"{what} {text!r} contains control characters, "
                            "which a scheduled start cannot carry")


def environment_lines(environment: Iterable[tuple[str, str]], config: Path | None) -> str:
    """The ``Environment=`` lines of a unit that starts crampcoach (a scheduled start or the
    bedside service): the carried variables (:func:`carried_environment`), with
    ``CRAMPCOACH_CONFIG`` naming ``config`` when one is given."""
    return "".join(f"Environment={_environment_word(f'{k}={v}')}\n"
                   for k, v in unit_variables(environment, config))


def unit_variables(environment: Iterable[tuple[str, str]],
                   config: Path | None) -> list[tuple[str, str]]:
    """The variables a start of crampcoach gets: the carried ones, ``config`` as
    ``CRAMPCOACH_CONFIG`` when given."""
    carried = [(k, v) for k, v in environment if k != "CRAMPCOACH_CONFIG"]
    if config is not None:
        carried.append(("CRAMPCOACH_CONFIG", str(config)))
    return carried


def carried_environment(environ: dict[str, str] | os._Environ[str]
                        ) -> tuple[tuple[str, str], ...]:
    """The XDG and CRAMPCOACH_ variables of ``environ`` that a scheduled start keeps."""
    carried: list[tuple[str, str]] = []
    for name in sorted(environ):
        value = environ[name]
        if not value or not (name in CARRIED_ENV or name.startswith(CARRIED_PREFIX)):
            continue
        if name in CARRIED_ENV and not os.path.isabs(value):
            continue  # the XDG spec says a relative path is ignored
        _refuse_controls(f"${name}", value)
        if name in _PATH_ENV:
            try:
                value = str(locations.expand_user(Path(value)).absolute())
            except LookupError as e:
                raise ScheduleError(f"${name}: {e}") from None
        carried.append((name, value))
    return tuple(carried)


def slug(text: str) -> str:
    out = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return out[:40] or "routine"


def play_command(routine: str, python: str | None = None) -> tuple[str, ...]:
    """The command a scheduled start runs: this Python, this crampcoach, the routine.

    No terminal is attached, so the player speaks, waits its rating timeout for an answer
    and records the session without a rating when nobody gives one.
    """
    return (python or sys.executable, "-m", "crampcoach", "play", routine)


def plan_start(routine: str, at: str, days: str = "daily", name: str | None = None,
               config: Path | None = None, python: str | None = None,
               environ: dict[str, str] | None = None) -> ScheduledStart:
    """Check the person's input and describe the start, without touching anything.

    ``environ`` (none by default) gives the variables to carry into the unit; see
    :func:`carried_environment`.
    """
    hour, minute = parse_at(at)
    day_list = parse_days(days)
    if not routine.strip():
        raise ScheduleError("give the routine to start, like: schedule add evening --at 21:30")
    _refuse_controls("the routine", routine)
    for what, text in (("--name", name), ("--config", str(config) if config else None),
                       ("the Python path", python or sys.executable)):
        if text is not None:
            _refuse_controls(what, text)
    if '"' in (python or sys.executable) or "\\" in (python or sys.executable):
        raise ScheduleError("systemd cannot start a program whose path holds a quote or a "
                            f"backslash: {python or sys.executable}")
    environment = carried_environment(environ or {})
    chosen = name if name is not None else f"{slug(Path(routine).stem)}-{hour:02d}{minute:02d}"
    if not _NAME.match(chosen):
        msg = (f"--name {chosen!r}: use lower-case letters, digits, - and _ "
               "(at most 64, starting with a letter or digit)")
        raise ScheduleError(msg)
    routine_arg = routine
    if routine.endswith((".yaml", ".yml")) or os.sep in routine:
        # A path: the unit runs in another working directory.
        try:
            routine_arg = str(locations.expand_user(Path(routine)).absolute())
        except LookupError as e:
            raise ScheduleError(f"the routine: {e}") from None
    if config is not None:
        # A unit's environment is not the shell's: the settings file must be named in it.
        try:
            config = locations.expand_user(config).absolute()
        except LookupError as e:
            raise ScheduleError(f"--config: {e}") from None
    return ScheduledStart(chosen, routine_arg, hour, minute, day_list,
                          play_command(routine_arg, python), config, environment)


def routine_reference(routine: str) -> str:
    """What the unit should name: the routine by name when found by name, else its full path.

    The routine is loaded and validated now, so a typo or a broken file is reported at the
    keyboard rather than at 21:30 with nobody there. A name stays a name, so later edits
    to the person's own routine are what plays.
    """
    from crampcoach.routines import library
    from crampcoach.routines.loader import load_routine, resolve

    load_routine(routine)
    path, _ = resolve(routine)
    found_by_name = path.parent in (*library.default_user_dirs(), library.BUILTIN_DIR)
    if found_by_name and path.stem == routine:
        return routine
    return str(path.expanduser().absolute())


# --- systemd ------------------------------------------------------------------------------------

LINGER_HINT = (
    "On a machine nobody logs in to (a Raspberry Pi by the bed), let your timers run "
    "without a login: loginctl enable-linger {user}"
)


@dataclass(frozen=True, slots=True)
class ListedStart:
    name: str
    routine: str
    on_calendar: str
    state: str


class SystemdScheduler:
    """Writes, enables, lists and removes crampcoach's units in a systemd user unit folder."""

    def __init__(self, unit_dir: Path, runner: Runner = run_command,
                 which: Callable[[str], str | None] = shutil.which) -> None:
        self.unit_dir = unit_dir
        self.runner = runner
        self.which = which

    def _systemctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.runner(["systemctl", "--user", *args])

    def require_systemd(self, start: ScheduledStart | None = None) -> None:
        """A ScheduleError with the crontab fallback when systemd user services are missing."""
        why = None
        if self.which("systemctl") is None:
            why = "systemctl is not installed"
        else:
            probe = self._systemctl("show-environment")
            if probe.returncode != 0:
                detail = (probe.stderr or probe.stdout).strip().splitlines()
                why = "systemctl --user does not answer" + (f" ({detail[0]})" if detail else "")
        if why is None:
            return
        msg = f"systemd user services are not available here: {why}."
        if start is not None:
            msg += (
                " To start it with cron instead, run 'crontab -e' and add this line: "
                + start.crontab_line()
            )
        raise ScheduleError(msg)

    def add(self, start: ScheduledStart, *, replace: bool = False) -> list[Path]:
        self.require_systemd(start)
        timer = self.unit_dir / start.timer_unit
        service = self.unit_dir / start.service_unit
        if timer.exists() and not replace:
            msg = (f"a scheduled start called {start.name!r} already exists; "
                   f"remove it first (crampcoach schedule remove {start.name}) or pick --name")
            raise ScheduleError(msg)
        try:
            self.unit_dir.mkdir(parents=True, exist_ok=True)
            service.write_text(start.service_text(), encoding="utf-8")
            timer.write_text(start.timer_text(), encoding="utf-8")
        except OSError as e:
            raise ScheduleError(f"cannot write {self.unit_dir}: {e.strerror}") from None
        self._check(self._systemctl("daemon-reload"), "reload systemd")
        enabled = self._systemctl("enable", "--now", start.timer_unit)
        if enabled.returncode != 0:
            # Leave nothing half-made behind.
            for path in (timer, service):
                path.unlink(missing_ok=True)
            self._systemctl("daemon-reload")
            self._check(enabled, f"enable {start.timer_unit}")
        return [service, timer]

    def remove(self, name: str) -> list[Path]:
        name = name.removeprefix(UNIT_PREFIX).removesuffix(".timer").removesuffix(".service")
        timer = self.unit_dir / f"{UNIT_PREFIX}{name}.timer"
        service = self.unit_dir / f"{UNIT_PREFIX}{name}.service"
        if not timer.exists() and not service.exists():
            known = ", ".join(s.name for s in self.list_starts(with_state=False)) or "none"
            raise ScheduleError(f"no scheduled start called {name!r} (scheduled: {known})")
        self.require_systemd()
        self._systemctl("disable", "--now", timer.name)
        removed = [p for p in (timer, service) if p.exists()]
        for path in removed:
            path.unlink()
        self._check(self._systemctl("daemon-reload"), "reload systemd")
        return removed

    def list_starts(self, *, with_state: bool = True) -> list[ListedStart]:
        if not self.unit_dir.is_dir():
            return []
        out: list[ListedStart] = []
        for timer in sorted(self.unit_dir.glob(f"{UNIT_PREFIX}*.timer")):
            name = timer.name.removeprefix(UNIT_PREFIX).removesuffix(".timer")
            fields = _unit_fields(timer)
            service = timer.with_suffix(".service")
            exec_start = _unit_fields(service).get("ExecStart", "") if service.exists() else ""
            state = "unknown"
            if with_state:
                answer = self._systemctl("is-active", timer.name)
                state = (answer.stdout.strip() or "unknown") if answer.stdout else "unknown"
            out.append(ListedStart(name, _routine_of(exec_start), fields.get("OnCalendar", "?"),
                                   state))
        return out

    @staticmethod
    def _check(result: subprocess.CompletedProcess[str], what: str) -> None:
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            msg = f"could not {what}" + (f": {detail[0]}" if detail else "")
            raise ScheduleError(msg)


def _unit_fields(path: Path) -> dict[str, str]:
    fields: dict[str, str] = {}
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep and not line.startswith(("#", ";", "[")):
                fields.setdefault(key.strip(), value.strip())
    except (OSError, UnicodeDecodeError):
        pass
    return fields


def _routine_of(exec_start: str) -> str:
    try:
        words = shlex.split(exec_start.replace("%%", "%").replace("$$", "$"))
    except ValueError:
        return "?"
    if "play" in words:
        after = words[words.index("play") + 1:]
        return after[0] if after else "(default)"
    return "?"


def default_scheduler() -> SystemdScheduler:
    """The scheduler on this machine: the user unit folder and the real systemctl."""
    return SystemdScheduler(user_unit_dir(), run_command, shutil.which)


def user_unit_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".config"
    return root / "systemd" / "user"


def linger_hint(user: str | None = None) -> str:
    return LINGER_HINT.format(user=user or os.environ.get("USER") or "$USER")
