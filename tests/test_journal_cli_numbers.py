"""Journal commands given numbers no person means: a usage error, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.cli import cli


@pytest.mark.parametrize("days", ["800000", "99999999999"])
def test_export_days_beyond_the_calendar(tmp_path: Path, days: str) -> None:
    journal = tmp_path / "journal.sqlite3"
    result = CliRunner().invoke(cli, ["history", "export", "--days", days,
                                      "--journal", str(journal)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '--days': {days} is not in the range 1<=x<=36600.")
