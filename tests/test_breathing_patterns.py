"""Named breathing patterns: `pattern: box`, `4-7-8` and `resonance` as shorthands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.cli import cli
from crampcoach.routines.compiler import compile_routine
from crampcoach.routines.kinds.breathe import NAMED_PATTERNS
from crampcoach.routines.loader import load_routine
from crampcoach.routines.timeline import Voice
from support.fakes import FakeSpeech

DOCS = Path(__file__).parents[1] / "docs" / "routine-format.md"

STEP = "name: Breathing\nsteps:\n  - breathe: Slow breathing\n    pattern: {pattern}\n" \
       "    cycles: 2\n"


def write(tmp_path: Path, pattern: str, name: str = "r.yaml") -> Path:
    path = tmp_path / name
    path.write_text(STEP.format(pattern=pattern))
    return path


@pytest.mark.parametrize(("name", "written_out"), [
    ("box", "{in: 4, hold: 4, out: 4, hold_out: 4}"),
    ("4-7-8", "{in: 4, hold: 7, out: 8}"),
    ("resonance", "{in: 5.5, out: 5.5}"),
    ("Box", "{in: 4, hold: 4, out: 4, hold_out: 4}"),
])
def test_a_named_pattern_plays_like_its_seconds_written_out(
        tmp_path: Path, name: str, written_out: str) -> None:
    result = CliRunner().invoke(cli, ["check", str(write(tmp_path, name))])
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, f"{tmp_path / 'r.yaml'}: ok\n", "")
    named = load_routine(str(write(tmp_path, name, "named.yaml")))
    spelled = load_routine(str(write(tmp_path, written_out, "spelled.yaml")))
    speech, voice = FakeSpeech(), Voice()
    assert (compile_routine(named, speech, voice).to_json()["cues"]
            == compile_routine(spelled, speech, voice).to_json()["cues"])


@pytest.mark.parametrize(("pattern", "hint"), [
    ("boxx", "; did you mean 'box'?"),
    ("4-7-9", "; did you mean '4-7-8'?"),
    ("calm", ""),
    ("[4, 4]", ""),
])
def test_an_unknown_name_lists_the_names(tmp_path: Path, pattern: str, hint: str) -> None:
    path = write(tmp_path, pattern)
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"{path}:4: step 1: pattern must be one of box, 4-7-8, resonance, or the seconds of "
        f"each phase like {{in: 4, out: 6}}{hint}\n")


def test_the_docs_list_every_named_pattern_with_its_seconds() -> None:
    text = DOCS.read_text()
    for name, phases in NAMED_PATTERNS.items():
        spelled = ", ".join(f"{key}: {seconds:g}" for key, seconds in phases.items())
        assert re.search(rf"^\| `{re.escape(name)}` \| `\{{{re.escape(spelled)}\}}` \|$",
                         text, re.MULTILINE), name
