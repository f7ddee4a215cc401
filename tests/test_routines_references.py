"""Routine references a person can mistype: one line each, exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.cli import cli

LONG = "a" * 300  # longer than any file name may be (255 bytes)


def _check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


def test_a_name_longer_than_a_file_name_can_be() -> None:
    assert _check(LONG) == (2, f"{LONG}: no such file or built-in routine "
                               "(crampcoach list shows them)\n")


def test_an_include_of_a_name_longer_than_a_file_name_can_be(tmp_path: Path) -> None:
    routine = tmp_path / "long-include.yaml"
    routine.write_text(f"name: Long include\nsteps:\n  - include: {LONG}\n")
    assert _check(str(routine)) == (
        2, f"{routine}:3: step 1: cannot include '{LONG}': no such file or built-in routine "
           "(crampcoach list shows them)\n")


@pytest.mark.parametrize("command", [["plan"], ["schedule", "add", "--at", "21:30", "--dry-run"]])
def test_other_commands_with_such_a_name(command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, LONG])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2
    assert result.stderr == (f"{LONG}: no such file or built-in routine "
                             "(crampcoach list shows them)\n")


def test_an_endless_device_is_refused_before_it_is_read(tmp_path: Path) -> None:
    # st_size of a device is 0 and it never ends: only regular files are read at all.
    not_regular = "is not a regular file (a device, FIFO or socket), not a routine file"
    assert _check("/dev/zero") == (2, f"/dev/zero: {not_regular}\n")
    routine = tmp_path / "include-zero.yaml"
    routine.write_text("name: Includes a device\nsteps:\n  - include: /dev/zero\n")
    assert _check(str(routine)) == (
        2, f"{routine}:3: step 1: cannot include '/dev/zero': {not_regular}\n")


def test_a_dangling_link_or_folder_in_my_routines_names_what_is_wrong(tmp_path: Path) -> None:
    from crampcoach.errors import RoutineError
    from crampcoach.routines import library
    from crampcoach.routines.loader import load_routine

    mine = tmp_path / "routines"
    mine.mkdir()
    (mine / "gone.yaml").symlink_to(tmp_path / "moved-away.yaml")
    (mine / "folder.yaml").mkdir()
    # `crampcoach list` shows both names; playing or checking one must say what is wrong
    # with the file, not suggest the very name that was typed.
    assert library.user_names([mine]) == ["folder", "gone"]
    with pytest.raises(RoutineError) as caught:
        load_routine("gone", user_dirs=[mine])
    assert str(caught.value.problems[0]) == f"{mine / 'gone.yaml'}: no such file"
    with pytest.raises(RoutineError) as caught:
        load_routine("folder", user_dirs=[mine])
    assert str(caught.value.problems[0]) == (
        f"{mine / 'folder.yaml'}: is a directory, not a routine file")


def test_include_depth_message_agrees_with_the_documented_15_levels(tmp_path: Path) -> None:
    for i in range(17):
        (tmp_path / f"level{i}.yaml").write_text(
            f"name: Level {i}\nsteps:\n  - include: ./level{i + 1}.yaml\n")
    (tmp_path / "level17.yaml").write_text("name: Last\nsteps:\n  - say: Hello.\n")
    # level2 -> level17 is 15 levels of includes, which docs/routine-format.md allows.
    code, err = _check(str(tmp_path / "level2.yaml"))
    assert code == 0, err
    # Named at the line the person checking can change, and where it really is.
    assert _check(str(tmp_path / "level0.yaml")) == (
        2, f"{tmp_path / 'level0.yaml'}:3: in included './level1.yaml': "
           f"{tmp_path / 'level15.yaml'}:3: step 1: includes nested more than 15 deep\n")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_routine_saved_as_utf16_says_so(tmp_path: Path, encoding: str) -> None:
    # Windows Notepad's "Unicode" is UTF-16; its NUL bytes made this 'a binary file'.
    routine = tmp_path / "notepad.yaml"
    text = "name: Saved in Notepad\nsteps:\n  - say: Hello.\n"
    routine.write_bytes(("\ufeff" + text).encode(encoding) if encoding != "utf-16"
                        else text.encode(encoding))
    assert _check(str(routine)) == (
        2, f"{routine}: is saved as UTF-16 or UTF-32 text; save it as UTF-8\n")
