"""Keys without Enter: a terminal in cbreak mode, read on a thread into the clock's queue.

On a terminal, each key press arrives at once (no Enter), the terminal's settings are
restored on leaving even after Ctrl-C (which still raises SIGINT: cbreak keeps signals).
Without a terminal (a pipe, a service), the input is read as it comes; a closed or empty
input means nobody can press keys, and nothing fails.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any

from crampcoach.inputs.keys import (
    ESCAPE,
    INPUT_ENDED,
)
from crampcoach.inputs.keys import (
    TERMINAL_SEQUENCES as SEQUENCES,
)
from crampcoach.inputs.keys import (
    TERMINAL_SINGLE as _SINGLE,
)

#: A lone Escape is told from the start of a sequence by nothing following it this soon.
ESCAPE_WAIT_S = 0.05


class KeyDecoder:
    """Turns bytes typed into key names; keeps an unfinished escape sequence for later."""

    def __init__(self) -> None:
        self._pending = b""

    def feed(self, data: bytes) -> list[str]:
        buf = self._pending + data
        keys: list[str] = []
        while buf:
            if buf[:1] == b"\x1b":
                for seq, name in SEQUENCES.items():
                    if buf.startswith(seq):
                        keys.append(name)
                        buf = buf[len(seq):]
                        break
                else:
                    if any(seq.startswith(buf) for seq in SEQUENCES) or (
                            buf[:2] == b"\x1b[" and len(buf) < 6 and buf[-1:].isdigit()):
                        break  # wait for the rest of the sequence
                    if buf[:2] == b"\x1b[":
                        # An unknown CSI sequence: drop it up to its final byte.
                        end = next((i for i in range(2, len(buf)) if 0x40 <= buf[i] <= 0x7E),
                                   len(buf) - 1)
                        buf = buf[end + 1:]
                        continue
                    keys.append(ESCAPE)
                    buf = buf[1:]
                continue
            one, buf = buf[:1], buf[1:]
            if one in _SINGLE:
                keys.append(_SINGLE[one])
            elif one.isascii() and one.decode().isprintable():
                # Letters in lower case; punctuation as typed (the settings may bind "." or "+").
                keys.append(one.decode().lower())
        self._pending = buf
        return keys

    @property
    def waiting(self) -> bool:
        """An escape sequence has begun and not finished."""
        return bool(self._pending)

    def flush(self) -> list[str]:
        """Nothing more came: an unfinished sequence was a lone Escape."""
        pending, self._pending = self._pending, b""
        return [ESCAPE] if pending else []


class KeyReader:
    """Reads keys from ``stream`` on a daemon thread and hands each to ``push``.

    A context manager: entering puts a terminal into cbreak mode, leaving restores it.
    ``live`` is False once the input has ended (or when there is no input at all).
    """

    def __init__(self, stream: IO[str] | None, push: Callable[[str], None]) -> None:
        self._stream = stream
        self._push = push
        self._fd: int | None = None
        self._saved: list[Any] | None = None
        self._stop = threading.Event()
        self._mode_lock = threading.Lock()  # restoring the terminal vs. re-entering cbreak
        self._thread: threading.Thread | None = None
        self.is_terminal = False
        self._ended = stream is None

    @property
    def live(self) -> bool:
        return not self._ended

    def __enter__(self) -> KeyReader:
        stream = self._stream
        if stream is None:
            return self
        try:
            self._fd = stream.fileno()
        except (OSError, ValueError):  # io.UnsupportedOperation is both
            self._fd = None
        if self._fd is not None:
            self.is_terminal = os.isatty(self._fd)
        if self.is_terminal and self._fd is not None:
            import termios
            import tty

            self._saved = termios.tcgetattr(self._fd)
            tty.setcbreak(self._fd)
            target = self._read_fd
        elif self._fd is not None:
            target = self._read_fd
        else:
            target = self._read_stream
        self._thread = threading.Thread(target=target, name="crampcoach-keys", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        with self._mode_lock:
            if self._saved is not None and self._fd is not None:
                import termios

                with contextlib.suppress(termios.error, OSError):
                    termios.tcsetattr(self._fd, termios.TCSADRAIN, self._saved)
                self._saved = None
        if self._thread is not None and self._thread is not threading.current_thread():
            # The fd reader wakes at least every 0.2 s; a blocked stream reader is a daemon.
            self._thread.join(timeout=0.5)

    def _keep_cbreak(self) -> None:
        """After Ctrl-Z and ``fg`` the shell has left the terminal in line mode: without
        cbreak again, no key would arrive before Enter."""
        import termios
        import tty

        with self._mode_lock:
            if self._saved is None or self._fd is None or self._stop.is_set():
                return
            try:
                if not termios.tcgetattr(self._fd)[3] & termios.ICANON:
                    return
                with contextlib.suppress(OSError):
                    if os.tcgetpgrp(self._fd) != os.getpgrp():
                        return  # in the background: changing the terminal would stop us
                tty.setcbreak(self._fd)
            except (termios.error, OSError):
                return

    def _end(self) -> None:
        self._ended = True
        self._push(INPUT_ENDED)

    def _read_fd(self) -> None:
        assert self._fd is not None
        decoder = KeyDecoder()
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self._fd], [], [], 0.2)
            except (OSError, ValueError):
                return self._end()
            if not ready:
                self._keep_cbreak()
                continue
            try:
                data = os.read(self._fd, 64)
            except OSError:
                return self._end()
            if not data:
                return self._end()
            for key in decoder.feed(data):
                self._push(key)
            if decoder.waiting:
                more, _, _ = select.select([self._fd], [], [], ESCAPE_WAIT_S)
                if not more:
                    for key in decoder.flush():
                        self._push(key)
        return None

    def _read_stream(self) -> None:
        assert self._stream is not None
        decoder = KeyDecoder()
        while not self._stop.is_set():
            try:
                text = self._stream.read(1)
            except (OSError, ValueError):
                text = ""
            if not text:
                for key in decoder.flush():
                    self._push(key)
                return self._end()
            for key in decoder.feed(text.encode()):
                self._push(key)
        return None
