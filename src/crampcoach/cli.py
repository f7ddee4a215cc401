"""The ``crampcoach`` command. The only module that prints or exits.

Every command calls into the library and turns its :class:`CrampcoachError` into a
message on stderr and a non-zero exit code (2 for a routine that is not valid).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from crampcoach import __version__
from crampcoach.errors import CrampcoachError, RoutineError
from crampcoach.routines.model import Routine
from crampcoach.routines.timeline import Cue, Timeline, Voice

if TYPE_CHECKING:
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
    from crampcoach.audio.speech import SynthesizedSpeech
    from crampcoach.audio.voices import known_language
    from crampcoach.routines.durations import format_clock
    from crampcoach.routines.loader import load_routine

    with reported_errors():
        loaded = load_routine(routine, language_check=known_language)
        with SynthesizedSpeech() as speech:
            timeline, rendered = render_routine(loaded, output, speech, _voice(loaded))
    click.echo(f"Wrote {output}: {format_clock(rendered.seconds)} of {timeline.name} "
               f"({len(timeline.cues)} cues)")



# --- player: play -----------------------------------------------------------------------------


# --- journal: rate, history -------------------------------------------------------------------


# --- bedside: config, schedule ----------------------------------------------------------------


def main() -> None:
    try:
        cli.main(prog_name="crampcoach")
    except KeyboardInterrupt:
        # Ctrl-C outside a session (a session handles it itself): no traceback.
        click.echo("Stopped.", err=True)
        sys.exit(130)
