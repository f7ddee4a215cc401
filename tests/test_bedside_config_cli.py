from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.cli import cli
from crampcoach.settings import EXAMPLE
from support.bedside import bedside_home_fixture  # noqa: F401  (the fixture "bedside_home")


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_config_with_no_file_shows_the_defaults(bedside_home: Path) -> None:
    code, out, err = _run("config")
    assert (code, err) == (0, "")
    path = bedside_home / ".config/crampcoach/config.yaml"
    lines = out.splitlines()
    assert lines[0] == (
        f"Settings file: {path}  (not there: defaults apply; "
        "'crampcoach config init' writes one)"
    )
    assert "  volume              0.8  [default]" in lines
    assert "  night.start         22:00  [default]" in lines
    assert "  keys.pause          space, b  [default]" in lines
    assert "  red_flag_threshold  8  [default]" in lines
    assert (f"  journal             {bedside_home}/.local/share/crampcoach/journal.sqlite3"
            "  [default]") in lines


def test_config_init_writes_an_example_that_config_then_reads(bedside_home: Path) -> None:
    path = bedside_home / ".config/crampcoach/config.yaml"
    code, out, err = _run("config", "init")
    assert (code, err) == (0, "")
    assert out == f"Wrote {path}. Edit it, then check it with: crampcoach config\n"
    assert path.read_text() == EXAMPLE
    code, out, err = _run("config")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"Settings file: {path}"
    assert f"  volume              0.8  [{path}:9]" in out.splitlines()


def test_config_init_refuses_to_overwrite_without_force(bedside_home: Path) -> None:
    path = bedside_home / ".config/crampcoach/config.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("volume: 0.2\n")
    code, out, err = _run("config", "init")
    assert (code, out) == (2, "")
    assert err == f"{path}: already exists; use --force to replace it with the example\n"
    assert path.read_text() == "volume: 0.2\n"
    code, _, _ = _run("config", "init", "--force")
    assert code == 0
    assert path.read_text() == EXAMPLE


def test_config_shows_where_values_came_from(bedside_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "bedroom.yaml"
    path.write_text("# quiet room\nvolume: 0.4\nnight: off\n")
    code, out, err = _run("config", "--config", str(path), env={"CRAMPCOACH_RATE": "125"})
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"Settings file: {path}"
    assert f"  volume              0.4  [{path}:2]" in lines
    assert f"  night               off  [{path}:3]" in lines
    assert "  rate                125 words per minute  [env CRAMPCOACH_RATE]" in lines


@pytest.mark.usefixtures("bedside_home")
def test_a_bad_settings_file_exits_2_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("volme: 0.4\nnight:\n  start: 10pm\n")
    code, out, err = _run("config", "--config", str(path))
    assert (code, out) == (2, "")
    assert err == (
        f"{path}:1: settings: unknown key 'volme'; did you mean 'volume'?\n"
        f"{path}:3: night.start must be a time of day like 22:00, not '10pm'\n"
    )


def test_config_init_honours_crampcoach_config(bedside_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "elsewhere" / "c.yaml"
    code, _, _ = _run("config", "init", env={"CRAMPCOACH_CONFIG": str(path)})
    assert code == 0
    assert path.read_text() == EXAMPLE
    assert not (bedside_home / ".config/crampcoach/config.yaml").exists()
