"""The person's own routines, found by name like the built-in ones.

They live in ``~/.config/crampcoach/routines/`` (``$XDG_CONFIG_HOME`` honoured) as
``NAME.yaml`` or ``NAME.yml``. A user routine with a built-in's name wins over the built-in;
the routine loader asks :func:`find_user_routine` before its own library.
"""

from __future__ import annotations

from pathlib import Path

from crampcoach import locations

SUFFIXES = (".yaml", ".yml")


def user_routine_dirs() -> list[Path]:
    """Folders searched for the person's routines, first match wins."""
    return [locations.user_routines_dir()]


def _plain_name(name: str) -> bool:
    # A name is a file stem, never a path: "../x" or "a/b" must not escape the folder.
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(".")


def find_user_routine(name: str, dirs: list[Path] | None = None) -> Path | None:
    """The file of the person's routine called ``name``, or None when there is none."""
    if not _plain_name(name):
        return None
    for folder in dirs if dirs is not None else user_routine_dirs():
        for suffix in SUFFIXES:
            candidate = folder / f"{name}{suffix}"
            if candidate.is_file():
                return candidate
    return None


def user_routines(dirs: list[Path] | None = None) -> dict[str, Path]:
    """Every routine of the person's by name (for ``crampcoach list``), first folder wins."""
    found: dict[str, Path] = {}
    for folder in dirs if dirs is not None else user_routine_dirs():
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix in SUFFIXES and path.is_file() and _plain_name(path.stem):
                found.setdefault(path.stem, path)
    return found
