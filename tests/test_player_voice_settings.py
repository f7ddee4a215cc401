"""The settings' voice, volume and night mode reach the sound, the speech and the compiler;
plan and play agree on the timeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from crampcoach import cli as cli_module
from crampcoach.audio.tones import LEVEL
from crampcoach.routines.timeline import Voice
from crampcoach.session.machine import Machine
from crampcoach.session.sound import real_sound
from support.wiring import NIGHT, NOON, VoicedSpeech, wired_play, write_config

NIGHTLY = """\
preroll: 0
language: en-gb
rate: 150
volume: 0.8
night:
  start: 22:00
  end: 07:00
  volume_cap: 0.5
  rate: 120
  tone_gain: 0.4
"""

ROUTINE_WITH_VOICE = "name: Tiny\nlanguage: en\nrate: 100\nsteps:\n  - say: Sit comfortably.\n"


def test_by_day_the_settings_give_the_voice_and_the_volume(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = wired_play(monkeypatch, tmp_path, ["--no-rating"], config=NIGHTLY, now=NOON)
    assert run.result.exit_code == 0, run.result.output
    assert run.audio_args == [(0.8, 1.0)]
    # The compiler measured with the same voice the sounds were made with.
    assert set(run.speech.voices) == {Voice("en-gb", 150)}


def test_at_night_the_volume_is_capped_speech_slowed_and_tones_softened(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    day = wired_play(monkeypatch, tmp_path, ["--no-rating"], config=NIGHTLY, now=NOON)
    night = wired_play(monkeypatch, tmp_path, ["--no-rating"], config=NIGHTLY, now=NIGHT)
    assert night.result.exit_code == 0, night.result.output
    assert night.audio_args == [(0.5, 0.4)]
    assert set(night.speech.voices) == {Voice("en-gb", 120)}
    # Slower speech is longer speech: the session's timeline follows it.
    assert night.onsets[-1] > day.onsets[-1]


def test_night_mode_ends_at_its_end_hour(monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    run = wired_play(monkeypatch, tmp_path, ["--no-rating"], config=NIGHTLY,
                     now=NOON.replace(hour=7, minute=0))
    assert run.audio_args == [(0.8, 1.0)]


def test_the_routines_own_voice_wins_and_night_never_speeds_it_up(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = wired_play(monkeypatch, tmp_path, ["--no-rating"], config=NIGHTLY, now=NIGHT,
                     routine_text=ROUTINE_WITH_VOICE)
    assert run.result.exit_code == 0, run.result.output
    assert set(run.speech.voices) == {Voice("en", 100)}
    assert run.audio_args == [(0.5, 0.4)]


def test_volume_and_tone_gain_reach_the_sounds_not_the_sink(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from crampcoach.audio import playback

    made: list[float] = []

    class Sink:
        def __init__(self, volume: float = 1.0) -> None:
            made.append(volume)

    monkeypatch.setattr(playback, "SimpleaudioSink", Sink)
    audio = real_sound(0.3, 0.5)
    try:
        audio.sink_factory()
        # Scaled as the sounds are made, ahead of need: never in the sink at the deadline.
        assert made == [1.0]
        sounds: Any = audio.sounds
        assert sounds.volume == pytest.approx(0.3)
        assert sounds.tone_level == pytest.approx(LEVEL * 0.5 * 0.3)
    finally:
        audio.close()


def _plan(argv: list[str]) -> Any:
    """``crampcoach plan ARGV`` with fake speech whose length follows the rate."""
    return CliRunner().invoke(cli_module.cli, ["plan", *argv], obj=Machine(speech=VoicedSpeech))


def test_plan_uses_the_settings_voice_and_agrees_with_play(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = "preroll: 0\nlanguage: en-gb\nrate: 100\nnight: off\n"
    run = wired_play(monkeypatch, tmp_path, ["--no-rating"], config=config)
    monkeypatch.setenv("CRAMPCOACH_CONFIG", str(write_config(tmp_path, config)))
    planned = _plan([str(tmp_path / "tiny.yaml"), "--json"])
    assert planned.exit_code == 0, planned.output
    plan = json.loads(planned.stdout)
    assert (plan["language"], plan["rate"]) == ("en-gb", 100)
    beats = sorted({cue["at"] for cue in plan["cues"]})
    played = [t - run.onsets[0] for t in run.onsets]
    assert played == pytest.approx(beats, abs=1e-6)


def test_a_routines_own_rate_wins_in_plan_too(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(ROUTINE_WITH_VOICE)
    monkeypatch.setenv("CRAMPCOACH_CONFIG", str(write_config(tmp_path, "rate: 180\n")))
    planned = _plan([str(path), "--json"])
    assert json.loads(planned.stdout)["rate"] == 100


def test_a_settings_file_with_a_mistake_stops_play_with_file_and_line(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = wired_play(monkeypatch, tmp_path, [], config="rate: 140\nvolume: 2\n")
    assert run.result.exit_code == 2
    assert run.result.stderr == f"{tmp_path / 'config.yaml'}:2: volume must be between 0 " \
                                "and 1, not 2\n"
    assert run.sink.played == []


def test_check_and_render_report_a_broken_settings_file(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = write_config(tmp_path, "sped: 3\n")
    monkeypatch.setenv("CRAMPCOACH_CONFIG", str(config))
    path = tmp_path / "tiny.yaml"
    path.write_text(ROUTINE_WITH_VOICE)
    for argv in (["check", str(path)], ["render", str(path), "-o", str(tmp_path / "x.wav")]):
        result = CliRunner().invoke(cli_module.cli, argv)
        assert result.exit_code == 2, argv
        assert result.stderr.startswith(f"{config}:1: settings: unknown key 'sped'")
