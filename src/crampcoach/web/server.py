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


def serve(app: Any, host: str, port: int) -> RunningPage:
    """Start serving ``app`` on a daemon thread; WebError if the address cannot be used."""
    server_module = _waitress()
    try:
        server = server_module.create_server(app, host=host, port=port, threads=THREADS,
                                             ident="crampcoach", clear_untrusted_proxy_headers=True,
                                             channel_timeout=60, connection_limit=50)
    except OSError as e:
        raise WebError(f"the companion page cannot listen on {host}:{port}: "
                       f"{e.strerror}") from None
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
