"""Speaker wake (issue 12): with ``speaker_wake: true`` a faint hum, not digital silence,
plays before the first cue and fills quiet stretches of 3 s or more (a pause too), so a
Bluetooth or USB speaker, or a sound server that suspends idle outputs, stays awake. Off
by default."""

from __future__ import annotations

import itertools
from array import array
from pathlib import Path

import pytest

from crampcoach.audio.base import SAMPLE_RATE, Clip
from crampcoach.audio.tones import WAKE_LEAD_S, WAKE_LEVEL, wake_tone
from crampcoach.player.deadlines import WAKE_PIECE_S, WAKE_QUIET_S
from crampcoach.settings import Settings
from support.wiring import WiredRun, wired_play

QUIET = ("name: Quiet\nsteps:\n  - say: Sit comfortably.\n  - rest: 20\n"
         "  - say: Breathe out.\n    pause: 2\n  - say: And again.\n")
PEAK = round(WAKE_LEVEL * 32767)


def _is_hum(clip: Clip) -> bool:
    samples = array("h", clip.pcm)
    return len(samples) > 0 and max(samples) == PEAK and min(samples) == -PEAK


def _hums(run: WiredRun) -> list[tuple[float, float]]:
    return [(t, t + c.seconds) for t, c in run.sink.played if _is_hum(c)]


def test_the_hum_is_faint_sound_not_silence() -> None:
    hum = wake_tone(1.0)
    assert hum.frames == SAMPLE_RATE
    assert _is_hum(hum)
    assert 0 < PEAK < 200  # about -46 dBFS
    # Pieces join in phase: two halves are the whole.
    assert wake_tone(0.5).pcm + wake_tone(0.5).pcm == wake_tone(1.0).pcm


def test_off_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert Settings().speaker_wake is False
    run = wired_play(monkeypatch, tmp_path, ["--no-rating"], routine_text=QUIET)
    assert run.result.exit_code == 0, run.result.output
    assert _hums(run) == []


def test_before_the_first_cue_and_through_a_long_quiet_stretch(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain = wired_play(monkeypatch, tmp_path, ["--no-rating"], routine_text=QUIET)
    run = wired_play(monkeypatch, tmp_path, ["--no-rating"], routine_text=QUIET,
                     config="preroll: 0\nspeaker_wake: true\n")
    assert run.result.exit_code == 0, run.result.output
    # First: the hum, then the opening chime right after it, in one stream.
    first_at, first = run.sink.played[0]
    lead = round(WAKE_LEAD_S * SAMPLE_RATE) * 2
    assert first_at == 0.0
    assert _is_hum(Clip(first.pcm[:lead]))
    assert first.pcm[lead:] == plain.sink.played[0][1].pcm
    # Every cue of the session moves by the lead, none against another.
    cues = [(t, c) for t, c in run.sink.played[1:] if not _is_hum(c)]
    assert [c for _, c in cues] == [c for _, c in plain.sink.played[1:]]
    assert [t for t, _ in cues] == pytest.approx(
        [t + WAKE_LEAD_S for t, _ in plain.sink.played[1:]], abs=1e-9)
    # The 20 s rest is filled from its start (after "Sit comfortably." and its 1 s pause)
    # to the next cue, in pieces of at most 5 s with no gap; the 2 s pause after
    # "Breathe out." is not.
    hums = _hums(run)
    sit_at, sit = cues[1]
    breathe_at = cues[2][0]
    assert breathe_at - sit_at > 20
    assert hums[0][0] == pytest.approx(sit_at + sit.seconds + 1.0)
    assert hums[-1][1] == pytest.approx(breathe_at)
    for (_, end), (start, _) in itertools.pairwise(hums):
        assert start == pytest.approx(end)
    assert all(end - start <= WAKE_PIECE_S + 1e-9 for start, end in hums)
    assert all(end <= breathe_at + 1e-9 for _, end in hums)
    assert WAKE_QUIET_S > 2


def test_a_pause_is_kept_awake_too(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = wired_play(monkeypatch, tmp_path, ["--no-rating"], [(2.0, "space"), (30.0, "space")],
                     routine_text=QUIET, config="preroll: 0\nspeaker_wake: true\n")
    assert run.result.exit_code == 0, run.result.output
    during = [(s, e) for s, e in _hums(run) if 2.0 < s < 30.0]
    assert during
    assert during[-1][1] >= 30.0 - 1e-9
    assert sum(e - s for s, e in during) >= 25.0


def test_a_quiet_preroll_becomes_the_hum(monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    run = wired_play(monkeypatch, tmp_path, ["--no-rating"], routine_text=QUIET,
                     config="preroll: 2\nspeaker_wake: true\n")
    at, first = run.sink.played[0]
    assert (at, first.frames) == (0.0, 2 * SAMPLE_RATE)
    assert _is_hum(first)


def test_no_hum_without_sound(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = wired_play(monkeypatch, tmp_path, ["--no-rating", "--text-only"],
                     routine_text=QUIET, config="preroll: 0\nspeaker_wake: true\n")
    assert run.result.exit_code == 0
    assert run.sink.played == []


def test_config_shows_the_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from crampcoach.cli import cli

    monkeypatch.setenv("CRAMPCOACH_SPEAKER_WAKE", "true")
    result = CliRunner().invoke(cli, ["config"])
    assert "  speaker_wake        true  [env CRAMPCOACH_SPEAKER_WAKE]" in result.stdout
