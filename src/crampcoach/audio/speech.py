"""Speech: phrases synthesized by espeak-ng (through pyttsx3, in a worker process), trimmed,
and cached on disk.

The pieces, from the bottom up:

* :class:`SpeechWorker` runs one pyttsx3 engine in a process of its own (see
  ``_speech_worker``) and gives every phrase a deadline: a worker that hangs or dies is
  killed and the next phrase gets a fresh one, so synthesis can never stop a session.
* :func:`speech_pcm` turns a synthesized WAV into the project's format and trims its
  silence, so a phrase starts on its beat and its length is the length heard.
* :class:`SpeechCache` keeps finished phrases on disk, keyed by text, language, rate and
  :data:`FORMAT_VERSION`, with atomic writes and least-recently-used eviction.
* :class:`SynthesizedSpeech` puts them together. It is a
  :class:`~crampcoach.audio.base.SpeechSource` and a
  :class:`~crampcoach.routines.compiler.SpeechMeter`, and can prepare many phrases ahead
  of need on up to two workers.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import queue
import re
import select
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
import wave
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from crampcoach import locations
from crampcoach.audio._speech_worker import ROOM_BASE_BYTES, ROOM_PER_CHAR_BYTES
from crampcoach.audio.base import CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH, Clip
from crampcoach.audio.voices import INSTALL_HINT, espeak_voice, normalize_language
from crampcoach.errors import SynthesisError, VoiceUnusable
from crampcoach.routines.compiler import SpeechMeter
from crampcoach.routines.timeline import DEFAULT_ENGINE, Voice

#: Changes whenever what is stored for a phrase changes (trimming, format): old entries
#: then simply stop matching and age out of the cache.
FORMAT_VERSION = 3  # 3: each phrase from one fresh state (same text, same length); 2: spoken_form
#: Seconds one phrase may take, worker start included, before the worker is killed.
DEFAULT_TIMEOUT_S = 20.0
#: The cache's bound on disk; the least recently used phrases go first.
DEFAULT_CACHE_BYTES = 200 * 1024 * 1024
#: Workers that :meth:`SynthesizedSpeech.prepare` runs side by side (the Pi has 4 cores,
#: the player needs one).
DEFAULT_WORKERS = 2
#: The longest phrase an entry may hold: the longest text a routine may have, at the
#: slowest rate, is about ten minutes. A longer entry is damaged or planted, and removed.
MAX_ENTRY_FRAMES = 15 * 60 * SAMPLE_RATE
#: Memory-backed space for a phrase's sound when the cache's disk is full.
MEMORY_FOLDER = Path("/dev/shm")

# Numbers joined by hyphens: "10-15", "4-7-8" (not "-3", not "wind-down").
_JOINED_NUMBERS = re.compile(r"\b\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)+\b")


def spoken_form(text: str, language: str) -> str:
    """``text`` as espeak-ng should get it: it reads "10-15" as "ten dash fifteen".

    In English a range of two numbers becomes "10 to 15"; otherwise (longer chains like
    "4-7-8", other languages) the numbers are simply said one after another.
    """
    english = normalize_language(language).startswith("en")

    def say(match: re.Match[str]) -> str:
        numbers = match.group(0).split("-")
        if english and len(numbers) == 2:
            return f"{numbers[0]} to {numbers[1]}"
        return " ".join(numbers)

    return _JOINED_NUMBERS.sub(say, text)


# Samples quieter than this are silence (espeak-ng pads with exact zeros).
_SILENCE_LEVEL = 64
# Sound kept before the first loud sample and after the last one.
_LEAD_S = 0.002
_TAIL_S = 0.025
_FADE_OUT_S = 0.010
_WAV_HEADER_BYTES = 44


def worker_command() -> list[str]:
    """The command that starts a speech worker with this Python."""
    return [sys.executable, "-m", "crampcoach.audio._speech_worker"]


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _WorkerGone(Exception):
    """The worker process ended or answered nonsense."""


class SpeechWorker:
    """One speech worker slot: a process that speaks one voice at one rate.

    espeak-ng carries state from one phrase to the next inside a process (its pitch
    flutter runs on where the last phrase left it), so the same phrase came out a few
    milliseconds longer or shorter depending on what was said before it, and a plan's
    total depended on which worker made which phrase. The espeak-ng worker therefore
    forks a child for every phrase from one saved state (see ``_speech_worker``): the
    same text always has the same sound, and a phrase costs a fork, not a new process.

    ``fresh_per_phrase``: for a worker that cannot fork its phrases, a new process for
    every phrase (started as soon as one is done, so its start-up is mostly paid while
    nobody waits).

    Not thread-safe; :class:`SynthesizedSpeech` hands each worker to one thread at a time.
    """

    def __init__(self, command: Sequence[str] | None = None,
                 timeout_s: float = DEFAULT_TIMEOUT_S, missing_hint: str = INSTALL_HINT,
                 fresh_per_phrase: bool = False) -> None:
        self.command = list(command) if command is not None else worker_command()
        self.timeout_s = timeout_s
        self.missing_hint = missing_hint
        self.fresh_per_phrase = fresh_per_phrase
        self._proc: subprocess.Popen[bytes] | None = None
        self._buffer = b""
        # The voice and rate the process was started with, and whether it said it is ready.
        self._config: tuple[str, int] | None = None
        self._ready = False

    @property
    def pid(self) -> int | None:
        """The worker process's id while one runs."""
        return self._proc.pid if self._proc is not None else None

    def synthesize(self, text: str, espeak_voice_id: str, rate: int, out: Path) -> None:
        """Write ``text`` spoken by the voice at ``rate`` words per minute to WAV ``out``.

        A worker speaks with one voice and rate (see ``_speech_worker`` for why): asking
        for another restarts it. Raises :class:`SynthesisError` when espeak-ng is missing,
        the phrase fails, or no answer comes within the timeout (the worker is then killed).
        """
        config = (espeak_voice_id, rate)
        request = {"text": text, "out": str(out)}
        for attempt in (1, 2):
            if self._config != config:
                self.close()
            fresh = self._proc is None
            deadline = time.monotonic() + self.timeout_s
            try:
                self._ensure_started(config, deadline)
                answer = self._ask(request, deadline)
            except TimeoutError:
                self.close()
                msg = (f"speech synthesis did not finish within {self.timeout_s:g} s "
                       f"for '{_short(text)}'")
                raise SynthesisError(msg) from None
            except _WorkerGone as gone:
                self.close()
                # A worker started ahead of need may have been killed meanwhile: one retry
                # with a fresh one. A fresh worker that dies is a real failure.
                if attempt == 1 and not fresh:
                    continue
                raise SynthesisError(
                    f"speech synthesis failed for '{_short(text)}': {gone}") from None
            if self.fresh_per_phrase:
                self._start_next(config)
            if not answer.get("ok"):
                raise SynthesisError(
                    f"speech synthesis failed for '{_short(text)}': {answer.get('error')}")
            return
        raise AssertionError("unreachable")  # pragma: no cover

    def _start_next(self, config: tuple[str, int]) -> None:
        """Replace the process that has spoken by a fresh one, not waiting for it."""
        self.close()
        # A start that fails here is tried again, and reported, at the next phrase.
        with contextlib.suppress(SynthesisError):
            self._spawn(config)

    def close(self) -> None:
        """Stop the worker process (killed: it holds nothing worth saving)."""
        proc, self._proc, self._buffer, self._config = self._proc, None, b"", None
        self._ready = False
        if proc is None:
            return
        with contextlib.suppress(OSError):
            proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def _spawn(self, config: tuple[str, int]) -> None:
        try:
            self._proc = subprocess.Popen(
                [*self.command, config[0], str(config[1])],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                # Its own session: Ctrl-C reaches the player, which then closes the worker.
                start_new_session=True,
            )
        except OSError as e:
            raise SynthesisError(f"cannot start the speech worker: {e}") from None
        self._config = config

    def _ensure_started(self, config: tuple[str, int], deadline: float) -> None:
        if self._proc is None:
            self._spawn(config)
        if self._ready:
            return
        hello = self._read_answer(deadline)
        if hello.get("ready"):
            self._ready = True
            return
        self.close()
        if hello.get("error") == "missing":
            raise VoiceUnusable(self.missing_hint)
        if hello.get("error") == "voice":
            raise VoiceUnusable(str(hello.get("detail")))
        raise SynthesisError(f"the speech worker did not start: {hello}")

    def _ask(self, request: dict[str, Any], deadline: float) -> dict[str, Any]:
        proc = self._proc
        assert proc is not None
        assert proc.stdin is not None
        try:
            proc.stdin.write(json.dumps(request).encode() + b"\n")
            proc.stdin.flush()
        except OSError as e:
            raise _WorkerGone(f"the speech worker stopped ({e})") from None
        return self._read_answer(deadline)

    def _read_answer(self, deadline: float) -> dict[str, Any]:
        proc = self._proc
        assert proc is not None
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                code = proc.poll()
                raise _WorkerGone("the speech worker ended" +
                                  (f" with exit code {code}" if code is not None else ""))
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            answer = json.loads(line)
        except ValueError:
            raise _WorkerGone("the speech worker answered nonsense") from None
        if not isinstance(answer, dict):
            raise _WorkerGone("the speech worker answered nonsense")
        return answer


# --- sound format -----------------------------------------------------------------------------


def _to_mono_int16(raw: bytes, channels: int, width: int) -> array[int]:
    if width == 2:
        samples = array("h", raw)
        if sys.byteorder == "big":
            samples.byteswap()
    elif width == 1:  # WAV 8-bit is unsigned
        samples = array("h", ((b - 128) << 8 for b in raw))
    else:
        raise SynthesisError(f"espeak-ng wrote {width * 8}-bit sound, which is not supported")
    if channels == 1:
        return samples
    return array("h", (sum(samples[i:i + channels]) // channels
                       for i in range(0, len(samples) - channels + 1, channels)))


def _resample(samples: array[int], rate: int) -> array[int]:
    """Linear interpolation to :data:`SAMPLE_RATE` (espeak-ng is already there; for safety)."""
    if rate == SAMPLE_RATE or not samples:
        return samples
    n_out = max(1, round(len(samples) * SAMPLE_RATE / rate))
    step = rate / SAMPLE_RATE
    last = len(samples) - 1
    out = array("h")
    for i in range(n_out):
        pos = i * step
        j = min(int(pos), last)
        frac = pos - j
        nxt = samples[min(j + 1, last)]
        out.append(round(samples[j] + (nxt - samples[j]) * frac))
    return out


def trim_silence(samples: array[int]) -> array[int]:
    """The sound between its first and last audible sample, with a short lead and tail.

    The tail ends in a raised-cosine fade so a cut never clicks. All silence -> empty.
    """
    first = next((i for i, s in enumerate(samples) if abs(s) > _SILENCE_LEVEL), None)
    if first is None:
        return array("h")
    last = len(samples) - 1
    while abs(samples[last]) <= _SILENCE_LEVEL:
        last -= 1
    start = max(0, first - round(_LEAD_S * SAMPLE_RATE))
    end = min(len(samples), last + 1 + round(_TAIL_S * SAMPLE_RATE))
    out = samples[start:end]
    fade = min(len(out), round(_FADE_OUT_S * SAMPLE_RATE))
    for k in range(fade):
        i = len(out) - fade + k
        gain = 0.5 * (1.0 + math.cos(math.pi * (k + 1) / fade))
        out[i] = round(out[i] * gain)
    return out


def speech_pcm(wav_path: Path, made_by: str = "espeak-ng") -> bytes:
    """The phrase in ``wav_path`` in the project's format (22050 Hz mono int16 LE), trimmed.

    Raises :class:`SynthesisError` for a file that is not a readable WAV.
    """
    try:
        with wave.open(str(wav_path), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            raw = wav.readframes(wav.getnframes())
    except (OSError, EOFError, wave.Error) as e:
        raise SynthesisError(f"{made_by} wrote an unreadable sound file: {e}") from None
    samples = trim_silence(_resample(_to_mono_int16(raw, channels, width), rate))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()


# --- the cache --------------------------------------------------------------------------------


class SpeechCache:
    """Finished phrases on disk, one WAV file per (engine, text, language, rate, format
    version).

    Writes are atomic (a temporary file renamed into place), so processes sharing the
    folder never see half a file. An entry that does not read back whole is deleted and
    counts as missing. Reading an entry marks it used (its modification time); when the
    folder grows past ``max_bytes`` the least recently used entries are removed.
    """

    def __init__(self, folder: Path | None = None,
                 max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.folder = folder if folder is not None else locations.speech_cache_dir()
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._known_bytes: int | None = None

    def trusted(self) -> bool:
        """Whether the folder may be used: a folder of this user's that nobody else can
        write to (or none yet: it is made private). Another user's folder could hold a
        planted sound that would be played as a cue; such a cache is simply not used."""
        try:
            info = os.stat(self.folder)
        except FileNotFoundError:
            return True
        except OSError:
            return False
        return (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
                and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH))

    def key(self, text: str, voice: Voice) -> str:
        parts = [f"v{FORMAT_VERSION}", voice.engine, normalize_language(voice.language),
                 str(voice.rate), text]
        if voice.voice_file:
            # The engine's own voice (a Piper voice file): each voice has its own phrases.
            parts.insert(2, voice.voice_file)
        material = "\0".join(parts)
        return hashlib.sha256(material.encode("utf-8")).hexdigest()[:40]

    def path_for(self, text: str, voice: Voice) -> Path:
        return self.folder / f"{self.key(text, voice)}.wav"

    def frames(self, text: str, voice: Voice) -> int | None:
        """The entry's length in frames from its header alone; None when missing or corrupt."""
        if not self.trusted():
            return None
        path = self.path_for(text, voice)
        try:
            with wave.open(str(path), "rb") as wav:
                params = wav.getparams()
            size = path.stat().st_size
        except FileNotFoundError:
            return None
        except (OSError, EOFError, wave.Error):
            self._discard(path)
            return None
        if (params.nchannels, params.sampwidth, params.framerate) != (
                CHANNELS, SAMPLE_WIDTH, SAMPLE_RATE) or not 0 < params.nframes <= MAX_ENTRY_FRAMES \
                or size != _WAV_HEADER_BYTES + params.nframes * SAMPLE_WIDTH:
            self._discard(path)
            return None
        return params.nframes

    def get(self, text: str, voice: Voice) -> Clip | None:
        """The cached phrase, or None when missing or corrupt (a corrupt file is removed)."""
        if self.frames(text, voice) is None:
            return None
        path = self.path_for(text, voice)
        try:
            with wave.open(str(path), "rb") as wav:
                pcm = wav.readframes(wav.getnframes())
            if len(pcm) == 0:
                raise wave.Error("no frames")
            os.utime(path)
        except FileNotFoundError:
            return None  # evicted by another process in between
        except (OSError, EOFError, wave.Error):
            self._discard(path)
            return None
        return Clip(pcm)

    def put(self, text: str, voice: Voice, clip: Clip) -> Path:
        """Store ``clip`` for the phrase; returns its file. Best effort: a cache that cannot
        be written (full disk, read-only folder) costs speed, never the session.
        """
        path = self.path_for(text, voice)
        if not self.trusted():
            return path
        try:
            # Not files.write_atomically: a cache entry is made again when lost, so it is
            # renamed into place whole but not flushed to the disk (an fsync a phrase would
            # slow every cold session); a half-written one is never seen.
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".wav")
            try:
                with os.fdopen(fd, "wb") as f, wave.open(f, "wb") as wav:
                    wav.setnchannels(CHANNELS)
                    wav.setsampwidth(SAMPLE_WIDTH)
                    wav.setframerate(SAMPLE_RATE)
                    wav.writeframes(clip.pcm)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError:
            return path
        self._grew(_WAV_HEADER_BYTES + len(clip.pcm))
        return path

    def entries(self) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(self.folder) as it:
                return [e for e in it if e.name.endswith(".wav") and not e.name.startswith(".")]
        except FileNotFoundError:
            return []

    def size_bytes(self) -> int:
        total = 0
        for entry in self.entries():
            with contextlib.suppress(OSError):
                total += entry.stat().st_size
        return total

    def evict(self) -> int:
        """Remove least recently used entries until the folder is within ``max_bytes``
        (down to 90 % of it, so eviction does not run on every write). Returns how many.
        """
        self._remove_stale_temporaries()
        stats: list[tuple[float, int, str]] = []
        for entry in self.entries():
            with contextlib.suppress(OSError):
                st = entry.stat()
                stats.append((st.st_mtime, st.st_size, entry.path))
        total = sum(s[1] for s in stats)
        removed = 0
        if total > self.max_bytes:
            target = self.max_bytes * 0.9
            for _, size, path in sorted(stats):
                if total <= target:
                    break
                self._discard(Path(path))
                total -= size
                removed += 1
        with self._lock:
            self._known_bytes = total
        return removed

    def _grew(self, nbytes: int) -> None:
        with self._lock:
            if self._known_bytes is None:
                self._known_bytes = 0
                must_scan = True
            else:
                self._known_bytes += nbytes
                must_scan = self._known_bytes > self.max_bytes
        if must_scan:
            self.evict()

    def _remove_stale_temporaries(self) -> None:
        """Temporary files left by a process killed mid-write (a live write takes
        milliseconds, so an hour-old one is abandoned)."""
        too_old = time.time() - 3600
        try:
            with os.scandir(self.folder) as it:
                for entry in it:
                    if entry.name.startswith((".tmp-", ".raw-")):
                        with contextlib.suppress(OSError):
                            if entry.stat().st_mtime < too_old:
                                os.unlink(entry.path)
        except OSError:
            pass

    @staticmethod
    def _discard(path: Path) -> None:
        with contextlib.suppress(OSError):
            path.unlink()


# --- the speech source ------------------------------------------------------------------------


class _WorkerPool:
    """Up to ``size`` workers, each lent to one thread at a time, started when first needed."""

    def __init__(self, size: int, command: Sequence[str] | None, timeout_s: float,
                 missing_hint: str = INSTALL_HINT, fresh_per_phrase: bool = True) -> None:
        self.size = max(1, size)
        self._command = command
        self._timeout_s = timeout_s
        self._missing_hint = missing_hint
        self._fresh_per_phrase = fresh_per_phrase
        self._idle: queue.LifoQueue[SpeechWorker] = queue.LifoQueue()
        self._all: list[SpeechWorker] = []
        self._lock = threading.Lock()
        self._closed = False

    @contextlib.contextmanager
    def worker(self) -> Iterator[SpeechWorker]:
        try:
            w = self._idle.get_nowait()
        except queue.Empty:
            with self._lock:
                create = len(self._all) < self.size
                if create:
                    w = SpeechWorker(self._command, self._timeout_s, self._missing_hint,
                                     self._fresh_per_phrase)
                    self._all.append(w)
            if not create:
                w = self._idle.get()
        try:
            yield w
        finally:
            self._idle.put(w)
            if self._closed:
                w.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for w in self._all:
                w.close()


class SynthesizedSpeech:
    """espeak-ng through pyttsx3: a :class:`~crampcoach.audio.engine.SpeechEngine`, so a
    :class:`~crampcoach.audio.base.SpeechSource` and a
    :class:`~crampcoach.routines.compiler.SpeechMeter` (``seconds`` is the trimmed length).

    Thread-safe. Phrases come from memory, then the disk cache, then a worker process.
    Call :meth:`close` (or use ``with``) to stop the workers.
    """

    def __init__(
        self,
        cache: SpeechCache | None = None,
        *,
        workers: int = DEFAULT_WORKERS,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        command: Sequence[str] | None = None,
        memory_bytes: int = 16 * 1024 * 1024,
    ) -> None:
        self.cache = cache if cache is not None else SpeechCache()
        self._pool = _WorkerPool(workers, command if command is not None else self._command(),
                                 timeout_s, self._missing_hint, self._fresh_worker_per_phrase)
        self._memory: OrderedDict[str, Clip] = OrderedDict()
        self._memory_bytes = 0
        self._memory_limit = memory_bytes
        self._frames: dict[str, int] = {}
        self._lock = threading.Lock()
        self._in_flight: dict[str, threading.Lock] = {}
        self._unusable: VoiceUnusable | None = None
        self._closed = False

    #: The engine's name, as in :attr:`Voice.engine` and the settings.
    name = DEFAULT_ENGINE
    #: What makes the sound, in messages.
    _made_by = "espeak-ng"
    #: What to do when the worker finds its engine missing.
    _missing_hint = INSTALL_HINT
    #: espeak-ng carries state between phrases, but its worker forks a fresh child for
    #: each phrase from one saved state (see ``_speech_worker``): the worker itself stays.
    _fresh_worker_per_phrase = False

    def _command(self) -> Sequence[str] | None:
        """The worker's command line, without the voice and rate (None: espeak-ng's)."""
        return None

    def _voice_id(self, voice: Voice) -> str:
        """What the worker is started with to speak ``voice``."""
        return espeak_voice(voice.language).identifier

    # SpeechSource / SpeechMeter

    def clip(self, text: str, voice: Voice) -> Clip:
        """The trimmed phrase. Raises :class:`SynthesisError` when it cannot be made."""
        key = self.cache.key(text, voice)
        with self._lock:
            clip = self._memory.get(key)
            if clip is not None:
                self._memory.move_to_end(key)
                return clip
        clip = self.cache.get(text, voice)
        if clip is None:
            clip = self._synthesize_once(key, text, voice)
        self._remember(key, clip)
        return clip

    def seconds(self, text: str, voice: Voice) -> float:
        """How long the trimmed phrase sounds. Raises :class:`SynthesisError`."""
        key = self.cache.key(text, voice)
        with self._lock:
            frames = self._frames.get(key)
        if frames is None:
            frames = self.cache.frames(text, voice)
            if frames is None:
                frames = self.clip(text, voice).frames
            with self._lock:
                self._frames[key] = frames
        return frames / SAMPLE_RATE

    def cached_meter(self, otherwise: SpeechMeter) -> SpeechMeter:
        """A meter that never synthesizes: the cached length where there is one, else
        ``otherwise`` (an estimate). Lets a player check a routine before the first sound."""
        return _CachedOrElse(self, otherwise)

    def prepare(self, texts: Iterable[str], voice: Voice) -> dict[str, SynthesisError]:
        """Synthesize every phrase not yet cached, on up to ``workers`` processes at once.

        Returns the phrases that could not be made, with why (empty when all went well):
        the caller decides whether that is fatal (``render``) or a fallback (``play``).
        """
        missing = list(dict.fromkeys(t for t in texts if self.cache.frames(t, voice) is None))
        failures: dict[str, SynthesisError] = {}
        if not missing:
            return failures

        def one(text: str) -> None:
            try:
                self.seconds(text, voice)
            except SynthesisError as e:
                failures[text] = e

        # The first phrase alone: if espeak-ng is missing we learn it once, not per worker.
        one(missing[0])
        if self._unusable is not None:
            failures.update(dict.fromkeys(missing[1:], failures[missing[0]]))
            return failures
        # Imported here: concurrent.futures brings logging, ~10 ms a session start does
        # not need to pay before its first sound.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=self._pool.size,
                                thread_name_prefix="crampcoach-speech") as pool:
            list(pool.map(one, missing[1:]))
        return failures

    def close(self) -> None:
        """Stop the worker processes. Cached phrases can still be read afterwards."""
        self._closed = True
        self._pool.close()

    def __enter__(self) -> SynthesizedSpeech:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # internals

    def _remember(self, key: str, clip: Clip) -> None:
        with self._lock:
            self._frames[key] = clip.frames
            if key in self._memory or len(clip.pcm) > self._memory_limit:
                return
            self._memory[key] = clip
            self._memory_bytes += len(clip.pcm)
            while self._memory_bytes > self._memory_limit:
                _, old = self._memory.popitem(last=False)
                self._memory_bytes -= len(old.pcm)

    def _synthesize_once(self, key: str, text: str, voice: Voice) -> Clip:
        """Synthesize, letting only one thread work on a phrase at a time."""
        with self._lock:
            gate = self._in_flight.setdefault(key, threading.Lock())
        with gate:
            clip = self.cache.get(text, voice)  # another thread may have just made it
            if clip is None:
                clip = self._synthesize(text, voice)
                self.cache.put(text, voice, clip)
        with self._lock:
            self._in_flight.pop(key, None)
        return clip

    def _synthesize(self, text: str, voice: Voice) -> Clip:
        if self._closed:
            # A background prepare may still be running when the session ends: it must not
            # start new workers that nobody will stop.
            raise SynthesisError("speech synthesis has been stopped")
        if self._unusable is not None:
            raise VoiceUnusable(str(self._unusable))
        if not text.strip():
            raise SynthesisError("there is nothing to say in an empty phrase")
        voice_id = self._voice_id(voice)
        raw = self._raw_file(text)
        try:
            with self._pool.worker() as worker:
                try:
                    worker.synthesize(spoken_form(text, voice.language), voice_id,
                                      voice.rate, raw)
                except VoiceUnusable as e:
                    self._unusable = e
                    raise
            pcm = speech_pcm(raw, self._made_by)
        finally:
            with contextlib.suppress(OSError):
                raw.unlink()
        if not pcm:
            raise SynthesisError(f"{self._made_by} made no sound for '{_short(text)}'")
        return Clip(pcm)


    def _raw_file(self, text: str) -> Path:
        """A new private file for the worker's sound: in the cache folder, else in memory,
        else in the system's temporary folder; wherever there is room for it. With no room
        anywhere the phrase fails at once (the player goes on in text), not after a timeout.
        """
        needed = ROOM_BASE_BYTES + ROOM_PER_CHAR_BYTES * len(text)
        places: list[Path | None] = [MEMORY_FOLDER, None]
        if self.cache.trusted():
            with contextlib.suppress(OSError):
                self.cache.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            places.insert(0, self.cache.folder)
        for folder in places:
            try:
                if free_bytes(folder or Path(tempfile.gettempdir())) < needed:
                    continue
                fd, name = tempfile.mkstemp(dir=folder, prefix=".raw-crampcoach-",
                                            suffix=".wav")
            except OSError:  # an unwritable place costs speed, never the phrase
                continue
            os.close(fd)
            return Path(name)
        raise SynthesisError(f"no room on the disk to synthesize '{_short(text)}'")


def free_bytes(folder: Path) -> int:
    """Bytes free to this user on the file system of ``folder`` (0 when it is missing)."""
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return 0


class _CachedOrElse:
    def __init__(self, speech: SynthesizedSpeech, otherwise: SpeechMeter) -> None:
        self.speech = speech
        self.otherwise = otherwise

    def seconds(self, text: str, voice: Voice) -> float:
        key = self.speech.cache.key(text, voice)
        with self.speech._lock:
            frames = self.speech._frames.get(key)
        if frames is None:
            frames = self.speech.cache.frames(text, voice)
        if frames is None:
            return self.otherwise.seconds(text, voice)
        return frames / SAMPLE_RATE
