"""Keys without Enter: decoding, cbreak on a terminal (restored), no terminal, no input."""

from __future__ import annotations

import io
import os
import termios
import time

from crampcoach.inputs.terminal import KeyDecoder, KeyReader
from crampcoach.player.clock import INPUT_ENDED, FakeClock
from support.terminal import pseudo_terminal


def test_keys_and_escape_sequences_decode() -> None:
    decoder = KeyDecoder()
    assert decoder.feed(b" nrqB7\r\x7f") == ["space", "n", "r", "q", "b", "7", "enter",
                                             "backspace"]
    assert decoder.feed(b"\x1b[5~\x1b[6~") == ["pageup", "pagedown"]


def test_a_sequence_split_across_reads_waits_for_its_end() -> None:
    decoder = KeyDecoder()
    assert decoder.feed(b"\x1b[") == []
    assert decoder.waiting
    assert decoder.feed(b"6~n") == ["pagedown", "n"]


def test_a_lone_escape_and_unknown_sequences() -> None:
    decoder = KeyDecoder()
    assert decoder.feed(b"\x1b") == []
    assert decoder.flush() == ["escape"]
    assert decoder.feed(b"\x1b[15~q") == ["q"]  # F5 from some remotes: ignored


def _collect(clock: FakeClock) -> list[str]:
    keys = []
    while True:
        try:
            key = clock.wait_until(float("inf"))
        except RuntimeError:
            return keys
        assert key is not None
        keys.append(key)


def test_no_input_at_all_is_not_live() -> None:
    clock = FakeClock()
    with KeyReader(None, clock.push) as keys:
        assert not keys.live
        assert not keys.is_terminal


def test_a_pipe_is_read_as_it_comes_and_ends() -> None:
    clock = FakeClock()
    with KeyReader(io.StringIO(" 7\n"), clock.push) as keys:
        deadline = time.monotonic() + 5
        while keys.live and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not keys.live
        assert not keys.is_terminal
    assert _collect(clock) == ["space", "7", "enter", INPUT_ENDED]


def test_a_terminal_goes_cbreak_and_is_restored() -> None:
    with pseudo_terminal() as (parent, child):
        before = termios.tcgetattr(child)
        stream = os.fdopen(child, "r", closefd=False)
        clock = FakeClock()
        with KeyReader(stream, clock.push) as keys:
            assert keys.is_terminal
            during = termios.tcgetattr(child)
            assert not during[3] & termios.ICANON
            assert not during[3] & termios.ECHO
            assert during[3] & termios.ISIG  # Ctrl-C still interrupts
            os.write(parent, b"n\x1b[6~1")
            deadline = time.monotonic() + 5
            got: list[str] = []
            while len(got) < 3 and time.monotonic() < deadline:
                key = clock.wait_until(clock.now() + 1)
                if key is None:
                    time.sleep(0.01)
                else:
                    got.append(key)
            assert got == ["n", "pagedown", "1"]
        assert termios.tcgetattr(child) == before
