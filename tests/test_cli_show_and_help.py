"""Built-ins can be copied out, and what a message sends a person to read is installed."""

from __future__ import annotations

import ast
from pathlib import Path

from click.testing import CliRunner

from crampcoach.cli import cli
from crampcoach.journal.store import APPLICATION_ID, SCHEMA_VERSION
from crampcoach.routines.library import BUILTIN_DIR

SRC = Path(__file__).parent.parent / "src" / "crampcoach"


def test_show_prints_a_builtin_routine_as_it_is_shipped() -> None:
    result = CliRunner().invoke(cli, ["show", "box-breathing"])
    assert result.exit_code == 0
    assert result.stdout == (BUILTIN_DIR / "box-breathing.yaml").read_text()


def test_show_of_an_unknown_routine_is_one_line() -> None:
    result = CliRunner().invoke(cli, ["show", "box-breathin"])
    assert result.exit_code != 0
    assert result.output == (
        "box-breathin: no such file or built-in routine; did you mean 'box-breathing'? "
        "(crampcoach list shows them)\n"
    )


def test_show_escapes_control_characters(tmp_path: Path) -> None:
    routine = tmp_path / "odd.yaml"
    routine.write_text("name: odd\x1b]0;title\x07\nsteps:\n  - rest: 5s\n")
    result = CliRunner().invoke(cli, ["show", str(routine)])
    assert result.exit_code == 0
    assert result.stdout == "name: odd\\x1b]0;title\\x07\nsteps:\n  - rest: 5s\n"


def test_help_lists_the_topics() -> None:
    result = CliRunner().invoke(cli, ["help"])
    assert result.exit_code == 0
    assert result.stdout == (
        "damaged-journal     What to do when crampcoach says the journal is damaged.\n"
        "voices              Voices: the standard voice (espeak-ng) and a natural one (Piper), "
        "and how to get one.\n"
    )


def test_the_damaged_journal_topic_carries_the_journals_own_version() -> None:
    result = CliRunner().invoke(cli, ["help", "damaged-journal"])
    assert result.exit_code == 0
    assert (
        f'"PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION};"'
        in result.stdout
    )
    assert "$" not in result.stdout


def test_an_unknown_topic_is_one_line() -> None:
    result = CliRunner().invoke(cli, ["help", "damaged-jornal"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: no help topic 'damaged-jornal'; did you mean 'damaged-journal'? "
        "(crampcoach help lists them)\n"
    )


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def test_no_message_sends_an_installed_user_to_the_source_tree() -> None:
    # docs/ is not installed with the package: a message may name a help topic, not a doc.
    for module in SRC.rglob("*.py"):
        tree = ast.parse(module.read_text())
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in docstrings):
                assert "docs/" not in node.value, f"{module}:{node.lineno}: {node.value!r}"
