"""The ``crampcoach`` command. The only module that prints or exits.

Every command calls into the library and turns its :class:`CrampcoachError` into a
message on stderr and a non-zero exit code (2 for a routine that is not valid).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import os
import sys
from collections.abc import Callable, Iterator, Sequence, Sized
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, BinaryIO, NoReturn

import click

from crampcoach import __version__
from crampcoach.errors import CrampcoachError, RoutineError, escape_controls
from crampcoach.routines.model import Routine
from crampcoach.routines.timeline import Cue, Timeline

if TYPE_CHECKING:
    from crampcoach.journal.flags import RedFlag
    from crampcoach.player.clock import Clock
    from crampcoach.session.machine import Machine
    from crampcoach.session.start import PreparedSession
    from crampcoach.session.timing import Note
    from crampcoach.settings import Settings

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def fail(message: str, code: int = 1) -> NoReturn:
    from crampcoach.errors import escape_controls

    click.echo(f"Error: {escape_controls(message)}", err=True)
    sys.exit(code)


def _stdout_is_terminal() -> bool:
    # sys.stdout is None when the command was started with its output closed (>&-).
    return sys.stdout is not None and sys.stdout.isatty()


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


def _settings(config: Path | None = None) -> Settings:
    """The person's settings (``--config``, ``$CRAMPCOACH_CONFIG``, or the usual file)."""
    from crampcoach.settings import load_settings

    return load_settings(config)[0]


def _show_notes(notes: Sequence[Note]) -> None:
    """What the person should know about a timeline, on standard error."""
    from crampcoach.phrases import ENGLISH

    for note in notes:
        if note.kind == "voice":
            click.echo(ENGLISH.shown_note.format(
                text=f"{ENGLISH.voice_fallback} ({note.text})"), err=True)
        else:
            click.echo(f"Note: speech lengths are estimates ({note.text})", err=True)


def _load(ref: str, settings: Settings, *, builtin: bool = False) -> Routine:
    """The routine ``ref`` names, a built-in's text in the settings' language; ``builtin``:
    the built-in of that name, even where the person has a routine of their own called the
    same. Says on standard error when its text is in another language than its voice."""
    from crampcoach.audio.voices import known_language
    from crampcoach.routines.loader import load_routine
    from crampcoach.routines.translation import language_warning, translation_note

    routine = load_routine(ref, language_check=known_language, user_dirs=[] if builtin else None,
                           language=settings.language)
    for note in (translation_note(routine, settings.language),
                 language_warning(routine, routine.language or settings.language)):
        if note is not None:
            click.echo(f"{ref}: warning: {note}", err=True)
    return routine


def _compile(ref: str, settings: Settings, *, builtin: bool = False,
             ) -> tuple[Routine, Timeline]:
    """The day timeline of ``ref``, as the session plays it (``session.timing``)."""
    from crampcoach.session.timing import day_timeline

    routine = _load(ref, settings, builtin=builtin)
    with _machine().speech() as speech:
        measured = day_timeline(routine, settings, speech)
    _show_notes(measured.notes)
    return routine, measured.timeline


def _check_day_and_night(ref: str, settings: Settings) -> Timeline:
    """Checked at the day rate and at the night rate (when night mode slows it), so a
    routine that passes is never refused at night; raises naming the rate that fails."""
    from crampcoach.session.timing import checked_timeline

    routine = _load(ref, settings)
    with _machine().speech() as speech:
        measured = checked_timeline(routine, settings, speech)
    _show_notes(measured.notes)
    return measured.timeline


@cli.command()
@click.argument("routines", nargs=-1, required=True, metavar="ROUTINE...")
def check(routines: tuple[str, ...]) -> None:
    """Check routine files (or built-in names): 'ok' for each, or every problem as FILE:LINE.

    Each routine is checked at the day speech rate and at the slower night rate (night
    mode in the settings), so one that passes plays at any hour. Exits 2 if any routine
    is not valid.
    """
    from crampcoach.phrases import fallback_note

    with reported_errors():
        settings = _settings()
    worst = 0
    for ref in routines:
        try:
            timeline = _check_day_and_night(ref, settings)
        except RoutineError as e:
            for problem in e.problems:
                click.echo(str(problem), err=True)
            worst = max(worst, e.exit_code)
        except CrampcoachError as e:
            click.echo(f"{ref}: {e}", err=True)
            worst = max(worst, e.exit_code)
        else:
            note = fallback_note(timeline.voice.language)
            if note is not None:
                click.echo(f"{ref}: warning: {note}", err=True)
            click.echo(f"{ref}: ok")
    sys.exit(worst)


def _heard(cue: Cue) -> str:
    if cue.kind == "tone":
        return f"({cue.text} tone)" if cue.tone != "chime" else f"({cue.text})"
    return f'"{cue.text}"'


def _night_plan(ref: str, settings: Settings, at: _dt.time) -> tuple[Timeline, str | None]:
    """The timeline of a session started at ``at`` (night mode if in night hours), decided
    as ``play`` decides it, and what night mode does to it."""
    from crampcoach.session.timing import timeline_at

    routine = _load(ref, settings)
    with _machine().speech() as speech:
        measured = timeline_at(routine, settings, speech,
                               _dt.datetime.combine(_dt.date.today(), at))
    _show_notes(measured.notes)
    return measured.timeline, measured.night_note


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
        indent = 2 if _stdout_is_terminal() else None
        import json

        click.echo(json.dumps(data, indent=indent, ensure_ascii=False))
        return
    from crampcoach.audio.engine import describe_voice
    from crampcoach.routines.durations import format_clock, format_duration

    if note is not None:
        click.echo(note)
    waits = ""
    if timeline.max_wait:
        # Times after a wait assume the person is ready at once; it may add up to this.
        waits = f", plus waits of at most {format_duration(timeline.max_wait)}"
    click.echo(f"{timeline.name}: {format_clock(timeline.total)} "
               f"({len(timeline.steps)} steps, {len(timeline.cues)} cues{waits}; "
               f"voice: {describe_voice(timeline.voice)})")
    click.echo(f"{'at':>8}  {'step':>4}  what you hear")
    for cue in timeline.cues:
        click.echo(f"{format_clock(cue.at):>8}  {cue.step + 1:>4}  {_heard(cue)}")
        if cue.wait is not None:
            click.echo(f"{'':>8}  {cue.step + 1:>4}  -- waits until you are ready, at most "
                       f"{format_duration(cue.wait.max_wait_s)} --")
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
        note = " (yours)" if name in users else ""
        if name in users and name in builtins:
            # Only where the person names it: built-ins that include it keep the built-in.
            try:
                replaced, replaced_timeline = _compile(name, settings, builtin=True)
                note = (f' (yours; replaces the built-in "{replaced.name}", '
                        f"{format_clock(replaced_timeline.total)})")
            except CrampcoachError:
                note = " (yours; replaces the built-in)"
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
        # Line by line: the lines stay lines, anything else that could drive the terminal
        # is shown escaped.
        text = routine_text(routine)
        click.echo("\n".join(escape_controls(line) for line in text.split("\n")), nl=False)


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
    """List the voices espeak-ng offers (the language code to put in a routine, and its
    name), then the Piper voices installed (the name to put in piper_voice, its language).

    See 'crampcoach help voices' for how to get a Piper voice.
    """
    from crampcoach import locations
    from crampcoach.audio.piper import PiperVoiceFile, installed_voices, voice_path
    from crampcoach.audio.voices import list_voices
    from crampcoach.errors import VoiceUnusable

    with reported_errors():
        settings = _settings()
        found = list_voices()
    width = max((len(v.language) for v in found), default=0)
    for voice in found:
        click.echo(escape_controls(f"{voice.language:<{width}}  {voice.name}"))
    folder = locations.piper_voices_dir()
    configured: list[Path] = []
    unusable: list[PiperVoiceFile | tuple[Path, str]] = []
    if settings.piper_voice:
        try:
            configured = [voice_path(settings.piper_voice)]
        except VoiceUnusable as e:
            unusable = [(Path(settings.piper_voice), str(e))]
    piper = installed_voices(folder, configured) + unusable
    click.echo(f"\nPiper voices (speech_engine: piper; piper_voice: NAME or path), in {folder}:")
    if not piper:
        click.echo("  none installed; see 'crampcoach help voices'")
    for item in piper:
        if isinstance(item, PiperVoiceFile):
            mark = "  (in the settings)" if item.model in configured else ""
            click.echo(escape_controls(f"  {item.name}  {item.language}  {item.model}{mark}"))
        else:
            where, why = escape_controls(str(item[0])), escape_controls(item[1])
            click.echo(f"  {where}: cannot be used: {why}")


def _binary_stdout() -> BinaryIO:
    """Standard output for bytes (a rendered WAV)."""
    return sys.stdout.buffer


@cli.command()
@click.argument("routine", metavar="ROUTINE")
@click.option("-o", "--output", required=True, metavar="FILE.wav",
              type=click.Path(dir_okay=False, writable=True, allow_dash=True,
                              path_type=Path),
              help="The WAV file to write (22050 Hz, mono, 16-bit); - for standard output.")
def render(routine: str, output: Path) -> None:
    """Write the whole session of ROUTINE (a file or a built-in name) to one WAV file.

    Every cue sounds at its planned time; play the file on any device. With -o - the WAV
    goes to standard output (to pipe into another program) and the summary to stderr.
    """
    from crampcoach.audio.engine import describe_voice
    from crampcoach.audio.render import check_render_target, render_routine
    from crampcoach.audio.voices import known_language
    from crampcoach.routines.durations import format_clock
    from crampcoach.routines.loader import load_routine
    from crampcoach.session.timing import Note, spoken_by
    from crampcoach.session.voice import day_voice

    to_stdout = str(output) == "-"
    stdout = _binary_stdout()
    with reported_errors():
        if not to_stdout:
            check_render_target(output)
    if to_stdout and stdout.isatty():
        fail("will not write a WAV to the terminal: redirect it (> FILE.wav), pipe it "
             "(| aplay), or give -o FILE.wav", 2)
    with reported_errors():
        settings = _settings()
        loaded = load_routine(routine, language_check=known_language,
                              language=settings.language)
        with _machine().speech() as speech:
            chosen = day_voice(loaded, settings)
            if chosen.note is not None:
                _show_notes([Note("voice", chosen.note)])
            timeline, rendered = render_routine(loaded, stdout if to_stdout else output,
                                                speech, chosen.voice)
            replaced: list[Note] = []
            timeline = dataclasses.replace(
                timeline, voice=spoken_by(speech, chosen.voice, replaced))
            _show_notes(replaced)
    if to_stdout:
        stdout.flush()
    click.echo(f"Wrote {'standard output' if to_stdout else output}: "
               f"{format_clock(rendered.seconds)} of {timeline.name} "
               f"({len(timeline.cues)} cues; voice: {describe_voice(timeline.voice)})",
               err=to_stdout)



# --- player: play -----------------------------------------------------------------------------


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

    Exit codes: 0 finished or stopped with q; 130 Ctrl-C; 143 stopped by SIGTERM; 129 by
    SIGHUP (the terminal closed); 2 the routine or the settings file is not valid. A
    stopped session is recorded with the step reached.
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
    if rate_before and no_rating:
        # A rate_before in the settings gives way to --no-rating; the two flags together
        # contradict each other.
        raise click.UsageError("--rate-before and --no-rating cannot be used together")
    machine = _machine()
    with reported_errors():
        settings = _settings(config_file)
        loaded = _load(routine or settings.default_routine or DEFAULT_ROUTINE, settings)
        clock = machine.clock()
        keys = machine.keys(clock)
        request = SessionRequest(
            routine=loaded, settings=settings, clock=clock, starts_at=machine.now(),
            sound=None if text_only else machine.sound,
            inputs=SessionInputs(keys=keys),
            journal=machine.journal(_journal_file(journal, settings), loaded),
            rating=RatingRequest(given=rating, ask=not no_rating, before=rate_before))
        session = prepare_session(request)
    from crampcoach.terminal import SessionDisplay, sigterm_as_interrupt

    display = SessionDisplay(live=_stdout_is_terminal(), pause_key=settings.keys.pause[0],
                             quit_key=settings.keys.quit[0],
                             stamp=lambda: f"{machine.now():%H:%M:%S}",
                             language=session.voice.language,
                             next_key=settings.keys.skip[0])
    code = 0
    try:
        with sigterm_as_interrupt() as signals, reported_errors(), keys:
            try:
                record = session.play(display)
                if record.outcome == "interrupted":
                    code = 128 + signals[0] if signals else 130
                elif keys.is_terminal and keys.live:
                    _checkin_after(session, loaded.style, _journal_file(journal, settings),
                                   clock)
            except KeyboardInterrupt:
                code = 128 + signals[0] if signals else 130
    finally:
        display.close()
        session.close()
        if request.journal.error is not None:
            click.echo(f"Note: this session could not be recorded in the journal: "
                       f"{request.journal.error}", err=True)
    if code:
        click.echo("Stopped.", err=True)
        sys.exit(code)


def _checkin_after(session: PreparedSession, style: str, path: Path, clock: Clock) -> None:
    """The weekly check-in, asked aloud after a session when it is due (never after a
    rescue or bedtime routine, never at night), answered with keys; each question can be
    skipped. A journal that cannot be read or written only means no check-in now."""
    from crampcoach.errors import JournalError
    from crampcoach.journal.checkin import ask_and_record, checkin_due, key_asker
    from crampcoach.journal.store import Journal
    from crampcoach.phrases import phrasebook

    if not path.exists():
        return  # the session was kept elsewhere (or not at all): nowhere to keep answers
    book = phrasebook(session.voice.language)

    def say(text: str) -> None:
        click.echo(text)
        session.say(text)

    try:
        with Journal.open(path, create=False, clock=_journal_now) as journal:
            if not checkin_due(journal, _journal_now(), after_style=style,
                               at_night=session.night):
                return
            outcome = ask_and_record(journal, key_asker(say, clock.wait_until, clock.now, book),
                                     book)
    except JournalError:
        return
    if outcome is not None:
        say(outcome.advice)
        say(outcome.urgent)


def _machine() -> Machine:
    """The machine's parts (sound, speech, clock, keys, journal, time of day): the real
    ones, unless the caller (a test) gave others as the command's context object."""
    from crampcoach.session.machine import Machine

    ctx = click.get_current_context(silent=True)
    given = ctx.find_object(Machine) if ctx is not None else None
    return given if given is not None else Machine()


# --- journal: rate, history -------------------------------------------------------------------
# The journal's library imports stay inside its commands so other commands do not pay for them.


def _given_machine() -> Machine | None:
    """The Machine a caller (a test) gave as the context object, without importing the
    session package for commands that only read the journal: none can have been given
    unless its module is already loaded."""
    module = sys.modules.get("crampcoach.session.machine")
    ctx = click.get_current_context(silent=True)
    if module is None or ctx is None:
        return None
    given: Machine | None = ctx.find_object(module.Machine)
    return given


def _journal_now() -> _dt.datetime:
    """The moment the journal's commands treat as now: the machine's ``now`` (the real
    machine's is the system clock; tests give theirs through the context object, as for
    ``play``)."""
    machine = _given_machine()
    return _dt.datetime.now(_dt.UTC) if machine is None else machine.utc_now()


def _journal_tz() -> _dt.tzinfo | None:
    """The zone times are shown in: the machine's (None: the system's local time)."""
    machine = _given_machine()
    return None if machine is None else machine.zone


def _journal_file(path: Path | None, settings: Settings | None = None) -> Path:
    """``--journal`` (or ``$CRAMPCOACH_JOURNAL``), else ``journal`` in the settings, whose
    default is ``$XDG_DATA_HOME/crampcoach/journal.sqlite3``."""
    if path is not None:
        from crampcoach.locations import expand_user

        try:
            # As the settings expand theirs: a quoted '~' reaches us unexpanded.
            return expand_user(path)
        except LookupError as e:
            fail(f"the journal {path}: {e}", 2)
    if settings is None:
        with reported_errors():
            settings = _settings()
    return settings.journal


class _DoctorTables(click.Choice):  # type: ignore[type-arg]
    """The export's CSV tables, as the journal's exchange names them: read from it when
    first needed, so that starting a session never waits for the journal's modules."""

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        from crampcoach.journal.exchange import DOCTOR_TABLES

        return DOCTOR_TABLES

    @choices.setter
    def choices(self, value: object) -> None:
        pass


journal_option = click.option(
    "--journal",
    "journal_file",
    type=click.Path(dir_okay=False, path_type=Path),
    # Read here as well as by the settings: a journal named in the environment is still
    # reached when the settings file has a mistake (an urgent episode is recorded whatever).
    envvar="CRAMPCOACH_JOURNAL",
    help="The journal file [default: journal in the settings, else "
    "$XDG_DATA_HOME/crampcoach/journal.sqlite3; env: CRAMPCOACH_JOURNAL].",
)


def _print_flags(flags: Sequence[RedFlag]) -> None:
    from crampcoach.journal.history_text import flag_lines

    for line in flag_lines(flags):
        click.echo(line)


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("value", metavar="N")
@click.option("-n", "--note", help="A few words: what set it off, where, what helped.")
@click.option("--routine", help="The routine this rating is about, if any.")
@click.option("-t", "--at", "when", metavar="TIME",
              help="When: HH:MM (today, or last night) or 'YYYY-MM-DD HH:MM' [default: now].")
@click.option("-d", "--date", "day", metavar="DAY",
              help="The day, if not today: YYYY-MM-DD or yesterday (kept at noon).")
@journal_option
def rate(value: str, note: str | None, routine: str | None, when: str | None,
         day: str | None, journal_file: Path | None) -> None:
    """Record how the cramps are now: N from 0 (no cramps) to 10 (worst).

    For a cramp worth noting when no routine is played, such as one that wakes you at night.

    \b
    Examples:
      crampcoach rate 7 --note "woke with a calf cramp"
      crampcoach rate 6 --at 03:10
      crampcoach rate 4 --date yesterday
    """
    from crampcoach.errors import JournalError
    from crampcoach.journal.flags import red_flags
    from crampcoach.journal.store import Journal
    from crampcoach.journal.trends import local

    if not value.isascii() or not value.isdigit() or int(value) > 10:
        fail(f"a rating is a whole number from 0 (no cramps) to 10 (worst), not {value!r}", 2)
    at = _moment_option(when, day)
    with reported_errors():
        settings = _settings()
    path = _journal_file(journal_file, settings)
    with reported_errors(), Journal.open(path, clock=_journal_now) as journal:
        rating = journal.add_rating(int(value), note=note, routine=routine, at=at)
        # The rating is committed and synced: from here on nothing can lose it, and a
        # reminder that cannot be worked out is no reason to report a failure.
        try:
            flags = red_flags(journal, now=_journal_now(), tz=_journal_tz(),
                              high_at=settings.red_flag_threshold)
        except JournalError:
            flags = ()
    shown = local(rating.at, _journal_tz())
    when_text = f"{shown:%H:%M}" if at is None else f"{shown:%a %Y-%m-%d %H:%M}"
    click.echo(f"Recorded rating {rating.value} at {when_text}.")
    _print_flags(flags)


def _moment_option(when: str | None, day: str | None) -> _dt.datetime | None:
    """``--at`` or ``--date`` as a moment (None: now), checked before anything is written."""
    from crampcoach.journal.entry import parse_moment

    with reported_errors():
        return parse_moment(when, day, _journal_now(), _journal_tz())


@cli.group(invoke_without_command=True)
@click.option("--days", type=click.IntRange(min=1, max=36600), default=30, show_default=True,
              help="How many days to show, ending today.")
@journal_option
@click.pass_context
def history(ctx: click.Context, days: int, journal_file: Path | None) -> None:
    """Show the last days of sessions and ratings, the trend, and what helps.

    Also: export it for the neurologist or as a backup, import an export, draw a chart.
    """
    from crampcoach.errors import escape_controls
    from crampcoach.journal.history_text import history_lines
    from crampcoach.journal.store import Journal
    from crampcoach.journal.summary import history as summarize_history

    ctx.obj = journal_file
    if ctx.invoked_subcommand is not None:
        return
    with reported_errors():
        settings = _settings()
    path = _journal_file(journal_file, settings)
    with reported_errors(), Journal.open(path, create=False) as journal:
        summary = summarize_history(journal, now=_journal_now(), days=days, tz=_journal_tz(),
                                    high_at=settings.red_flag_threshold)
        # Written as the days are read (the journal still open): years of a dense journal
        # are never one text. Routine names and notes may come from a shared export: no
        # escape sequence reaches the terminal (the journal keeps them as they are).
        chunk: list[str] = []
        for line in history_lines(summary, path):
            chunk.extend(escape_controls(part) for part in line.split("\n"))
            if len(chunk) >= 2048:
                click.echo("\n".join(chunk))
                chunk.clear()
        if chunk:
            click.echo("\n".join(chunk))


def _history_journal(ctx: click.Context, journal_file: Path | None) -> Path:
    """``--journal`` given after the subcommand, else before it, else the default."""
    given = journal_file if journal_file is not None else ctx.obj
    return _journal_file(given if isinstance(given, Path) else None)


@history.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default=None,
              help="csv (one table for a spreadsheet) or json (everything, for a backup) "
              "[default: from -o's suffix, else csv].")
@click.option("--table", type=_DoctorTables(),
              default="ratings", show_default=True, help="Which table the CSV holds.")
@click.option("--ids", is_flag=True, help="Start each CSV row with the record's id.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of the screen.")
@click.option("--days", type=click.IntRange(min=1, max=36600), default=None,
              help="Only the last N days [default: everything].")
@journal_option
@click.pass_context
def history_export(
    ctx: click.Context,
    fmt: str | None,
    table: str,
    ids: bool,
    output: Path | None,
    days: int | None,
    journal_file: Path | None,
) -> None:
    """Export the journal: a CSV table for the neurologist's spreadsheet, or everything as
    JSON for a backup or a new Pi (what 'history import' reads).

    The CSV has local dates and times, plain column names and no ids (unless --ids); a
    cell starting with = + - or @ gets a ' so a spreadsheet shows it as typed.

    \b
    Examples:
      crampcoach history export -o cramps.csv
      crampcoach history export --table episodes --days 90 -o episodes.csv
      crampcoach history export -o backup.json
    """
    from crampcoach.journal.exchange import doctor_csv, export_text, write_export
    from crampcoach.journal.store import Journal
    from crampcoach.journal.trends import query_bounds, window

    chosen = fmt or ("json" if output is not None and output.suffix == ".json" else "csv")
    path = _history_journal(ctx, journal_file)
    now = _journal_now()
    tz = _journal_tz()
    since = until = first = last = None
    if days is not None:
        first, last = window(now, days, tz)
        since, until = query_bounds(first, last, tz)
    with reported_errors():
        with Journal.open(path, create=False) as journal:
            sessions = journal.sessions(since, until)
            ratings = journal.ratings(since, until)
            care = journal.care(since, until, first, last)
        if chosen == "json":
            text = export_text(sessions, ratings, "json", now, care)
        else:
            text = doctor_csv(table, sessions, ratings, care, tz, ids=ids)  # type: ignore[arg-type]
        if output is None:
            # Exact when it goes to a file or a program; on a terminal, a cell's escape
            # sequences are shown, not obeyed.
            shown = ("\n".join(escape_controls(line) for line in text.split("\n"))
                     if _stdout_is_terminal() else text)
            click.echo(shown, nl=False)
            return
        write_export(output, text)
    extra = f" and {_count(range(len(care)), 'care record')}" if chosen == "json" and care else ""
    click.echo(f"Exported {_count(sessions, 'session')}, {_count(ratings, 'rating')}{extra} "
               f"to {output}." if extra else
               f"Exported {_count(sessions, 'session')} and {_count(ratings, 'rating')} "
               f"to {output}." if chosen == "json" or table == "ratings" else
               f"Exported the {table} table to {output}.")


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
            result = journal.merge(records.sessions, records.ratings, records.care)
    care = (f" and {_count(range(result.care_added), 'care record')}" if len(records.care)
            else "")
    click.echo(
        f"Imported {_count(range(result.sessions_added), 'session')}"
        f"{', ' if care else ' and '}{_count(range(result.ratings_added), 'rating')}{care} "
        f"from {file}"
        + (f" ({result.already_present} already in the journal)." if result.already_present
           else ".")
    )


#: Days the chart shows when --days is not given.
_CHART_DAYS = 90


@history.command("chart")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The PNG file to write.")
@click.option("--days", type=click.IntRange(min=1, max=36600), default=None,
              help=f"How many days to show, ending today [default: the last {_CHART_DAYS}, "
              "from the first record if the journal is younger].")
@journal_option
@click.pass_context
def history_chart(
    ctx: click.Context, output: Path, days: int | None, journal_file: Path | None
) -> None:
    """Draw the ratings over time, with the sessions marked, into a PNG file.

    Needs the optional charts extra: pip install 'crampcoach[charts]'.
    """
    from crampcoach.journal.chart import draw_chart, first_day_with_data, load_pyplot
    from crampcoach.journal.store import Journal
    from crampcoach.journal.trends import query_bounds, window

    path = _history_journal(ctx, journal_file)
    tz = _journal_tz()
    first, last = window(_journal_now(), days or _CHART_DAYS, tz)
    with reported_errors():
        load_pyplot()  # say it is missing before reading anything
        with Journal.open(path, create=False) as journal:
            since, until = query_bounds(first, last, tz)
            sessions = journal.sessions(since, until)
            ratings = journal.ratings(since, until)
        # Days asked for are drawn; the default window starts where the journal does.
        shown_from = first if days else first_day_with_data(sessions, ratings, first, tz)
        draw_chart(sessions, ratings, output, first_day=shown_from, last_day=last, tz=tz)
    since_note = " (the first record)" if shown_from != first else ""
    click.echo(f"Wrote a chart of {shown_from}{since_note} to {last} to {output}.")



# --- the care record: episode, factors, med, blood, question, checkin, report ----------------
# The person's own record for the neurologist. Every command is one library call; these only
# read options and format what comes back (the companion page makes the same calls).


def _journal_today() -> _dt.date:
    return _journal_now().astimezone(_journal_tz()).date()


def _typed_number(value: str | None, option: str, whole: bool = True) -> float | None:
    """A number typed for an option, read by the journal's rules (its range is the
    journal's to check)."""
    from crampcoach.journal import rules

    if value is None:
        return None
    with reported_errors():
        return rules.parse_whole(value, option) if whole else rules.parse_number(value, option)


def _whole(value: str | None, option: str) -> int | None:
    number = _typed_number(value, option)
    return None if number is None else int(number)


def _day_option(value: str | None) -> _dt.date:
    from crampcoach.journal.entry import parse_day

    with reported_errors():
        return _journal_today() if value is None else parse_day(value, _journal_today())


_DATE_OPTION = click.option(
    "-d", "--date", "day", metavar="DAY", help="The day: YYYY-MM-DD, today or yesterday "
    "[default: today].")
_AT_OPTION = click.option(
    "-t", "--at", "when", metavar="TIME",
    help="When: HH:MM (today, or last night) or 'YYYY-MM-DD HH:MM' [default: now].")
_EPISODE_OPTIONS = (
    click.option("-k", "--what", "kind", metavar="KIND",
                 help="cramp, spasm, twitching or stiffness (plurals are fine)."),
    click.option("-w", "--where", "body_part", metavar="PART",
                 help="The body part, in your words: calf, foot, toes, thigh, hand, back..."),
    click.option("-s", "--side", metavar="SIDE", help="left, right or both (L, R or B)."),
    click.option("-m", "--minutes", metavar="N",
                 help="How long it lasted, in minutes (0.5 is 30 s)."),
    click.option("-v", "--severity", metavar="N", help="How bad it was: 0 (none) to 10 (worst)."),
    click.option("--eased/--not-eased", default=None,
                 help="Whether it eased. One over 10 minutes that did not ease needs help now."),
    click.option("--signs", metavar="LIST",
                 help="Signs in the limb, from: swollen, red, warm, painful (e.g. "
                 "swollen,warm). Any of them needs help now."),
    click.option("--helped", metavar="TEXT", help="What helped: stretching, warmth, walking..."),
    click.option("-n", "--note", metavar="TEXT", help="Anything else worth noting."),
    click.option("--follow-up", metavar="TEXT",
                 help="What happened since (after getting help): it answers an urgent flag."),
    click.option("--routine", metavar="NAME", help="The routine played for it, if any."),
    click.option("-t", "--at", "when", metavar="TIME",
                 help="When it began: HH:MM (today, or last night) or 'YYYY-MM-DD HH:MM' "
                 "[default: now]."),
)


def _episode_options(command: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(_EPISODE_OPTIONS):
        command = option(command)
    return command


def _episode_values(kind: str | None, body_part: str | None, side: str | None,
                    minutes: str | None, severity: str | None, eased: bool | None,
                    signs: str | None, helped: str | None, note: str | None,
                    follow_up: str | None, routine: str | None, when: str | None,
                    ) -> dict[str, object]:
    """Every value read and checked before anything is written: a typo keeps nothing."""
    from crampcoach.journal import rules
    from crampcoach.journal.entry import episode_kind, episode_side, limb_signs, parse_when
    from crampcoach.journal.store import MAX_EPISODE_S

    at = length = None
    with reported_errors():
        if minutes is not None:
            length = rules.episode_seconds(minutes, MAX_EPISODE_S)
        if when is not None:
            at = parse_when(when, _journal_now(), _journal_tz())
        return {"kind": episode_kind(kind), "body_part": body_part,
                "side": episode_side(side), "duration_s": length,
                "severity": _whole(severity, "--severity"), "eased": eased,
                "signs": limb_signs(signs), "helped": helped, "note": note,
                "follow_up": follow_up, "routine": routine, "at": at}


def _urgent_now(episode: object) -> None:
    """An episode that needs help now: the urgent tier at once."""
    from crampcoach.journal.flags import is_urgent
    from crampcoach.journal.store import Episode
    from crampcoach.journal.wording import FOLLOW_UP_HINT, URGENT, describe_urgent

    assert isinstance(episode, Episode)
    if not is_urgent(episode) or episode.follow_up:
        return
    click.echo("")
    click.echo(describe_urgent(episode, _journal_tz()))
    click.echo(URGENT)
    click.echo(f"{FOLLOW_UP_HINT}.")
    if _stdout_is_terminal():  # a person is there to hear it; a script only reads it
        _say_urgent()


def _say_urgent() -> None:
    """The urgent tier aloud as well, calmly in the person's voice; without sound (no
    device, no voice, settings that cannot be read) the words above stand, with a note."""
    from crampcoach.errors import CrampcoachError, escape_controls
    from crampcoach.session.aloud import say_phrase

    try:
        settings = _settings()
    except CrampcoachError as e:
        why: str | None = f"the settings cannot be read: {str(e).splitlines()[0]}"
    else:
        why = say_phrase(_machine(), settings, lambda book: book.urgent_help)
    if why is not None:
        click.echo(f"Note: not said aloud ({escape_controls(why)}); the words above stand.",
                   err=True)


def _episode_line(episode: object) -> str:
    from crampcoach.journal.store import Episode
    from crampcoach.journal.wording import describe_episode

    assert isinstance(episode, Episode)
    shown = episode.at.astimezone(_journal_tz())
    return f"{shown:%a %Y-%m-%d %H:%M}  {describe_episode(episode)}"


@cli.group("episode", invoke_without_command=True)
@click.option("--last", is_flag=True,
              help="Complete or correct the latest episode (the latest not yet complete, if "
              "any) with the options below.")
@_episode_options
@journal_option
@click.pass_context
def episode_group(ctx: click.Context, last: bool, kind: str | None, body_part: str | None,
                  side: str | None, minutes: str | None, severity: str | None,
                  eased: bool | None, signs: str | None, helped: str | None, note: str | None,
                  follow_up: str | None, routine: str | None, when: str | None,
                  journal_file: Path | None) -> None:
    """Record cramps, spasms, twitching or stiffness: what, where, how long, how bad.

    \b
    Examples:
      crampcoach episode add --what cramp --where calf --side left --minutes 5 --severity 7
      crampcoach episode add --at 03:10 --what spasm --where thigh --helped "warm compress"
      crampcoach episode add -k cramp -w calf -s L -m 30 --not-eased --signs swollen,warm
      crampcoach episode --last --where calf --side right --minutes 3 --helped stretching
      crampcoach episode --last --follow-up "GP saw it the same day: no clot"
      crampcoach episode list --days 7

    A session started from the bedside button is kept as an episode with its time, routine
    and rating; complete it in the morning with --last.
    """
    ctx.obj = journal_file
    if ctx.invoked_subcommand is not None:
        if last:
            raise click.UsageError("--last completes an episode; use it without a subcommand")
        return
    if not last:
        click.echo(ctx.get_help())
        return
    from crampcoach.journal.store import Journal

    values = _episode_values(kind, body_part, side, minutes, severity, eased, signs, helped,
                             note, follow_up, routine, when)
    if all(v is None or v == () for v in values.values()):
        raise click.UsageError("say what to add to the episode, e.g. --where calf --minutes 5")
    path = _journal_file(journal_file)
    with reported_errors(), Journal.open(path, clock=_journal_now) as journal:
        # A follow-up answers the urgent flag, which is the latest episode's by time.
        only_follow_up = values["follow_up"] is not None and all(
            v is None or v == () for k, v in values.items() if k != "follow_up")
        latest = journal.last_episode() if only_follow_up else journal.latest_episode()
        if latest is None:
            fail("there is no episode to complete yet; record one with: crampcoach episode add",
                 1)
        episode = journal.update_episode(latest.id, **values)
        left = len(journal.pending_episodes())
    click.echo(f"Updated: {_episode_line(episode)}")
    _urgent_now(episode)
    if left:
        click.echo(f"{left} episode{'s' if left > 1 else ''} still to complete "
                   "(crampcoach episode list --to-complete).")


def _care_journal(ctx: click.Context, journal_file: Path | None) -> Path:
    given = journal_file if journal_file is not None else ctx.obj
    return _journal_file(given if isinstance(given, Path) else None)


@episode_group.command("add")
@_episode_options
@journal_option
@click.pass_context
def episode_add(ctx: click.Context, kind: str | None, body_part: str | None, side: str | None,
                minutes: str | None, severity: str | None, eased: bool | None,
                signs: str | None, helped: str | None, note: str | None,
                follow_up: str | None, routine: str | None, when: str | None,
                journal_file: Path | None) -> None:
    """Record an episode. Anything left out can be added later with 'episode --last'.

    \b
    Examples:
      crampcoach episode add --what cramp --where calf --side left --minutes 5 --severity 7
      crampcoach episode add --at "2026-03-10 03:10" --what twitching --where eyelid
      crampcoach episode add -k cramp -w calf -s L -m 30 --not-eased --signs swollen,warm
    """
    from crampcoach.journal.store import Journal

    values = _episode_values(kind, body_part, side, minutes, severity, eased, signs, helped,
                             note, follow_up, routine, when)
    with reported_errors(), Journal.open(_care_journal(ctx, journal_file),
                                         clock=_journal_now) as journal:
        episode = journal.add_episode(**values)  # type: ignore[arg-type]
    click.echo(f"Recorded: {_episode_line(episode)}")
    _urgent_now(episode)


@episode_group.command("list")
@click.option("--days", type=click.IntRange(min=1, max=36600), default=30, show_default=True,
              help="How many days to show, ending today.")
@click.option("--to-complete", is_flag=True, help="Only the episodes still missing what, "
              "where or how long (of any day).")
@journal_option
@click.pass_context
def episode_list(ctx: click.Context, days: int, to_complete: bool,
                 journal_file: Path | None) -> None:
    """List the episodes of the last days, oldest first.

    \b
    Examples:
      crampcoach episode list
      crampcoach episode list --days 7
      crampcoach episode list --to-complete
    """
    from crampcoach.journal.store import Journal
    from crampcoach.journal.trends import query_bounds, window

    tz = _journal_tz()
    first, last = window(_journal_now(), days, tz)
    with reported_errors(), Journal.open(_care_journal(ctx, journal_file),
                                         create=False) as journal:
        if to_complete:
            episodes = journal.pending_episodes()
        else:
            episodes = [e for e in journal.episodes(*query_bounds(first, last, tz))
                        if first <= e.at.astimezone(tz).date() <= last]
    if not episodes:
        click.echo("No episodes to complete." if to_complete
                   else f"No episodes recorded from {first} to {last}.")
        return
    for episode in episodes:
        click.echo(escape_controls(_episode_line(episode)))


@cli.command("factors")
@_DATE_OPTION
@click.option("--fluids", metavar="N", help="Glasses of water or other fluids.")
@click.option("--caffeine", metavar="N", help="Drinks with caffeine (coffee, tea, cola).")
@click.option("--alcohol", metavar="N", help="Alcoholic drinks.")
@click.option("--heat/--no-heat", default=None, help="Time in heat: a hot bath, sun, a warm "
              "room (heat can briefly worsen MS symptoms).")
@click.option("--exertion", metavar="N", help="How hard you exerted yourself, 0 to 10.")
@click.option("--stress", metavar="N", help="Stress, 0 (none) to 10 (worst).")
@click.option("--sleep", metavar="HOURS", help="Hours slept last night (7.5 is fine).")
@click.option("--sleep-quality", metavar="N", help="How well you slept, 0 (badly) to 10 (well).")
@click.option("--bladder-bowel/--no-bladder-bowel", default=None,
              help="Bladder or bowel trouble (it can set off spasms).")
@click.option("--infection/--no-infection", default=None,
              help="Signs of an infection: fever, a cold, a urine infection.")
@click.option("--tag", "tags", multiple=True, metavar="WORD",
              help="A word of your own for the day (repeat for more): travel, period, new shoes.")
@journal_option
def factors_command(day: str | None, fluids: str | None, caffeine: str | None,
                    alcohol: str | None, heat: bool | None, exertion: str | None,
                    stress: str | None, sleep: str | None, sleep_quality: str | None,
                    bladder_bowel: bool | None, infection: bool | None, tags: tuple[str, ...],
                    journal_file: Path | None) -> None:
    """Record what may drive the cramps on a day; each is optional. Without values, show them.

    Values given replace that day's old ones; tags are added.

    \b
    Examples:
      crampcoach factors --fluids 6 --caffeine 2 --stress 7 --sleep 5.5 --sleep-quality 4
      crampcoach factors --date yesterday --heat --tag "long walk"
      crampcoach factors --date 2026-03-10
    """
    from crampcoach.journal.store import Journal
    from crampcoach.journal.wording import describe_factors

    chosen = _day_option(day)
    values = {
        "fluids_glasses": _whole(fluids, "--fluids"),
        "caffeine_drinks": _whole(caffeine, "--caffeine"),
        "alcohol_drinks": _whole(alcohol, "--alcohol"), "heat": heat,
        "exertion": _whole(exertion, "--exertion"), "stress": _whole(stress, "--stress"),
        "sleep_hours": _typed_number(sleep, "--sleep", whole=False),
        "sleep_quality": _whole(sleep_quality, "--sleep-quality"),
        "bladder_bowel": bladder_bowel, "infection": infection,
    }
    path = _journal_file(journal_file)
    if all(v is None for v in values.values()) and not tags:
        with reported_errors(), Journal.open(path, create=False) as journal:
            found = journal.day_factors(chosen)
        click.echo(f"Factors for {chosen:%a %Y-%m-%d}: "
                   + (describe_factors(found) if found else "nothing recorded"))
        return
    with reported_errors(), Journal.open(path, clock=_journal_now) as journal:
        recorded = journal.set_factors(chosen, tags=tags, **values)
    click.echo(f"Factors for {chosen:%a %Y-%m-%d}: {describe_factors(recorded)}")


@cli.group("med")
def med_group() -> None:
    """Medicines and supplements: when each was started, its dose changed, or stopped.

    \b
    Examples:
      crampcoach med start baclofen --dose "10 mg three times a day" --date 2026-01-15
      crampcoach med start magnesium --dose "300 mg" --supplement
      crampcoach med change baclofen --dose "15 mg three times a day"
      crampcoach med stop magnesium --date yesterday
      crampcoach med list

    Change medicines only with your neurologist or doctor; this keeps the record.
    """


def _med_command(change: str, summary: str, examples: str) -> None:
    @med_group.command(change, help=f"{summary}\n\n\b\nExamples:\n{examples}")
    @click.argument("name")
    @click.option("--dose", metavar="TEXT", required=change == "change",
                  help="The dose as on the label: '10 mg three times a day'.")
    @_DATE_OPTION
    @click.option("--note", metavar="TEXT", help="Why, or who advised it.")
    @journal_option
    def command(name: str, dose: str | None, day: str | None, note: str | None,
                journal_file: Path | None, **extra: bool) -> None:
        from crampcoach.journal.store import Journal
        from crampcoach.journal.wording import describe_medicine

        chosen = _day_option(day)
        with reported_errors(), Journal.open(_journal_file(journal_file),
                                         clock=_journal_now) as journal:
            event = journal.add_medicine(name, change, chosen, dose=dose, note=note,
                                         supplement=extra.get("supplement", False))
        click.echo(f"{chosen:%a %Y-%m-%d}: {describe_medicine(event)}")

    if change == "start":
        click.option("--supplement", is_flag=True,
                     help="A supplement (magnesium, vitamin D) rather than a medicine.")(command)


_med_command("start", "Record that you started a medicine or supplement.",
             "  crampcoach med start baclofen --dose '10 mg three times a day'\n"
             "  crampcoach med start magnesium --dose '300 mg' --supplement --date 2026-02-01")
_med_command("change", "Record a new dose of a medicine you take.",
             "  crampcoach med change baclofen --dose '15 mg three times a day'")
_med_command("stop", "Record that you stopped a medicine or supplement.",
             "  crampcoach med stop magnesium\n"
             "  crampcoach med stop 'prednisolone course' --date 2026-03-05")


@med_group.command("list")
@journal_option
def med_list(journal_file: Path | None) -> None:
    """List what you take now, then every change in order.

    \b
    Example:
      crampcoach med list
    """
    from crampcoach.journal.store import Journal
    from crampcoach.journal.tally import medicine_periods
    from crampcoach.journal.wording import describe_medicine

    with reported_errors(), Journal.open(_journal_file(journal_file), create=False) as journal:
        events = journal.medicines()
    if not events:
        click.echo("No medicines or supplements recorded. Add one with: crampcoach med start")
        return
    current = [(name, periods[-1]) for name, periods in medicine_periods(events).items()
               if periods[-1][1] is None]
    click.echo("Taking now:" if current else "Taking now: nothing recorded.")
    for name, (since, _, dose, _) in sorted(current):
        click.echo(escape_controls(f"  {name}{f' {dose}' if dose else ''} (since {since})"))
    click.echo("Changes:")
    for event in events:
        click.echo(escape_controls(f"  {event.day}  {describe_medicine(event)}"))


@cli.group("blood")
def blood_group() -> None:
    """Blood test results, kept exactly as you type them (never interpreted).

    \b
    Examples:
      crampcoach blood add magnesium 0.71 mmol/L --date 2026-03-02
      crampcoach blood add "vitamin D" 48 nmol/L
      crampcoach blood list
    """


@blood_group.command("add")
@click.argument("words", nargs=-1, required=True, metavar="TEST VALUE [UNIT]")
@_DATE_OPTION
@click.option("-n", "--note", metavar="TEXT", help="The lab's range, or anything else to keep.")
@journal_option
def blood_add(words: tuple[str, ...], day: str | None, note: str | None,
              journal_file: Path | None) -> None:
    """Record a blood result: TEST VALUE [UNIT], as written on the lab report. The test
    may be several words; the value is the last number, the unit what follows it.

    \b
    Examples:
      crampcoach blood add potassium 4.1 mmol/L --date 2026-03-02
      crampcoach blood add vitamin D 48 nmol/L
      crampcoach blood add calcium "2.31" mmol/L --note "range 2.2-2.6"
    """
    from crampcoach.journal.entry import blood_words
    from crampcoach.journal.store import Journal

    with reported_errors():
        test, value, unit = blood_words(words)
    chosen = _day_option(day)
    with reported_errors(), Journal.open(_journal_file(journal_file),
                                         clock=_journal_now) as journal:
        result = journal.add_blood_result(chosen, test, value, unit, note)
    click.echo(f"Recorded {chosen}: {result.test} {result.value}"
               + (f" {result.unit}" if result.unit else "") + ".")


@blood_group.command("list")
@journal_option
def blood_list(journal_file: Path | None) -> None:
    """List every blood result recorded, oldest first.

    \b
    Example:
      crampcoach blood list
    """
    from crampcoach.journal.store import Journal

    with reported_errors(), Journal.open(_journal_file(journal_file), create=False) as journal:
        results = journal.blood_results()
    if not results:
        click.echo("No blood results recorded. Add one with: crampcoach blood add TEST VALUE UNIT")
        return
    for r in results:
        click.echo(escape_controls(f"{r.day}  {r.test}: {r.value}"
                                   + (f" {r.unit}" if r.unit else "")
                                   + (f"  ({r.note})" if r.note else "")))


@cli.group("question")
def question_group() -> None:
    """Questions you want to ask your neurologist; the open ones go in the report.

    \b
    Examples:
      crampcoach question add "Could the baclofen dose be split differently?"
      crampcoach question list
      crampcoach question done 1
    """


@question_group.command("add")
@click.argument("text")
@_AT_OPTION
@_DATE_OPTION
@journal_option
def question_add(text: str, when: str | None, day: str | None,
                 journal_file: Path | None) -> None:
    """Note a question for your neurologist.

    \b
    Examples:
      crampcoach question add "Is magnesium worth a try?"
      crampcoach question add "Why do the cramps come at night?" --date 2026-03-02
    """
    from crampcoach.journal.store import Journal

    at = _moment_option(when, day)
    with reported_errors(), Journal.open(_journal_file(journal_file),
                                         clock=_journal_now) as journal:
        journal.add_question(text, at=at)
        count = len(journal.questions())
    click.echo(f"Noted. {count} open question{'s' if count != 1 else ''} for the report.")


@question_group.command("list")
@journal_option
def question_list(journal_file: Path | None) -> None:
    """List the open questions, numbered (the numbers 'question done' takes).

    \b
    Example:
      crampcoach question list
    """
    from crampcoach.journal.store import Journal

    with reported_errors(), Journal.open(_journal_file(journal_file), create=False) as journal:
        questions = journal.questions()
    if not questions:
        click.echo("No open questions. Add one with: crampcoach question add TEXT")
    for number, q in enumerate(questions, 1):
        click.echo(escape_controls(f"{number}. {q.text}"))


@question_group.command("done")
@click.argument("number", type=click.IntRange(min=1), metavar="N")
@journal_option
def question_done(number: int, journal_file: Path | None) -> None:
    """Mark question N (from 'question list') as asked: it leaves the report.

    \b
    Example:
      crampcoach question done 2
    """
    from crampcoach.journal.store import Journal

    with reported_errors(), Journal.open(_journal_file(journal_file),
                                         clock=_journal_now) as journal:
        questions = journal.questions()
        if number > len(questions):
            fail(f"there is no open question {number} ({len(questions)} open; see "
                 "crampcoach question list)", 2)
        done = journal.question_done(questions[number - 1].id)
    click.echo(escape_controls(f"Marked as asked: {done.text}"))


def _keys_at_a_terminal() -> bool:
    return sys.stdin.isatty()


def _yes_no_key(question: str) -> bool | None:
    """One answer: y or n (a key on a terminal, a line otherwise); s or Enter skips."""
    click.echo(f"{question} [y/n, s to skip] ", nl=False)
    while True:
        if _keys_at_a_terminal():
            key = click.getchar().lower()
        else:
            line = sys.stdin.readline()
            if not line:
                click.echo("(no answer)")
                return None
            key = line.strip().lower()[:1]
        if key in ("y", "n"):
            click.echo("yes" if key == "y" else "no")
            return key == "y"
        if key in ("s", "", "\r", "\n"):
            click.echo("skipped")
            return None
        if key in ("q", "\x1b", "\x03"):
            raise click.Abort


@cli.command("checkin")
@_AT_OPTION
@_DATE_OPTION
@journal_option
def checkin_command(when: str | None, day: str | None, journal_file: Path | None) -> None:
    """The weekly check-in: four questions, answered with y or n.

    Are the cramps painful? Coming more often? With weakness, stiffness or spasticity?
    Getting in the way of daily life? A yes to any is worth raising with your neurologist;
    the answers go in the journal, its red flags and the report.

    \b
    Examples:
      crampcoach checkin
      crampcoach checkin --date yesterday
    """
    from crampcoach.journal.checkin import run_checkin
    from crampcoach.journal.store import Journal

    at = _moment_option(when, day)
    with reported_errors(), Journal.open(_journal_file(journal_file),
                                         clock=_journal_now) as journal:
        outcome = run_checkin(journal, _yes_no_key, at=at)
    click.echo(outcome.advice)
    click.echo(outcome.urgent)


@cli.command("report")
@click.option("--days", type=click.IntRange(min=7, max=3660), default=90, show_default=True,
              help="How many days the report covers, ending today.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="The PDF file to write.")
@journal_option
def report_command(days: int, output: Path, journal_file: Path | None) -> None:
    """Write a one- or two-page PDF for your neurologist: ratings and episodes over time,
    episodes by type and body part, routines, medicines, blood results, what seems to help,
    red flags and your questions.

    Needs the optional charts extra: pip install 'crampcoach[charts]'.

    \b
    Examples:
      crampcoach report -o report.pdf
      crampcoach report --days 30 -o last-month.pdf
    """
    from crampcoach.journal.chart import load_pyplot
    from crampcoach.journal.report import REPORT_NEEDS, Person, gather_report, write_report
    from crampcoach.journal.store import Journal

    with reported_errors():
        settings = _settings()
    path = _journal_file(journal_file, settings)
    with reported_errors():
        load_pyplot(REPORT_NEEDS)  # say it is missing before reading anything
        with Journal.open(path, create=False) as journal:
            report = gather_report(journal, now=_journal_now(), days=days, tz=_journal_tz(),
                                   high_at=settings.red_flag_threshold,
                                   person=Person(settings.patient_name, settings.date_of_birth,
                                                 settings.clinic_number))
        pages = write_report(report, output)
    click.echo(f"Wrote {output}: {pages} page{'s' if pages > 1 else ''}, "
               f"{report.summary.first_day} to {report.summary.last_day}.")


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
    from crampcoach import schedule

    env_config = os.environ.get("CRAMPCOACH_CONFIG")
    config = config_file or (Path(env_config) if env_config else None)
    with reported_errors():
        schedule.parse_at(at)
        schedule.parse_days(days)
        start = schedule.plan_start(schedule.routine_reference(routine), at, days, name, config,
                                    environ=dict(os.environ))
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
    from crampcoach.inputs.button import DEFAULT_PIN, open_button
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
    from crampcoach.inputs.spoken import open_spoken_rating
    from crampcoach.settings import load_settings

    with reported_errors():
        settings, _ = load_settings()
        device = microphone or settings.microphone
        rating = open_spoken_rating(_say, device).ask_rating(timeout)
    click.echo("No rating was confirmed." if rating is None else f"Rating: {rating}")


# --- bedside: the resident service --------------------------------------------------------


_WEB_OPTIONS = (
    click.option("--web", is_flag=True,
                 help="Also serve the companion page (needs crampcoach[web] and, beyond this "
                 "machine, a password: crampcoach bedside password)."),
    click.option("--web-host", default="127.0.0.1", show_default=True,
                 help="The address the page listens on; 0.0.0.0 for the home network."),
    click.option("--web-port", type=click.IntRange(1, 65535), default=8470, show_default=True,
                 help="The page's port."),
)


def _web_options(function: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(_WEB_OPTIONS):
        function = option(function)
    return function


@cli.group("bedside", invoke_without_command=True)
@_CONFIG_OPTION
@_web_options
@click.pass_context
def bedside_group(ctx: click.Context, config_file: Path | None, web: bool, web_host: str,
                  web_port: int) -> None:
    """The bedside service: sessions started and steered from the GPIO button, a USB keypad
    or presenter remote, and the commands below, with nothing on a screen.

    Without a command it runs the service in the foreground, logging to standard output
    (what its systemd unit runs; 'crampcoach bedside install' sets that up).
    """
    if ctx.invoked_subcommand is not None:
        ctx.obj = config_file
        return
    _run_bedside(config_file, (web_host, web_port) if web else None)


def _log_line(line: str) -> None:
    click.echo(f"{_dt.datetime.now():%H:%M:%S} {escape_controls(line)}")


def _run_bedside(config_file: Path | None, web: tuple[str, int] | None) -> None:
    from crampcoach.bedside.control import Command, ControlServer, socket_path
    from crampcoach.bedside.service import (
        BedsideService,
        check_routines,
        last_good_settings_path,
        service_settings,
    )
    from crampcoach.settings import load_settings
    from crampcoach.terminal import SessionDisplay

    machine = _machine()
    with reported_errors():
        # Never refused: settings with a mistake give way to the last good ones (said).
        settings, sources, note = service_settings(config_file, last_good_settings_path())
        path = socket_path()
    for problem in check_routines(settings, sources):
        _log_line(f"Note: {problem}")
    service = BedsideService(
        settings, machine=machine, log=_log_line, settings_note=note,
        reload_settings=lambda: load_settings(config_file)[0],
        observer_for=lambda language: SessionDisplay(
            live=False, stamp=lambda: f"{machine.now():%H:%M:%S}", language=language))
    server = ControlServer(path, service.handle, _log_line)
    with reported_errors():
        server.open()
    stop: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.append(signum)

    import signal  # not at the top: play's first sound does not wait for it

    # A signal may land on any thread, and Python runs its handler only when the main
    # thread runs again: the kernel's wake-up pipe makes the main thread's wait end.
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, on_signal)
    page = None
    try:
        service.start()
        _log_line(f"Listening on {path}.")
        if web is not None:
            from crampcoach.web.server import start_page

            def control(command: str, routine: str | None) -> dict[str, object]:
                return service.handle(Command(command, routine, "web")).to_dict()  # type: ignore[arg-type]

            with reported_errors():
                page = start_page(control, config=config_file, host=web[0], port=web[1],
                                  machine=machine)
            _log_line(f"Companion page: {page.url}")
        while not stop:
            os.read(wake_read, 64)
    finally:
        if page is not None:
            page.close()
        service.stop()
        server.close()
        _log_line("Stopped.")


def _bedside_command(command: str, routine: str | None = None) -> dict[str, object]:
    from crampcoach.bedside.control import send

    with reported_errors():
        reply = send(command, routine)  # type: ignore[arg-type]
    if not reply["ok"]:
        fail(str(reply.get("error", "the service refused")))
    return reply


def _bedside_control(command: str, summary: str) -> click.Command:
    def run() -> None:
        click.echo(escape_controls(str(_bedside_command(command).get("message", ""))))

    run.__doc__ = summary
    return bedside_group.command(command)(run)


for _name, _summary in (
        ("pause", "Pause the session playing (it says so aloud)."),
        ("resume", "Carry on with a paused session."),
        ("next", "Skip to the next step of the session."),
        ("repeat", "Say the last instruction again."),
        ("stop", "Stop the session (it is recorded as stopped)."),
        ("continue", "Carry on from a step that waits until the person is ready.")):
    _bedside_control(_name, _summary)


@bedside_group.command("start")
@click.argument("routine", required=False)
def bedside_start(routine: str | None) -> None:
    """Start ROUTINE (a name or a file) on the bedside service; without it, the routine the
    button starts (bedside.routine in the settings)."""
    if routine is not None and (routine.endswith((".yaml", ".yml")) or os.sep in routine):
        # The service runs in another folder: a path must not depend on this one.
        routine = str(Path(routine).expanduser().absolute())
    click.echo(escape_controls(str(_bedside_command("start", routine).get("message", ""))))


@bedside_group.command("status")
def bedside_status() -> None:
    """Whether the service is installed and running, what it is playing, and its inputs."""
    from crampcoach.bedside.control import send
    from crampcoach.bedside.unit import UNIT_NAME, BedsideUnit
    from crampcoach.errors import BedsideError
    from crampcoach.schedule import user_unit_dir

    state = BedsideUnit(user_unit_dir()).state()
    click.echo(f"Unit: {UNIT_NAME} " + (f"({state.enabled}, {state.active})" if state.installed
                                       else "is not installed (crampcoach bedside install)"))
    try:
        reply = send("status")
    except BedsideError as e:
        fail(str(e))
    status = reply.get("status")
    if reply.get("ok") is False:  # busy, or refused: say what it said
        fail(f"the bedside service answered: {reply.get('error', 'no')}")
    if not isinstance(status, dict):
        fail("the bedside service answered without its status")
    keypads = status.get("keypads") or []
    shown_keypads = (", ".join(str(k) for k in keypads) if keypads
                     else f"none found (keypad: {status.get('keypad_setting')})")
    for line in (f"Service: running (pid {status.get('pid')})",
                 f"Now: {reply.get('message')}",
                 f"Button: {status.get('button')}",
                 f"Keypads: {shown_keypads}",
                 "Speech made ahead: " + ("yes" if status.get("warm") else "not yet"),
                 f"Settings: {status.get('settings', 'as in the file')}",
                 f"Button's routine: {status.get('button_routine', 'ready')}"):
        click.echo(escape_controls(line))


@bedside_group.command("install")
@click.option("--linger", is_flag=True,
              help="Also let it run without anyone logged in (loginctl enable-linger): for a "
              "Pi by the bed that nobody logs in to.")
@click.option("--dry-run", is_flag=True, help="Print the unit file and change nothing.")
@_CONFIG_OPTION
@_web_options
@click.pass_context
def bedside_install(ctx: click.Context, linger: bool, dry_run: bool,
                    config_file: Path | None, web: bool, web_host: str,
                    web_port: int) -> None:
    """Write and enable a systemd user unit that keeps the bedside service running (it is
    restarted if it fails; its log is in the journal)."""
    from crampcoach.bedside.service import check_routines
    from crampcoach.bedside.unit import (
        BedsideUnit,
        enable_linger,
        linger_state,
        service_command,
        unit_text,
    )
    from crampcoach.schedule import carried_environment, user_unit_dir
    from crampcoach.settings import CONFIG_ENV, load_settings

    given = config_file or ctx.obj
    env_config = os.environ.get(CONFIG_ENV)
    config = given or (Path(env_config) if env_config else None)
    with reported_errors():
        settings, sources = load_settings(config)
    problems = check_routines(settings, sources)
    for problem in problems:
        click.echo(escape_controls(str(problem)), err=True)
    if problems:
        sys.exit(2)
    unit = BedsideUnit(user_unit_dir())
    # A unit's environment is not the shell's: the settings file must be named in it.
    command = service_command()
    if web:
        command = (*command, "--web", "--web-host", web_host, "--web-port", str(web_port))
    with reported_errors():
        # The shell's XDG_* and CRAMPCOACH_* too, as for a scheduled start: the service
        # then keeps the journal the commands read.
        environment = carried_environment(os.environ)
    text = unit_text(command, None if config is None else config.expanduser().absolute(),
                     environment)
    if dry_run:
        click.echo(f"# {unit.path}")
        click.echo(text, nl=False)
        return
    with reported_errors():
        path = unit.install(text)
    click.echo(f"Installed and started the bedside service ({path}).")
    if settings.button_pin is None:
        click.echo("Note: no button_pin is set in the settings, so no GPIO button is read.")
    if linger:
        with reported_errors():
            enable_linger()
        click.echo("Lingering is on: the service starts at boot, with nobody logged in.")
    elif linger_state() is not True:
        click.echo("On a Pi nobody logs in to, let it start at boot without a login: "
                   "crampcoach bedside install --linger (or: loginctl enable-linger "
                   f"{os.environ.get('USER') or '$USER'})")
    click.echo("Its log: journalctl --user -u crampcoach-bedside -f")


@bedside_group.command("password")
def bedside_password() -> None:
    """Set the password (or pairing PIN) of the companion page; it logs every browser out."""
    from crampcoach import locations
    from crampcoach.web.auth import PasswordFile, check_new_password

    first = click.prompt("New password or PIN (at least 8 characters)", hide_input=True,
                         err=True)
    again = click.prompt("Again", hide_input=True, err=True)
    if first != again:
        fail("the two entries differ; nothing was changed")
    with reported_errors():
        passwords = PasswordFile(locations.web_password_path())
        passwords.set(check_new_password(first))
    click.echo(f"Password set ({passwords.path}).")


@bedside_group.command("uninstall")
def bedside_uninstall() -> None:
    """Stop the bedside service and remove its systemd user unit."""
    from crampcoach.bedside.unit import BedsideUnit
    from crampcoach.schedule import user_unit_dir

    with reported_errors():
        path = BedsideUnit(user_unit_dir()).uninstall()
    click.echo(f"Stopped the bedside service and removed {path}.")


def main() -> None:
    # Started with a standard stream closed (>&-): the next file opened (the journal) would
    # take its number, and anything written there would land in it.
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
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
