"""Playback through simpleaudio into ALSA, captured by ALSA's file plugin.

ALSA reads ~/.asoundrc once per process, so each case plays in a child process whose
HOME routes the default device into a file (or to a device that does not exist).
"""

from __future__ import annotations

from array import array
from pathlib import Path

import pytest

from crampcoach.audio.base import Clip
from crampcoach.audio.playback import SimpleaudioSink, scaled
from crampcoach.audio.tones import tone
from support.audio import alsa_home

PLAY = """
import sys
from crampcoach.audio.playback import SimpleaudioSink
from crampcoach.audio.tones import tone
from crampcoach.errors import AudioDeviceError

sink = SimpleaudioSink(volume={volume})
try:
    {actions}
    sink.wait_done()
    assert not sink.is_playing()
    sink.close()
except AudioDeviceError as e:
    print(e)
    sys.exit(3)
print("done")
"""


def play_script(actions: str, volume: float = 1.0) -> str:
    return PLAY.format(volume=volume, actions=actions)


def without_trailing_silence(pcm: bytes) -> bytes:
    # ALSA may pad the last period with silence.
    return pcm.rstrip(b"\0") if len(pcm) % 2 == 0 else pcm


@pytest.mark.realaudio
def test_played_samples_arrive_unchanged(tmp_path: Path) -> None:
    alsa = alsa_home(tmp_path)
    done = alsa.run(play_script('sink.play(tone("chime"))'))
    assert (done.returncode, done.stdout, done.stderr) == (0, "done\n", "")
    captured = alsa.captured()
    chime = tone("chime").pcm
    assert captured[: len(chime)] == chime
    assert set(captured[len(chime):]) <= {0}


@pytest.mark.realaudio
def test_volume_scales_the_samples(tmp_path: Path) -> None:
    alsa = alsa_home(tmp_path)
    done = alsa.run(play_script('sink.play(tone("in"))', volume=0.25))
    assert done.returncode == 0, done.stdout + done.stderr
    expected = scaled(tone("in"), 0.25).pcm
    assert alsa.captured()[: len(expected)] == expected
    peak = max(abs(s) for s in array("h", expected))
    assert peak == round(max(abs(s) for s in array("h", tone("in").pcm)) * 0.25)


@pytest.mark.realaudio
def test_play_replaces_the_sound_still_playing_under_debug_malloc(tmp_path: Path) -> None:
    # simpleaudio 1.0.4 freed its buffer without the GIL and aborted here.
    alsa = alsa_home(tmp_path)
    actions = "; ".join([
        'sink.play(tone("chime"))', "sink.stop()", 'sink.play(tone("out"))',
        'sink.play(tone("in"))',
    ])
    done = alsa.run(play_script(actions), extra_env={"PYTHONMALLOC": "debug"})
    assert (done.returncode, done.stdout, done.stderr) == (0, "done\n", "")
    assert without_trailing_silence(alsa.captured()).endswith(
        without_trailing_silence(tone("in").pcm))


@pytest.mark.realaudio
def test_missing_device_is_one_clear_error(tmp_path: Path) -> None:
    alsa = alsa_home(tmp_path, pcm="type hw card 7")
    done = alsa.run(play_script('sink.play(tone("chime"))'))
    assert (done.returncode, done.stdout, done.stderr) == (
        3,
        "the audio device is missing or busy "
        "(No such file or directory)\n",
        "",
    )


def test_volume_must_be_a_share() -> None:
    with pytest.raises(ValueError, match=r"volume must be between 0\.0 and 1\.0"):
        SimpleaudioSink(volume=1.5)


def test_scaled_samples() -> None:
    clip = Clip(array("h", [1000, -1000, 32767, -32768]).tobytes())
    assert scaled(clip, 1.0) is clip
    assert array("h", scaled(clip, 0.5).pcm) == array("h", [500, -500, 16384, -16384])
    assert scaled(clip, 0.0).pcm == bytes(8)


def test_empty_clip_plays_nothing_and_needs_no_device() -> None:
    sink = SimpleaudioSink()
    sink.play(Clip(b""))
    assert not sink.is_playing()
    sink.close()
