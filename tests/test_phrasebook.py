"""The phrasebook seam: a session's fixed sentences come from its language's table, with
English when there is none; the routine's own text is never translated."""

from __future__ import annotations

import dataclasses

import pytest

from crampcoach.phrases import BOOKS, ENGLISH, has_phrasebook, phrasebook
from crampcoach.player.events import RatingAsked
from crampcoach.player.session import RatingChoice
from crampcoach.routines.compiler import compile_routine
from crampcoach.routines.timeline import Voice
from support.fakes import FakeSpeech
from support.player import ROUTINE, Events, run_session


def test_a_language_without_a_table_falls_back_to_english() -> None:
    assert phrasebook("xx") is ENGLISH
    assert phrasebook("en-GB") is ENGLISH
    assert not has_phrasebook("xx")
    assert has_phrasebook("en_us")


def test_every_english_sentence_is_written() -> None:
    for field in dataclasses.fields(ENGLISH):
        value = getattr(ENGLISH, field.name)
        if isinstance(value, str):
            assert value.strip(), field.name


def test_a_new_table_changes_the_fixed_sentences_not_the_routines_text(
        monkeypatch: pytest.MonkeyPatch) -> None:
    pirate = dataclasses.replace(ENGLISH, language="xp", release="Let go.",
                                 opening="Ahoy, {routine}.", phase_in="Haul in")
    monkeypatch.setitem(BOOKS, "xp", pirate)
    texts = [c.text for c in compile_routine(ROUTINE, FakeSpeech(), Voice("xp")).cues]
    assert texts[1] == "Ahoy, Test calm."
    assert "Let go." in texts
    assert "Haul in" in texts
    assert "And release." not in texts
    assert "Sit on the edge of the bed." in texts  # the author's words stay


def test_the_rating_question_comes_from_the_sessions_book(
        monkeypatch: pytest.MonkeyPatch) -> None:
    asking = dataclasses.replace(ENGLISH, language="xp", rating_after="Rate it, 0 to 10.")
    monkeypatch.setitem(BOOKS, "xp", asking)
    session = run_session([(500.0, "q")], routine=dataclasses.replace(ROUTINE, language="xp"),
                          rating=RatingChoice(), input_live=True, voice=Voice("xp"))
    events: Events = session.events
    assert [e.prompt for e in events.of(RatingAsked)] == ["Rate it, 0 to 10."]
