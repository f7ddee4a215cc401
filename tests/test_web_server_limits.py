"""The companion page served for real (waitress) under abuse: bodies too large are refused
before they are read, slow or many connections from one address cannot keep the carer's
phone out, and a request that takes too long to arrive is closed."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

import pytest

from crampcoach.web.app import create_app
from crampcoach.web.server import CONNECTIONS_PER_ADDRESS, RunningPage, serve
from support.web import make_page

pytestmark = pytest.mark.realtime  # real sockets, and a request deadline on the real clock


@pytest.fixture
def served() -> Iterator[RunningPage]:
    running = serve(create_app(make_page().parts), "127.0.0.1", 0, deadline_s=1.0)
    try:
        yield running
    finally:
        running.close()


def _connect(page: RunningPage, source: str = "127.0.0.1") -> socket.socket:
    return socket.create_connection((page.host, page.port), timeout=10,
                                    source_address=(source, 0))


def _answer(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        if not piece:
            break
        data += piece
    return data


def test_a_body_too_large_is_refused_by_its_length_before_it_is_sent(served: RunningPage
                                                                      ) -> None:
    sock = _connect(served)
    sock.sendall(b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Content-Length: 1073741824\r\n\r\n")
    assert _answer(sock).startswith(b"HTTP/1.1 413 ")
    sock.close()


def test_a_chunked_body_is_cut_off_as_it_passes_the_limit(served: RunningPage) -> None:
    sock = _connect(served)
    sock.sendall(b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"10000\r\n" + b"x" * 0x10000 + b"\r\n"
    sent = 0
    try:
        for _ in range(200):  # 13 MB offered; the page takes 1.2 MB
            sock.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass  # the server closed the connection as the body passed the limit
    assert sent < 200 * len(chunk)  # what the kernel buffers, not the whole body
    assert _answer(sock).startswith(b"HTTP/1.1 413 ")
    sock.close()


def test_slow_connections_from_one_address_leave_room_for_the_carer(served: RunningPage
                                                                    ) -> None:
    attackers = []
    for _ in range(CONNECTIONS_PER_ADDRESS + 50):
        sock = _connect(served, "127.0.0.2")
        with contextlib.suppress(OSError):  # closed at once: over the address's share
            sock.sendall(b"GET /status.json HTTP/1.1\r\n")
        attackers.append(sock)
    carer = _connect(served, "127.0.0.3")
    carer.sendall(b"GET /status.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert _answer(carer).startswith(b"HTTP/1.1 401 ")
    for sock in attackers:
        sock.close()
    carer.close()


def test_a_request_trickled_a_byte_at_a_time_is_closed(served: RunningPage) -> None:
    sock = _connect(served, "127.0.0.2")
    sock.settimeout(0.2)
    closed = False
    line = b"GET /status.json HTTP/1.1\r\nX-Slow: " + b"a" * 100
    for byte in line:  # a byte every 0.2 s: each read is quick, the request never ends
        try:
            sock.sendall(bytes([byte]))
            if sock.recv(1024) == b"":
                closed = True
                break
        except TimeoutError:
            continue
        except OSError:
            closed = True
            break
    assert closed, "the server still waits for a request that has taken 20 s"
    sock.close()
