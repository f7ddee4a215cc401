"""The built-in routines shipped as package data, and the user's own routines folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from crampcoach import locations

BUILTIN_DIR = Path(__file__).parent / "builtin"
DEFAULT_ROUTINE = "evening-calf-relief"


def default_user_dirs() -> list[Path]:
    return [locations.user_routines_dir()]


def _names_in(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))


def builtin_names(builtin_dirs: Sequence[Path] | None = None) -> list[str]:
    dirs = [BUILTIN_DIR] if builtin_dirs is None else builtin_dirs
    return sorted({n for d in dirs for n in _names_in(d)})


def routine_names(*, builtin_dirs: Sequence[Path] | None = None,
                  user_dirs: Sequence[Path] | None = None) -> list[str]:
    """Every routine name that can be played, user routines and built-ins together."""
    users = default_user_dirs() if user_dirs is None else user_dirs
    return sorted({*builtin_names(builtin_dirs), *(n for d in users for n in _names_in(d))})


def user_names(user_dirs: Sequence[Path] | None = None) -> list[str]:
    users = default_user_dirs() if user_dirs is None else user_dirs
    return sorted({n for d in users for n in _names_in(d)})


def shown_name(path: Path, name: str, builtin_dirs: Sequence[Path]) -> str:
    """How a routine found by name appears in messages: ``builtin:NAME.yaml`` or its path."""
    if any(path.parent == d for d in builtin_dirs):
        return f"builtin:{path.name}"
    return str(path)
