"""The ``crampcoach`` command. The only module that prints or exits.

Every command calls into the library and turns its :class:`CrampcoachError` into a
message on stderr and a non-zero exit code (2 for a routine that is not valid).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import click

from crampcoach import __version__
from crampcoach.errors import CrampcoachError, RoutineError

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


# --- audio: voices, render --------------------------------------------------------------------


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
