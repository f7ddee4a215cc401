"""One push button on a Raspberry Pi's GPIO: pause during a session, the rating after it.

Wiring: one leg to a GPIO pin (BCM numbering; GPIO17, header pin 11, by default), the other
to ground (header pin 9); the Pi's internal pull-up does the rest, so a press reads low.

* During a session a press calls the player's ``on_press`` (pause or resume). When
  ``on_hold`` is given (the bedside service: a long press stops), the press is told apart
  as the button is let go: a short one calls ``on_press``, a long one only ``on_hold``, so
  a stop is never first a pause ("Paused.").
* Between sessions a press calls ``on_idle_press`` when one is given (the bedside service
  starts its routine); otherwise it does nothing.
* For the rating each short press counts one up and the count is spoken ("three"); after
  ten it wraps to zero, so overshooting needs no second button. Holding the button for
  ``hold_s`` (1 s) or longer confirms the count; a hold with no presses is a zero.

A long press is recognized when the button is let go, from the injected clock, so the
outcome never depends on a background timer (and tests drive it exactly).
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable
from typing import Any, Literal

from crampcoach.inputs.protocol import HandsFreeUnavailable, Speak
from crampcoach.phrases import ENGLISH, Phrasebook

DEFAULT_PIN = 17
#: The count wraps to zero after this.
RATING_TOP = 10
HOLD_S = 1.0
#: How to rate with the button, in English (a session says it in its own language).
RATING_HINT = ENGLISH.button_hint

Mode = Literal["idle", "session", "rating"]


class BedsideButton:
    """A GPIO push button; open it with :func:`open_button`."""

    def __init__(self, device: Any, speak: Speak, *, hold_s: float = HOLD_S,
                 clock: Callable[[], float] = time.monotonic,
                 book: Phrasebook = ENGLISH) -> None:
        self._device = device
        self._speak = speak
        self._book = book
        self._hold_s = hold_s
        self._clock = clock
        self._lock = threading.Lock()
        self._mode: Mode = "idle"
        self._on_press: Callable[[], None] | None = None
        self._on_hold: Callable[[], None] | None = None
        self._on_idle_press: Callable[[], None] | None = None
        self._pressed_at: float | None = None
        # What the button was doing when it went down: a press is acted on as it is let go
        # only in that same mode (the press that starts a session is not also a pause).
        self._pressed_in: Mode = "idle"
        self._count = 0
        self._rating: int | None = None
        self._on_rating: Callable[[int], None] | None = None
        self._confirmed = threading.Event()
        device.when_pressed = self._pressed
        device.when_released = self._released

    # -- the session ---------------------------------------------------------------------------

    def start_session(self, on_press: Callable[[], None],
                      on_hold: Callable[[], None] | None = None) -> None:
        """From now on a press calls ``on_press`` (the player pauses or resumes), and a
        long press ``on_hold`` as it is let go."""
        with self._lock:
            self._mode = "session"
            self._on_press = on_press
            self._on_hold = on_hold

    def when_idle(self, on_press: Callable[[], None] | None) -> None:
        """Between sessions a press calls ``on_press`` (None: a press does nothing)."""
        with self._lock:
            self._on_idle_press = on_press

    def idle(self) -> None:
        """The session is over: the next press is an idle press again."""
        with self._lock:
            self._mode = "idle"
            self._on_press = self._on_hold = None
            self._on_rating = None

    # -- the rating ----------------------------------------------------------------------------

    def begin_rating(self, *, hint: bool = True,
                     on_rating: Callable[[int], None] | None = None) -> None:
        """Start counting presses for a rating (and say how, unless ``hint`` is False).

        ``on_rating`` is called with the confirmed rating from gpiozero's thread: the player
        can push it into its key queue (:func:`crampcoach.inputs.protocol.rating_as_keys`) and
        take whichever answer comes first, the button's or the keyboard's.
        """
        with self._lock:
            self._mode = "rating"
            self._count = 0
            self._rating = None
            self._on_rating = on_rating
            self._confirmed.clear()
        if hint:
            self._speak(self._book.button_hint)

    def wait_rating(self, timeout_s: float) -> int | None:
        """The confirmed rating, or None when no long press came within ``timeout_s``."""
        self._confirmed.wait(timeout_s)
        return self.end_rating()

    def end_rating(self) -> int | None:
        """Stop counting (the rating was given another way, or time ran out)."""
        with self._lock:
            self._mode = "idle"
            self._on_rating = None
            return self._rating

    def ask_rating(self, timeout_s: float) -> int | None:
        self.begin_rating()
        return self.wait_rating(timeout_s)

    def close(self) -> None:
        self._device.close()

    # -- gpiozero's callbacks (its thread) -----------------------------------------------------

    def _pressed(self) -> None:
        callback = None
        with self._lock:
            self._pressed_at = self._clock()
            self._pressed_in = self._mode
            if self._mode == "session":
                # With a long press to tell apart, the press counts when it is let go.
                callback = self._on_press if self._on_hold is None else None
            elif self._mode == "idle":
                callback = self._on_idle_press
        if callback is not None:
            callback()

    def _released(self) -> None:
        on_rating = on_hold = None
        with self._lock:
            pressed_at, self._pressed_at = self._pressed_at, None
            if (pressed_at is None or self._mode not in ("session", "rating")
                    or self._pressed_in != self._mode):
                return
            held = self._clock() - pressed_at >= self._hold_s
            if self._mode == "session":
                if self._on_hold is not None:
                    on_hold = self._on_hold if held else self._on_press
                said = None
            elif held:
                self._rating = self._count
                self._mode = "idle"
                on_rating = self._on_rating
                said = self._book.button_count_confirmed.format(
                    Word=self._book.number(self._count).capitalize())
            else:
                self._count = (self._count + 1) % (RATING_TOP + 1)
                said = self._book.number(self._count)
        if on_hold is not None:
            on_hold()
        if said is None:
            return
        self._speak(said)
        if self._rating is not None:
            self._confirmed.set()
            if on_rating is not None:
                on_rating(self._rating)


def open_button(speak: Speak, pin: int = DEFAULT_PIN, *, hold_s: float = HOLD_S,
                clock: Callable[[], float] = time.monotonic, bounce_s: float | None = 0.05,
                pin_factory: Any = None, book: Phrasebook = ENGLISH) -> BedsideButton:
    """The button on ``pin``, counting aloud in ``book``'s words; HandsFreeUnavailable
    (saying why) when it cannot be used."""
    try:
        from gpiozero import Button
        from gpiozero.exc import GPIOZeroError
    except ImportError:
        msg = ("The GPIO button needs gpiozero, which is not installed "
               "(pip install 'crampcoach[pi]').")
        raise HandsFreeUnavailable(msg) from None
    try:
        with warnings.catch_warnings():
            # gpiozero warns as it tries each pin library in turn; the outcome is what counts.
            warnings.simplefilter("ignore")
            device = Button(pin, pull_up=True, bounce_time=bounce_s, pin_factory=pin_factory)
    except (GPIOZeroError, OSError, RuntimeError, ImportError) as e:
        msg = f"The GPIO button on GPIO{pin} cannot be used ({e})."
        raise HandsFreeUnavailable(msg) from None
    return BedsideButton(device, speak, hold_s=hold_s, clock=clock, book=book)
