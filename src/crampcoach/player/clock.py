"""Time and input for the player: one queue carries both deadlines and key presses.

The scheduler never sleeps a duration. It asks the clock to wait *until* a deadline
on the monotonic clock, and the wait ends early when a key arrives, so a pause or a
skip is handled at once and a deadline is never pushed back by the time spent
handling a key. A fake clock runs the same code instantly for tests.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Iterable
from typing import Protocol

# The key names live in the one key table; the player's modules take them from here too.
from crampcoach.inputs.keys import BACKSPACE as BACKSPACE
from crampcoach.inputs.keys import BUTTON as BUTTON
from crampcoach.inputs.keys import CONTINUE as CONTINUE
from crampcoach.inputs.keys import ENTER as ENTER
from crampcoach.inputs.keys import ESCAPE as ESCAPE
from crampcoach.inputs.keys import INPUT_ENDED as INPUT_ENDED
from crampcoach.inputs.keys import INTERRUPT as INTERRUPT
from crampcoach.inputs.keys import PAGE_DOWN as PAGE_DOWN
from crampcoach.inputs.keys import PAGE_UP as PAGE_UP
from crampcoach.inputs.keys import SPACE as SPACE


class Clock(Protocol):
    """A monotonic clock with a queue of keys. Thread-safe ``push``; one waiter."""

    def now(self) -> float:
        """Seconds on a clock that never goes backwards."""
        ...

    def wait_until(self, deadline: float) -> str | None:
        """Block until ``deadline`` (``math.inf``: no deadline) or a key, whichever is first.

        Returns the key, or None once the deadline has come. A deadline already past
        returns None at once, even with keys waiting: being on time comes first.
        """
        ...

    def push(self, key: str) -> None:
        """Deliver a key to the waiter (from any thread)."""
        ...


class MonotonicClock:
    """The real clock: ``time.monotonic`` and a blocking queue with a timeout."""

    def __init__(self) -> None:
        self._keys: queue.Queue[str] = queue.Queue()

    def now(self) -> float:
        return time.monotonic()

    def wait_until(self, deadline: float) -> str | None:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                # A timed wait on a lock: no polling, no CPU while nothing happens.
                # Capped because a very long timeout is not allowed by the queue.
                return self._keys.get(timeout=min(remaining, 3600.0))
            except queue.Empty:
                continue

    def push(self, key: str) -> None:
        self._keys.put(key)


class FakeClock:
    """A clock for tests: time jumps to each deadline at once; keys arrive as scripted.

    ``script`` holds ``(time, key)`` pairs; each key is delivered by the first wait that
    reaches its time. Keys pushed from code arrive on the next wait, at the current time.
    ``waits`` counts calls to :meth:`wait_until`, so a test can show there is no polling.
    """

    #: Time here does not pass while sounds are made ahead: a session on this clock makes
    #: every sound before it starts, so what it plays never depends on the machine's load.
    virtual = True

    def __init__(self, script: Iterable[tuple[float, str]] = (), start: float = 0.0) -> None:
        self._now = start
        self._script = sorted(script, key=lambda item: item[0])
        self._pushed: list[str] = []
        self._lock = threading.Lock()
        self.waits = 0

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        """Let time pass, as work that takes time would (e.g. a slow synthesis)."""
        self._now += seconds

    def push(self, key: str) -> None:
        with self._lock:
            self._pushed.append(key)

    def wait_until(self, deadline: float) -> str | None:
        self.waits += 1
        with self._lock:
            if deadline <= self._now:
                return None
            if self._pushed:
                return self._pushed.pop(0)
            if self._script and self._script[0][0] <= deadline:
                at, key = self._script.pop(0)
                self._now = max(self._now, at)
                return key
        if math.isinf(deadline):
            msg = f"FakeClock: waiting for a key at {self._now:.3f} s but none is scripted"
            raise RuntimeError(msg)
        self._now = deadline
        return None

    @property
    def pending(self) -> list[tuple[float, str]]:
        """Scripted keys not delivered yet."""
        return list(self._script)
