"""The bedside service asks the weekly check-in after a session when it is due (never after
a rescue or bedtime routine, never at night, never after a stopped session), aloud, each
question answered with the keypad (1 yes, 0 no, Enter skips) or the GPIO button (a press
yes, a long press no), or skipped by waiting; nobody answering the first question means
nobody is there. On fakes: speech, speaker, keypad and mock pins; real threads."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import crampcoach.bedside.checkin as bedside_checkin
from crampcoach.bedside.control import Command
from crampcoach.journal import Journal
from crampcoach.phrases import ENGLISH
from crampcoach.settings import Settings
from support.bedside_service import (
    PIN,
    ManualTime,
    Rig,
    button_opener,
    press,
    rig_settings,
    routines_folder,
    started_rigs,
)
from support.keypad import FakeInputFolder, FakeKeypad

pytestmark = pytest.mark.realtime

QUICK = "name: Quick one\nsteps:\n  - say: Breathe out slowly.\n"
QUICK_RESCUE = "name: Quick rescue\nstyle: rescue\nsteps:\n  - say: Breathe out slowly.\n"
INTRO = ENGLISH.checkin_intro
FIRST = ENGLISH.checkin_questions["painful"]


@pytest.fixture
def rig(tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    folder = routines_folder(isolated_home)
    (folder / "quick-one.yaml").write_text(QUICK)
    (folder / "quick-rescue.yaml").write_text(QUICK_RESCUE)
    # A question waits this long before it is skipped (30 s for a person).
    monkeypatch.setattr(bedside_checkin, "ANSWER_WAIT_S", 0.6)
    yield from started_rigs(tmp_path)


def _keypad_rig(rig: Any, tmp_path: Path, **options: Any) -> tuple[Rig, FakeKeypad]:
    folder = FakeInputFolder()
    keypad = FakeKeypad("USB Keypad")
    folder.plug(keypad, 3)
    one: Rig = rig(rig_settings(tmp_path), keypad_devices=(folder.open, folder.list),
                   keypad_rescan_s=0.05, **options)
    one.wait_for_log(lambda line: line == "Keypad: USB Keypad (/dev/input/event3).")
    return one, keypad


def _checkins(journal: Path) -> list[Any]:
    with Journal.open(journal, create=False) as opened:
        return list(opened.checkins())


def _answers(checkin: Any) -> list[bool | None]:
    return [checkin.answer(key) for key in ("painful", "more_often", "weakness",
                                            "daily_life")]


def test_after_a_session_the_keypad_answers_the_check_in_aloud(
        rig: Any, tmp_path: Path) -> None:
    one, keypad = _keypad_rig(rig, tmp_path)
    assert one.service.handle(Command("start", "quick-one")).ok
    one.wait_for_log(lambda line: line == f'Said: "{INTRO}"')
    for key in ("KEY_1", "KEY_0", "KEY_KPENTER", "KEY_KP1"):
        keypad.press(key)
    assert one.service.wait_idle(15)
    [checkin] = _checkins(one.journal)
    assert _answers(checkin) == [True, False, None, True]
    said = one.said()
    start = said.index(INTRO)
    assert said[start + 1] == f"{FIRST} {ENGLISH.checkin_keys}"
    advice = ENGLISH.checkin_raise.format(
        signs="painful and getting in the way of daily life")
    assert advice.startswith("Thank you. You said the cramps are painful and getting in")
    assert said[start + 5:] == [advice, ENGLISH.urgent_help]
    # Each line said was heard on the speaker (made by the speech, in that order).
    assert one.speech.requests[-2:] == [advice, ENGLISH.urgent_help]
    # Asked once a week: the next session asks nothing.
    assert one.service.handle(Command("start", "quick-one")).ok
    assert one.service.wait_idle(15)
    assert one.said().count(INTRO) == 1
    assert len(_checkins(one.journal)) == 1


def test_the_button_answers_a_press_yes_a_long_press_no_and_waiting_skips(
        rig: Any, mock_pins: Any, tmp_path: Path) -> None:
    clock = ManualTime()
    one: Rig = rig(rig_settings(tmp_path, button_pin=PIN), open_button=button_opener(clock))
    assert one.service.handle(Command("start", "quick-one")).ok
    one.wait_for_log(lambda line: line == f'Said: "{INTRO}"')
    press(mock_pins, clock)                # yes
    press(mock_pins, clock, held_s=1.5)    # no
    second = f"{ENGLISH.checkin_questions['more_often']} {ENGLISH.checkin_button}"
    third = f"{ENGLISH.checkin_questions['weakness']} {ENGLISH.checkin_button}"
    fourth = f"{ENGLISH.checkin_questions['daily_life']} {ENGLISH.checkin_button}"
    one.wait_for_log(lambda line: line == f'Said: "{third}"')
    one.wait_for_log(lambda line: line == f'Said: "{fourth}"')  # the third waited out
    press(mock_pins, clock)                # yes
    assert one.service.wait_idle(15)
    [checkin] = _checkins(one.journal)
    assert _answers(checkin) == [True, False, None, True]
    assert f"{FIRST} {ENGLISH.checkin_button}" in one.said()
    assert second in one.said()
    # The button is the service's again: a press starts the button's routine.
    press(mock_pins, clock)
    one.wait_for_log(lambda line: line == "Start short-rescue (button).")


def test_nobody_answering_the_first_question_keeps_nothing_and_asks_next_time(
        rig: Any, tmp_path: Path) -> None:
    one, _ = _keypad_rig(rig, tmp_path)
    assert one.service.handle(Command("start", "quick-one")).ok
    one.wait_for_log(lambda line: line.startswith("The check-in was not answered"))
    assert one.service.wait_idle(15)
    assert _checkins(one.journal) == []
    assert ENGLISH.urgent_help not in one.said()
    assert one.service.handle(Command("start", "quick-one")).ok
    assert one.service.wait_idle(15)
    assert one.said().count(INTRO) == 2


def test_a_stop_ends_the_check_in_keeping_what_was_answered(
        rig: Any, tmp_path: Path) -> None:
    one, keypad = _keypad_rig(rig, tmp_path)
    assert one.service.handle(Command("start", "quick-one")).ok
    one.wait_for_log(lambda line: line == f'Said: "{INTRO}"')
    keypad.press("KEY_0")
    second = f"{ENGLISH.checkin_questions['more_often']} {ENGLISH.checkin_keys}"
    one.wait_for_log(lambda line: line == f'Said: "{second}"')
    assert one.service.handle(Command("stop")).ok
    assert one.service.wait_idle(15)
    [checkin] = _checkins(one.journal)
    assert _answers(checkin) == [False, None, None, None]
    said = one.said()
    assert said[said.index(second) + 1:] == [ENGLISH.checkin_clear, ENGLISH.urgent_help]


def test_a_start_during_the_check_in_cuts_it_short_and_plays(
        rig: Any, tmp_path: Path) -> None:
    one, _ = _keypad_rig(rig, tmp_path)
    assert one.service.handle(Command("start", "quick-one")).ok
    one.wait_for_log(lambda line: line == f'Said: "{INTRO}"')
    assert one.service.handle(Command("start", "quick-rescue")).ok
    one.wait_for_log(lambda line: line == "The check-in after Quick one ends, and "
                     "quick-rescue starts.")
    one.wait_for_log(lambda line: line.startswith("Quick rescue: finished"))
    assert one.service.wait_idle(15)
    assert _checkins(one.journal) == []
    assert ENGLISH.urgent_help not in one.said()


def _no_check_in(one: Rig) -> None:
    assert one.service.wait_idle(15)
    time.sleep(0.2)
    assert "The weekly check-in is due: asking it." not in one.log
    assert INTRO not in one.said()
    assert _checkins(one.journal) == []


def test_never_after_a_rescue_routine(rig: Any, tmp_path: Path) -> None:
    one, _ = _keypad_rig(rig, tmp_path)
    assert one.service.handle(Command("start", "quick-rescue")).ok
    _no_check_in(one)


def test_never_after_a_stopped_session(rig: Any, tmp_path: Path) -> None:
    one, _ = _keypad_rig(rig, tmp_path)
    assert one.service.handle(Command("start", "short-rescue")).ok
    time.sleep(0.3)
    one.service.handle(Command("stop"))
    _no_check_in(one)


def test_never_in_the_night_hours(rig: Any, tmp_path: Path) -> None:
    night = Settings().night
    assert night is not None
    folder = FakeInputFolder()
    folder.plug(FakeKeypad("USB Keypad"), 3)
    one: Rig = rig(dataclasses.replace(rig_settings(tmp_path), night=night),
                   keypad_devices=(folder.open, folder.list), keypad_rescan_s=0.05,
                   now=lambda: datetime.combine(datetime(2026, 11, 30), night.start))
    one.wait_for_log(lambda line: line.startswith("Keypad: USB Keypad"))
    assert one.service.handle(Command("start", "quick-one")).ok
    _no_check_in(one)


def test_not_when_one_was_answered_this_week(rig: Any, tmp_path: Path) -> None:
    one, _ = _keypad_rig(rig, tmp_path)
    with Journal.open(one.journal) as journal:
        journal.add_checkin({"painful": False},
                            at=datetime.now(UTC) - timedelta(days=6))
    assert one.service.handle(Command("start", "quick-one")).ok
    assert one.service.wait_idle(15)
    time.sleep(0.2)
    assert INTRO not in one.said()
    assert len(_checkins(one.journal)) == 1


def test_without_a_button_or_keypad_nothing_is_asked(rig: Any) -> None:
    one: Rig = rig()
    assert one.service.handle(Command("start", "quick-one")).ok
    _no_check_in(one)
