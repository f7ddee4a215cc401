"""One data file per failure mode: each tests/data/routines/bad-*.yaml names the errors a
person must see in its own '# error: LINE: message' comment lines (LINE 0: the whole file)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.cli import cli
from crampcoach.errors import RoutineError
from crampcoach.routines.compiler import EstimatedSpeechMeter, compile_routine
from crampcoach.routines.loader import load_routine
from crampcoach.routines.timeline import Voice

DATA = Path(__file__).parent / "data" / "routines"
BAD = sorted(DATA.glob("bad-*.yaml"))
EXPECT = re.compile(r"^# error: (\d+): (.*)$", re.MULTILINE)


def expected_lines(path: Path) -> list[str]:
    shown = str(path)
    out = []
    for line, message in EXPECT.findall(path.read_text()):
        out.append(f"{shown}:{line}: {message}" if line != "0" else f"{shown}: {message}")
    return out


def test_there_are_failure_cases() -> None:
    assert len(BAD) >= 20
    for path in BAD:
        assert expected_lines(path), f"{path.name} has no '# error:' line"


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_routine_reports_exact_errors(path: Path) -> None:
    def load_and_compile() -> None:
        routine = load_routine(str(path))
        # Overruns are found by the compiler; the estimate meter keeps lengths fixed here.
        compile_routine(routine, EstimatedSpeechMeter(), Voice())

    with pytest.raises(RoutineError) as caught:
        load_and_compile()
    assert [str(p) for p in caught.value.problems] == expected_lines(path)


@pytest.mark.parametrize("name", ["bad-unknown-key", "bad-alias", "bad-many"])
def test_check_command_prints_errors_and_exits_2(name: str) -> None:
    path = DATA / f"{name}.yaml"
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 2
    assert result.stderr == "".join(f"{line}\n" for line in expected_lines(path))
    assert result.stdout == ""


def _check(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stderr


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert _check(path) == (2, f"{path}: no such file\n")


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    assert _check(folder) == (2, f"{folder}: is a directory, not a routine file\n")


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    assert _check(path) == (2, f"{path}: is a binary file, not a YAML routine\n")


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"name: Caf\xe9\nsteps:\n  - say: Bonjour \xe0 vous.\n")
    assert _check(path) == (2, f"{path}:1: is not UTF-8 text\n")


def test_huge_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("name: Huge\nsteps:\n" + "  - rest: 1\n" * 100_000)
    size = path.stat().st_size
    assert size > 1_000_000
    code, err = _check(path)
    assert code == 2
    assert err == f"{path}: is {size:,} bytes; routine files are limited to 1,000,000 bytes\n"


def test_deep_nesting(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("name: Deep\nsteps: " + "[" * 5000 + "]" * 5000 + "\n")
    assert _check(path) == (2, f"{path}:2: not valid YAML: nested more than 32 levels deep\n")


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\nname: x\nsteps: *a8\n")
    assert _check(path) == (
        2, f"{path}:1: not valid YAML: YAML anchors and aliases are not allowed in routines\n")


def test_every_file_is_checked_and_the_good_one_is_ok(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("name: Good\nsteps:\n  - say: Hello.\n")
    bad = DATA / "bad-zero-hold.yaml"
    result = CliRunner().invoke(cli, ["check", str(good), str(bad)])
    assert result.exit_code == 2
    assert result.stdout == f"{good}: ok\n"
    assert result.stderr == f"{bad}:6: step 1: hold must be longer than 0 seconds\n"


def test_unknown_builtin_name_suggests_one() -> None:
    result = CliRunner().invoke(cli, ["plan", "box-breathin"])
    assert result.exit_code == 2
    assert result.stderr == ("box-breathin: no such file or built-in routine; did you mean "
                             "'box-breathing'? (crampcoach list shows them)\n")
