"""The inputs package: one key table, imports one way, the player sees only the protocol."""

from __future__ import annotations

import ast
from pathlib import Path

import crampcoach
from crampcoach.inputs.keys import EVDEV_NAMES, NAMED_KEYS, TERMINAL_SEQUENCES, TERMINAL_SINGLE

PACKAGE = Path(crampcoach.__file__).parent


def _imports(path: Path) -> set[str]:
    """Every crampcoach module ``path`` imports, also inside functions (lazy imports)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("crampcoach")}


def test_no_input_imports_the_player_or_the_service() -> None:
    for path in sorted((PACKAGE / "inputs").glob("*.py")):
        outside = {name for name in _imports(path)
                   if name.startswith(("crampcoach.player", "crampcoach.bedside",
                                       "crampcoach.session"))}
        assert outside == set(), path.name


def test_protocol_and_key_table_import_no_input() -> None:
    for name in ("protocol.py", "keys.py"):
        inputs = {m for m in _imports(PACKAGE / "inputs" / name)
                  if m.startswith("crampcoach.inputs")}
        assert inputs == set(), name


def test_the_player_sees_only_the_protocol_and_the_key_table() -> None:
    allowed = {"crampcoach.inputs", "crampcoach.inputs.protocol", "crampcoach.inputs.keys"}
    for path in sorted((PACKAGE / "player").glob("*.py")):
        used = {m.rsplit(".", 1)[0] if m.count(".") > 2 else m
                for m in _imports(path) if m.startswith("crampcoach.inputs")}
        assert used <= allowed, path.name


def test_the_old_homes_are_gone() -> None:
    for old in ("handsfree.py", "voice_rating.py", "player/button.py", "player/keys.py",
                "player/controls.py", "bedside/keypad.py"):
        assert not (PACKAGE / old).exists(), old


def test_every_input_spells_keys_from_the_one_table() -> None:
    names = [*TERMINAL_SEQUENCES.values(), *TERMINAL_SINGLE.values(), *EVDEV_NAMES.values()]
    assert [n for n in names if len(n) != 1 and n not in NAMED_KEYS] == []
    # Every named key can be typed on a terminal or a keypad.
    typable = {*TERMINAL_SEQUENCES.values(), *TERMINAL_SINGLE.values(), *EVDEV_NAMES.values()}
    assert NAMED_KEYS - typable == set()
