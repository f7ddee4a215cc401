"""The ``crampcoach`` command. The only module that prints or exits.

Every command calls into the library and turns its :class:`CrampcoachError` into a
message on stderr and a non-zero exit code (2 for a routine that is not valid).
"""

from __future__ import annotations

import importlib
import json
import math
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, NoReturn

import click

from crampcoach import __version__
from crampcoach.errors import CrampcoachError, RoutineError
from crampcoach.routines.model import Routine
from crampcoach.routines.timeline import Cue, Timeline, Voice

if TYPE_CHECKING:
    from crampcoach.audio.base import CueSounds
    from crampcoach.player.clock import Clock
    from crampcoach.player.events import Progress, SessionEvent
    from crampcoach.player.keys import KeyReader
    from crampcoach.player.output import SinkFactory
    from crampcoach.player.rating import WorseningCheck
    from crampcoach.player.session import SessionRecorder
    from crampcoach.routines.compiler import SpeechMeter

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn the library's errors into what a person sees: a line each, and the exit code."""
    try:
        yield
    except RoutineError as e:
        for problem in e.problems:
            click.echo(str(problem), err=True)
        sys.exit(e.exit_code)
    except CrampcoachError as e:
        fail(str(e), e.exit_code)


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="crampcoach")
def cli() -> None:
    """A calm voice that guides you through gentle routines for MS cramps, spasms and twitching.

    crampcoach gives guidance, not diagnosis. Move gently and never into pain. Talk to
    your neurologist about cramps that are painful, frequent, come with weakness or
    stiffness, or disrupt daily life.
    """


# --- routines: check, plan, list -------------------------------------------------------------


def _speech_meter() -> SpeechMeter:
    """How long each phrase sounds. An estimate until real synthesized lengths are wired in."""
    from crampcoach.routines.compiler import EstimatedSpeechMeter

    return EstimatedSpeechMeter()


def _voice(routine: Routine) -> Voice:
    return Voice(language=routine.language or "en", rate=routine.rate or 140)


def _compile(ref: str) -> tuple[Routine, Timeline]:
    from crampcoach.routines.compiler import compile_routine
    from crampcoach.routines.loader import load_routine

    routine = load_routine(ref)
    return routine, compile_routine(routine, _speech_meter(), _voice(routine))


@cli.command()
@click.argument("routines", nargs=-1, required=True, metavar="ROUTINE...")
def check(routines: tuple[str, ...]) -> None:
    """Check routine files (or built-in names): 'ok' for each, or every problem as FILE:LINE.

    Exits 2 if any routine is not valid.
    """
    worst = 0
    for ref in routines:
        try:
            _compile(ref)
        except RoutineError as e:
            for problem in e.problems:
                click.echo(str(problem), err=True)
            worst = max(worst, e.exit_code)
        except CrampcoachError as e:
            click.echo(f"{ref}: {e}", err=True)
            worst = max(worst, e.exit_code)
        else:
            click.echo(f"{ref}: ok")
    sys.exit(worst)


def _heard(cue: Cue) -> str:
    if cue.kind == "tone":
        return f"({cue.text} tone)" if cue.tone != "chime" else f"({cue.text})"
    return f'"{cue.text}"'


@cli.command()
@click.argument("routine", metavar="ROUTINE")
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as JSON.")
def plan(routine: str, as_json: bool) -> None:
    """Show the whole timeline of ROUTINE (a file or a built-in name): when each cue is heard.

    Times are minutes:seconds from the start of the session.
    """
    with reported_errors():
        _, timeline = _compile(routine)
    if as_json:
        click.echo(json.dumps(timeline.to_json(), indent=2, ensure_ascii=False))
        return
    from crampcoach.routines.durations import format_clock

    click.echo(f"{timeline.name}: {format_clock(timeline.total)} "
               f"({len(timeline.steps)} steps, {len(timeline.cues)} cues)")
    click.echo(f"{'at':>8}  {'step':>4}  what you hear")
    for cue in timeline.cues:
        click.echo(f"{format_clock(cue.at):>8}  {cue.step + 1:>4}  {_heard(cue)}")
    click.echo(f"{format_clock(timeline.total):>8}        end")


@cli.command(name="list")
def list_routines() -> None:
    """List the routines you can play: name, length (minutes:seconds) and description."""
    from crampcoach.routines import library
    from crampcoach.routines.durations import format_clock

    users = set(library.user_names())
    builtins = set(library.builtin_names())
    rows: list[tuple[str, str, str]] = []
    for name in library.routine_names():
        try:
            routine, timeline = _compile(name)
        except CrampcoachError as e:
            rows.append((name, "--:--", f"not valid: {str(e).splitlines()[0]}"))
            continue
        note = ""
        if name in users:
            note = " (yours; replaces the built-in)" if name in builtins else " (yours)"
        rows.append((name, format_clock(timeline.total), f"{routine.description}{note}".strip()))
    width = max((len(r[0]) for r in rows), default=0)
    for name, length, description in rows:
        click.echo(f"{name:<{width}}  {length:>5}  {description}".rstrip())


# --- audio: voices, render --------------------------------------------------------------------


# --- player: play -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _RealAudio:
    sounds: CueSounds
    sink_factory: SinkFactory
    meter: SpeechMeter
    close: Callable[[], None]


def _real_audio() -> _RealAudio | None:
    """The real sound: espeak-ng speech (cached), generated tones, ALSA through simpleaudio.

    Returns None (the session then runs in text and says why) until the audio layer is
    there. MERGE: the audio branch provides these names; check them when merging.
    """
    try:
        speech_mod = importlib.import_module("crampcoach.audio.speech")
        sounds_mod = importlib.import_module("crampcoach.audio.sounds")
        playback_mod = importlib.import_module("crampcoach.audio.playback")
    except ImportError:
        return None
    speech = speech_mod.SynthesizedSpeech()
    return _RealAudio(
        sounds=sounds_mod.SpokenCueSounds(speech),
        sink_factory=playback_mod.SimpleaudioSink,
        meter=speech,
        close=speech.close,
    )


def _session_recorder(journal: Path | None) -> SessionRecorder | None:
    """Where sessions are recorded. MERGE: the journal branch provides a recorder on
    ``journal or locations.journal_path()``; until then nothing is recorded."""
    return None


def _worsening_check(journal: Path | None) -> WorseningCheck | None:
    """Whether ratings have worsened over the last week. MERGE: from the journal's trends."""
    return None


def _player_clock() -> Clock:
    from crampcoach.player.clock import MonotonicClock

    return MonotonicClock()


def _key_reader(clock: Clock) -> KeyReader:
    from crampcoach.player.keys import KeyReader

    return KeyReader(sys.stdin, clock.push)


def _stamp() -> str:
    return time.strftime("%H:%M:%S")


def _clock_text(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    whole = max(0, math.ceil(seconds - 1e-9))
    return f"{whole // 60:d}:{whole % 60:02d}"


class _SessionDisplay:
    """Shows a session: on a terminal a live status line under the spoken text; otherwise
    plain timestamped lines (for a service's log or a pipe)."""

    def __init__(self, live: bool) -> None:
        self.live = live
        self._status = ""
        self._step = ""
        self._next: str | None = None
        self._count = 0
        self._tone: tuple[float, str] | None = None  # a breathing tone not shown yet
        self._progress: Progress | None = None

    def line(self, text: str) -> None:
        if self.live:
            click.echo("\r\x1b[2K" + text, color=True)
            if self._status:
                click.echo(self._status, nl=False, color=True)
        else:
            click.echo(f"{_stamp()} {text}")

    def _redraw(self, progress: Progress) -> None:
        width = shutil.get_terminal_size((80, 24)).columns
        bar = ""
        if progress.total:
            done = min(1.0, progress.elapsed / progress.total)
            filled = round(done * 20)
            bar = f" [{'#' * filled}{'.' * (20 - filled)}] {done:4.0%}"
        upcoming = f" | next: {self._next}" if self._next else ""
        status = (f"{self._step}{upcoming} | step {_clock_text(progress.step_left)} left"
                  f" | session {_clock_text(progress.session_left)} left{bar}")
        self._status = status[: max(10, width - 1)]
        click.echo("\r\x1b[2K" + self._status, nl=False, color=True)

    def close(self) -> None:
        if self.live and self._status:
            click.echo("\r\x1b[2K", nl=False, color=True)
            self._status = ""

    def __call__(self, event: SessionEvent) -> None:
        from crampcoach.player import events as ev

        tone, self._tone = self._tone, None
        if isinstance(event, ev.CueStarted) and event.cue.kind == "tone":
            if event.cue.role == "phase":
                # Shown only if no word says the same on this beat (tones-only breathing).
                self._tone = (event.planned, event.cue.text)
            return
        if tone is not None and not (isinstance(event, ev.CueStarted)
                                     and event.planned == tone[0]):
            self.line(f"  ({tone[1]})")
        if isinstance(event, ev.CueStarted):
            self.line(f"  {event.cue.text}")
        elif isinstance(event, ev.StepChanged):
            self._count = event.count
            self._next = event.next_title
            if event.index is None:
                self._step = event.title
                self.line(f"{event.title}")
            else:
                title = "" if event.kind == "say" else f": {event.title}"
                self._step = f"{event.index + 1}/{event.count}{title}"
                upcoming = f" (next: {event.next_title})" if event.next_title else ""
                self.line(f"Step {event.index + 1} of {event.count}{title}{upcoming}")
            if self.live and self._progress is not None:
                self._redraw(self._progress)
        elif isinstance(event, ev.Progress):
            self._progress = event
            if self.live:
                self._redraw(event)
        elif isinstance(event, ev.Paused):
            self.line("Paused. Press space to carry on, q to stop.")
        elif isinstance(event, ev.Resumed):
            self.line(f"Carrying on in {event.get_ready_s:g} seconds.")
        elif isinstance(event, ev.Skipped):
            if event.to_index is None:
                self.line("Skipped to the closing.")
            else:
                title = "" if event.to_kind == "say" else f": {event.to_title}"
                self.line(f"Skipped to step {event.to_index + 1} of {self._count}{title}.")
        elif isinstance(event, ev.Repeated):
            self.line(f"  {event.text}")
        elif isinstance(event, ev.AudioFallback):
            self.line(f"Note: {event.reason}")
        elif isinstance(event, ev.SessionEnded):
            self.close()
            if event.outcome == "finished":
                self.line("Session finished.")
            elif event.step_reached is None:
                self.line("Stopped during the opening.")
            else:
                of = f" of {self._count}" if self._count else ""
                self.line(f"Stopped at step {event.step_reached + 1}{of}.")
        elif isinstance(event, ev.RatingAsked):
            self.line(event.prompt)
        elif isinstance(event, ev.RatingTyped):
            if event.digits:
                self.line(f"  {event.digits} (press 0 for 10, or Enter)")
        elif isinstance(event, ev.RatingReminder | ev.RatingInvalid | ev.Rated | ev.Advice):
            self.line(event.text)
        elif isinstance(event, ev.RatingMissing):
            self.line(f"No rating: {event.reason}.")


@contextmanager
def _sigterm_as_interrupt() -> Iterator[list[int]]:
    """SIGTERM (a service being stopped) ends the session like Ctrl-C: sound off, recorded.

    Yields a list that holds the signal number once one arrived.
    """
    received: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, on_signal)
    except ValueError:  # not the main thread (e.g. some test runners)
        yield received
        return
    try:
        yield received
    finally:
        signal.signal(signal.SIGTERM, previous)


@cli.command()
@click.argument("routine", required=False, metavar="[ROUTINE]")
@click.option("--rating", type=click.IntRange(0, 10), metavar="N",
              help="The cramp rating after the session (0 none to 10 worst); not asked.")
@click.option("--no-rating", is_flag=True, help="Do not ask for a rating.")
@click.option("--rate-before", is_flag=True, help="Also ask for a rating before the session.")
@click.option("--text-only", is_flag=True, help="No sound: show the session as text.")
@click.option("--journal", type=click.Path(dir_okay=False, path_type=Path),
              help="The journal file to record the session in (default: your journal).")
def play(routine: str | None, rating: int | None, no_rating: bool, rate_before: bool,
         text_only: bool, journal: Path | None) -> None:
    """Play a routine aloud in real time, then ask how the cramps are (0 to 10).

    ROUTINE is a file or a routine name; without it, evening-calf-relief. Keys, no Enter
    needed: space (or b) pause and carry on, n (or PageDown) next step, r (or PageUp)
    repeat the last instruction, q stop. For the rating press a number: 1 then 0 is 10.

    Exit codes: 0 finished or stopped with q; 130 Ctrl-C; 143 stopped by SIGTERM;
    2 the routine is not valid. A stopped session is recorded with the step reached.
    """
    from crampcoach.player.feed import FallbackMeter
    from crampcoach.player.session import RatingChoice, play_session
    from crampcoach.routines.compiler import EstimatedSpeechMeter, compile_routine, iter_steps
    from crampcoach.routines.library import DEFAULT_ROUTINE
    from crampcoach.routines.loader import load_routine

    if rating is not None and no_rating:
        raise click.UsageError("--rating and --no-rating cannot be used together")
    with reported_errors():
        loaded = load_routine(routine or DEFAULT_ROUTINE)
        voice = _voice(loaded)
        # Checked whole before any sound: a routine that does not fit stops here, not half-way.
        compile_routine(loaded, EstimatedSpeechMeter(), voice)
        audio = None if text_only else _real_audio()
        meter = FallbackMeter(audio.meter if audio else EstimatedSpeechMeter(),
                              EstimatedSpeechMeter())
        recorder = _session_recorder(journal)
        worsening = _worsening_check(journal)
    clock = _player_clock()
    display = _SessionDisplay(live=sys.stdout.isatty())
    if audio is None and not text_only:
        display.line("Note: no sound on this machine yet; showing the session as text.")
    choice = RatingChoice(given=rating, ask=not no_rating, before=rate_before)
    code = 0
    try:
        with _sigterm_as_interrupt() as signals, reported_errors(), \
                _key_reader(clock) as keys:
            try:
                record = play_session(
                    loaded, iter_steps(loaded, meter, voice), voice=voice,
                    sounds=audio.sounds if audio else None,
                    sink_factory=audio.sink_factory if audio else None,
                    clock=clock, observer=display, recorder=recorder, rating=choice,
                    input_live=lambda: keys.live, person_present=keys.is_terminal,
                    worsening=worsening,
                )
                if record.outcome == "interrupted":
                    code = 143 if signals else 130
            except KeyboardInterrupt:
                code = 143 if signals else 130
    finally:
        display.close()
        if audio is not None:
            audio.close()
    if code:
        click.echo("Stopped.", err=True)
        sys.exit(code)


# --- journal: rate, history -------------------------------------------------------------------


# --- bedside: config, schedule ----------------------------------------------------------------


def main() -> None:
    try:
        cli.main(prog_name="crampcoach")
    except KeyboardInterrupt:
        # Ctrl-C outside a session (a session handles it itself): no traceback.
        click.echo("Stopped.", err=True)
        sys.exit(130)
