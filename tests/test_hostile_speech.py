"""The speech cache and workers against other local users and full disks (issue 11, cases 7
and 8): no predictable temporary names, no planted sounds, no endless entries, no waiting
out a timeout per phrase on a full disk, no workers outliving their parent."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
import wave
from pathlib import Path

import pytest

from crampcoach.audio import speech as speech_module
from crampcoach.audio.speech import SpeechCache, SynthesizedSpeech
from crampcoach.errors import SynthesisError
from crampcoach.routines.timeline import Voice

VOICE = Voice()


def _write_wav(path: Path, frames: int) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(22050)
        wav.writeframes(b"\x10\x27" * frames)


@pytest.mark.realaudio
def test_the_warm_up_does_not_use_a_name_another_user_can_take_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The old name was /tmp/crampcoach-warm-up-PID.wav: plant it for the next 3,000 process
    # ids (as folders, which even root cannot write a sound into).
    shared_tmp = tmp_path / "tmp"
    shared_tmp.mkdir()
    last = int(Path("/proc/sys/kernel/ns_last_pid").read_text())
    for pid in range(last, last + 3000):
        (shared_tmp / f"crampcoach-warm-up-{pid}.wav").mkdir()
    monkeypatch.setenv("TMPDIR", str(shared_tmp))
    with SynthesizedSpeech(SpeechCache(tmp_path / "cache")) as speech:
        assert speech.seconds("Hello.", VOICE) > 0.2
    left = [p.name for p in shared_tmp.iterdir() if p.is_file()]
    assert left == []  # its own warm-up file is gone again


def test_a_cache_folder_others_can_write_to_is_not_used(tmp_path: Path) -> None:
    folder = tmp_path / "speech"
    folder.mkdir()
    cache = SpeechCache(folder)
    planted = cache.path_for("Calf stretch.", VOICE)
    _write_wav(planted, 22050)
    assert cache.frames("Calf stretch.", VOICE) == 22050  # a private folder: used
    folder.chmod(0o777)
    assert cache.frames("Calf stretch.", VOICE) is None
    assert cache.get("Calf stretch.", VOICE) is None
    assert planted.exists()  # not ours to delete either
    cache.put("Other.", VOICE, speech_module.Clip(b"\x00\x01" * 10))
    assert not cache.path_for("Other.", VOICE).exists()


def test_a_cache_folder_of_another_user_is_not_used(tmp_path: Path) -> None:
    folder = tmp_path / "speech"
    folder.mkdir(mode=0o755)
    cache = SpeechCache(folder)
    _write_wav(cache.path_for("Calf stretch.", VOICE), 22050)
    assert cache.trusted()
    if os.geteuid() == 0:
        os.chown(folder, 65534, 65534)
    else:  # a folder that is not ours, and that nobody else may write to
        cache = SpeechCache(Path("/usr/share"))
    assert not cache.trusted()
    assert cache.frames("Calf stretch.", VOICE) is None


def test_a_new_cache_folder_is_private(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path / "cache" / "speech")
    cache.put("Hello.", VOICE, speech_module.Clip(b"\x00\x01" * 10))
    assert (cache.folder.stat().st_mode & 0o777) == 0o700


def test_a_sparse_entry_of_hours_is_removed_not_measured(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    entry = cache.path_for("Hello.", VOICE)
    frames = 1_000_000_000  # 12.6 hours, 2 GB, costing no disk
    _write_wav(entry, 1)
    with entry.open("r+b") as f:
        f.seek(40)
        f.write(int(frames * 2).to_bytes(4, "little"))
        f.truncate(44 + frames * 2)
    assert cache.frames("Hello.", VOICE) is None
    assert not entry.exists()


def test_an_entry_of_ten_minutes_is_kept(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    entry = cache.path_for("A long one.", VOICE)
    _write_wav(entry, 10 * 60 * 22050)
    assert cache.frames("A long one.", VOICE) == 10 * 60 * 22050


def test_with_no_room_anywhere_a_phrase_fails_at_once_without_a_worker(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started = tmp_path / "worker-started"
    worker = [sys.executable, "-c", f"open({str(started)!r}, 'w')"]
    monkeypatch.setattr(speech_module, "free_bytes", lambda folder: 0)
    with SynthesizedSpeech(SpeechCache(tmp_path / "cache"), command=worker) as speech, \
            pytest.raises(SynthesisError) as caught:
        speech.clip("Calf stretch.", VOICE)
    assert str(caught.value) == "no room on the disk to synthesize 'Calf stretch.'"
    assert not started.exists()


@pytest.mark.realaudio
def test_a_full_cache_disk_synthesizes_in_memory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = SpeechCache(tmp_path / "cache")
    real = speech_module.free_bytes
    monkeypatch.setattr(speech_module, "free_bytes",
                        lambda folder: 0 if folder == cache.folder else real(folder))
    with SynthesizedSpeech(cache) as speech:
        assert speech.clip("Calf stretch.", VOICE).frames > 0


_PARENT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from crampcoach.audio.speech import SpeechCache, SynthesizedSpeech
    from crampcoach.routines.timeline import Voice
    speech = SynthesizedSpeech(SpeechCache(Path(sys.argv[1])))
    speech.prepare(["One.", "Two.", "Three."], Voice())
    print(" ".join(str(w.pid) for w in speech._pool._all), flush=True)
    # Both workers busy with ten minutes of speech each when the signal comes.
    long = [" ".join(["calf stretch"] * 400) + f" {n}." for n in range(2)]
    speech.prepare(long, Voice())
""")


def _children(pids: list[int]) -> list[int]:
    found: list[int] = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) in pids:
                found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.realaudio
@pytest.mark.realtime
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_workers_end_with_their_parent(tmp_path: Path, how: signal.Signals) -> None:
    with subprocess.Popen([sys.executable, "-c", _PARENT, str(tmp_path / "cache")],
                          stdout=subprocess.PIPE, text=True) as parent:
        assert parent.stdout is not None
        printed = [int(p) for p in parent.stdout.readline().split()]
        # One worker or two: the pool starts the second only when both are wanted at once.
        assert 1 <= len(printed) <= 2
        assert all(_alive(pid) for pid in printed)
        # Each worker forks a process per phrase: those must end too. The workers are the
        # parent's children (a second may start for the long phrases after the print).
        deadline = time.monotonic() + 10
        while not (children := _children(_children([parent.pid]))) and (
                time.monotonic() < deadline):
            time.sleep(0.01)
        assert len(children) >= 1
        workers = _children([parent.pid])
        assert set(printed) <= set(workers)
        pids = [*workers, *children]
        parent.send_signal(how)
        parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in pids if _alive(pid)] == []
