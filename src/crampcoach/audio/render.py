"""A whole session as one sound: every cue at its sample-exact offset.

The session is written piece by piece, so a 30-minute render never holds 80 MB: silence
between cues is written as it goes, and only cues that overlap are mixed together.
"""

from __future__ import annotations

import shutil
import wave
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from crampcoach.audio.base import CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH, Clip, CueSounds
from crampcoach.audio.engine import SpeechEngine
from crampcoach.audio.mix import frame_at, mix
from crampcoach.audio.sounds import SpokenCueSounds
from crampcoach.errors import AudioError
from crampcoach.files import atomic_file
from crampcoach.phrases import phrasebook
from crampcoach.routines.compiler import check_speech_length, compile_routine, spoken_texts
from crampcoach.routines.cues import SpeechMeter
from crampcoach.routines.kinds.wait import file_pause_s, file_prompt
from crampcoach.routines.model import Routine, Wait
from crampcoach.routines.timeline import Cue, Timeline, Voice

# Silence is written in blocks of this many frames (one second).
_SILENCE_BLOCK = SAMPLE_RATE
#: Free space a render leaves on the disk, beyond the file itself: a full disk stops
#: everything else too (the journal, the speech cache).
DISK_RESERVE_BYTES = 64 * 1024 * 1024
_WAV_HEADER_BYTES = 44
#: The one format a render writes. No library crampcoach depends on writes a compressed
#: format, and a WAV under another name would fool the player that opens it.
RENDER_SUFFIX = ".wav"


class RenderTargetError(AudioError):
    """A render asked for a file crampcoach cannot write (a format other than WAV)."""

    exit_code = 2


def check_render_target(path: Path) -> None:
    """Raise :class:`RenderTargetError` unless ``path`` names a WAV file."""
    if path.suffix.lower() != RENDER_SUFFIX:
        raise RenderTargetError(
            f"render writes WAV files only: give a name ending in {RENDER_SUFFIX} "
            f"(not '{path.name}'), or - for standard output")


@dataclass(frozen=True, slots=True)
class Rendered:
    """What a render wrote: its file and length."""

    path: Path
    frames: int

    @property
    def seconds(self) -> float:
        return self.frames / SAMPLE_RATE


def _silence(frames: int) -> Iterator[bytes]:
    block = bytes(_SILENCE_BLOCK * SAMPLE_WIDTH)
    while frames > 0:
        n = min(frames, _SILENCE_BLOCK)
        yield block[: n * SAMPLE_WIDTH]
        frames -= n


def iter_render(timeline: Timeline, sounds: CueSounds,
                voice: Voice | None = None) -> Iterator[bytes]:
    """The session's PCM (the project's format) in pieces, start to end.

    Its length is the plan's total, or longer only by as much as the last sound runs
    past it. Errors of ``sounds`` (e.g. :class:`SynthesisError`) pass through.
    """
    voice = voice if voice is not None else timeline.voice
    total = frame_at(timeline.total)
    written = 0
    group: list[tuple[int, Clip]] = []
    group_end = 0

    def flush() -> Iterator[bytes]:
        nonlocal written
        start = group[0][0]
        yield from _silence(start - written)
        yield mix([(at - start, clip) for at, clip in group]).pcm
        written = group_end

    for cue in sorted(timeline.cues, key=lambda c: c.at):
        at = frame_at(cue.at)
        clip = sounds.clip_for(cue, voice)
        if group and at >= group_end:
            yield from flush()
            group = []
        group.append((at, clip))
        group_end = max(group_end, at + clip.frames)
    if group:
        yield from flush()
    yield from _silence(total - written)


def session_frames(timeline: Timeline, sounds: CueSounds, voice: Voice | None = None) -> int:
    """How many frames :func:`iter_render` yields: the plan's total, or up to the end of
    the last sound if that runs past it."""
    voice = voice if voice is not None else timeline.voice
    end = frame_at(timeline.total)
    for cue in timeline.cues:
        end = max(end, frame_at(cue.at) + sounds.clip_for(cue, voice).frames)
    return end


def render_to_stream(timeline: Timeline, sounds: CueSounds, stream: BinaryIO,
                     voice: Voice | None = None) -> int:
    """Write the session as WAV to ``stream``, which need not be seekable (a pipe): the
    length goes into the header first, so nothing is written twice. Returns the frames.
    """
    frames = session_frames(timeline, sounds, voice)
    with wave.open(stream, "wb") as wav:
        wav.setnchannels(CHANNELS)
        wav.setsampwidth(SAMPLE_WIDTH)
        wav.setframerate(SAMPLE_RATE)
        wav.setnframes(frames)
        for piece in iter_render(timeline, sounds, voice):
            wav.writeframesraw(piece)
    return frames


def render_timeline(timeline: Timeline, sounds: CueSounds, voice: Voice | None = None) -> Clip:
    """The whole session as one clip in memory: for short sessions and tests.
    Use :func:`render_to_wav` for real sessions.
    """
    return Clip(b"".join(iter_render(timeline, sounds, voice)))


def render_to_wav(timeline: Timeline, sounds: CueSounds, path: Path,
                  voice: Voice | None = None) -> Rendered:
    """Write the session to the WAV file ``path`` (22050 Hz mono 16-bit).

    The file appears only when complete (written beside it, then renamed), so a failed
    render never leaves half a session behind. Raises :class:`AudioError` when it cannot
    be written or would not fit on the disk, and whatever ``sounds`` raises.
    """
    # The length of the last sound past the plan's end is small beside this margin.
    needed = _WAV_HEADER_BYTES + (frame_at(timeline.total) + SAMPLE_RATE) * SAMPLE_WIDTH
    check_free_space(path, needed)
    frames = 0
    try:
        with atomic_file(path, mode=0o644, make_folder=False) as f, wave.open(f, "wb") as wav:
            wav.setnchannels(CHANNELS)
            wav.setsampwidth(SAMPLE_WIDTH)
            wav.setframerate(SAMPLE_RATE)
            for piece in iter_render(timeline, sounds, voice):
                wav.writeframesraw(piece)
                frames += len(piece) // SAMPLE_WIDTH
    except OSError as e:
        raise AudioError(f"cannot write {path}: {e.strerror or e}") from None
    return Rendered(path, frames)


def check_free_space(path: Path, needed: int) -> None:
    """Refuse, before a byte is written, a file of ``needed`` bytes that would fill the disk."""
    try:
        free = shutil.disk_usage(path.parent).free
    except OSError as e:
        raise AudioError(f"cannot write {path}: {e.strerror or e}") from None
    if needed + DISK_RESERVE_BYTES > free:
        raise AudioError(f"cannot write {path}: the session needs {_megabytes(needed)} and "
                         f"only {_megabytes(max(0, free - DISK_RESERVE_BYTES))} can be used "
                         f"({_megabytes(DISK_RESERVE_BYTES)} are kept free)")


def _megabytes(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def file_texts(routine: Routine, voice: Voice) -> list[str]:
    """What a file says at its waits, beyond the session's own phrases."""
    texts = [file_prompt(s, voice.language) for s in routine.steps if isinstance(s, Wait)]
    return [*texts, phrasebook(voice.language).wait_resume] if texts else []


def waits_for_a_file(routine: Routine, timeline: Timeline, meter: SpeechMeter,
                     voice: Voice) -> Timeline:
    """``timeline`` as a file plays it. A file cannot wait for a button, and the plan goes
    straight on after a wait as if the person were ready at once; so each wait's prompt
    says words that fit a file (no button), a quiet pause follows (the wait's reminder
    interval, else ``FILE_PAUSE_S``: ``routines/kinds/wait.py``), then "Carrying on.", and
    everything after it moves later by as much."""
    book = phrasebook(voice.language)
    cues: list[Cue] = []
    shift = 0.0
    shift_after: dict[int, float] = {}
    for cue in timeline.cues:
        moved = replace(cue, at=cue.at + shift)
        step = routine.steps[cue.step] if cue.wait is not None else None
        if not isinstance(step, Wait):
            cues.append(moved)
            continue
        text = file_prompt(step, voice.language)
        prompt = replace(moved, text=text, length=meter.seconds(text, voice), wait=None)
        resume = Cue(at=prompt.end + file_pause_s(step), kind="speech", text=book.wait_resume,
                     step=cue.step, role="wait",
                     length=meter.seconds(book.wait_resume, voice))
        cues += [prompt, resume]
        shift += resume.end - (cue.end + shift)
        shift_after[cue.step] = shift
    if not shift_after:
        return timeline

    def moved_by(index: int) -> float:
        return max((s for i, s in shift_after.items() if i <= index), default=0.0)

    spans = tuple(replace(span, start=span.start + moved_by(span.index - 1),
                          end=span.end + moved_by(span.index)) for span in timeline.steps)
    return replace(timeline, cues=tuple(cues), steps=spans, total=max(c.end for c in cues))


def render_routine(routine: Routine, path: Path | BinaryIO, speech: SpeechEngine,
                   voice: Voice) -> tuple[Timeline, Rendered]:
    """Synthesize every phrase of ``routine`` (two at a time), compile it with the real
    speech lengths, and write the session to the file ``path``, or to a stream (standard
    output) given instead; the returned path is then ``-``.

    Raises :class:`SynthesisError` naming the first phrase that could not be made (a
    rendered session must not have holes), :class:`RoutineError` when the real speech
    overruns a step, :class:`AudioError` when the file cannot be written.
    """
    texts = [*spoken_texts(routine, voice), *file_texts(routine, voice)]
    check_speech_length(routine, texts, voice)  # before hours of speech are synthesized
    failures = speech.prepare(texts, voice)
    if failures:
        raise next(iter(failures.values()))
    timeline = waits_for_a_file(routine, compile_routine(routine, speech, voice), speech, voice)
    if isinstance(path, Path):
        return timeline, render_to_wav(timeline, SpokenCueSounds(speech), path, voice)
    frames = render_to_stream(timeline, SpokenCueSounds(speech), path, voice)
    return timeline, Rendered(Path("-"), frames)
