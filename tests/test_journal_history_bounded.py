"""`history` reads a journal's lone ratings as each day's count and sum, never all at once:
what it shows must be what the records, all held, give (the pure :func:`summarize`, which
`history` was before), and a dense journal must read right."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import crampcoach.journal.summary as summary_module
from crampcoach.errors import JournalError
from crampcoach.journal.flags import flag_bounds
from crampcoach.journal.history_text import render_history
from crampcoach.journal.store import Journal, Rating, Session, new_id, to_text
from crampcoach.journal.summary import HistorySummary, history, summarize
from crampcoach.journal.trends import query_bounds, spark_mark, window
from support.journal import NOW, fill_quarter, fill_years

LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")


def reference(journal: Journal, *, now: datetime, days: int, tz: ZoneInfo,
              high_at: int = 7) -> HistorySummary:
    """What `history` computed before: every record of the window held, then summarised."""
    first, last = window(now, days, tz)
    since, until = query_bounds(first, last, tz)
    since = min(since, flag_bounds(now, tz)[0])
    return summarize(
        journal.sessions(since, until), journal.ratings(since, until), now=now, days=days,
        tz=tz, episodes=journal.episodes(since, until),
        factors=journal.factors(first, last), medicines=journal.medicines(),
        blood=journal.blood_results(), checkins=journal.checkins(since, until),
        pending=journal.pending_episodes(), high_at=high_at,
        logging_since=journal.first_record_at(), last_episode=journal.last_episode(),
    )


def same_history(path: Path, *, now: datetime, days: int, tz: ZoneInfo) -> str:
    with Journal.open(path, create=False) as journal:
        new = history(journal, now=now, days=days, tz=tz, high_at=7)
        old = reference(journal, now=now, days=days, tz=tz)
        text = render_history(new, path)
        assert text == render_history(old, path)
        # The figures the page and the report take from the summary, not only the text.
        assert [d.average for d in new.days] == [d.average for d in old.days]
        assert [len(d.ratings) for d in new.days] == [len(d.ratings) for d in old.days]
        assert (new.trend, new.adherence, new.effects, new.red_flags, new.helps,
                new.sparkline, new.checkin_due, new.has_care) == (
            old.trend, old.adherence, old.effects, old.red_flags, old.helps,
            old.sparkline, old.checkin_due, old.has_care)
        return text


def seeded_journal(path: Path, seed: int, tz: ZoneInfo) -> datetime:
    """Half a year of irregular records: several lone ratings some days, none on others,
    sessions that end after midnight, ratings on either side of the clock changes and at
    the same moment as a session's own rating, a burst of high ratings in the last days."""
    rng = random.Random(seed)
    now = datetime(2026, 11, 3, 21, 5, tzinfo=UTC)
    sessions: list[Session] = []
    ratings: list[Rating] = []
    start = now - timedelta(days=200)
    for n in range(200):
        day_start = start + timedelta(days=n)
        for _ in range(rng.choice((0, 0, 1, 2, 5, 12))):
            at = day_start + timedelta(minutes=rng.randrange(24 * 60))
            ratings.append(Rating(new_id(), at, rng.randrange(11), None,
                                  rng.choice((None, "Calf stretch"))))
        if rng.random() < 0.6:
            begun = day_start + timedelta(hours=rng.choice((7, 19, 23)), minutes=50)
            ended = begun + timedelta(minutes=rng.choice((5, 25, 70)))
            before = rng.choice((None, rng.randrange(11)))
            after = rng.choice((None, rng.randrange(11)))
            sessions.append(Session(new_id(), rng.choice(("Evening calf relief", "Feet")),
                                    None, begun, ended, "finished", 3, "Rest", 3, before,
                                    after, None))
            if rng.random() < 0.2:
                ratings.append(Rating(new_id(), begun, rng.randrange(11), None, None))
    for k in range(6):
        ratings.append(Rating(new_id(), now - timedelta(hours=3 + k), 9, None, None))
    with Journal.open(path) as journal:
        journal.merge(sessions, ratings)
    return now


@pytest.fixture(params=["kept", "read again"])
def ratings_read_again(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both ways of listing a day's ratings: kept from the first read (a window with few),
    and read again from the journal when the day is listed (a dense window)."""
    if request.param == "read again":
        monkeypatch.setattr(summary_module, "HELD_RATINGS", 0)


@pytest.mark.parametrize("days", [1, 7, 30, 62, 63, 120, 400, 3650])
@pytest.mark.parametrize(("seed", "tz"), [(1, LONDON), (2, KOLKATA), (3, LONDON)])
@pytest.mark.usefixtures("ratings_read_again")
def test_a_seeded_journal_reads_as_it_did(tmp_path: Path, seed: int, tz: ZoneInfo,
                                          days: int) -> None:
    path = tmp_path / "journal.sqlite3"
    now = seeded_journal(path, seed, tz)
    text = same_history(path, now=now, days=days, tz=tz)
    assert text.startswith("History of ")


@pytest.mark.parametrize("days", [30, 90, 365])
@pytest.mark.usefixtures("ratings_read_again")
def test_a_full_care_record_reads_as_it_did(tmp_path: Path, days: int) -> None:
    path = tmp_path / "journal.sqlite3"
    fill_quarter(path)
    text = same_history(path, now=NOW, days=days, tz=LONDON)
    assert "What seems to help, or not:" in text


@pytest.mark.usefixtures("ratings_read_again")
def test_ten_years_read_as_they_did(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    fill_years(path, 10)
    text = same_history(path, now=NOW, days=3650, tz=LONDON)
    assert text.count("  rating ") == 3650


def test_the_days_ratings_can_be_listed_again_and_out_of_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(summary_module, "HELD_RATINGS", 0)
    path = tmp_path / "journal.sqlite3"
    now = seeded_journal(path, 4, LONDON)
    with Journal.open(path, create=False) as journal:
        new = history(journal, now=now, days=120, tz=LONDON)
        old = reference(journal, now=now, days=120, tz=LONDON)
        wanted = [list(d.ratings) for d in old.days]
        assert [list(d.ratings) for d in reversed(new.days)] == wanted[::-1]
        assert [list(d.ratings) for d in new.days] == wanted
        assert [d.ratings[-1] for d in new.days if d.ratings] == [
            d.ratings[-1] for d in old.days if d.ratings]


# --- a dense journal ---------------------------------------------------------------------------

DENSE_DAYS = 1389  # 144 ratings a day (one every ten minutes): 200,016 ratings
DENSE_NOW = datetime(2026, 11, 30, 23, 59, 30, tzinfo=UTC)


def dense_value(n: int) -> int:
    """Day ``n``'s rating: every rating of a day is the same, so its average is known."""
    return 2 + (n * 5) % 7


def dense_journal(path: Path) -> date:
    """Written with SQL (the journal's own checks would take minutes): the first day
    :data:`DENSE_DAYS` days before the last, UTC."""
    Journal.open(path).close()
    last = DENSE_NOW.date()
    first = last - timedelta(days=DENSE_DAYS - 1)
    midnight = datetime(first.year, first.month, first.day, tzinfo=UTC)
    db = sqlite3.connect(path)
    with db:
        db.executemany(
            "INSERT INTO ratings (uuid, at, value) VALUES (?, ?, ?)",
            ((f"r{n}-{k}", to_text(midnight + timedelta(days=n, minutes=10 * k)),
              dense_value(n)) for n in range(DENSE_DAYS) for k in range(144)))
    db.close()
    return first


def test_a_dense_journal_reads_right(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    first = dense_journal(path)
    days = 3650
    with Journal.open(path, create=False) as journal:
        summary = history(journal, now=DENSE_NOW, days=days, tz=UTC)
        assert not isinstance(summary.days[0].ratings, tuple)  # read again, not kept
        assert len(summary.days) == DENSE_DAYS
        assert summary.days[0].day == first
        assert [d.average for d in summary.days] == [dense_value(n) for n in range(DENSE_DAYS)]
        assert {len(d.ratings) for d in summary.days} == {144}
        text = render_history(summary, path)
    assert text.count("  rating ") == DENSE_DAYS * 144
    day_lines = text.split("\n")
    one = day_lines.index(f"{first + timedelta(days=3):%a %Y-%m-%d}")
    assert day_lines[one + 1:one + 3] == [f"  00:00  rating {dense_value(3)}",
                                          f"  00:10  rating {dense_value(3)}"]
    assert day_lines[one + 144] == f"  23:50  rating {dense_value(3)}"
    # Every day rated, none with a routine: the average over all of them, known.
    whole = sum(dense_value(n) for n in range(DENSE_DAYS)) / DENSE_DAYS
    assert summary.adherence.session_days == 0
    assert summary.adherence.average_on_other_days == pytest.approx(whole)
    assert summary.trend.rated_days == DENSE_DAYS
    assert summary.trend.kind == "steady"
    # One mark a week from the window's first day: none before the first rated day, then
    # each week's mean of its days' known values (whole weeks of the cycle average 5).
    offset = (first - summary.first_day).days
    marks = ""
    for week in range(-(-days // 7)):
        values = [dense_value(n) for n in range(week * 7 - offset, week * 7 + 7 - offset)
                  if 0 <= n < DENSE_DAYS]
        marks += spark_mark(sum(values) / len(values) if values else None)
    assert summary.spark_per_week
    assert summary.sparkline == marks
    assert marks.count("▅") > 190


def test_a_bad_time_in_a_dense_read_is_named(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal.open(path) as journal:
        journal.merge([], [Rating("good", NOW - timedelta(hours=2), 4, None, None)])
    db = sqlite3.connect(path)
    with db:
        db.execute("INSERT INTO ratings (uuid, at, value) VALUES "
                   "('odd', '2026-03-32T10:00:00.000000Z', 3)")
    db.close()
    with Journal.open(path, create=False) as journal, pytest.raises(JournalError) as e:
        history(journal, now=NOW, days=30, tz=LONDON)
    assert "holds a rating (id odd) with an impossible time '2026-03-32T10:00:00.000000Z'" in (
        str(e.value))
