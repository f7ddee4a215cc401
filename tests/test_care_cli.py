"""The care record's commands as a person uses them: exact output, messages, exit codes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crampcoach import cli as cli_module
from crampcoach.cli import cli
from crampcoach.journal.store import Journal
from crampcoach.journal.wording import URGENT
from support.journal import JournalRunner, MovableClock, utc


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CRAMPCOACH_JOURNAL", str(tmp_path / "j.sqlite3"))


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    return tmp_path / "j.sqlite3"


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = JournalRunner().invoke(cli, list(args), input=input)
    return result.exit_code, result.output


def test_log_an_episode_then_complete_the_one_from_the_night(journal: Path) -> None:
    assert run("episode", "add", "--what", "cramp", "--where", "calf", "--side", "left",
               "--minutes", "5", "--severity", "7", "--helped", "stretching") == (
        0, "Recorded: Thu 2026-04-02 22:30  cramp, left calf, 5 min, 7 of 10; "
           "helped: stretching\n")
    # A session started from the bedside button at 03:00 left an episode to complete.
    clock = MovableClock().at("2026-04-02T02:00:00")
    with Journal.open(journal, clock=clock) as j:
        sid = j.start_session("Night rescue", None, 4, rating_before=8)
        j.finish_session(sid, "finished", 3, "Rest")
        j.episode_for_session(sid)
    code, shown = run("history", "--days", "1")
    assert code == 0
    assert (
        "Episodes to complete (crampcoach episode --last --what ... --where ... --minutes ...):\n"
        "  Thu 2026-04-02 03:00  episode, 8 of 10, routine Night rescue (to complete: what, "
        "where, how long)\n"
    ) in shown
    assert run("episode", "--last", "--what", "spasm", "--where", "thigh", "--side", "both",
               "--minutes", "0.5", "--helped", "warm compress") == (
        0, "Updated: Thu 2026-04-02 03:00  spasm, thigh, both sides, 30 s, 8 of 10, routine "
           "Night rescue; helped: warm compress\n")
    assert "Episodes to complete" not in run("history", "--days", "1")[1]
    assert run("episode", "list") == (0, (
        "Thu 2026-04-02 03:00  spasm, thigh, both sides, 30 s, 8 of 10, routine Night rescue; "
        "helped: warm compress\n"
        "Thu 2026-04-02 22:30  cramp, left calf, 5 min, 7 of 10; helped: stretching\n"))
    assert run("episode", "list", "--to-complete") == (0, "No episodes to complete.\n")


def test_an_episode_at_a_time_typed_in_the_morning_is_last_night(journal: Path) -> None:
    code, shown = run("episode", "add", "--at", "23:40", "--what", "twitching")
    assert code == 0
    with Journal.open(journal) as j:
        [episode] = j.episodes()
    # 23:40 is before 22:30 only yesterday: 23:40 London summer time is 22:40 UTC on 1 April.
    assert episode.at == utc("2026-04-01T22:40:00")
    assert shown == ("Recorded: Wed 2026-04-01 23:40  twitching (to complete: where, how "
                     "long)\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--what", "cramo"], "Error: 'cramo' is not a kind of episode (did you mean cramp?): "
                              "use cramp, spasm, twitching, stiffness\n"),
        (["--severity", "12"], "Error: how bad it was (0 none, 10 worst) is a whole number "
                               "from 0 to 10; got 12\n"),
        (["--severity", "bad"], "Error: --severity is a whole number, not 'bad'\n"),
        (["--minutes", "nan"], "Error: how long it lasted (minutes) is a number, not 'nan'\n"),
        (["--at", "25:00"], "Error: '25:00' is not a time: use HH:MM (today, or last night) or "
                            "YYYY-MM-DD HH:MM\n"),
        (["--at", "2026-05-01 10:00"], "Error: 2026-05-01 10:00 is in the future; the journal "
                                       "records what has happened\n"),
    ],
)
def test_an_episode_that_cannot_be_right(journal: Path, args: list[str], message: str) -> None:
    assert run("episode", "add", *args) == (2, message)
    if journal.exists():
        with Journal.open(journal) as opened:
            assert opened.episodes() == []


def test_episode_last_with_nothing_to_complete(journal: Path) -> None:
    assert run("episode", "--last", "--minutes", "3") == (
        1, "Error: there is no episode to complete yet; record one with: crampcoach episode "
           "add\n")
    code, shown = run("episode", "--last")
    assert code == 2
    assert shown.endswith("Error: say what to add to the episode, e.g. --where calf "
                          "--minutes 5\n")


def test_factors_of_a_day(journal: Path) -> None:
    assert run("factors", "--fluids", "6", "--caffeine", "2", "--stress", "7", "--sleep", "5.5",
               "--sleep-quality", "4", "--heat", "--tag", "travel") == (
        0, "Factors for Thu 2026-04-02: 6 glasses of fluids, caffeine 2, heat, stress 7/10, "
           "sleep 5.5 h (quality 4/10), tags: travel\n")
    assert run("factors", "--date", "yesterday", "--infection", "--bladder-bowel",
               "--alcohol", "0", "--exertion", "3") == (
        0, "Factors for Wed 2026-04-01: alcohol 0, bladder or bowel trouble, signs of "
           "infection, exertion 3/10\n")
    assert run("factors", "--date", "2026-04-01") == (
        0, "Factors for Wed 2026-04-01: alcohol 0, bladder or bowel trouble, signs of "
           "infection, exertion 3/10\n")
    assert run("factors", "--date", "2026-03-01") == (
        0, "Factors for Sun 2026-03-01: nothing recorded\n")
    assert run("factors", "--date", "tomorrow", "--stress", "3") == (
        2, "Error: 'tomorrow' is not a day: use YYYY-MM-DD, today or yesterday\n")
    assert run("factors", "--fluids", "90") == (
        2, "Error: fluids (glasses) is a whole number from 0 to 40; got 90\n")


def test_medicines_and_their_changes(journal: Path) -> None:
    assert run("med", "start", "baclofen", "--dose", "10 mg three times a day", "--date",
               "2026-01-15") == (0, "Thu 2026-01-15: baclofen: started 10 mg three times a day\n")
    assert run("med", "start", "magnesium", "--dose", "300 mg", "--supplement") == (
        0, "Thu 2026-04-02: magnesium (supplement): started 300 mg\n")
    assert run("med", "change", "Baclofen", "--dose", "15 mg three times a day", "--note",
               "neurologist") == (
        0, 'Thu 2026-04-02: baclofen: changed to 15 mg three times a day  "neurologist"\n')
    assert run("med", "stop", "tizanidine") == (
        2, "Error: tizanidine is not recorded as taken on 2026-04-02; record its start first "
           "(with the day it began)\n")
    code, shown = run("med", "change", "baclofen")
    assert code == 2
    assert "Missing option '--dose'" in shown
    assert run("med", "list") == (0, (
        "Taking now:\n"
        "  baclofen 15 mg three times a day (since 2026-04-02)\n"
        "  magnesium 300 mg (since 2026-04-02)\n"
        "Changes:\n"
        "  2026-01-15  baclofen: started 10 mg three times a day\n"
        "  2026-04-02  magnesium (supplement): started 300 mg\n"
        '  2026-04-02  baclofen: changed to 15 mg three times a day  "neurologist"\n'))


def test_blood_results_are_shown_as_entered(journal: Path) -> None:
    assert run("blood", "add", "magnesium", "0.71", "mmol/L", "--date", "2026-03-02",
               "--note", "range 0.7-1.0") == (0, "Recorded 2026-03-02: magnesium 0.71 mmol/L.\n")
    assert run("blood", "add", "vitamin D", "<25") == (0, "Recorded 2026-04-02: vitamin D <25.\n")
    assert run("blood", "list") == (0, (
        "2026-03-02  magnesium: 0.71 mmol/L  (range 0.7-1.0)\n"
        "2026-04-02  vitamin D: <25\n"))


def test_questions_for_the_neurologist(journal: Path) -> None:
    assert run("question", "list") == (
        0, "No open questions. Add one with: crampcoach question add TEXT\n")
    assert run("question", "add", "Is magnesium worth a try?") == (
        0, "Noted. 1 open question for the report.\n")
    assert run("question", "add", "Could the dose be split?") == (
        0, "Noted. 2 open questions for the report.\n")
    assert run("question", "done", "1") == (0, "Marked as asked: Is magnesium worth a try?\n")
    assert run("question", "list") == (0, "1. Could the dose be split?\n")
    assert run("question", "done", "4") == (
        2, "Error: there is no open question 4 (1 open; see crampcoach question list)\n")


def test_the_checkin_command(journal: Path) -> None:
    code, shown = run("checkin", input="y\nn\ns\nn\n")
    assert code == 0
    assert shown == (
        "Are your cramps, spasms or twitching painful? [y/n, s to skip] yes\n"
        "Are they coming more often than before? [y/n, s to skip] no\n"
        "Do they come with weakness, stiffness or spasticity? [y/n, s to skip] skipped\n"
        "Are they getting in the way of daily life? [y/n, s to skip] no\n"
        "Thank you. You said the cramps are painful. That is worth talking over with your "
        "neurologist soon; they can review your medicines and what else may help. This is "
        "guidance, not a diagnosis.\n"
        f"{URGENT}\n"
    )
    with Journal.open(journal) as j:
        [checkin] = j.checkins()
    assert (checkin.painful, checkin.more_often, checkin.weakness, checkin.daily_life) == (
        True, False, None, False)
    assert "In your check-in on Thu 02 Apr you said the cramps are painful." in run(
        "history", "--days", "1")[1]


def test_the_checkin_keys_on_a_terminal(journal: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = iter("xnnnn")  # an unknown key is ignored
    monkeypatch.setattr(cli_module, "_keys_at_a_terminal", lambda: True)
    monkeypatch.setattr(cli_module.click, "getchar", lambda: next(keys))
    code, shown = run("checkin")
    assert code == 0
    assert shown.count(" no\n") == 4
    assert "Nothing in these answers calls for a change" in shown


def test_history_shows_the_care_record_on_its_days(journal: Path) -> None:
    clock = MovableClock().at("2026-04-02T06:00:00")
    with Journal.open(journal, clock=clock) as j:
        j.add_medicine("baclofen", "start", date(2026, 4, 2), dose="10 mg")
        j.add_blood_result(date(2026, 4, 2), "potassium", "4.1", "mmol/L")
        j.set_factors(date(2026, 4, 2), stress=4)
        j.add_episode(kind="cramp", body_part="foot", side="right", duration_s=120,
                      severity=5)
    code, shown = run("history", "--days", "1")
    assert code == 0
    assert shown.startswith(
        "History of today, 2026-04-02 (times are local)\n"
        "\n"
        "Thu 2026-04-02\n"
        "  baclofen: started 10 mg\n"
        "  blood: potassium 4.1 mmol/L\n"
        "  factors: stress 4/10\n"
        "  07:00  cramp, right foot, 2 min, 5 of 10\n"
    )
