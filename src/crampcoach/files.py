"""Replacing a file whole or not at all: the one way crampcoach writes a file a person keeps.

A draft is written beside the file, flushed to the disk, given its mode and renamed over
the file in one step, and the folder's entry is flushed too; a power cut leaves the old
file or the new one, never half of one. Replacing a file keeps its mode (a settings file
the person made readable to others stays so); a new file gets the mode asked for.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO


def _flush_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # some file systems cannot open a folder to flush it
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _mode_for(path: Path, new_mode: int) -> int:
    try:
        info = os.stat(path)
    except OSError:
        return new_mode
    return stat.S_IMODE(info.st_mode) if stat.S_ISREG(info.st_mode) else new_mode


@contextlib.contextmanager
def _draft(path: Path, mode: int, make_folder: bool = True
           ) -> Iterator[tuple[BinaryIO, Path]]:
    folder = path.parent if str(path.parent) else Path(".")
    if make_folder:
        folder.mkdir(parents=True, exist_ok=True)
    draft = folder / f".{path.name}.{secrets.token_hex(4)}.draft"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f, draft
            f.flush()
            os.fsync(f.fileno())
            os.fchmod(f.fileno(), _mode_for(path, mode))
        os.replace(draft, path)
    finally:
        draft.unlink(missing_ok=True)
    _flush_folder(folder)


@contextlib.contextmanager
def atomic_file(path: Path, *, mode: int = 0o644, make_folder: bool = True
                ) -> Iterator[BinaryIO]:
    """A draft to write ``path``'s new content into; when the ``with`` block ends without
    an error it replaces ``path`` (see the module). On an error the draft is removed and
    ``path`` is untouched. ``make_folder``: make ``path``'s folder when it is missing.
    Raises OSError (the caller says it in its own words)."""
    with _draft(path, mode, make_folder) as (f, _):
        yield f


def write_atomically(path: Path, data: bytes, *, mode: int = 0o644,
                     check: Callable[[Path], object] | None = None) -> None:
    """Replace ``path`` with ``data`` whole or not at all. ``check`` is called with the
    draft's path once it is written, before it replaces ``path``: an error it raises
    leaves ``path`` untouched (the settings editor checks the whole new file this way)."""
    with _draft(path, mode) as (f, draft):
        f.write(data)
        if check is not None:
            f.flush()
            check(draft)
