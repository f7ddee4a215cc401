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


# --- player: play -----------------------------------------------------------------------------


# --- journal: rate, history -------------------------------------------------------------------


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
    state = "" if path.exists() else (
        "  (not there: defaults apply; 'crampcoach config init' writes one)"
    )
    click.echo(f"Settings file: {path}{state}")
    shown = bedside_settings.describe(current)
    width = max(len(key) for key in shown)
    for key, value in shown.items():
        click.echo(f"  {key:<{width}}  {value}  [{sources[key]}]")


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
