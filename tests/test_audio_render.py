"""Rendering a session to one sound: every cue found at its planned offset."""

from __future__ import annotations

import wave
from array import array
from pathlib import Path

import pytest

from crampcoach.audio.base import SAMPLE_RATE, Clip
from crampcoach.audio.mix import frame_at
from crampcoach.audio.render import iter_render, render_routine, render_timeline, render_to_wav
from crampcoach.audio.sounds import SpokenCueSounds
from crampcoach.audio.speech import SpeechCache, SynthesizedSpeech
from crampcoach.errors import AudioError, SynthesisError
from crampcoach.routines.compiler import compile_routine
from crampcoach.routines.model import Breathe, Rest, Routine, Say, Stretch
from crampcoach.routines.timeline import Cue, Timeline, Voice
from support.audio import first_sound, onset_error
from support.fakes import FakeSpeech

ROUTINE = Routine(
    name="Render test",
    steps=(
        Say("Sit comfortably."),
        Stretch("Calf stretch", "Draw your toes toward you.", hold_s=6, sides=("left", "right"),
                countdown=3, prepare_s=4, rest_s=3),
        Rest(2),
        Breathe("Slow breathing", in_s=3, out_s=4, hold_s=2, cycles=2, guide="both"),
    ),
)
VOICE = Voice("en", 140)


def fresh_cues(timeline: Timeline, quiet_s: float = 0.1) -> list[Cue]:
    """Cues no earlier sound is still playing into (their onset can be seen)."""
    ordered = sorted(timeline.cues, key=lambda c: c.at)
    out = []
    for cue in ordered:
        earlier = [c for c in ordered if c.at < cue.at - 1e-9]
        if all(c.end < cue.at - quiet_s for c in earlier):
            out.append(cue)
    return out


def onsets(samples: array[int], quiet_s: float = 0.08, level: int = 200) -> list[float]:
    """Every sound that begins after at least ``quiet_s`` of quiet."""
    found, last_loud, quiet = [], -10**9, round(quiet_s * SAMPLE_RATE)
    for i, s in enumerate(samples):
        if abs(s) > level:
            if i - last_loud > quiet:
                found.append(i / SAMPLE_RATE)
            last_loud = i
    return found


def test_every_cue_sounds_at_its_planned_offset() -> None:
    speech = FakeSpeech()
    timeline = compile_routine(ROUTINE, speech, VOICE)
    samples = array("h", render_timeline(timeline, SpokenCueSounds(speech)).pcm)
    assert abs(len(samples) - frame_at(timeline.total)) <= 1
    checked = fresh_cues(timeline)
    assert len(checked) >= 15
    for cue in checked:
        error = onset_error(samples, cue.at)
        assert error is not None, cue
        assert abs(error) <= 0.015, cue
    # And nothing sounds where no cue was planned.
    planned = [c.at for c in timeline.cues]
    for t in onsets(samples):
        assert min(abs(t - at) for at in planned) <= 0.015, t


def test_overlapping_cues_are_mixed() -> None:
    speech = FakeSpeech(level=1000)
    timeline = compile_routine(ROUTINE, speech, VOICE)
    tone_cue = next(c for c in timeline.cues if c.kind == "tone" and c.tone == "in")
    word = next(c for c in timeline.cues if c.kind == "speech" and c.at == tone_cue.at)
    samples = array("h", render_timeline(timeline, SpokenCueSounds(speech)).pcm)
    alone = array("h", SpokenCueSounds(speech).clip_for(tone_cue, VOICE).pcm)
    start = frame_at(tone_cue.at)
    middle = len(alone) // 2
    assert word.length > tone_cue.length / 2
    assert samples[start + middle] == alone[middle] + 1000


def test_thirty_minutes_render_piece_by_piece() -> None:
    speech = FakeSpeech()
    long = Routine(name="Long", steps=(Say("Begin."), Rest(1800), Say("End.")))
    timeline = compile_routine(long, speech, VOICE)
    biggest = total = 0
    for piece in iter_render(timeline, SpokenCueSounds(speech)):
        biggest = max(biggest, len(piece))
        total += len(piece)
    assert total // 2 == frame_at(timeline.total)
    assert biggest <= 2 * SAMPLE_RATE * 4  # a few seconds at most, never the whole session


def test_wav_file_holds_the_session(tmp_path: Path) -> None:
    speech = FakeSpeech()
    timeline = compile_routine(ROUTINE, speech, VOICE)
    path = tmp_path / "session.wav"
    rendered = render_to_wav(timeline, SpokenCueSounds(speech), path)
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        pcm = wav.readframes(wav.getnframes())
    assert Clip(pcm) == render_timeline(timeline, SpokenCueSounds(speech))
    assert rendered.frames == len(pcm) // 2
    assert [p.name for p in tmp_path.iterdir()] == ["session.wav"]


class BrokenSpeech(FakeSpeech):
    def clip(self, text: str, voice: Voice) -> Clip:
        if text.startswith("Breathe in"):
            raise SynthesisError("speech synthesis failed for 'Breathe in': test")
        return super().clip(text, voice)


def test_failed_render_leaves_no_file(tmp_path: Path) -> None:
    timeline = compile_routine(ROUTINE, FakeSpeech(), VOICE)
    path = tmp_path / "session.wav"
    with pytest.raises(SynthesisError):
        render_to_wav(timeline, SpokenCueSounds(BrokenSpeech()), path)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_destination_is_an_audio_error(tmp_path: Path) -> None:
    timeline = compile_routine(ROUTINE, FakeSpeech(), VOICE)
    with pytest.raises(AudioError) as e:
        render_to_wav(timeline, SpokenCueSounds(FakeSpeech()), tmp_path / "no" / "x.wav")
    assert str(e.value) == f"cannot write {tmp_path / 'no' / 'x.wav'}: No such file or directory"


@pytest.mark.realaudio
def test_real_speech_render_finds_every_cue(tmp_path: Path) -> None:
    path = tmp_path / "session.wav"
    with SynthesizedSpeech(SpeechCache(tmp_path / "cache")) as speech:
        timeline, rendered = render_routine(ROUTINE, path, speech, VOICE)
        last = max(timeline.cues, key=lambda c: c.at)
        tail = speech.seconds(last.text, VOICE) if last.kind == "speech" else last.length
    with wave.open(str(path)) as wav:
        samples = array("h", wav.readframes(wav.getnframes()))
    assert frame_at(timeline.total) <= len(samples) <= frame_at(last.at + tail) + 1
    assert rendered.frames == len(samples)
    checked = fresh_cues(timeline)
    assert len(checked) >= 15
    for cue in checked:
        error = onset_error(samples, cue.at, level=100)
        assert error is not None, cue
        assert abs(error) <= 0.015, cue
    assert first_sound(samples, 100) is not None
