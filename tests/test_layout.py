"""The tree is as the README describes it: every package and top-level module of the
library named in its Layout section, tests named by feature, shared helpers in support."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "src" / "crampcoach"


def _layout() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme[readme.index("## Layout"):]


def test_every_package_is_in_the_layout() -> None:
    layout = _layout()
    for folder in sorted(p for p in PACKAGE.iterdir() if (p / "__init__.py").exists()):
        assert f"  {folder.name}/" in layout, folder.name
    assert "  routines/kinds/" in layout


def test_test_files_are_named_by_feature_not_by_round() -> None:
    rounds = [p.name for p in (ROOT / "tests").glob("test_*.py")
              if re.match(r"test_(qa\d*|wiring)_", p.name)]
    assert rounds == []
    assert not list((ROOT / "tests").glob("conftest_*.py"))
    assert not (PACKAGE / "audio" / "fakes.py").exists()
