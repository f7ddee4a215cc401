"""The rating dialogue as a person meets it through `crampcoach play` (exact lines)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampcoach.player.clock import ENTER, INTERRUPT, FakeClock
from support.fakes import FakeSpeech
from support.player import VOICE, play_cli, tiny_end

END = tiny_end()
ASK = ("12:00:00 How are your cramps now? "
       "Press a number from 0, for none, to 10, for the worst.\n")
SESSION = (
    "12:00:00 Opening\n"
    "12:00:00   Tiny. Move gently, and stop if anything hurts.\n"
    "12:00:00 Step 1 of 1\n"
    "12:00:00   Sit comfortably.\n"
    "12:00:00 Closing\n"
    "12:00:00   That is the end of Tiny. Well done.\n"
    "12:00:00 Session finished.\n"
)
ADVICE_HIGH = (
    "12:00:00 You rated your cramps {n} out of 10. That is a lot to live with. It would be "
    "good to talk to your neurologist about it; they can review your medicines and what "
    "else may help. This is guidance, not a diagnosis. Get help now, without waiting, if a "
    "cramp lasts over 10 minutes and will not ease, if one calf is swollen, painful, warm or "
    "red, if new weakness comes on suddenly, or if spasms suddenly get much worse. If you are "
    "breathless or have chest pain, call the emergency number now.\n"
)


def test_one_key_gives_the_rating(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = play_cli(monkeypatch, tmp_path, [], [(END + 4, "7")])
    assert run.result.exit_code == 0
    assert run.result.stdout == SESSION + ASK + "12:00:00 Thank you. Your rating is 7.\n"
    [record] = run.recorder.records
    assert (record.outcome, record.rating_after, record.advised) == ("finished", 7, False)
    # The voice asked, and thanked.
    prompt = FakeSpeech().clip(
        "How are your cramps now? Press a number from 0, for none, to 10, for the worst.", VOICE)
    assert (END, prompt) in run.sink.played
    assert run.speech.requests[-1] == "Thank you. Your rating is 7."


def test_zero_is_one_key_too(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = play_cli(monkeypatch, tmp_path, [], [(END + 2, "0")])
    assert run.result.stdout.endswith(ASK + "12:00:00 Thank you. Your rating is 0.\n")
    assert run.recorder.records[0].rating_after == 0


def test_one_then_zero_is_ten_and_brings_calm_advice(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = play_cli(monkeypatch, tmp_path, [], [(END + 4, "1"), (END + 4.8, "0")])
    assert run.result.exit_code == 0
    assert run.result.stdout == (
        SESSION + ASK + "12:00:00   1 (press 0 for 10, or Enter)\n"
        "12:00:00 Thank you. Your rating is 10.\n" + ADVICE_HIGH.format(n=10))
    [record] = run.recorder.records
    assert (record.rating_after, record.advised) == (10, True)
    assert run.speech.requests[-1].startswith("You rated your cramps 10 out of 10.")


def test_a_lone_one_becomes_one_after_a_moment(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = play_cli(monkeypatch, tmp_path, [], [(END + 4, "1")])
    assert run.result.stdout.endswith(
        ASK + "12:00:00   1 (press 0 for 10, or Enter)\n12:00:00 Thank you. Your rating is 1.\n")
    assert run.clock.now() >= END + 4 + 1.5
    assert run.recorder.records[0].rating_after == 1


def test_one_and_enter_is_one_at_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = play_cli(monkeypatch, tmp_path, [], [(END + 4, "1"), (END + 4.2, ENTER)])
    assert run.result.stdout.endswith("12:00:00 Thank you. Your rating is 1.\n")
    assert run.recorder.records[0].rating_after == 1


def test_a_number_above_ten_is_asked_again(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = play_cli(monkeypatch, tmp_path, [],
                   [(END + 4, "1"), (END + 4.5, "5"), (END + 9, "3")])
    assert run.result.stdout.endswith(
        ASK + "12:00:00   1 (press 0 for 10, or Enter)\n"
        "12:00:00 Please press a number from 0 to 10.\n"
        "12:00:00 Thank you. Your rating is 3.\n")
    assert run.recorder.records[0].rating_after == 3


def test_no_answer_gets_one_reminder_then_is_kept_without_rating(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = play_cli(monkeypatch, tmp_path, [], [])
    assert run.result.exit_code == 0
    assert run.result.stdout == SESSION + ASK + (
        "12:00:00 When you are ready, press a number from 0 to 10. Or press q to skip.\n"
        "12:00:00 No rating: no answer in time; the session is kept without a rating.\n")
    assert run.clock.now() == pytest.approx(END + 120, abs=0.01)
    [record] = run.recorder.records
    assert (record.outcome, record.rating_after) == ("finished", None)


def test_q_skips_the_rating(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = play_cli(monkeypatch, tmp_path, [], [(END + 3, "q")])
    assert run.result.stdout.endswith(ASK + "12:00:00 No rating: skipped.\n")
    assert run.recorder.records[0].rating_after is None


def test_rating_given_on_the_command_line_is_not_asked(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = play_cli(monkeypatch, tmp_path, ["--rating", "4"], [])
    assert run.result.exit_code == 0
    assert run.result.stdout == SESSION
    assert run.recorder.records[0].rating_after == 4


def test_a_high_rating_given_still_brings_the_advice(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = play_cli(monkeypatch, tmp_path, ["--rating", "8"], [])
    assert run.result.stdout == SESSION + ADVICE_HIGH.format(n=8)


def test_no_rating_asks_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = play_cli(monkeypatch, tmp_path, ["--no-rating"], [])
    assert run.result.stdout == SESSION
    assert run.recorder.records[0].rating_after is None


def test_rating_and_no_rating_together_is_a_usage_error(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = play_cli(monkeypatch, tmp_path, ["--rating", "3", "--no-rating"], [])
    assert run.result.exit_code == 2
    assert "Error: --rating and --no-rating cannot be used together" in run.result.stderr


def test_rating_out_of_range_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = play_cli(monkeypatch, tmp_path, ["--rating", "11"], [])
    assert run.result.exit_code == 2
    assert "11 is not in the range 0<=x<=10" in run.result.stderr


def test_rate_before_asks_first_and_advice_comes_once(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clock = FakeClock()
    run = play_cli(monkeypatch, tmp_path, ["--rate-before"], [], clock=clock)
    # Nobody answered before: 120 s passed, then the session; nothing after either.
    assert run.result.stdout.startswith(
        "12:00:00 Before we start: how are your cramps right now? Press a number from 0, "
        "for none, to 10, for the worst.\n")
    run2 = play_cli(monkeypatch, tmp_path, ["--rate-before"],
                    [(1.0, "9"), (END + 60.0, "8")])
    out = run2.result.stdout
    assert out.count("talk to your neurologist") == 1
    assert "Thank you. Your rating is 9.\n" + ADVICE_HIGH.format(n=9) in out
    [record] = run2.recorder.records
    assert (record.rating_before, record.rating_after, record.advised) == (9, 8, True)
    assert run2.recorder.starts[0].rating_before == 9


def test_ratings_worsening_over_the_week_bring_advice(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    asked: list[int] = []

    def worsening(rating: int) -> bool:
        asked.append(rating)
        return True

    run = play_cli(monkeypatch, tmp_path, [], [(END + 2, "5")], worsening=worsening)
    assert asked == [5]
    assert run.result.stdout.endswith(
        "12:00:00 Thank you. Your rating is 5.\n"
        "12:00:00 Your cramp ratings have been getting worse over the last week. It would be "
        "good to talk to your neurologist about it; they can review your medicines and what "
        "else may help. This is guidance, not a diagnosis. Get help now, without waiting, if "
        "a cramp lasts over 10 minutes and will not ease, if one calf is swollen, painful, warm "
        "or red, if new weakness comes on suddenly, or if spasms suddenly get much worse. If "
        "you are breathless or have chest pain, call the emergency number now.\n")


def test_nobody_at_the_keys_means_no_question(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = play_cli(monkeypatch, tmp_path, [], [], live=False, terminal=False)
    assert run.result.exit_code == 0
    assert run.result.stdout == SESSION
    assert run.recorder.records[0].rating_after is None


def test_q_during_the_session_stops_records_and_still_asks(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = play_cli(monkeypatch, tmp_path, [], [(6.0, "q"), (8.0, "6")])
    assert run.result.exit_code == 0
    assert run.result.stdout == (
        "12:00:00 Opening\n"
        "12:00:00   Tiny. Move gently, and stop if anything hurts.\n"
        "12:00:00 Step 1 of 1\n"
        "12:00:00   Sit comfortably.\n"
        "12:00:00 Stopped at step 1 of 1.\n" + ASK +
        "12:00:00 Thank you. Your rating is 6.\n")
    [record] = run.recorder.records
    assert (record.outcome, record.step_reached, record.rating_after) == ("stopped", 0, 6)


def test_an_interrupt_at_a_terminal_stops_at_once_without_asking(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Issue 12: the first Ctrl-C stops the session, no question (it waited 2 minutes).
    run = play_cli(monkeypatch, tmp_path, [], [(6.0, INTERRUPT), (8.0, "2")])
    assert run.result.exit_code == 130
    assert run.result.stdout.endswith("12:00:00 Stopped at step 1 of 1.\n")
    assert ASK not in run.result.stdout
    assert run.result.stderr == "Stopped.\n"
    [record] = run.recorder.records
    assert (record.outcome, record.rating_after) == ("interrupted", None)
    assert run.clock.pending == [(8.0, "2")]


def test_an_interrupt_without_a_terminal_does_not_ask(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = play_cli(monkeypatch, tmp_path, [], [(2.0, INTERRUPT)], terminal=False)
    assert run.result.exit_code == 130
    assert run.result.stdout.endswith("12:00:00 Stopped during the opening.\n")
    assert run.recorder.records[0].outcome == "interrupted"


class _CtrlCClock(FakeClock):
    """Raises KeyboardInterrupt from inside a wait, as a real Ctrl-C does."""

    def __init__(self, at: float) -> None:
        super().__init__()
        self.at = at

    def wait_until(self, deadline: float) -> str | None:
        if deadline >= self.at > self.now():
            self.advance(self.at - self.now())
            self.at = float("inf")
            raise KeyboardInterrupt
        return super().wait_until(deadline)


def test_ctrl_c_mid_session_no_traceback_recorded(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = play_cli(monkeypatch, tmp_path, ["--no-rating"], [], clock=_CtrlCClock(6.0))
    assert run.result.exit_code == 130
    assert run.result.stderr == "Stopped.\n"
    assert "Traceback" not in run.result.output
    [record] = run.recorder.records
    assert (record.outcome, record.step_reached) == ("interrupted", 0)
    assert run.sink.stops[-1] == 6.0


def test_ctrl_c_during_the_rating_still_records(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = play_cli(monkeypatch, tmp_path, [], [], clock=_CtrlCClock(END + 5))
    assert run.result.exit_code == 130
    [record] = run.recorder.records
    assert (record.outcome, record.rating_after) == ("finished", None)
