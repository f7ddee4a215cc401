"""QA: after Ctrl-Z and ``fg`` the shell has put the terminal back to line mode; the keys
must work without Enter again (space did nothing until Enter was pressed)."""

from __future__ import annotations

import os
import termios
import time

from crampcoach.inputs.terminal import KeyReader
from crampcoach.player.clock import FakeClock
from support.terminal import pseudo_terminal


def test_cbreak_comes_back_when_the_shell_restored_line_mode() -> None:
    with pseudo_terminal() as (parent, child):
        before = termios.tcgetattr(child)
        stream = os.fdopen(child, "r", closefd=False)
        clock = FakeClock()
        with KeyReader(stream, clock.push):
            # What the shell does on Ctrl-Z (and leaves in place on fg): its own modes.
            termios.tcsetattr(child, termios.TCSANOW, before)
            deadline = time.monotonic() + 5
            while (termios.tcgetattr(child)[3] & termios.ICANON
                   and time.monotonic() < deadline):
                time.sleep(0.02)
            assert not termios.tcgetattr(child)[3] & termios.ICANON
            os.write(parent, b" ")
            key = None
            while key is None and time.monotonic() < deadline:
                key = clock.wait_until(clock.now() + 1)
                time.sleep(0.01)
            assert key == "space"
        assert termios.tcgetattr(child) == before
