"""The control socket for real: a service on fakes behind a real Unix socket, reached by
the ``crampcoach bedside ...`` commands and by raw clients that misbehave."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import stat
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from crampcoach.bedside.control import (
    MAX_REQUEST_BYTES,
    NOT_RUNNING,
    ControlServer,
    socket_path,
)
from crampcoach.cli import cli
from crampcoach.errors import BedsideError
from support.bedside_service import Rig, make_rig, rig_settings, routines_folder
from support.keypad import FakeInputFolder

pytestmark = pytest.mark.realtime


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    # Short: a Unix socket's path is at most 107 bytes, and pytest's folders are long.
    folder = Path(tempfile.mkdtemp(prefix="cc-run-"))
    folder.chmod(0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def served(runtime: Path, tmp_path: Path, isolated_home: Path) -> Iterator[Rig]:
    routines_folder(isolated_home)
    rig = make_rig(tmp_path, rig_settings(tmp_path),
                   keypad_devices=(FakeInputFolder().open, list))
    server = ControlServer(socket_path(), rig.service.handle, rig.log.append)
    server.open()
    rig.service.start()
    yield rig
    rig.service.stop()
    server.close()


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["bedside", *args])
    return result.exit_code, result.stdout, result.stderr


def _raw(data: bytes, *, wait_s: float = 5.0) -> dict[str, Any]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(wait_s)
        sock.connect(str(socket_path()))
        sock.sendall(data)
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    reply = json.loads(answer)
    assert isinstance(reply, dict)
    return reply


def test_the_socket_is_private(served: Rig, runtime: Path) -> None:
    path = socket_path()
    assert path == runtime / "crampcoach" / "bedside.sock"
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_ISSOCK(path.stat().st_mode)


def test_the_commands_steer_a_session(served: Rig) -> None:
    assert _run("start") == (0, "Started Short rescue.\n", "")
    time.sleep(0.3)
    assert _run("pause") == (0, "Paused.\n", "")
    assert _run("pause") == (0, "Already paused.\n", "")
    assert _run("resume") == (0, "Carrying on.\n", "")
    assert _run("repeat") == (0, "Repeating.\n", "")
    # Nothing waits for the person to be ready: said so, and refused (issue 21).
    assert _run("continue") == (
        1, "", "Error: nothing is waiting for the person to be ready\n")
    assert served.said()[-1] == "Nothing is waiting for you to be ready just now."
    assert _run("next") == (0, "Next.\n", "")
    assert _run("start", "wind-down") == (1, "", "Error: Short rescue is already playing\n")
    code, out, _ = _run("status")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == ("Unit: crampcoach-bedside.service is not installed "
                        "(crampcoach bedside install)")
    assert lines[1] == f"Service: running (pid {os.getpid()})"
    assert lines[2].startswith("Now: Playing: Short rescue, ")
    assert lines[2].endswith("(by socket).")
    assert lines[3:5] == ["Button: none (button_pin is not set)",
                          "Keypads: none found (keypad: auto)"]
    assert lines[-2:] == ["Settings: as in the file", "Button's routine: ready"]
    assert _run("stop") == (0, "Stopping.\n", "")
    assert served.service.wait_idle(10)
    assert _run("stop") == (1, "", "Error: nothing is playing\n")
    assert served.said()[-1] == "Nothing is playing just now."


def test_start_names_a_routine_that_cannot_be_played(served: Rig) -> None:
    code, out, err = _run("start", "no-such-routine")
    assert (code, out) == (1, "")
    assert err == ("Error: no-such-routine cannot be played: no-such-routine: no such file "
                   "or built-in routine (crampcoach list shows them)\n")


def test_start_sends_a_path_as_an_absolute_path(served: Rig, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mine.yaml").write_text("name: Mine\nsteps:\n  - say: Hello.\n  - rest: 10s\n")
    monkeypatch.chdir(tmp_path)
    assert _run("start", "mine.yaml") == (0, "Started Mine.\n", "")
    assert f"Start {tmp_path / 'mine.yaml'} (socket)." in served.log


@pytest.mark.parametrize("command", ["start", "pause", "resume", "next", "repeat", "stop",
                                     "continue", "status"])
def test_every_command_says_so_in_one_line_when_the_service_is_not_running(
        runtime: Path, command: str) -> None:
    code, out, err = _run(command)
    assert code == 1
    assert err == f"Error: {NOT_RUNNING}\n"
    if command == "status":
        assert out == ("Unit: crampcoach-bedside.service is not installed "
                       "(crampcoach bedside install)\n")


def test_without_a_runtime_folder_the_commands_say_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    assert _run("pause") == (1, "", "Error: XDG_RUNTIME_DIR is not set, so there is no "
                             "private folder for the control socket (log in as the service's "
                             "user, or start it with systemctl --user)\n")


@pytest.mark.parametrize(("request_line", "error"), [
    (b"pause\n", 'a request is one line of JSON, like {"command": "status"}'),
    (b"[1, 2]\n", 'a request is a JSON object, like {"command": "status"}'),
    (b'{"command": "dance"}\n', 'unknown command "dance" (known: start, pause, resume, '
     "next, repeat, stop, continue, status)"),
    (b'{"command": "status", "as": "root"}\n', 'unknown field "as" (known: command, routine)'),
    (b'{"command": "pause", "routine": "x"}\n',
     "'routine' must be a routine's name or path, given with start, not \"x\""),
    (b'{"command": "start", "routine": "\\u001b[2J"}\n',
     "'routine' must be a routine's name or path, given with start, not \"\\u001b[2J\""),
    (b'{"command": "start", "routine": 7}\n',
     "'routine' must be a routine's name or path, given with start, not 7"),
    (b"\xff\xfe\n", 'a request is one line of JSON, like {"command": "status"}'),
    (b"\n", 'a request is one line of JSON, like {"command": "status"}'),
])
def test_bad_requests_get_one_line_and_change_nothing(served: Rig, request_line: bytes,
                                                      error: str) -> None:
    assert _raw(request_line) == {"ok": False, "error": error}
    assert served.service.status()["state"] == "idle"


def test_a_request_too_long_is_refused_unread(served: Rig) -> None:
    reply = _raw(b'{"command": "status", "x": "' + b"a" * MAX_REQUEST_BYTES + b'"}\n')
    assert reply == {"ok": False, "error": f"a request is at most {MAX_REQUEST_BYTES} bytes"}


def test_a_caller_that_sends_nothing_is_cut_off(served: Rig) -> None:
    started = time.monotonic()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(str(socket_path()))
        answer = sock.recv(4096)
    assert json.loads(answer) == {"ok": False, "error": "no request within 2 s"}
    assert time.monotonic() - started < 5
    # Meanwhile others are answered.
    assert _raw(b'{"command": "status"}\n')["ok"] is True


def test_a_second_service_on_the_same_socket_is_refused(served: Rig) -> None:
    other = ControlServer(socket_path(), served.service.handle, served.log.append)
    with pytest.raises(BedsideError) as caught:
        other.open()
    assert str(caught.value) == (f"the bedside service is already running (its socket "
                                 f"{socket_path()} answers)")


def test_a_socket_left_by_a_killed_service_is_replaced(runtime: Path) -> None:
    path = socket_path()
    path.parent.mkdir(mode=0o700)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
        dead.bind(str(path))  # bound, never listening: nobody answers
    server = ControlServer(path, lambda command: None, lambda line: None)  # type: ignore[arg-type,return-value]
    server.open()
    server.close()
    assert not path.exists()


def test_a_socket_folder_that_is_not_ours_is_refused(runtime: Path) -> None:
    path = socket_path()
    path.parent.symlink_to(tempfile.gettempdir())
    with pytest.raises(BedsideError) as caught:
        ControlServer(path, lambda c: None, lambda line: None).open()  # type: ignore[arg-type,return-value]
    assert str(caught.value) == (f"{path.parent} is not a folder of this user's; the "
                                 "control socket is not made there")


def _connect_as_nobody(path: Path) -> str:
    """Connect and send "stop" from a forked child that dropped to user nobody (65534)."""
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        # Fork with threads about: the child only makes system calls and exits.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        answer = b""
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(5)
                sock.connect(str(path))
                sock.sendall(b'{"command": "stop"}\n')
                answer = sock.recv(4096).strip()
        except PermissionError:
            answer = b"permission denied"
        except BaseException as e:
            answer = repr(e).encode()
        finally:
            os.write(write_end, answer)
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    return answer.decode()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run a client as another user")
def test_other_users_cannot_reach_it_even_through_a_loosened_folder(served: Rig) -> None:
    path = socket_path()
    assert _connect_as_nobody(path) == "permission denied"
    for folder in (path.parent, *path.parent.parents):
        if folder == Path("/"):
            break
        folder.chmod(folder.stat().st_mode | 0o005)
    path.chmod(0o666)
    assert json.loads(_connect_as_nobody(path)) == {"ok": False,
                                       "error": "this service belongs to another user"}
    assert "Refused a control connection from user id 65534." in served.log


def test_deep_nesting_gets_one_line_and_no_traceback(served: Rig) -> None:
    assert _raw(b"[" * 4000 + b"\n") == {
        "ok": False, "error": 'a request is one line of JSON, like {"command": "status"}'}
    assert not [line for line in served.log if "Traceback" in line]
    assert _raw(b'{"command": "status"}\n')["ok"] is True


def _trickle(count: int) -> list[socket.socket]:
    clients = []
    for _ in range(count):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(10)
        sock.connect(str(socket_path()))
        clients.append(sock)
    return clients


def test_a_request_trickled_a_byte_at_a_time_is_cut_off_as_a_whole(served: Rig) -> None:
    clients = _trickle(4)  # every slot
    answers: list[bytes] = []
    for _ in range(12):  # a byte each 0.5 s: no single read waits 2 s, the request does
        for sock in clients:
            with contextlib.suppress(OSError):
                sock.sendall(b" ")
        time.sleep(0.5)
    for sock in clients:
        with contextlib.suppress(OSError):
            answers.append(sock.recv(4096))
        sock.close()
    assert answers == [b'{"ok": false, "error": "no request within 2 s"}\n'] * 4
    assert _raw(b'{"command": "status"}\n')["ok"] is True


def test_status_when_the_service_is_busy_says_busy(served: Rig) -> None:
    clients = _trickle(4)  # every slot, for 2 s
    time.sleep(0.2)
    code, _, err = _run("status")
    for sock in clients:
        sock.close()
    assert (code, err) == (1, "Error: the bedside service answered: the service is busy; "
                              "try again\n")


def test_a_folder_where_the_socket_goes_is_named(runtime: Path) -> None:
    path = socket_path()
    path.mkdir(parents=True)
    server = ControlServer(path, lambda command: None, lambda line: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(BedsideError) as caught:
        server.open()
    assert str(caught.value) == (f"{path} is a folder, not a socket, so the control socket "
                                 "cannot be made there (move it away)")
    assert path.is_dir()


def test_a_relative_runtime_folder_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", "run/user")
    assert _run("pause") == (1, "", "Error: XDG_RUNTIME_DIR is 'run/user', not an absolute "
                             "path, so there is no private folder for the control socket "
                             "(log in as the service's user, or start it with systemctl "
                             "--user)\n")
