"""What a session shows on a terminal (or in a service's log), and the terminal's signals.

Part of the command-line layer: the library only sends :mod:`crampcoach.player.events`;
this module turns them into lines and a live status line, as ``crampcoach play`` and the
bedside service's log show them.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from crampcoach.player.events import Progress, SessionEvent


def clock_text(seconds: float | None) -> str:
    """Time left, as ``plan`` writes times (``routines.durations.format_clock``), rounded
    up: a countdown shows 00:01 until nothing is left."""
    from crampcoach.routines.durations import format_clock

    if seconds is None:
        return "--:--"
    return format_clock(max(0, math.ceil(seconds - 1e-9)))


class SessionDisplay:
    """Shows a session: on a terminal a live status line under the spoken text; otherwise
    plain lines stamped with ``stamp()`` (for a service's log or a pipe)."""

    def __init__(self, live: bool, pause_key: str = "space", quit_key: str = "q",
                 stamp: Callable[[], str] = lambda: time.strftime("%H:%M:%S"),
                 language: str = "en", next_key: str = "n") -> None:
        from crampcoach.phrases import phrasebook

        self.live = live
        self._stamp = stamp
        self._book = phrasebook(language)
        self._pause_key = pause_key
        self._next_key = next_key
        self._quit_key = quit_key
        self._status = ""
        self._step = ""
        self._next: str | None = None
        self._count = 0
        self._tone: tuple[float, str] | None = None  # a breathing tone not shown yet
        self._progress: Progress | None = None
        self._lost = False

    def _echo(self, text: str, nl: bool = True) -> None:
        """Show ``text``; output that has gone (``| head -1``, a closed ssh session) ends
        the showing, never the session: it goes on aloud and is recorded."""
        if self._lost:
            return
        try:
            click.echo(text, nl=nl, color=True if self.live else None)
            if sys.stdout is not None:
                sys.stdout.flush()
        except OSError:
            self._lost = True
            # Later writes, and the interpreter's last flush, go nowhere instead of failing.
            with contextlib.suppress(OSError, ValueError, AttributeError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                os.close(devnull)

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
            self._echo("\r\x1b[2K" + text)
            if self._status:
                self._echo(self._status, nl=False)
        else:
            self._echo(f"{self._stamp()} {text}")

    def _redraw(self, progress: Progress) -> None:
        import shutil

        limit = max(10, shutil.get_terminal_size((80, 24)).columns - 1)

        def bar(cells: int) -> str:
            if not progress.total:
                return ""
            done = min(1.0, progress.elapsed / progress.total)
            filled = round(done * cells)
            return f" [{'#' * filled}{'.' * (cells - filled)}] {done:4.0%}"

        times = self._book.status_times.format(step=clock_text(progress.step_left),
                                               session=clock_text(progress.session_left))
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
        self._echo("\r\x1b[2K" + self._status, nl=False)

    def close(self) -> None:
        if self.live and self._status:
            self._echo("\r\x1b[2K", nl=False)
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
                title = "" if not shows_title(event.kind) else book.shown_step_title.format(
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
        elif isinstance(event, ev.SpeechLate):
            seconds = f"{event.seconds:.2f}".replace(".", book.decimal_point)
            self.line(book.shown_speech_late.format(title=event.title, seconds=seconds))
        elif isinstance(event, ev.Waiting):
            from crampcoach.routines.durations import format_duration

            self.line(book.shown_waiting.format(duration=format_duration(event.max_wait_s),
                                                next_key=self._next_key,
                                                pause_key=self._pause_key))
        elif isinstance(event, ev.WaitReminded | ev.WaitEnded):
            self.line(f"  {event.text}")
        elif isinstance(event, ev.Skipped):
            if event.to_index is None:
                self.line(book.shown_skipped_to_closing)
            else:
                title = "" if not shows_title(event.to_kind) else (
                    book.shown_step_title.format(title=event.to_title))
                self.line(book.shown_skipped_to_step.format(
                    index=event.to_index + 1, count=self._count, title=title))
        elif isinstance(event, ev.Repeated):
            self.line(f"  {event.text}")
        elif isinstance(event, ev.AudioFallback):
            self.line(book.shown_note.format(text=event.reason))
        elif isinstance(event, ev.HandsFreeFallback):
            self.line(book.shown_note.format(text=event.text))
        elif isinstance(event, ev.VoiceFallback):
            self.line(book.shown_note.format(text=f"{event.said} ({event.reason})"))
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


def shows_title(kind: str) -> bool:
    """Whether a step of ``kind`` is shown with its title (a 'say' is shown as said)."""
    from crampcoach.routines.kinds import KINDS

    known = KINDS.get(kind)
    return known is None or known.shows_title


@contextmanager
def sigterm_as_interrupt() -> Iterator[list[int]]:
    """SIGTERM (a service being stopped) and SIGHUP (the ssh session or terminal closed)
    end the session like Ctrl-C: sound off, recorded.

    Yields a list that holds the signal number once one arrived.
    """
    import signal

    received: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        raise KeyboardInterrupt

    try:
        previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGHUP)}
    except ValueError:  # not the main thread (e.g. some test runners)
        yield received
        return
    try:
        yield received
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
