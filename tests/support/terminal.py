"""A pseudo-terminal for the tests of terminal keys: both ends, closed afterwards."""

from __future__ import annotations

import os
import pty
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def pseudo_terminal() -> Iterator[tuple[int, int]]:
    """Yields ``(parent, child)``: what is written to the parent is typed at the child."""
    parent, child = pty.openpty()
    try:
        yield parent, child
    finally:
        os.close(parent)
        os.close(child)
