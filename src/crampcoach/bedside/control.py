"""The bedside service's local control interface: a Unix socket only its user can reach.

The socket lives in ``$XDG_RUNTIME_DIR/crampcoach/`` (a folder of mode 0700, the socket
0600), and the service also checks each caller's user id (``SO_PEERCRED``), so a folder
whose mode was loosened still lets nobody else in.

The protocol is one line of JSON each way per connection::

    -> {"command": "start", "routine": "cramp-rescue"}
    <- {"ok": true, "message": "Started Cramp rescue.", "status": {...}}
    <- {"ok": false, "error": "nothing is playing"}

Commands: start [routine], pause, resume, next, repeat, stop, continue, status. A request
is at most :data:`MAX_REQUEST_BYTES` and must arrive whole within :data:`REQUEST_TIMEOUT_S`;
anything else gets an error reply and the connection is closed.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import stat
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from crampcoach import locations
from crampcoach.errors import BedsideError

CommandName = Literal["start", "pause", "resume", "next", "repeat", "stop", "continue",
                      "status"]
COMMANDS: tuple[CommandName, ...] = ("start", "pause", "resume", "next", "repeat", "stop",
                                     "continue", "status")
#: A request is one short line; anything longer is refused unread.
MAX_REQUEST_BYTES = 4096
#: A reply carries a status; it is bounded too, so a client never reads without end.
MAX_REPLY_BYTES = 64 * 1024
#: Seconds a caller has to send its whole request.
REQUEST_TIMEOUT_S = 2.0
#: Seconds a client waits for the answer (a start answers once the routine is checked).
REPLY_TIMEOUT_S = 15.0
#: Callers served at once; more are told the service is busy.
MAX_CLIENTS = 4
#: What the kernel allows in a Unix socket's path (108 bytes with the final NUL).
_MAX_PATH_BYTES = 107

NOT_RUNNING = ("the bedside service is not running (start it with: systemctl --user start "
               "crampcoach-bedside, or install it with: crampcoach bedside install)")


@dataclass(frozen=True, slots=True)
class Command:
    """One control: what to do and, for a start, which routine (None: the button's).
    ``origin`` says which input sent it (for the log)."""

    name: CommandName
    routine: str | None = None
    origin: str = "socket"


@dataclass(frozen=True, slots=True)
class Reply:
    ok: bool
    message: str
    status: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The reply as the protocol carries it (and the companion page reads it)."""
        body: dict[str, Any] = {"ok": self.ok}
        body["message" if self.ok else "error"] = self.message
        if self.status:
            body["status"] = self.status
        return body

    def to_line(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=True).encode() + b"\n"


class BadRequest(Exception):
    """A request that is not one of the commands, said in one line."""


def parse_request(line: bytes) -> Command:
    """The command in one request line; BadRequest saying what is wrong otherwise."""
    try:
        body = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # deep nesting: RecursionError
        raise BadRequest("a request is one line of JSON, like "
                         '{"command": "status"}') from None
    if not isinstance(body, dict):
        raise BadRequest('a request is a JSON object, like {"command": "status"}')
    unknown = sorted(set(body) - {"command", "routine"})
    if unknown:
        raise BadRequest(f"unknown field {_shown(unknown[0])} (known: command, routine)")
    name = body.get("command")
    if name not in COMMANDS:
        raise BadRequest(f"unknown command {_shown(name)} (known: {', '.join(COMMANDS)})")
    routine = body.get("routine")
    if routine is not None and (name != "start" or not isinstance(routine, str)
                                or not routine.strip() or len(routine) > 255
                                or not routine.isprintable()):
        raise BadRequest(f"'routine' must be a routine's name or path, given with start, "
                         f"not {_shown(routine)}")
    return Command(name, routine.strip() if isinstance(routine, str) else None)


def _shown(value: object) -> str:
    """A value from a request as a log line may show it: short, control characters escaped."""
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 60 else text[:57] + "..."


def socket_path() -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and not os.path.isabs(runtime):
        raise BedsideError(f"XDG_RUNTIME_DIR is {runtime!r}, not an absolute path, so there is "
                           "no private folder for the control socket (log in as the "
                           "service's user, or start it with systemctl --user)")
    path = locations.bedside_socket_path()
    if path is None:
        raise BedsideError("XDG_RUNTIME_DIR is not set, so there is no private folder for "
                           "the control socket (log in as the service's user, or start it "
                           "with systemctl --user)")
    if len(os.fsencode(path)) > _MAX_PATH_BYTES:
        raise BedsideError(f"the control socket's path is too long for a Unix socket: {path}")
    return path


# --- the server -------------------------------------------------------------------------------

def _private_folder(folder: Path) -> None:
    """Make ``folder`` (0700, ours), or refuse one that someone else could get into."""
    try:
        folder.mkdir(mode=0o700, parents=False, exist_ok=True)
        info = folder.lstat()
    except OSError as e:
        raise BedsideError(f"cannot make the folder for the control socket {folder}: "
                           f"{e.strerror}") from None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise BedsideError(f"{folder} is not a folder of this user's; the control socket "
                           "is not made there")
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(folder, 0o700)


def peer_uid(conn: socket.socket) -> int:
    """The user id of the process at the other end (the kernel's word, not the peer's)."""
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return int(uid)


class ControlServer:
    """Serves the control socket on a thread; ``handle`` answers each command."""

    def __init__(self, path: Path, handle: Callable[[Command], Reply],
                 log: Callable[[str], None]) -> None:
        self.path = path
        self._handle = handle
        self._log = log
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._slots = threading.BoundedSemaphore(MAX_CLIENTS)
        self._uid = os.getuid()

    def open(self) -> None:
        _private_folder(self.path.parent)
        try:
            kind = self.path.lstat().st_mode
        except FileNotFoundError:
            kind = None
        except OSError as e:
            raise BedsideError(f"cannot use the control socket {self.path}: "
                               f"{e.strerror}") from None
        if kind is not None and not (stat.S_ISSOCK(kind) or stat.S_ISLNK(kind)):
            what = "a folder" if stat.S_ISDIR(kind) else "a file"
            raise BedsideError(f"{self.path} is {what}, not a socket, so the control socket "
                               "cannot be made there (move it away)")
        if kind is not None:
            if _answers(self.path):
                raise BedsideError(f"the bedside service is already running "
                                   f"(its socket {self.path} answers)")
            # Left by a service that was killed: nobody answers there.
            self.path.unlink()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)  # the socket is made 0600, with no moment of a wider mode
        try:
            sock.bind(str(self.path))
        except OSError as e:
            sock.close()
            raise BedsideError(f"cannot make the control socket {self.path}: "
                               f"{e.strerror}") from None
        finally:
            os.umask(old)
        os.chmod(self.path, 0o600)
        sock.listen(16)
        self._sock = sock
        self._thread = threading.Thread(target=self._serve, name="crampcoach-control",
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept
            sock.close()
        if self._thread is not None:
            self._thread.join(5)
        with contextlib.suppress(OSError):
            self.path.unlink()

    def _serve(self) -> None:
        while (sock := self._sock) is not None:
            try:
                conn, _ = sock.accept()
            except OSError:
                return  # closed
            if not self._slots.acquire(blocking=False):
                with contextlib.suppress(OSError):
                    conn.sendall(Reply(False, "the service is busy; try again").to_line())
                conn.close()
                continue
            threading.Thread(target=self._serve_one, args=(conn,), daemon=True,
                             name="crampcoach-control-client").start()

    def _serve_one(self, conn: socket.socket) -> None:
        try:
            with conn:
                conn.settimeout(REQUEST_TIMEOUT_S)
                uid = peer_uid(conn)
                if uid != self._uid:
                    self._log(f"Refused a control connection from user id {uid}.")
                    conn.sendall(Reply(False, "this service belongs to another user")
                                 .to_line())
                    return
                reply = self._answer(conn)
                conn.settimeout(REQUEST_TIMEOUT_S)
                conn.sendall(reply.to_line())
        except OSError:
            pass  # the caller went away or was too slow; nothing to tell it
        finally:
            self._slots.release()

    def _answer(self, conn: socket.socket) -> Reply:
        try:
            line = _read_line(conn, MAX_REQUEST_BYTES, REQUEST_TIMEOUT_S)
        except TimeoutError:
            return Reply(False, f"no request within {REQUEST_TIMEOUT_S:g} s")
        except BadRequest as e:
            return Reply(False, str(e))
        try:
            command = parse_request(line)
        except BadRequest as e:
            self._log(f"Control: refused a request: {e}")
            return Reply(False, str(e))
        return self._handle(command)


def _read_line(conn: socket.socket, limit: int, within_s: float | None = None) -> bytes:
    """One line of at most ``limit`` bytes; all of it within ``within_s`` seconds (a
    deadline for the whole line, not for each read: a byte now and then does not hold a
    slot for ever). TimeoutError past it."""
    deadline = None if within_s is None else time.monotonic() + within_s
    data = b""
    while b"\n" not in data:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            conn.settimeout(left)
        chunk = conn.recv(limit + 1 - len(data))
        if not chunk:
            break
        data += chunk
        if len(data) > limit:
            raise BadRequest(f"a request is at most {limit} bytes")
    if b"\n" not in data and not data:
        raise BadRequest("an empty request")
    return data.split(b"\n", 1)[0]


def _answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


# --- the client -------------------------------------------------------------------------------

def send(command: CommandName, routine: str | None = None, *, path: Path | None = None,
         timeout_s: float = REPLY_TIMEOUT_S) -> dict[str, Any]:
    """Send one command to the running service and return its reply (a dict with ``ok``).

    Raises :class:`BedsideError` (one line) when the service is not running or does not
    answer properly.
    """
    target = path or socket_path()
    request: dict[str, Any] = {"command": command}
    if routine is not None:
        request["routine"] = routine
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout_s)
        try:
            sock.connect(str(target))
        except (FileNotFoundError, ConnectionRefusedError):
            raise BedsideError(NOT_RUNNING) from None
        except PermissionError:
            raise BedsideError(f"cannot reach the bedside service's socket {target} "
                               "(it belongs to another user)") from None
        except OSError as e:
            raise BedsideError(f"cannot reach the bedside service: {e.strerror}") from None
        with contextlib.suppress(OSError):
            # A busy service answers and closes before reading: its reply is still there.
            sock.sendall(json.dumps(request).encode() + b"\n")
        try:
            line = _read_line(sock, MAX_REPLY_BYTES)
        except TimeoutError:
            raise BedsideError(f"the bedside service did not answer within "
                               f"{timeout_s:g} s") from None
        except (OSError, BadRequest):
            raise BedsideError("the bedside service closed the connection without "
                               "an answer") from None
    try:
        reply = json.loads(line)
    except ValueError:
        reply = None
    if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
        raise BedsideError("the bedside service answered something that is not a reply")
    return reply
