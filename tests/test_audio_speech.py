"""Speech synthesis through the worker process, its disk cache, and its failures."""

from __future__ import annotations

import os
import signal
import subprocess
import wave
from array import array
from pathlib import Path

import pytest

from crampcoach import locations
from crampcoach.audio.base import SAMPLE_RATE, Clip
from crampcoach.audio.speech import (
    FORMAT_VERSION,
    SpeechCache,
    SpeechWorker,
    SynthesizedSpeech,
    speech_pcm,
    trim_silence,
)
from crampcoach.errors import SynthesisError
from crampcoach.routines.timeline import Voice
from support.audio import (
    HANGING_WORKER,
    NO_ESPEAK_WORKER,
    SILENT_WORKER,
    first_sound,
    samples_of,
)

EN = Voice("en", 140)


@pytest.fixture
def cache(tmp_path: Path) -> SpeechCache:
    return SpeechCache(tmp_path / "speech")


def tone_clip(frames: int, level: int = 1000) -> Clip:
    return Clip(array("h", [level] * frames).tobytes())


# --- real espeak-ng -----------------------------------------------------------------------------


@pytest.mark.realaudio
def test_phrase_has_sound_and_starts_on_its_beat(cache: SpeechCache, tmp_path: Path) -> None:
    with SynthesizedSpeech(cache) as speech:
        clip = speech.clip("Breathe in slowly.", EN)
    samples = samples_of(clip.pcm)
    assert clip.seconds > 0.5
    onset = first_sound(samples)
    assert onset is not None
    assert onset <= round(0.003 * SAMPLE_RATE)
    # espeak-ng's own output starts later: the trimming is what puts the word on its beat.
    raw = tmp_path / "raw.wav"
    subprocess.run(["espeak-ng", "-v", "en", "-s", "140", "-w", str(raw),
                    "Breathe in slowly."], check=True)
    with wave.open(str(raw)) as wav:
        untrimmed = array("h", wav.readframes(wav.getnframes()))
    raw_onset = first_sound(untrimmed)
    assert raw_onset is not None
    assert raw_onset > round(0.010 * SAMPLE_RATE)
    # The end fades to silence, and the trailing pause is gone.
    assert all(abs(s) < 200 for s in samples[-20:])
    assert len(samples) < len(untrimmed) - round(0.2 * SAMPLE_RATE)


@pytest.mark.realaudio
def test_seconds_is_the_trimmed_length(cache: SpeechCache) -> None:
    with SynthesizedSpeech(cache) as speech:
        seconds = speech.seconds("And release.", EN)
        assert seconds == speech.clip("And release.", EN).seconds
    assert 0.5 < seconds < 2.0


@pytest.mark.realaudio
def test_second_request_comes_from_the_cache_without_synthesis(cache: SpeechCache) -> None:
    with SynthesizedSpeech(cache) as speech:
        first = speech.clip("Rest now.", EN)
    entry = cache.path_for("Rest now.", EN)
    assert entry.is_file()
    # A speech source whose worker cannot even start still has the phrase.
    with SynthesizedSpeech(cache, command=SILENT_WORKER, timeout_s=0.2) as offline:
        assert offline.clip("Rest now.", EN) == first
        assert offline.seconds("Rest now.", EN) == first.seconds
        with pytest.raises(SynthesisError):
            offline.clip("Something new.", EN)


@pytest.mark.realaudio
def test_cache_key_separates_language_and_rate(cache: SpeechCache) -> None:
    with SynthesizedSpeech(cache) as speech:
        slow = speech.seconds("Breathe out gently.", Voice("en", 100))
        fast = speech.seconds("Breathe out gently.", Voice("en", 200))
        german = speech.clip("Breathe out gently.", Voice("de", 140))
        english = speech.clip("Breathe out gently.", Voice("en", 140))
    assert slow > fast * 1.4
    assert german != english
    assert len(list(cache.folder.glob("*.wav"))) == 4


@pytest.mark.realaudio
def test_corrupt_entry_is_made_again(cache: SpeechCache) -> None:
    with SynthesizedSpeech(cache) as speech:
        good = speech.clip("Hold.", EN)
    entry = cache.path_for("Hold.", EN)
    entry.write_bytes(entry.read_bytes()[: len(good.pcm) // 2])  # cut short, as by a crash
    with SynthesizedSpeech(cache) as speech:
        remade = speech.clip("Hold.", EN)
    # espeak-ng is not sample-exact from one run to the next; the length is close.
    assert abs(remade.seconds - good.seconds) < 0.1
    entry.write_bytes(b"not a wav file at all")
    with SynthesizedSpeech(cache) as speech:
        seconds = speech.seconds("Hold.", EN)
    assert abs(seconds - good.seconds) < 0.1
    again = cache.get("Hold.", EN)
    assert again is not None
    assert again.seconds == seconds


@pytest.mark.realaudio
def test_prepare_fills_the_cache_on_two_workers(cache: SpeechCache) -> None:
    texts = [f"Stretch number {n}." for n in range(6)]
    with SynthesizedSpeech(cache, workers=2) as speech:
        assert speech.prepare([*texts, texts[0]], EN) == {}
    assert all(cache.frames(t, EN) for t in texts)
    with SynthesizedSpeech(cache, command=SILENT_WORKER, timeout_s=0.2) as offline:
        assert offline.prepare(texts, EN) == {}


@pytest.mark.realaudio
def test_prepare_reports_what_failed(cache: SpeechCache) -> None:
    with SynthesizedSpeech(cache) as speech:
        failures = speech.prepare(["Fine.", "   "], EN)
    assert list(failures) == ["   "]
    assert str(failures["   "]) == "there is nothing to say in an empty phrase"


@pytest.mark.realaudio
def test_unknown_language_is_a_synthesis_error(cache: SpeechCache) -> None:
    with SynthesizedSpeech(cache) as speech, pytest.raises(SynthesisError) as e:
        speech.clip("Hello.", Voice("xx-nowhere", 140))
    assert str(e.value) == (
        "espeak-ng has no voice for language 'xx-nowhere' (see: crampcoach voices)")


@pytest.mark.realaudio
def test_worker_output_never_mixes_into_answers(tmp_path: Path) -> None:
    # pyttsx3 prints "Audio saved to ..." for every file; many phrases in a row still work.
    worker = SpeechWorker()
    try:
        for n in range(3):
            out = tmp_path / f"{n}.wav"
            worker.synthesize(f"Phrase {n}.", "gmw/en", 140, out)
            assert len(speech_pcm(out)) > 0
    finally:
        worker.close()


@pytest.mark.realaudio
def test_a_killed_worker_is_replaced(tmp_path: Path) -> None:
    worker = SpeechWorker()
    try:
        worker.synthesize("One.", "gmw/en", 140, tmp_path / "1.wav")
        pid = worker.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        worker.synthesize("Two.", "gmw/en", 140, tmp_path / "2.wav")
        assert worker.pid != pid
        assert len(speech_pcm(tmp_path / "2.wav")) > 0
    finally:
        worker.close()


@pytest.mark.realaudio
def test_worker_rejects_a_voice_espeak_does_not_have(tmp_path: Path) -> None:
    worker = SpeechWorker()
    try:
        with pytest.raises(SynthesisError) as e:
            worker.synthesize("Hello.", "nowhere/xx", 140, tmp_path / "x.wav")
    finally:
        worker.close()
    assert str(e.value) == "espeak-ng has no voice 'nowhere/xx'"


# --- failures that must not hang or crash a session --------------------------------------------


def test_worker_that_never_starts_times_out(cache: SpeechCache) -> None:
    with SynthesizedSpeech(cache, command=SILENT_WORKER, timeout_s=0.3) as speech, \
            pytest.raises(SynthesisError) as e:
        speech.clip("Breathe in.", EN)
    assert str(e.value) == "speech synthesis did not finish within 0.3 s for 'Breathe in.'"


def test_hung_synthesis_is_killed(tmp_path: Path) -> None:
    worker = SpeechWorker(HANGING_WORKER, timeout_s=0.3)
    with pytest.raises(SynthesisError) as e:
        worker.synthesize("A long phrase " * 10, "gmw/en", 140, tmp_path / "x.wav")
    assert str(e.value) == (
        "speech synthesis did not finish within 0.3 s "
        "for 'A long phrase A long phrase A long ph...'")
    assert worker.pid is None  # killed, and a fresh one will be started next time


def test_missing_espeak_says_how_to_install(cache: SpeechCache) -> None:
    with SynthesizedSpeech(cache, command=NO_ESPEAK_WORKER) as speech:
        for _ in range(2):
            with pytest.raises(SynthesisError) as e:
                speech.clip("Breathe in.", EN)
            assert str(e.value) == "espeak-ng is not installed: sudo apt-get install espeak-ng"
        failures = speech.prepare(["One.", "Two."], EN)
    assert {k: str(v) for k, v in failures.items()} == {
        "One.": "espeak-ng is not installed: sudo apt-get install espeak-ng",
        "Two.": "espeak-ng is not installed: sudo apt-get install espeak-ng",
    }


# --- the cache on its own -----------------------------------------------------------------------


def test_cache_lives_under_xdg_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert SpeechCache().folder == tmp_path / "xdg" / "crampcoach" / "speech"
    assert SpeechCache().folder == locations.speech_cache_dir()


def test_cache_round_trip_and_key(cache: SpeechCache) -> None:
    clip = tone_clip(500)
    assert cache.get("Hello.", EN) is None
    path = cache.put("Hello.", EN, clip)
    assert path.parent == cache.folder
    assert cache.get("Hello.", EN) == clip
    assert cache.frames("Hello.", EN) == 500
    assert cache.get("Hello.", Voice("en", 141)) is None
    assert cache.get("Hello.", Voice("de", 140)) is None
    assert cache.key("Hello.", Voice("EN", 140)) == cache.key("Hello.", EN)
    assert not [p for p in cache.folder.iterdir() if p.name.startswith(".")]  # no temp files


def test_cache_key_carries_the_format_version(cache: SpeechCache,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    before = cache.key("Hello.", EN)
    monkeypatch.setattr("crampcoach.audio.speech.FORMAT_VERSION", FORMAT_VERSION + 1)
    assert cache.key("Hello.", EN) != before


@pytest.mark.parametrize("damage", [
    lambda b: b[:-10],  # truncated
    lambda b: b"",  # empty
    lambda b: b"RIFF" + b"\xff" * 60,  # garbage header
])
def test_corrupt_entry_counts_as_missing_and_is_removed(cache: SpeechCache, damage: object) -> None:
    path = cache.put("Hello.", EN, tone_clip(500))
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    assert cache.get("Hello.", EN) is None
    assert not path.exists()


def test_least_recently_used_entries_are_evicted(tmp_path: Path) -> None:
    clip = tone_clip(2000)  # 4 kB of sound per entry
    cache = SpeechCache(tmp_path / "speech", max_bytes=5 * (len(clip.pcm) + 44))
    for n in range(5):
        cache.put(f"phrase {n}", EN, clip)
        os.utime(cache.path_for(f"phrase {n}", EN), (1000 + n, 1000 + n))
    assert cache.get("phrase 0", EN) == clip  # used now: the most recent
    cache.put("phrase 5", EN, clip)  # over the bound: the oldest unused ones go
    present = {n for n in range(6) if cache.path_for(f"phrase {n}", EN).exists()}
    assert present == {0, 3, 4, 5}
    assert cache.size_bytes() <= cache.max_bytes


def test_unwritable_cache_is_not_fatal(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    cache = SpeechCache(blocker / "speech")
    cache.put("Hello.", EN, tone_clip(10))
    assert cache.get("Hello.", EN) is None


# --- trimming -----------------------------------------------------------------------------------


def test_trim_keeps_a_short_lead_and_fades_out() -> None:
    sound = array("h", [0] * 1000 + [5000, -5000] * 500 + [0] * 3000)
    trimmed = trim_silence(sound)
    assert first_sound(trimmed, 100) == round(0.002 * SAMPLE_RATE)
    assert len(trimmed) == round(0.002 * SAMPLE_RATE) + 1000 + round(0.025 * SAMPLE_RATE)
    assert trimmed[-1] == 0
    assert trim_silence(array("h", [0, 10, -10] * 100)) == array("h")


def test_speech_pcm_converts_other_formats(tmp_path: Path) -> None:
    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(44100)
        wav.writeframes(array("h", [4000, 2000] * 44100).tobytes())
    pcm = samples_of(speech_pcm(path))
    # One second at 44.1 kHz is one second at 22.05 kHz, the two channels averaged.
    assert abs(len(pcm) - SAMPLE_RATE) <= 2
    assert pcm[100] == 3000


@pytest.mark.realaudio
def test_closed_speech_still_reads_the_cache_but_starts_no_worker(cache: SpeechCache) -> None:
    speech = SynthesizedSpeech(cache)
    made = speech.clip("Well done.", EN)
    speech.close()
    assert speech.clip("Well done.", EN) == made
    with pytest.raises(SynthesisError) as e:
        speech.clip("Something new.", EN)
    assert str(e.value) == "speech synthesis has been stopped"


def test_eviction_removes_abandoned_temporary_files(cache: SpeechCache) -> None:
    cache.put("Hello.", EN, tone_clip(10))
    old = cache.folder / ".tmp-abandoned.wav"
    new = cache.folder / ".raw-being-written.wav"
    old.write_bytes(b"half")
    new.write_bytes(b"half")
    os.utime(old, (1000, 1000))
    cache.evict()
    assert not old.exists()
    assert new.exists()
    assert cache.get("Hello.", EN) is not None


@pytest.mark.realaudio
def test_threads_asking_for_one_phrase_share_one_synthesis(cache: SpeechCache) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with SynthesizedSpeech(cache) as speech, ThreadPoolExecutor(8) as pool:
        clips = list(pool.map(lambda _: speech.clip("Together now.", EN), range(8)))
    assert all(c == clips[0] for c in clips)
    assert [p.name for p in cache.folder.iterdir()] == [cache.path_for("Together now.", EN).name]
