"""Serving the companion page inside the bedside service: waitress on its own thread.

Where it listens is the security decision that matters most, so it lives here, in one
place: the loopback address by default; any other address only when a password is set
(:func:`check_listen`). waitress is pure Python and threaded, like the service, so the page
runs in the service's process without an event loop or a second process.
"""

from __future__ import annotations

import importlib
import ipaddress
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crampcoach.errors import WebError

if TYPE_CHECKING:
    from crampcoach.web.app import Control

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8470
INSTALL_HINT = "pip install 'crampcoach[web]'"
#: Threads serving requests: a few phones at once, and little memory.
THREADS = 4
#: Seconds the report may take (matplotlib on a Pi 3 is slow to start).
REPORT_TIMEOUT_S = 120.0
#: Seconds a request may take to arrive, headers and body (not per read: a client that
#: sends a byte now and then is closed all the same), and an idle connection may stay.
REQUEST_DEADLINE_S = 10.0
IDLE_S = 60
#: Connections one address may hold at once, and all together: a few slow or idle ones
#: from one address leave room for the carer's phone.
CONNECTIONS_PER_ADDRESS = 8
CONNECTIONS_IN_ALL = 64


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_listen(host: str, port: int, password_set: bool) -> None:
    """Refuse an address the page may not listen on, in one line."""
    if not 0 <= port <= 65535:  # 0: any free port (the tests and benchmarks use it)
        raise WebError(f"the companion page's port must be from 1 to 65535, not {port}")
    if host != "localhost":
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise WebError(f"the companion page listens on an IP address (like {DEFAULT_HOST} "
                           f"or 0.0.0.0), not {host!r}") from None
    if not is_loopback(host) and not password_set:
        raise WebError(f"the companion page listens on {host} (the home network) only with "
                       "a password: set one with 'crampcoach bedside password'")


def web_names(environ: Mapping[str, str]) -> tuple[str, ...]:
    """The names the person lets the page answer to (:data:`WEB_NAMES_ENV`)."""
    from crampcoach.web.app import WEB_NAMES_ENV

    text = environ.get(WEB_NAMES_ENV, "")
    return tuple(n.strip().lower().rstrip(".") for n in text.split(",") if n.strip())


def _waitress() -> Any:
    try:
        return importlib.import_module("waitress.server")
    except ImportError:
        raise WebError(f"the companion page needs Flask and waitress: {INSTALL_HINT}") \
            from None


@dataclass
class RunningPage:
    """The page being served; ``close`` stops it."""

    host: str
    port: int
    _server: Any
    _thread: threading.Thread

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def close(self) -> None:
        """Stop serving: every socket is closed by the server's own loop thread.

        Closed from this thread instead, a socket could vanish while that loop waits on
        it, and the loop then died on a bad file descriptor.
        """
        from waitress import wasyncore

        server = self._server
        sockets = server._map  # the loop's own map: the listening socket and every channel
        try:
            server.trigger.pull_trigger(lambda: wasyncore.close_all(sockets))
        except OSError:  # the loop is already gone
            wasyncore.close_all(sockets)
        self._thread.join(5)
        server.task_dispatcher.shutdown()


def _guard_connections(server: Any, deadline_s: float) -> None:
    """Bound each connection of ``server`` (a waitress server): a request must arrive
    within ``deadline_s`` from its first byte, and one address holds at most
    :data:`CONNECTIONS_PER_ADDRESS` connections (more are closed as they come)."""
    base = server.channel_class
    per_address: dict[str, int] = {}
    lock = threading.Lock()

    class GuardedChannel(base):  # type: ignore[misc, valid-type]
        request_started: float | None = None
        counted: str | None = None

        def __init__(self, srv: Any, sock: Any, addr: Any, adj: Any, map: Any = None) -> None:
            address = str(addr[0]) if isinstance(addr, tuple) and addr else str(addr)
            with lock:
                held = per_address.get(address, 0)
                if held < CONNECTIONS_PER_ADDRESS:
                    per_address[address] = held + 1
            super().__init__(srv, sock, addr, adj, map)
            if held >= CONNECTIONS_PER_ADDRESS:
                self.will_close = True
                self.close()
                return
            self.counted = address

        def received(self, data: bytes) -> bool:
            if self.request is None and data:
                self.request_started = time.time()
            done = bool(super().received(data))
            if self.request is None:  # every request read so far is whole
                self.request_started = None
            return done

        def close(self) -> None:
            with lock:
                if self.counted is not None:
                    left = per_address.get(self.counted, 1) - 1
                    if left > 0:
                        per_address[self.counted] = left
                    else:
                        per_address.pop(self.counted, None)
                    self.counted = None
            super().close()

    original = server.maintenance

    def maintenance(now: float) -> None:
        original(now)
        for channel in list(server.active_channels.values()):
            started = getattr(channel, "request_started", None)
            if started is not None and now - started > deadline_s:
                channel.will_close = True
                channel.request_started = None

    server.channel_class = GuardedChannel
    server.maintenance = maintenance


def serve(app: Any, host: str, port: int, *,
          deadline_s: float = REQUEST_DEADLINE_S) -> RunningPage:
    """Start serving ``app`` on a daemon thread; WebError if the address cannot be used.

    A body larger than the page takes is refused by its Content-Length before a byte of
    it is read, and a chunked one as soon as it passes the limit."""
    from crampcoach.web.app import MAX_REQUEST_BYTES

    server_module = _waitress()
    try:
        server = server_module.create_server(
            app, host=host, port=port, threads=THREADS, ident="crampcoach",
            clear_untrusted_proxy_headers=True, channel_timeout=IDLE_S,
            connection_limit=CONNECTIONS_IN_ALL, cleanup_interval=1,
            max_request_body_size=MAX_REQUEST_BYTES, max_request_header_size=64 * 1024)
    except OSError as e:
        raise WebError(f"the companion page cannot listen on {host}:{port}: "
                       f"{e.strerror}") from None
    _guard_connections(server, deadline_s)
    actual_port = int(server.effective_port)
    thread = threading.Thread(target=server.run, name="crampcoach-web", daemon=True)
    thread.start()
    return RunningPage(host, actual_port, server, thread)


def report_maker(config: Path | None) -> Callable[[int], bytes]:
    """Makes the report PDF with ``crampcoach report`` in a child process: the same command
    a person runs (its journal from the same settings), and matplotlib never loads into
    the resident service."""

    def make(days: int) -> bytes:
        with tempfile.TemporaryDirectory(prefix="crampcoach-report-") as folder:
            out = Path(folder) / "report.pdf"
            env = dict(os.environ)
            if config is not None:
                env["CRAMPCOACH_CONFIG"] = str(config)
            command = [sys.executable, "-m", "crampcoach", "report", "--days", str(days),
                       "-o", str(out)]
            try:
                done = subprocess.run(command, capture_output=True, text=True, env=env,
                                      timeout=REPORT_TIMEOUT_S, check=False)
            except subprocess.TimeoutExpired:
                raise WebError(f"the report took over {REPORT_TIMEOUT_S:g} s") from None
            if done.returncode != 0 or not out.exists():
                lines = [ln.removeprefix("Error: ") for ln in done.stderr.splitlines()
                         if ln.strip()]
                raise WebError(lines[-1] if lines else "the report could not be made")
            return out.read_bytes()

    return make


def start_page(control: Control, *, config: Path | None = None, host: str = DEFAULT_HOST,
               port: int = DEFAULT_PORT, machine: Any = None) -> RunningPage:
    """Serve the companion page for the bedside service: ``control`` answers its commands
    (the service's own ``handle``, as a reply dict). Refuses the home network without a
    password, before anything listens."""
    from crampcoach import locations
    from crampcoach.settings import settings_path
    from crampcoach.web.app import WebParts, create_app
    from crampcoach.web.auth import PasswordFile

    passwords = PasswordFile(locations.web_password_path())
    check_listen(host, port, passwords.is_set)
    parts = WebParts(settings_file=settings_path(config), control=control,
                     passwords=passwords, machine=machine, report=report_maker(config),
                     tz=None, hosts=web_names(os.environ))
    return serve(create_app(parts), host, port)
