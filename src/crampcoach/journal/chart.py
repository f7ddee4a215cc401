"""A picture of the ratings over time with the sessions marked, as a PNG file.

matplotlib is an optional extra (``crampcoach[charts]``): a Pi by the bed does not need
it, and the rest of crampcoach must work without it.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from types import ModuleType
from typing import Any

from crampcoach.errors import CrampcoachError, JournalError
from crampcoach.journal.store import Rating, Session
from crampcoach.journal.trends import GUIDANCE, daily_averages, local, rating_points

INSTALL_HINT = "pip install 'crampcoach[charts]'"


class MissingExtraError(CrampcoachError):
    """An optional part of crampcoach is not installed."""


def load_pyplot(needs: str = "charts need") -> ModuleType:
    """matplotlib's pyplot on the Agg backend (no display needed), or a clear error that
    starts with ``needs`` ("charts need", "the report needs")."""
    try:
        matplotlib = importlib.import_module("matplotlib")
        matplotlib.use("Agg")
        return importlib.import_module("matplotlib.pyplot")
    except ImportError:
        raise MissingExtraError(f"{needs} matplotlib: {INSTALL_HINT}") from None


def first_day_with_data(sessions: Sequence[Session], ratings: Sequence[Rating],
                        first_day: date, tz: tzinfo | None = None) -> date:
    """``first_day``, or the day of the earliest record on or after it when the journal
    starts later: a journal two weeks old is not drawn as a 90-day chart mostly empty."""
    days = [local(s.started_at, tz).date() for s in sessions]
    days += [local(r.at, tz).date() for r in ratings]
    return max(first_day, min((d for d in days if d >= first_day), default=first_day))


def draw_chart(
    sessions: Sequence[Session],
    ratings: Sequence[Rating],
    out: Path,
    *,
    first_day: date,
    last_day: date,
    tz: tzinfo | None = None,
) -> None:
    """Draw every rating (lone ones as dots, a session's before and after joined by a line),
    each day's average as a line, and a faint mark at each session's start."""
    plt = load_pyplot()
    fig = chart_figure(sessions, ratings, first_day=first_day, last_day=last_day, tz=tz)
    try:
        try:
            fig.savefig(out, format="png")
        except OSError as e:
            raise JournalError(f"cannot write {out}: {e.strerror or e}") from None
    finally:
        plt.close(fig)


def chart_figure(
    sessions: Sequence[Session],
    ratings: Sequence[Rating],
    *,
    first_day: date,
    last_day: date,
    tz: tzinfo | None = None,
) -> Any:
    """The chart as a matplotlib figure (the caller closes it); see :func:`draw_chart`."""
    plt = load_pyplot()
    points = rating_points(sessions, ratings)
    if not points and not sessions:
        raise JournalError(
            f"nothing to chart between {first_day} and {last_day}: the journal has no "
            "ratings or sessions in those days"
        )

    def when(moment: datetime) -> datetime:
        # matplotlib wants naive local times to label the axis the way the person lives.
        return local(moment, tz).replace(tzinfo=None)

    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=100)
    try:
        labelled = False
        for s in sessions:
            ax.axvline(when(s.started_at), color="#c6dbef", linewidth=0.8, zorder=1)
            if s.rating_before is not None and s.rating_after is not None:
                ax.plot(
                    [when(s.started_at), when(s.ended_at or s.started_at)],
                    [s.rating_before, s.rating_after],
                    color="#3182bd", marker="o", markersize=3, linewidth=1.2, zorder=3,
                    label=None if labelled else "session: before and after",
                )
                labelled = True
        lone = [p for p in points if p.source == "rating"]
        if lone:
            ax.scatter([when(p.at) for p in lone], [p.value for p in lone], color="#e6550d",
                       s=16, zorder=4, label="rating")
        averages = daily_averages(points, tz)
        if averages:
            noons = [datetime.combine(d, time(12)) for d in averages]
            ax.plot(noons, list(averages.values()), color="#252525", linewidth=1.8, zorder=5,
                    label="daily average")
        ax.set_xlim(datetime.combine(first_day, time()),
                    datetime.combine(last_day + timedelta(days=1), time()))
        ax.set_ylim(-0.5, 10.5)
        ax.set_yticks(range(0, 11, 2))
        ax.set_ylabel("cramp rating (0 none, 10 worst)")
        ax.set_title(f"crampcoach: ratings {first_day} to {last_day}")
        ax.grid(axis="y", alpha=0.3)
        fig.autofmt_xdate()
        if points:
            # Beside the plot, not on it: inside, it hid the highest ratings, the ones that
            # matter most. The plot gives up the room on its right for it.
            fig.subplots_adjust(right=0.78)
            ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0,
                      fontsize="small")
        fig.text(0.01, 0.01, GUIDANCE, fontsize="x-small", color="#555555")
    except BaseException:
        plt.close(fig)
        raise
    return fig
