"""`plan --json` counts steps as the screen does (from 1) beside the index (from 0)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from crampcoach.cli import cli

ROUTINE = """\
name: Two steps
steps:
  - say: Sit on the edge of the bed.
  - rest: 3
  - stretch: Calf stretch
    cue: Draw your toes toward you.
    hold: 5s
"""
DOCS = Path(__file__).parents[1] / "docs" / "routine-format.md"


def test_the_json_step_number_is_the_one_on_screen(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(ROUTINE)
    shown = CliRunner().invoke(cli, ["plan", str(path)])
    as_json = CliRunner().invoke(cli, ["plan", str(path), "--json"])
    assert shown.exit_code == as_json.exit_code == 0
    plan = json.loads(as_json.stdout)
    rows = [re.match(r"\s*(\d\d:\d\d)\s+(\d+)\s+(.*)$", line)
            for line in shown.stdout.splitlines()[2:-1]]
    on_screen = [int(row.group(2)) for row in rows if row]
    assert on_screen == [cue["step_number"] for cue in plan["cues"]]
    assert [cue["step"] + 1 for cue in plan["cues"]] == on_screen
    assert sorted(set(on_screen)) == [1, 3]
    assert [(s["index"], s["number"], s["kind"]) for s in plan["steps"]] == [
        (0, 1, "say"), (1, 2, "rest"), (2, 3, "stretch")]


def test_the_docs_say_which_count_starts_where() -> None:
    text = " ".join(DOCS.read_text().split())
    assert ('`step` and `index` from 0, for programs; `step_number` and `number` from 1, as '
            '`plan`, the player and `history` show them') in text
