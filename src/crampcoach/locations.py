"""Where crampcoach keeps its files (XDG base directories). The one place defaults live."""

from __future__ import annotations

import os
from pathlib import Path

APP = "crampcoach"


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var, "")
    # The XDG spec says relative paths are invalid and must be ignored.
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / fallback


def expand_user(path: Path) -> Path:
    """``path`` with a leading ``~`` or ``~user`` expanded.

    Raises LookupError with a one-line reason when there is no such user or home folder
    (``Path.expanduser`` raises RuntimeError for that).
    """
    try:
        return path.expanduser()
    except RuntimeError:
        head = str(path).split("/", 1)[0]
        raise LookupError(f"'{head}' names the home folder of a user who does not exist"
                          ) from None


def config_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / APP


def cache_dir() -> Path:
    return _xdg("XDG_CACHE_HOME", ".cache") / APP


def data_dir() -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share") / APP


def speech_cache_dir() -> Path:
    return cache_dir() / "speech"


def piper_voices_dir() -> Path:
    """Where Piper voice files (``NAME.onnx`` with ``NAME.onnx.json``) are looked for."""
    return data_dir() / "voices"


def journal_path() -> Path:
    return data_dir() / "journal.sqlite3"


def user_routines_dir() -> Path:
    return config_dir() / "routines"


def web_password_path() -> Path:
    """The companion page's password, hashed (``crampcoach bedside password``)."""
    return config_dir() / "web-password"


def config_path() -> Path:
    return config_dir() / "config.yaml"
