"""The care record in the journal: episodes, daily factors, medicines, blood results,
questions and check-ins, as the library keeps and checks them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from crampcoach.errors import JournalError, RecordError
from crampcoach.journal.store import DayFactors, Journal
from support.journal import NOW, MovableClock, utc


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    # Closed after the test: Python 3.13 warns of an SQLite connection left open.
    with Journal.open(tmp_path / "j.sqlite3", clock=MovableClock()) as opened:
        yield opened


def test_an_episode_keeps_every_field(journal: Journal) -> None:
    e = journal.add_episode(at=utc("2026-04-02T02:10:00"), kind="cramp", body_part="calf",
                            side="left", duration_s=300, severity=7, helped="stretching",
                            note="woke me")
    assert journal.episodes() == [e]
    assert e.complete
    assert (e.kind, e.body_part, e.side, e.duration_s, e.severity, e.helped, e.note) == (
        "cramp", "calf", "left", 300, 7, "stretching", "woke me")


def test_a_hands_free_session_becomes_an_episode_to_complete(journal: Journal) -> None:
    clock = MovableClock().at("2026-04-02T02:00:00")
    with Journal.open(journal.path, clock=clock) as j:
        sid = j.start_session("Night rescue", None, 4, rating_before=8)
        clock.at("2026-04-02T02:09:00")
        j.finish_session(sid, "finished", 3, "Rest", rating_after=4)
        episode = j.episode_for_session(sid)
        # Asking again (the player retrying) gives the same one, not a second.
        assert j.episode_for_session(sid) == episode
        assert (episode.at, episode.routine, episode.severity, episode.session_id) == (
            utc("2026-04-02T02:00:00"), "Night rescue", 8, sid)
        assert not episode.complete
        assert j.pending_episodes() == [episode]
        assert j.latest_episode() == episode
        done = j.update_episode(episode.id, kind="cramp", body_part="calf", side="right",
                                duration_s=540, helped="warm compress")
        assert done.complete
        assert (done.severity, done.routine) == (8, "Night rescue")
        assert j.pending_episodes() == []


def test_latest_episode_prefers_one_still_to_complete(journal: Journal) -> None:
    old = journal.add_episode(at=utc("2026-04-01T03:00:00"), severity=6)
    journal.add_episode(at=utc("2026-04-02T09:00:00"), kind="spasm", body_part="thigh",
                        duration_s=60)
    assert journal.latest_episode() == old


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "cramps"}, "the kind of episode is one of cramp, spasm, twitching, "
                             "stiffness; got 'cramps'"),
        ({"side": "middle"}, "the side is one of left, right, both; got 'middle'"),
        ({"severity": 11}, "how bad it was (0 none, 10 worst) is a whole number from 0 to 10;"
                           " got 11"),
        ({"duration_s": -5}, "how long it lasted (seconds) is a whole number from 0 to 86400;"
                             " got -5"),
        ({"body_part": "calf\nthigh"}, "the body part is one line of at most 80 printable "
                                       "characters; got 'calf\\nthigh'"),
    ],
)
def test_an_episode_that_cannot_be_right_is_refused(
    journal: Journal, fields: dict[str, object], message: str
) -> None:
    with pytest.raises(RecordError) as caught:
        journal.add_episode(**fields)  # type: ignore[arg-type]
    assert str(caught.value) == message
    assert caught.value.exit_code == 2
    assert journal.episodes() == []


def test_factors_add_up_over_a_day(journal: Journal) -> None:
    day = date(2026, 4, 2)
    journal.set_factors(day, fluids_glasses=4, stress=7, tags=["travel"])
    later = journal.set_factors(day, fluids_glasses=6, sleep_hours=5.5, heat=True,
                                tags=["Travel", "new shoes"])
    assert later == DayFactors(day, fluids_glasses=6, stress=7, sleep_hours=5.5, heat=True,
                               tags=("travel", "new shoes"))
    assert journal.factors() == [later]
    with pytest.raises(RecordError, match=r"^stress is a whole number from 0 to 10; got 12$"):
        journal.set_factors(day, stress=12)
    with pytest.raises(RecordError, match=r"^sleep is a number of hours from 0 to 24"):
        journal.set_factors(day, sleep_hours=25.0)
    with pytest.raises(RecordError, match=r"^a tag is a word or two .* no commas"):
        journal.set_factors(day, tags=["a,b"])
    assert journal.factors() == [later]


def test_medicines_start_change_and_stop_in_order(journal: Journal) -> None:
    journal.add_medicine("Baclofen", "start", date(2026, 1, 5), dose="10 mg")
    change = journal.add_medicine("baclofen", "change", date(2026, 2, 20), dose="15 mg")
    assert change.name == "Baclofen"  # one spelling per medicine
    journal.add_medicine("magnesium", "start", date(2026, 3, 1), supplement=True)
    stop = journal.add_medicine("MAGNESIUM", "stop", date(2026, 3, 20))
    assert stop.supplement
    assert [(m.day, m.name, m.change, m.dose) for m in journal.medicines()] == [
        (date(2026, 1, 5), "Baclofen", "start", "10 mg"),
        (date(2026, 2, 20), "Baclofen", "change", "15 mg"),
        (date(2026, 3, 1), "magnesium", "start", None),
        (date(2026, 3, 20), "magnesium", "stop", None),
    ]


@pytest.mark.parametrize(
    ("name", "change", "day", "dose", "message"),
    [
        ("tizanidine", "change", date(2026, 3, 1), "2 mg",
         "tizanidine is not recorded as taken on 2026-03-01; record its start first (with the "
         "day it began)"),
        ("baclofen", "stop", date(2026, 1, 1), None,
         "baclofen is not recorded as taken on 2026-01-01; record its start first (with the "
         "day it began)"),
        ("baclofen", "start", date(2026, 3, 1), "5 mg",
         "Baclofen is already recorded as taken on 2026-03-01 (started 2026-01-05); record a "
         "new dose with 'change' instead"),
        ("baclofen", "change", date(2026, 3, 1), None, "a change of medicine needs the new dose"),
    ],
)
def test_medicine_changes_that_do_not_fit_are_refused(
    journal: Journal, name: str, change: str, day: date, dose: str | None, message: str
) -> None:
    journal.add_medicine("Baclofen", "start", date(2026, 1, 5), dose="10 mg")
    with pytest.raises(RecordError) as caught:
        journal.add_medicine(name, change, day, dose=dose)
    assert str(caught.value) == message
    assert len(journal.medicines()) == 1


def test_a_blood_result_is_kept_exactly_as_typed(journal: Journal) -> None:
    result = journal.add_blood_result(date(2026, 2, 25), "magnesium", "<0.5 (haemolysed)",
                                      "mmol/L", "lab said repeat")
    assert journal.blood_results() == [result]
    assert result.value == "<0.5 (haemolysed)"
    with pytest.raises(RecordError):
        journal.add_blood_result(date(2026, 2, 25), "potassium", "")


def test_questions_stay_open_until_asked(journal: Journal) -> None:
    first = journal.add_question("  Is magnesium worth a try?  ")
    second = journal.add_question("Could the dose be split?")
    assert [q.text for q in journal.questions()] == ["Is magnesium worth a try?",
                                                    "Could the dose be split?"]
    journal.question_done(first.id)
    assert journal.questions() == [second]
    assert len(journal.questions(include_done=True)) == 2
    with pytest.raises(JournalError, match="no open question"):
        journal.question_done(first.id)


def test_checkin_answers_may_be_skipped(journal: Journal) -> None:
    c = journal.add_checkin({"painful": True, "more_often": False, "weakness": None})
    assert journal.checkins() == [c]
    assert (c.painful, c.more_often, c.weakness, c.daily_life) == (True, False, None, None)
    with pytest.raises(JournalError, match="the check-in has no question 'colour'"):
        journal.add_checkin({"colour": True})


def test_the_care_record_of_a_window(journal: Journal) -> None:
    journal.add_episode(at=NOW - timedelta(days=40), kind="cramp")
    recent = journal.add_episode(at=NOW - timedelta(days=2), kind="spasm")
    journal.set_factors(date(2026, 2, 1), stress=3)
    journal.set_factors(date(2026, 3, 30), stress=5)
    journal.add_medicine("baclofen", "start", date(2025, 1, 1), dose="10 mg")
    care = journal.care(NOW - timedelta(days=7), NOW, date(2026, 3, 26), date(2026, 4, 2))
    assert care.episodes == (recent,)
    assert [f.day for f in care.factors] == [date(2026, 3, 30)]
    # A medicine started long before the window is still the one taken in it.
    assert len(care.medicines) == 1
