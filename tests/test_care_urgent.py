"""An episode that needs help now: the urgent tier printed at once, and a flag that stays
in `history` and the report until a later episode or a follow-up answers it. A note is
never the trigger: only the structured answers are."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from crampcoach.cli import cli
from crampcoach.journal.flags import is_urgent, red_flags
from crampcoach.journal.store import Episode, Journal
from crampcoach.journal.wording import URGENT
from support.journal import LONDON, NOW, JournalRunner, MovableClock

FLAG = ("On Thu 02 Apr at 22:30 you recorded a cramp in the left calf that lasted 30 min and "
        "did not ease, with the limb swollen and warm. That needs help now, not a wait for the "
        "next appointment.")
HINT = "Once you have had help, note what happened: crampcoach episode --last --follow-up TEXT."


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CRAMPCOACH_JOURNAL", str(tmp_path / "j.sqlite3"))


def run(*args: str) -> tuple[int, str]:
    result = JournalRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize(("episode", "urgent"), [
    (Episode("a", NOW, duration_s=660, eased=False), True),
    (Episode("b", NOW, duration_s=600, eased=False), False),   # 10 minutes is not over 10
    (Episode("c", NOW, duration_s=1800, eased=True), False),
    (Episode("d", NOW, duration_s=1800), False),               # not said: not assumed
    (Episode("e", NOW, signs=("red",)), True),
    (Episode("f", NOW, note="would not ease, calf swollen and warm"), False),
])
def test_the_urgent_criterion(episode: Episode, urgent: bool) -> None:
    assert is_urgent(episode) is urgent


def test_the_issue_s_episode_prints_the_urgent_tier_at_once_and_stays_flagged() -> None:
    code, shown = run("episode", "add", "--what", "cramp", "--where", "calf", "--side", "left",
                      "--minutes", "30", "--severity", "10", "--not-eased", "--signs",
                      "swollen,warm", "--note", "would not ease, calf swollen and warm")
    assert code == 0
    assert shown == (
        "Recorded: Thu 2026-04-02 22:30  cramp, left calf, 30 min, 10 of 10, did not ease, "
        'swollen and warm  "would not ease, calf swollen and warm"\n'
        "\n" + FLAG + "\n" + URGENT + "\n" + HINT + "\n")
    history = run("history")[1]
    assert f"Worth raising with your neurologist:\n  {FLAG}\n  ({HINT})\n" in history
    assert "  An episode rated 10 of 10 in the last day is high." in history
    assert history.rstrip().endswith("guidance, not diagnosis.")
    assert f"  {URGENT}\n" in history


def test_the_flag_stays_until_a_follow_up_or_a_later_episode(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    clock = MovableClock()
    with Journal.open(path, clock=clock) as j:
        j.add_episode(at=NOW - timedelta(days=20), kind="cramp", signs=("red", "warm"))
        # Twenty days on, with nothing recorded since, it is still there.
        assert [f.kind for f in red_flags(j, now=NOW, tz=LONDON)] == ["urgent"]
    with Journal.open(path, clock=clock) as j:
        # An episode from the bedside button, still to complete, came before it: the
        # follow-up still goes to the flagged one, the latest.
        j.add_episode(at=NOW - timedelta(days=25), severity=5)
    assert run("episode", "--last", "--follow-up", "GP saw it: no clot") == (
        0, "Updated: Fri 2026-03-13 21:30  cramp, red and warm  (since: \"GP saw it: no "
           "clot\") (to complete: where, how long)\n2 episodes still to complete (crampcoach "
           "episode list --to-complete).\n")
    with Journal.open(path) as j:
        assert red_flags(j, now=NOW, tz=LONDON) == ()
        j.add_episode(at=NOW - timedelta(days=2), kind="cramp", duration_s=900, eased=False)
        assert [f.kind for f in red_flags(j, now=NOW, tz=LONDON)] == ["urgent"]
        j.add_episode(at=NOW - timedelta(days=1), kind="cramp", duration_s=120, eased=True)
        assert red_flags(j, now=NOW, tz=LONDON) == ()
