"""The one way crampcoach replaces a file a person keeps (files.py): whole or not at all,
the old file's mode kept, a new file's mode as asked."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from crampcoach.errors import ConfigError
from crampcoach.files import write_atomically
from crampcoach.settings_edit import change_settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_replaced_file_keeps_its_mode_and_a_new_one_gets_the_asked_mode(tmp_path: Path) -> None:
    path = tmp_path / "kept.txt"
    write_atomically(path, b"one", mode=0o600)
    assert (path.read_bytes(), _mode(path)) == (b"one", 0o600)
    os.chmod(path, 0o644)
    write_atomically(path, b"two", mode=0o600)
    assert (path.read_bytes(), _mode(path)) == (b"two", 0o644)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt"]


def test_a_failed_check_leaves_the_file_and_no_draft(tmp_path: Path) -> None:
    path = tmp_path / "kept.txt"
    path.write_bytes(b"old")

    def refuse(draft: Path) -> None:
        assert draft.read_bytes() == b"new"
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        write_atomically(path, b"new", check=refuse)
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt"]


def test_saving_settings_keeps_the_files_mode(tmp_path: Path) -> None:
    settings = tmp_path / "settings.yaml"
    settings.write_text("volume: 0.5\n")
    os.chmod(settings, 0o644)
    change_settings(settings, {"volume": "0.75"})
    assert _mode(settings) == 0o644
    assert "volume: 0.75" in settings.read_text()


def test_the_button_routine_must_be_a_routine_that_exists(tmp_path: Path) -> None:
    settings = tmp_path / "settings.yaml"
    settings.write_text("volume: 0.5\n")
    with pytest.raises(ConfigError) as caught:
        change_settings(settings, {"default_routine": "../../../../etc/passwd"},
                        routines=["cramp-rescue", "box-breathing"])
    assert str(caught.value) == (f"{settings}: default_routine: there is no routine called "
                                 "'../../../../etc/passwd'")
    assert settings.read_text() == "volume: 0.5\n"
    change_settings(settings, {"default_routine": "cramp-rescue"},
                    routines=["cramp-rescue", "box-breathing"])
    assert "default_routine: cramp-rescue" in settings.read_text()
