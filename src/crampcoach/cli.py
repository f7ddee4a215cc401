"""The ``crampcoach`` command. The only module that prints or exits.

Every command calls into the library and turns its :class:`CrampcoachError` into a
message on stderr and a non-zero exit code (2 for a routine that is not valid).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import math
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence, Sized
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, NoReturn

import click

from crampcoach import __version__
from crampcoach.errors import CrampcoachError, RoutineError
from crampcoach.routines.model import Routine
from crampcoach.routines.timeline import Cue, Timeline, Voice

if TYPE_CHECKING:
    from crampcoach.journal.trends import RedFlag
    from crampcoach.player.events import Progress, SessionEvent
    from crampcoach.routines.compiler import SpeechMeter
    from crampcoach.session.machine import Machine
    from crampcoach.settings import Settings

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


@contextmanager
def _measured_speech(routine: Routine, voice: Voice) -> Iterator[SpeechMeter]:
    """A meter giving each phrase's real synthesized length (synthesizing what is not yet
    cached, two at a time); the estimate, with a note, when espeak-ng cannot speak."""
    from crampcoach.routines.compiler import EstimatedSpeechMeter, phrases

    with _machine().speech() as speech:
        failed = speech.prepare(phrases(routine, voice), voice)
        if not failed:
            yield speech
            return
    reason = next(iter(failed.values()))
    click.echo(f"Note: speech lengths are estimates ({reason})", err=True)
    yield EstimatedSpeechMeter()


def _settings(config: Path | None = None) -> Settings:
    """The person's settings (``--config``, ``$CRAMPCOACH_CONFIG``, or the usual file)."""
    from crampcoach.settings import load_settings

    return load_settings(config)[0]


def _voice(routine: Routine, settings: Settings) -> Voice:
    from crampcoach.session import routine_voice

    return routine_voice(routine, settings)


def _load(ref: str) -> Routine:
    from crampcoach.audio.voices import known_language
    from crampcoach.routines.loader import load_routine

    return load_routine(ref, language_check=known_language)


def _compile(ref: str, settings: Settings) -> tuple[Routine, Timeline]:
    from crampcoach.routines.compiler import compile_routine

    routine = _load(ref)
    voice = _voice(routine, settings)
    with _measured_speech(routine, voice) as meter:
        return routine, compile_routine(routine, meter, voice)


def _check_day_and_night(ref: str, settings: Settings) -> Timeline:
    """Compile at the day rate and at the night rate (when night mode slows it), so a
    routine that passes is never refused at night; raises naming the rate that fails."""
    from crampcoach.routines.compiler import check_day_and_night
    from crampcoach.settings import night_voice

    routine = _load(ref)
    day = _voice(routine, settings)
    night = night_voice(settings, day)
    with contextlib.ExitStack() as stack:
        day_meter = stack.enter_context(_measured_speech(routine, day))
        night_meter = (stack.enter_context(_measured_speech(routine, night))
                       if night is not None else None)
        return check_day_and_night(
            routine, (day_meter, day),
            None if night is None or night_meter is None else (night_meter, night))


@cli.command()
@click.argument("routines", nargs=-1, required=True, metavar="ROUTINE...")
def check(routines: tuple[str, ...]) -> None:
    """Check routine files (or built-in names): 'ok' for each, or every problem as FILE:LINE.

    Each routine is checked at the day speech rate and at the slower night rate (night
    mode in the settings), so one that passes plays at any hour. Exits 2 if any routine
    is not valid.
    """
    with reported_errors():
        settings = _settings()
    worst = 0
    for ref in routines:
        try:
            _check_day_and_night(ref, settings)
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


def _night_plan(ref: str, settings: Settings, at: _dt.time) -> tuple[Timeline, str | None]:
    """The timeline of a session started at ``at`` (night mode if in night hours), decided
    as ``play`` decides it, and what night mode does to it."""
    from crampcoach.routines.compiler import compile_routine
    from crampcoach.session.start import decide_voice

    routine = _load(ref)
    made: dict[Voice, Timeline] = {}

    def measured(voice: Voice) -> None:
        with _measured_speech(routine, voice) as meter:
            made[voice] = compile_routine(routine, meter, voice)

    decided = decide_voice(routine, settings, _dt.datetime.combine(_dt.date.today(), at),
                           measured)
    return made[decided.effective.voice], decided.night_note


@cli.command()
@click.argument("routine", metavar="ROUTINE")
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as JSON.")
@click.option("--night", is_flag=True,
              help="The timeline as played in night hours (slower speech).")
@click.option("--at", "at", metavar="HH:MM",
              help="The timeline of a session started at this time of day (night mode "
              "applies inside night hours).")
def plan(routine: str, as_json: bool, night: bool, at: str | None) -> None:
    """Show the whole timeline of ROUTINE (a file or a built-in name): when each cue is heard.

    Times are minutes:seconds from the start of the session. Without --night or --at,
    the day timeline.
    """
    note: str | None = None
    with reported_errors():
        settings = _settings()
        if night and at is not None:
            raise click.UsageError("--night and --at cannot be used together")
        if night or at is not None:
            when = _plan_time(settings, at)
            timeline, note = _night_plan(routine, settings, when)
            if night and note is None:
                click.echo("Note: night mode is off in the settings, so nights sound "
                           "like days.", err=True)
        else:
            _, timeline = _compile(routine, settings)
    if as_json:
        data = timeline.to_json()
        if night or at is not None:
            data["night"] = note is not None
            data["night_note"] = note
        # Indented for a person at a terminal; compact (and several times faster) for programs.
        indent = 2 if sys.stdout.isatty() else None
        import json

        click.echo(json.dumps(data, indent=indent, ensure_ascii=False))
        return
    from crampcoach.routines.durations import format_clock

    if note is not None:
        click.echo(note)
    click.echo(f"{timeline.name}: {format_clock(timeline.total)} "
               f"({len(timeline.steps)} steps, {len(timeline.cues)} cues)")
    click.echo(f"{'at':>8}  {'step':>4}  what you hear")
    for cue in timeline.cues:
        click.echo(f"{format_clock(cue.at):>8}  {cue.step + 1:>4}  {_heard(cue)}")
    click.echo(f"{format_clock(timeline.total):>8}        end")


def _plan_time(settings: Settings, at: str | None) -> _dt.time:
    """``--at HH:MM``, or (for ``--night``) the start of night hours."""
    from crampcoach.schedule import parse_at

    if at is not None:
        hour, minute = parse_at(at)
        return _dt.time(hour, minute)
    return settings.night.start if settings.night is not None else _dt.time(0, 0)


@cli.command(name="list")
def list_routines() -> None:
    """List the routines you can play: name, length (minutes:seconds) and description."""
    from crampcoach.routines import library
    from crampcoach.routines.durations import format_clock

    with reported_errors():
        settings = _settings()
    users = set(library.user_names())
    builtins = set(library.builtin_names())
    rows: list[tuple[str, str, str]] = []
    for name in library.routine_names():
        try:
            routine, timeline = _compile(name, settings)
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


@cli.command()
@click.argument("routine", metavar="ROUTINE")
def show(routine: str) -> None:
    """Print a routine's YAML file, to read it or copy it as a start for your own.

    \b
    Example:
      crampcoach show box-breathing > ~/.config/crampcoach/routines/my-breathing.yaml
    """
    from crampcoach.routines.loader import routine_text

    with reported_errors():
        click.echo(_escaped(routine_text(routine)), nl=False)


def _escaped(text: str) -> str:
    """Text with control characters shown as escapes, so a file cannot drive the terminal."""
    return "".join(
        c if c in "\n\t" or (c.isprintable() and c != "\x7f") else repr(c)[1:-1] for c in text
    )


@cli.command(name="help")
@click.argument("topic", required=False)
def help_topic(topic: str | None) -> None:
    """Read a help topic (without TOPIC: the list of topics).

    The topics are installed with crampcoach, so they are there without the source.
    """
    from crampcoach import topics

    with reported_errors():
        if topic is None:
            for name, summary in topics.available():
                click.echo(f"{name:<18}  {summary}")
            return
        click.echo(topics.text(topic), nl=False)


# --- audio: voices, render --------------------------------------------------------------------


@cli.command()
def voices() -> None:
    """List the voices espeak-ng offers: the language code to put in a routine, and its name."""
    from crampcoach.audio.voices import list_voices

    with reported_errors():
        found = list_voices()
    width = max((len(v.language) for v in found), default=0)
    for voice in found:
        click.echo(f"{voice.language:<{width}}  {voice.name}")


@cli.command()
@click.argument("routine", metavar="ROUTINE")
@click.option("-o", "--output", required=True, metavar="FILE.wav",
              type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="The WAV file to write (22050 Hz, mono, 16-bit).")
def render(routine: str, output: Path) -> None:
    """Write the whole session of ROUTINE (a file or a built-in name) to one WAV file.

    Every cue sounds at its planned time; play the file on any device.
    """
    from crampcoach.audio.render import render_routine
    from crampcoach.audio.voices import known_language
    from crampcoach.routines.durations import format_clock
    from crampcoach.routines.loader import load_routine

    with reported_errors():
        settings = _settings()
        loaded = load_routine(routine, language_check=known_language)
        with _machine().speech() as speech:
            timeline, rendered = render_routine(loaded, output, speech,
                                                _voice(loaded, settings))
    click.echo(f"Wrote {output}: {format_clock(rendered.seconds)} of {timeline.name} "
               f"({len(timeline.cues)} cues)")



# --- player: play -----------------------------------------------------------------------------


def _clock_text(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    whole = max(0, math.ceil(seconds - 1e-9))
    return f"{whole // 60:d}:{whole % 60:02d}"


class SessionDisplay:
    """Shows a session: on a terminal a live status line under the spoken text; otherwise
    plain lines stamped with ``stamp()`` (for a service's log or a pipe)."""

    def __init__(self, live: bool, pause_key: str = "space", quit_key: str = "q",
                 stamp: Callable[[], str] = lambda: time.strftime("%H:%M:%S"),
                 language: str = "en") -> None:
        from crampcoach.phrases import phrasebook

        self.live = live
        self._stamp = stamp
        self._book = phrasebook(language)
        self._pause_key = pause_key
        self._quit_key = quit_key
        self._status = ""
        self._step = ""
        self._next: str | None = None
        self._count = 0
        self._tone: tuple[float, str] | None = None  # a breathing tone not shown yet
        self._progress: Progress | None = None

    def line(self, text: str) -> None:
        if self.live:
            import shutil
            import textwrap

            width = shutil.get_terminal_size((80, 24)).columns - 1
            if len(text) > width > 20:
                # The terminal would break the line inside a word ("neu / rologist").
                indent = text[: len(text) - len(text.lstrip())]
                text = textwrap.fill(text.strip(), width, initial_indent=indent,
                                     subsequent_indent=indent)
            click.echo("\r\x1b[2K" + text, color=True)
            if self._status:
                click.echo(self._status, nl=False, color=True)
        else:
            click.echo(f"{self._stamp()} {text}")

    def _redraw(self, progress: Progress) -> None:
        import shutil

        limit = max(10, shutil.get_terminal_size((80, 24)).columns - 1)

        def bar(cells: int) -> str:
            if not progress.total:
                return ""
            done = min(1.0, progress.elapsed / progress.total)
            filled = round(done * cells)
            return f" [{'#' * filled}{'.' * (cells - filled)}] {done:4.0%}"

        times = self._book.status_times.format(step=_clock_text(progress.step_left),
                                               session=_clock_text(progress.session_left))
        upcoming = self._book.status_next.format(title=self._next) if self._next else ""
        # On a narrow terminal the times and the bar matter most: the bar gets shorter,
        # then what is next goes, then the step's title is shortened.
        for head, cells in ((self._step + upcoming, 20), (self._step + upcoming, 10),
                            (self._step, 10)):
            status = head + times + bar(cells)
            if len(status) <= limit:
                break
        else:
            tail = times + bar(10)
            room = limit - len(tail)
            head = self._step[: room - 3] + "..." if room > 8 else ""
            status = (head + tail) if head else tail.removeprefix(" | ")
        self._status = status[:limit]
        click.echo("\r\x1b[2K" + self._status, nl=False, color=True)

    def close(self) -> None:
        if self.live and self._status:
            click.echo("\r\x1b[2K", nl=False, color=True)
            self._status = ""

    def __call__(self, event: SessionEvent) -> None:
        from crampcoach.player import events as ev

        book = self._book
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
                title = "" if event.kind == "say" else book.shown_step_title.format(
                    title=event.title)
                self._step = f"{event.index + 1}/{event.count}{title}"
                upcoming = (book.shown_next.format(title=event.next_title)
                            if event.next_title else "")
                self.line(book.shown_step.format(index=event.index + 1, count=event.count,
                                                 title=title, upcoming=upcoming))
            if self.live and self._progress is not None:
                self._redraw(self._progress)
        elif isinstance(event, ev.Progress):
            self._progress = event
            if self.live:
                self._redraw(event)
        elif isinstance(event, ev.Paused):
            self.line(book.shown_paused.format(pause_key=self._pause_key,
                                               quit_key=self._quit_key))
        elif isinstance(event, ev.Resumed):
            self.line(book.shown_resumed.format(seconds=f"{event.get_ready_s:g}"))
        elif isinstance(event, ev.Skipped):
            if event.to_index is None:
                self.line(book.shown_skipped_to_closing)
            else:
                title = "" if event.to_kind == "say" else book.shown_step_title.format(
                    title=event.to_title)
                self.line(book.shown_skipped_to_step.format(
                    index=event.to_index + 1, count=self._count, title=title))
        elif isinstance(event, ev.Repeated):
            self.line(f"  {event.text}")
        elif isinstance(event, ev.AudioFallback):
            self.line(book.shown_note.format(text=event.reason))
        elif isinstance(event, ev.HandsFreeFallback):
            self.line(book.shown_note.format(text=event.text))
        elif isinstance(event, ev.SafetyNotice | ev.NightMode | ev.Said):
            self.line(event.text)
        elif isinstance(event, ev.SessionEnded):
            self.close()
            if event.outcome == "finished":
                self.line(book.shown_finished)
            elif event.step_reached is None:
                self.line(book.shown_stopped_in_opening)
            else:
                of = book.shown_of_count.format(count=self._count) if self._count else ""
                self.line(book.shown_stopped_at.format(index=event.step_reached + 1, of=of))
        elif isinstance(event, ev.RatingAsked):
            self.line(event.prompt)
        elif isinstance(event, ev.RatingTyped):
            if event.digits:
                self.line(book.shown_typed.format(digits=event.digits))
        elif isinstance(event, ev.RatingReminder | ev.RatingInvalid | ev.Rated | ev.Advice):
            self.line(event.text)
        elif isinstance(event, ev.RatingMissing):
            self.line(book.shown_no_rating.format(reason=event.reason))


@contextmanager
def _sigterm_as_interrupt() -> Iterator[list[int]]:
    """SIGTERM (a service being stopped) ends the session like Ctrl-C: sound off, recorded.

    Yields a list that holds the signal number once one arrived.
    """
    import signal

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
@click.option("--rate-before/--no-rate-before", default=None,
              help="Also ask for a rating before the session [default: rate_before in the "
              "settings].")
@click.option("--text-only", is_flag=True, help="No sound: show the session as text.")
@click.option("--journal", type=click.Path(dir_okay=False, path_type=Path),
              help="The journal file to record the session in [default: journal in the "
              "settings].")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Settings file to use (default: $CRAMPCOACH_CONFIG, else "
              "~/.config/crampcoach/config.yaml).")
def play(routine: str | None, rating: int | None, no_rating: bool,
         rate_before: bool | None, text_only: bool, journal: Path | None,
         config_file: Path | None) -> None:
    """Play a routine aloud in real time, then ask how the cramps are (0 to 10).

    ROUTINE is a file or a routine name; without it, default_routine from the settings,
    else evening-calf-relief. Keys, no Enter needed (the settings can change them):
    space (or b) pause and carry on, n (or PageDown) next step, r (or PageUp) repeat the
    last instruction, q stop. For the rating press a number: 1 then 0 is 10.

    Voice, volume, night mode, the pre-roll, the rating's wait and the hands-free inputs
    come from the settings (see 'crampcoach config').

    Exit codes: 0 finished or stopped with q; 130 Ctrl-C; 143 stopped by SIGTERM;
    2 the routine or the settings file is not valid. A stopped session is recorded
    with the step reached.
    """
    from crampcoach.routines.library import DEFAULT_ROUTINE
    from crampcoach.session import (
        RatingRequest,
        SessionInputs,
        SessionRequest,
        prepare_session,
    )

    if rating is not None and no_rating:
        raise click.UsageError("--rating and --no-rating cannot be used together")
    machine = _machine()
    with reported_errors():
        settings = _settings(config_file)
        loaded = _load(routine or settings.default_routine or DEFAULT_ROUTINE)
        clock = machine.clock()
        keys = machine.keys(clock)
        request = SessionRequest(
            routine=loaded, settings=settings, clock=clock, starts_at=machine.now(),
            sound=None if text_only else machine.sound,
            inputs=SessionInputs(keys=keys),
            journal=machine.journal(_journal_file(journal, settings), loaded),
            rating=RatingRequest(given=rating, ask=not no_rating, before=rate_before))
        session = prepare_session(request)
    display = SessionDisplay(live=sys.stdout.isatty(), pause_key=settings.keys.pause[0],
                             quit_key=settings.keys.quit[0],
                             stamp=lambda: f"{machine.now():%H:%M:%S}",
                             language=session.voice.language)
    code = 0
    try:
        with _sigterm_as_interrupt() as signals, reported_errors(), keys:
            try:
                record = session.play(display)
                if record.outcome == "interrupted":
                    code = 143 if signals else 130
            except KeyboardInterrupt:
                code = 143 if signals else 130
    finally:
        display.close()
        session.close()
        if request.journal.error is not None:
            click.echo(f"Note: this session could not be recorded in the journal: "
                       f"{request.journal.error}", err=True)
    if code:
        click.echo("Stopped.", err=True)
        sys.exit(code)


def _machine() -> Machine:
    """The machine's parts (sound, speech, clock, keys, journal, time of day): the real
    ones, unless the caller (a test) gave others as the command's context object."""
    from crampcoach.session.machine import Machine

    ctx = click.get_current_context(silent=True)
    given = ctx.find_object(Machine) if ctx is not None else None
    return given if given is not None else Machine()


# --- journal: rate, history -------------------------------------------------------------------
# The journal's library imports stay inside its commands so other commands do not pay for them.


def _journal_now() -> _dt.datetime:
    """The moment commands treat as now (tests replace it to get fixed output)."""
    return _dt.datetime.now(_dt.UTC)


def _journal_tz() -> _dt.tzinfo | None:
    """The zone times are shown in: None is the system's local time (tests replace it)."""
    return None


def _journal_file(path: Path | None, settings: Settings | None = None) -> Path:
    """``--journal`` (or ``$CRAMPCOACH_JOURNAL``), else ``journal`` in the settings, whose
    default is ``$XDG_DATA_HOME/crampcoach/journal.sqlite3``."""
    if path is not None:
        return path
    if settings is None:
        with reported_errors():
            settings = _settings()
    return settings.journal


journal_option = click.option(
    "--journal",
    "journal_file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="CRAMPCOACH_JOURNAL",
    help="The journal file [default: journal in the settings, else "
    "$XDG_DATA_HOME/crampcoach/journal.sqlite3; env: CRAMPCOACH_JOURNAL].",
)


def _print_flags(flags: Sequence[RedFlag]) -> None:
    if flags:
        click.echo("Worth raising with your neurologist:")
        for flag in flags:
            click.echo(f"  {flag.message}")


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("value", metavar="N")
@click.option("--note", help="A few words: what set it off, where, what helped.")
@click.option("--routine", help="The routine this rating is about, if any.")
@journal_option
def rate(value: str, note: str | None, routine: str | None, journal_file: Path | None) -> None:
    """Record how the cramps are now: N from 0 (no cramps) to 10 (worst).

    For a cramp worth noting when no routine is played, such as one that wakes you at night.
    """
    from crampcoach.errors import JournalError
    from crampcoach.journal.store import Journal
    from crampcoach.journal.trends import local, red_flags

    if not value.isascii() or not value.isdigit() or int(value) > 10:
        fail(f"a rating is a whole number from 0 (no cramps) to 10 (worst), not {value!r}", 2)
    with reported_errors():
        settings = _settings()
    path = _journal_file(journal_file, settings)
    with reported_errors(), Journal.open(path, clock=_journal_now) as journal:
        rating = journal.add_rating(int(value), note=note, routine=routine)
        # The rating is committed and synced: from here on nothing can lose it, and a
        # reminder that cannot be worked out is no reason to report a failure.
        try:
            flags = red_flags(journal, now=_journal_now(), tz=_journal_tz(),
                              high_at=settings.red_flag_threshold)
        except JournalError:
            flags = ()
    click.echo(f"Recorded rating {rating.value} at {local(rating.at, _journal_tz()):%H:%M}.")
    _print_flags(flags)


@cli.group(invoke_without_command=True)
@click.option("--days", type=click.IntRange(min=1, max=36600), default=30, show_default=True,
              help="How many days to show, ending today.")
@journal_option
@click.pass_context
def history(ctx: click.Context, days: int, journal_file: Path | None) -> None:
    """Show the last days of sessions and ratings, the trend, and what helps.

    Also: export it for the neurologist or as a backup, import an export, draw a chart.
    """
    from crampcoach.journal.store import Journal
    from crampcoach.journal.trends import history as summarize_history
    from crampcoach.journal.trends import render_history

    ctx.obj = journal_file
    if ctx.invoked_subcommand is not None:
        return
    with reported_errors():
        settings = _settings()
    path = _journal_file(journal_file, settings)
    with reported_errors(), Journal.open(path, create=False) as journal:
        summary = summarize_history(journal, now=_journal_now(), days=days, tz=_journal_tz(),
                                    high_at=settings.red_flag_threshold)
    click.echo(render_history(summary, path), nl=False)


def _history_journal(ctx: click.Context, journal_file: Path | None) -> Path:
    """``--journal`` given after the subcommand, else before it, else the default."""
    given = journal_file if journal_file is not None else ctx.obj
    return _journal_file(given if isinstance(given, Path) else None)


@history.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default=None,
              help="csv (for a spreadsheet) or json [default: from -o's suffix, else csv].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of the screen.")
@click.option("--days", type=click.IntRange(min=1, max=36600), default=None,
              help="Only the last N days [default: everything].")
@journal_option
@click.pass_context
def history_export(
    ctx: click.Context,
    fmt: str | None,
    output: Path | None,
    days: int | None,
    journal_file: Path | None,
) -> None:
    """Export the journal as CSV or JSON: for the neurologist, or as a backup."""
    from crampcoach.journal.exchange import export_text, write_export
    from crampcoach.journal.store import Journal
    from crampcoach.journal.trends import query_bounds, window

    chosen = fmt or ("json" if output is not None and output.suffix == ".json" else "csv")
    path = _history_journal(ctx, journal_file)
    now = _journal_now()
    since = until = None
    if days is not None:
        since, until = query_bounds(*window(now, days, _journal_tz()), _journal_tz())
    with reported_errors():
        with Journal.open(path, create=False) as journal:
            sessions = journal.sessions(since, until)
            ratings = journal.ratings(since, until)
        text = export_text(sessions, ratings, "json" if chosen == "json" else "csv", now)
        if output is None:
            click.echo(text, nl=False)
            return
        write_export(output, text)
    click.echo(f"Exported {_count(sessions, 'session')} and {_count(ratings, 'rating')} "
               f"to {output}.")


def _count(items: Sized, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


@history.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@journal_option
@click.pass_context
def history_import(ctx: click.Context, file: Path, journal_file: Path | None) -> None:
    """Add the records of an export (CSV or JSON) to the journal.

    Records already in the journal are not added twice. A file with a mistake in it
    imports nothing, and the error names the line.
    """
    from crampcoach.journal.exchange import read_export
    from crampcoach.journal.store import Journal

    path = _history_journal(ctx, journal_file)
    with reported_errors():
        records = read_export(file)
        with Journal.open(path) as journal:
            result = journal.merge(records.sessions, records.ratings)
    click.echo(
        f"Imported {_count(range(result.sessions_added), 'session')} and "
        f"{_count(range(result.ratings_added), 'rating')} from {file}"
        + (f" ({result.already_present} already in the journal)." if result.already_present
           else ".")
    )


@history.command("chart")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The PNG file to write.")
@click.option("--days", type=click.IntRange(min=1, max=36600), default=90, show_default=True,
              help="How many days to show, ending today.")
@journal_option
@click.pass_context
def history_chart(
    ctx: click.Context, output: Path, days: int, journal_file: Path | None
) -> None:
    """Draw the ratings over time, with the sessions marked, into a PNG file.

    Needs the optional charts extra: pip install 'crampcoach[charts]'.
    """
    from crampcoach.journal.chart import draw_chart, load_pyplot
    from crampcoach.journal.store import Journal
    from crampcoach.journal.trends import query_bounds, window

    path = _history_journal(ctx, journal_file)
    tz = _journal_tz()
    first, last = window(_journal_now(), days, tz)
    with reported_errors():
        load_pyplot()  # say it is missing before reading anything
        with Journal.open(path, create=False) as journal:
            since, until = query_bounds(first, last, tz)
            sessions = journal.sessions(since, until)
            ratings = journal.ratings(since, until)
        draw_chart(sessions, ratings, output, first_day=first, last_day=last, tz=tz)
    click.echo(f"Wrote a chart of {first} to {last} to {output}.")



# --- bedside: config, schedule ----------------------------------------------------------------

_CONFIG_OPTION = click.option(
    "--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file to use (default: $CRAMPCOACH_CONFIG, else "
    "~/.config/crampcoach/config.yaml).",
)


@cli.group("config", invoke_without_command=True)
@_CONFIG_OPTION
@click.pass_context
def config_group(ctx: click.Context, config_file: Path | None) -> None:
    """Show the settings in effect and where each one came from."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = config_file
        return
    from crampcoach import settings as bedside_settings

    path = bedside_settings.settings_path(config_file)
    with reported_errors():
        current, sources = bedside_settings.load_settings(config_file)
    from crampcoach.audio.voices import known_language

    if not known_language(current.language):
        # The player would find out only at night, with no voice to say so.
        click.echo(f"{sources['language']}: language '{current.language}' is not a voice "
                   "espeak-ng knows (crampcoach voices lists them)", err=True)
        sys.exit(2)
    state = "" if path.exists() else (
        "  (not there: defaults apply; 'crampcoach config init' writes one)"
    )
    click.echo(f"Settings file: {path}{state}")
    shown = bedside_settings.describe(current)
    width = max(len(key) for key in shown)
    for key, value in shown.items():
        click.echo(f"  {key:<{width}}  {value}  [{sources[key]}]")
    click.echo(bedside_settings.night_state(current, _machine().now()))


@config_group.command("init")
@click.option("--force", is_flag=True, help="Replace a settings file that is already there.")
@_CONFIG_OPTION
@click.pass_context
def config_init(ctx: click.Context, force: bool, config_file: Path | None) -> None:
    """Write a commented example settings file (never over an existing one without --force)."""
    from crampcoach import settings as bedside_settings

    path = bedside_settings.settings_path(config_file or ctx.obj)
    with reported_errors():
        bedside_settings.write_example(path, force=force)
    click.echo(f"Wrote {path}. Edit it, then check it with: crampcoach config")


@cli.group("schedule")
def schedule_group() -> None:
    """Start a routine at a set time, with no one at a keyboard (systemd user timers)."""


@schedule_group.command("add")
@click.argument("routine")
@click.option("--at", "at", required=True, metavar="HH:MM", help="Time of day, like 21:30.")
@click.option("--days", default="daily", show_default=True,
              help="mon-fri, sat,sun, mon,wed,fri, weekdays, weekends or daily.")
@click.option("--name", default=None, help="Name of the start (default: ROUTINE-HHMM).")
@click.option("--dry-run", is_flag=True, help="Print the unit files and change nothing.")
@_CONFIG_OPTION
def schedule_add(routine: str, at: str, days: str, name: str | None, dry_run: bool,
                 config_file: Path | None) -> None:
    """Start ROUTINE at a time of day, on some or all days."""
    import os

    from crampcoach import schedule

    env_config = os.environ.get("CRAMPCOACH_CONFIG")
    config = config_file or (Path(env_config) if env_config else None)
    with reported_errors():
        schedule.parse_at(at)
        schedule.parse_days(days)
        start = schedule.plan_start(schedule.routine_reference(routine), at, days, name, config)
        scheduler = schedule.default_scheduler()
        if dry_run:
            for unit, text in ((start.timer_unit, start.timer_text()),
                               (start.service_unit, start.service_text())):
                click.echo(f"# {scheduler.unit_dir / unit}")
                click.echo(text)
            click.echo("# Without systemd, the crontab line ('crontab -e') would be:")
            click.echo(f"# {start.crontab_line()}")
            return
        scheduler.add(start)
    click.echo(f"Scheduled {start.routine} at {start.at} ({start.days_text()}) "
               f"as '{start.name}'.")
    click.echo(schedule.linger_hint())


@schedule_group.command("list")
def schedule_list() -> None:
    """List the scheduled starts."""
    from crampcoach import schedule

    with reported_errors():
        starts = schedule.default_scheduler().list_starts()
    if not starts:
        click.echo("No scheduled starts.")
        return
    for start in starts:
        click.echo(f"{start.name}  {start.routine}  {start.on_calendar}  [{start.state}]")


@schedule_group.command("remove")
@click.argument("name")
def schedule_remove(name: str) -> None:
    """Remove the scheduled start NAME (as shown by 'schedule list')."""
    from crampcoach import schedule

    with reported_errors():
        removed = schedule.default_scheduler().remove(name)
    click.echo("Removed " + ", ".join(path.name for path in removed) + ".")



@cli.group("hands-free")
def hands_free_group() -> None:
    """Try the GPIO button or the spoken rating before relying on them at night."""


def _say(text: str) -> None:
    # No speech here: the checks run over ssh as often as by the bed, so they show the words.
    click.echo(f"  \u201c{text}\u201d")


@hands_free_group.command("button")
@click.option("--pin", type=click.IntRange(0, 27), default=None,
              help="BCM number of the button's pin (default: button_pin in the settings, or 17).")
@click.option("--timeout", type=click.FloatRange(1, 600), default=60.0, show_default=True,
              help="Seconds to wait for the rating.")
def hands_free_button(pin: int | None, timeout: float) -> None:
    """Count presses on the GPIO button and confirm with a long press, as the rating does."""
    from crampcoach.player.button import DEFAULT_PIN, open_button
    from crampcoach.settings import load_settings

    with reported_errors():
        settings, _ = load_settings()
        chosen = pin if pin is not None else (settings.button_pin or DEFAULT_PIN)
        button = open_button(_say, chosen)
    click.echo(f"Listening to the button on GPIO{chosen} for {timeout:g} seconds.")
    try:
        rating = button.ask_rating(timeout)
    finally:
        button.close()
    click.echo("No rating was confirmed." if rating is None else f"Rating: {rating}")


@hands_free_group.command("voice")
@click.option("--microphone", default=None,
              help="ALSA device to record from (default: microphone in the settings).")
@click.option("--timeout", type=click.FloatRange(5, 600), default=60.0, show_default=True,
              help="Seconds the whole exchange may take.")
def hands_free_voice(microphone: str | None, timeout: float) -> None:
    """Ask for a number, listen, and show what was heard, as the spoken rating does."""
    from crampcoach.settings import load_settings
    from crampcoach.voice_rating import open_spoken_rating

    with reported_errors():
        settings, _ = load_settings()
        device = microphone or settings.microphone
        rating = open_spoken_rating(_say, device).ask_rating(timeout)
    click.echo("No rating was confirmed." if rating is None else f"Rating: {rating}")


def main() -> None:
    try:
        cli.main(prog_name="crampcoach")
    except KeyboardInterrupt:
        # Ctrl-C outside a session (a session handles it itself): no traceback.
        click.echo("Stopped.", err=True)
        sys.exit(130)
    except OSError as e:
        # Output that cannot be written (a full disk, a closed pipe): one line, not a traceback.
        with contextlib.suppress(OSError):
            click.echo(f"Error: could not write the output: {e.strerror or e}", err=True)
        _discard_unwritable_stdout()
        sys.exit(1)


def _discard_unwritable_stdout() -> None:
    """Point standard output at /dev/null so the interpreter's last flush cannot fail again.

    What is still buffered cannot be written anyway; without this, Python 3.13 reports the
    failed flush at exit and exits 120 instead of our 1.
    """
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
