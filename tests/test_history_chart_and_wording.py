"""`crampcoach history` wording and `history chart`: the window fits a young journal,
and the legend stays off the data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from crampcoach.cli import cli
from crampcoach.journal.chart import chart_figure, load_pyplot
from crampcoach.journal.store import Journal
from support.journal import LONDON, JournalRunner, MovableClock, fill_month


def young_journal(path: Path) -> Path:
    """Two weeks of records: the first on 2026-03-20."""
    clock = MovableClock()
    with Journal.open(path, clock=clock) as j:
        clock.at("2026-03-20T08:00:00")
        j.add_rating(10, note="the worst yet")
        clock.at("2026-03-28T21:00:00")
        s = j.start_session("Box breathing", None, 1, rating_before=9)
        clock.at("2026-03-28T21:04:00")
        j.finish_session(s, "finished", 0, "Box breathing", rating_after=8)
    return path


def test_a_one_step_session_is_worded_as_one_step(tmp_path: Path) -> None:
    journal = young_journal(tmp_path / "j.sqlite3")
    result = JournalRunner().invoke(cli, ["history", "--journal", str(journal)])
    assert result.exit_code == 0, result.output
    assert ("  21:00  Box breathing: finished its one step, rating 9 before, 8 after\n"
            in result.output)
    assert "all 1 steps" not in result.output


def test_the_default_chart_starts_at_the_first_record(tmp_path: Path) -> None:
    journal = young_journal(tmp_path / "j.sqlite3")
    out = tmp_path / "chart.png"
    result = JournalRunner().invoke(cli, ["history", "chart", "-o", str(out), "--journal",
                                      str(journal)])
    assert (result.exit_code, result.output) == (
        0, f"Wrote a chart of 2026-03-20 (the first record) to 2026-04-02 to {out}.\n")
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_days_asked_for_are_drawn_even_when_empty(tmp_path: Path) -> None:
    journal = young_journal(tmp_path / "j.sqlite3")
    out = tmp_path / "chart.png"
    result = JournalRunner().invoke(cli, ["history", "chart", "-o", str(out), "--days", "90",
                                      "--journal", str(journal)])
    assert (result.exit_code, result.output) == (
        0, f"Wrote a chart of 2026-01-03 to 2026-04-02 to {out}.\n")


def test_an_older_journal_fills_the_default_window(tmp_path: Path) -> None:
    journal = tmp_path / "month.sqlite3"
    fill_month(journal)
    out = tmp_path / "chart.png"
    result = JournalRunner().invoke(cli, ["history", "chart", "-o", str(out), "--journal",
                                      str(journal)])
    # The month's first record is on 2026-03-10, inside the 90 days: the chart starts there.
    assert result.output == (
        f"Wrote a chart of 2026-03-10 (the first record) to 2026-04-02 to {out}.\n")


def test_the_legend_is_beside_the_data_not_on_it(tmp_path: Path) -> None:
    journal = young_journal(tmp_path / "j.sqlite3")
    with Journal.open(journal) as j:
        sessions, ratings = j.sessions(), j.ratings()
    plt = load_pyplot()
    fig = chart_figure(sessions, ratings, first_day=date(2026, 3, 20),
                       last_day=date(2026, 4, 2), tz=LONDON)
    try:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        legend = ax.get_legend().get_window_extent(renderer)
        plot_area = ax.get_window_extent(renderer)
        assert not legend.overlaps(plot_area)
        # ... and inside the picture, so none of it is cut off.
        assert fig.bbox.contains(legend.x0, legend.y0)
        assert fig.bbox.contains(legend.x1, legend.y1)
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == ["session: before and after", "rating", "daily average"]
    finally:
        plt.close(fig)
