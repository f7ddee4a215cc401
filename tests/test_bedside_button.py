from __future__ import annotations

import glob
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from crampcoach.inputs.button import RATING_HINT, BedsideButton, open_button
from crampcoach.inputs.protocol import HandsFreeUnavailable, rating_as_keys
from support.bedside import SpokenPhrases

gpiozero = pytest.importorskip("gpiozero", reason="gpiozero (crampcoach[pi]) is not installed")
from gpiozero import Device  # noqa: E402
from gpiozero.pins.mock import MockFactory  # noqa: E402

PIN = 17


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def spoken() -> SpokenPhrases:
    return SpokenPhrases()


@pytest.fixture
def button(mock_pins: MockFactory, clock: FakeClock, spoken: SpokenPhrases
           ) -> Iterator[BedsideButton]:
    opened = open_button(spoken, PIN, clock=clock, bounce_s=None)
    yield opened
    opened.close()


def _press(pins: MockFactory, clock: FakeClock, seconds: float = 0.2) -> None:
    pin: Any = pins.pin(PIN)
    pin.drive_low()  # the button connects the pin to ground
    clock.now += seconds
    pin.drive_high()
    clock.now += 0.3


def test_presses_count_aloud_and_a_long_press_confirms(
    button: BedsideButton, mock_pins: MockFactory, clock: FakeClock, spoken: SpokenPhrases
) -> None:
    button.begin_rating()
    for _ in range(3):
        _press(mock_pins, clock)
    _press(mock_pins, clock, seconds=1.2)
    assert button.wait_rating(timeout_s=0) == 3
    assert spoken.said == [RATING_HINT, "one", "two", "three", "Three. Thank you."]


def test_a_long_press_with_no_presses_is_zero(
    button: BedsideButton, mock_pins: MockFactory, clock: FakeClock, spoken: SpokenPhrases
) -> None:
    button.begin_rating(hint=False)
    _press(mock_pins, clock, seconds=1.0)
    assert button.wait_rating(timeout_s=0) == 0
    assert spoken.said == ["Zero. Thank you."]


def test_counting_past_ten_wraps_to_zero(
    button: BedsideButton, mock_pins: MockFactory, clock: FakeClock, spoken: SpokenPhrases
) -> None:
    button.begin_rating(hint=False)
    for _ in range(12):
        _press(mock_pins, clock)
    _press(mock_pins, clock, seconds=1.5)
    assert button.wait_rating(timeout_s=0) == 1
    assert spoken.said[9:] == ["ten", "zero", "one", "One. Thank you."]


def test_no_long_press_means_no_rating(
    button: BedsideButton, mock_pins: MockFactory, clock: FakeClock, spoken: SpokenPhrases
) -> None:
    button.begin_rating(hint=False)
    _press(mock_pins, clock)
    _press(mock_pins, clock, seconds=0.99)
    assert button.wait_rating(timeout_s=0.01) is None
    assert spoken.said == ["one", "two"]


def test_a_press_during_the_session_pauses_and_nothing_is_counted(
    button: BedsideButton, mock_pins: MockFactory, clock: FakeClock, spoken: SpokenPhrases
) -> None:
    pauses: list[float] = []
    button.start_session(lambda: pauses.append(clock.now))
    _press(mock_pins, clock)
    _press(mock_pins, clock, seconds=2.0)
    assert pauses == [100.0, 100.5]
    assert spoken.said == []


def test_presses_before_the_rating_are_ignored(
    button: BedsideButton, mock_pins: MockFactory, clock: FakeClock, spoken: SpokenPhrases
) -> None:
    _press(mock_pins, clock, seconds=2.0)
    button.begin_rating(hint=False)
    _press(mock_pins, clock)
    _press(mock_pins, clock, seconds=1.0)
    assert button.wait_rating(timeout_s=0) == 1
    assert spoken.said == ["one", "One. Thank you."]


def test_without_gpiozero_it_says_so(monkeypatch: pytest.MonkeyPatch,
                                     spoken: SpokenPhrases) -> None:
    monkeypatch.setitem(sys.modules, "gpiozero", None)
    with pytest.raises(HandsFreeUnavailable) as caught:
        open_button(spoken)
    assert str(caught.value) == (
        "The GPIO button needs gpiozero, which is not installed "
        "(pip install 'crampcoach[pi]')."
    )


def test_a_pin_that_cannot_be_used_says_which(mock_pins: MockFactory,
                                               spoken: SpokenPhrases) -> None:
    first = open_button(spoken, PIN, bounce_s=None)
    try:
        with pytest.raises(HandsFreeUnavailable) as caught:
            open_button(spoken, PIN, bounce_s=None)
    finally:
        first.close()
    assert str(caught.value).startswith("The GPIO button on GPIO17 cannot be used (")
    assert str(caught.value).endswith(").")


@pytest.mark.skipif(bool(glob.glob("/dev/gpiochip*")), reason="this machine has real GPIO")
def test_on_a_machine_without_gpio_it_says_so(spoken: SpokenPhrases) -> None:
    # No mock factory: gpiozero looks for real GPIO, which this machine lacks.
    previous = Device.pin_factory
    Device.pin_factory = None
    try:
        with pytest.raises(HandsFreeUnavailable) as caught:
            open_button(spoken, PIN)
    finally:
        Device.pin_factory = previous
    assert str(caught.value) == (
        "The GPIO button on GPIO17 cannot be used (Unable to load any default pin factory!)."
    )


def test_a_confirmed_rating_can_be_handed_to_the_players_key_queue(
    button: BedsideButton, mock_pins: MockFactory, clock: FakeClock
) -> None:
    pushed: list[str] = []

    def push_keys(value: int) -> None:
        pushed.extend(rating_as_keys(value))

    button.begin_rating(hint=False, on_rating=push_keys)
    for _ in range(10):
        _press(mock_pins, clock)
    _press(mock_pins, clock, seconds=1.0)
    assert pushed == ["1", "0"]
    assert button.end_rating() == 10


@pytest.mark.parametrize(("value", "keys"), [(0, ("0",)), (1, ("1", "enter")), (7, ("7",)),
                                             (10, ("1", "0"))])
def test_rating_as_keys(value: int, keys: tuple[str, ...]) -> None:
    assert rating_as_keys(value) == keys


def test_a_rating_outside_zero_to_ten_is_not_turned_into_keys() -> None:
    with pytest.raises(ValueError, match="a rating is 0 to 10, not 11"):
        rating_as_keys(11)
