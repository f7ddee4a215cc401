"""The bedside service's settings: what the button and keypad keys start, and which keypad;
bad values named FILE:LINE; routines that cannot be loaded named at their setting's line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.bedside.service import check_routines
from crampcoach.cli import cli
from crampcoach.errors import ConfigError
from crampcoach.settings import (
    BEDSIDE_START_KEYS,
    EXAMPLE,
    BedsideSettings,
    Settings,
    describe,
    load_settings,
)


def _load(tmp_path: Path, text: str) -> tuple[Settings, dict[str, str]]:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, environ={})


def _problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    prefix = str(tmp_path / "config.yaml")
    return [str(p).replace(prefix, "F") for p in caught.value.problems]


def test_the_defaults_start_the_rescue_routine() -> None:
    bedside = Settings().bedside
    assert bedside.routine == "cramp-rescue"
    assert bedside.keypad == "auto"
    assert bedside.start_keys == BEDSIDE_START_KEYS == (("1", "cramp-rescue"),
                                                       ("2", "twitch-wind-down"))
    assert bedside.routines() == ["cramp-rescue", "twitch-wind-down"]


def test_every_bedside_key_read_from_a_file(tmp_path: Path) -> None:
    settings, sources = _load(tmp_path, """\
bedside:
  routine: feet-and-toes
  keypad: /dev/input/by-id/usb-Presenter-event-kbd
  start_keys:
    1: cramp-rescue
    "2": box-breathing
    pagedown: warm-compress
""")
    assert settings.bedside == BedsideSettings(
        routine="feet-and-toes", keypad="/dev/input/by-id/usb-Presenter-event-kbd",
        start_keys=(("1", "cramp-rescue"), ("2", "box-breathing"),
                    ("pagedown", "warm-compress")))
    f = tmp_path / "config.yaml"
    assert sources["bedside.routine"] == f"{f}:2"
    assert sources["bedside.start_keys.pagedown"] == f"{f}:7"
    assert describe(settings)["bedside.start_keys"] == (
        "1 = cramp-rescue, 2 = box-breathing, pagedown = warm-compress")


@pytest.mark.parametrize(("text", "keypad"), [
    ("bedside:\n  keypad: off\n", "off"),
    ("bedside:\n  keypad:\n", "off"),
    ("bedside:\n  keypad: AUTO\n", "auto"),
])
def test_keypad_off_and_auto(tmp_path: Path, text: str, keypad: str) -> None:
    assert _load(tmp_path, text)[0].bedside.keypad == keypad


def test_no_start_keys_at_all(tmp_path: Path) -> None:
    assert _load(tmp_path, "bedside:\n  start_keys:\n")[0].bedside.start_keys == ()


@pytest.mark.parametrize(("text", "expected"), [
    ("bedside: rescue\n", ["F:1: bedside must be a mapping (routine, keypad, start_keys)"]),
    ("bedside:\n  routin: x\n", ["F:2: bedside: unknown key 'routin'; did you mean 'routine'?"]),
    ("bedside:\n  routine: ''\n", ["F:2: bedside.routine must not be empty"]),
    ("bedside:\n  routine: \"\\e[2J\"\n",
     ["F:2: bedside.routine must not contain control characters, not '\\x1b[2J'"]),
    ("bedside:\n  keypad: /tmp/keys\n",
     ["F:2: bedside.keypad must be auto, off, or a device under /dev/input/ (like "
      "/dev/input/by-id/usb-...-event-kbd), not '/tmp/keys'"]),
    ("bedside:\n  keypad: /dev/input/../../etc/passwd\n",
     ["F:2: bedside.keypad must be auto, off, or a device under /dev/input/ (like "
      "/dev/input/by-id/usb-...-event-kbd), not '/dev/input/../../etc/passwd'"]),
    ("bedside:\n  start_keys: [1, 2]\n",
     ['F:2: bedside.start_keys must be a mapping of keys to routines, like "1": cramp-rescue']),
    ("bedside:\n  start_keys:\n    1: a\n    '1': b\n",
     ["F:4: bedside.start_keys: '1' is given twice (first at line 3)"]),
    ("bedside:\n  start_keys:\n    pagedwn: a\n",
     ["F:3: bedside.start_keys: the key must be one character or one of backspace, down, "
      "end, enter, escape, home, left, pagedown, pageup, right, space, tab, up, not "
      "'pagedwn'; did you mean 'pagedown'?"]),
    ("bedside:\n  start_keys:\n    '3': [a, b]\n",
     ["F:3: bedside.start_keys.3 must be a single value, not a list or mapping"]),
])
def test_bad_bedside_values_are_named_with_their_line(tmp_path: Path, text: str,
                                                      expected: list[str]) -> None:
    assert _problems(tmp_path, text) == expected


def test_too_many_start_keys(tmp_path: Path) -> None:
    keys = "".join(f"    k{n}: x\n" for n in range(21))
    assert _problems(tmp_path, "bedside:\n  start_keys:\n" + keys) == [
        "F:3: bedside.start_keys has 21 keys; at most 20"]


def test_the_example_sets_the_bedside_defaults(tmp_path: Path) -> None:
    settings, _ = _load(tmp_path, EXAMPLE)
    assert settings.bedside == BedsideSettings()


def test_routines_that_cannot_be_loaded_are_named_at_their_setting(tmp_path: Path) -> None:
    settings, sources = _load(tmp_path, """\
bedside:
  routine: cramp-rescue
  start_keys:
    "1": cramp-rescu
    "2": box-breathing
""")
    f = tmp_path / "config.yaml"
    assert [str(p) for p in check_routines(settings, sources)] == [
        f"{f}:4: bedside.start_keys.1: cramp-rescu: no such file or built-in routine; "
        "did you mean 'cramp-rescue'? (crampcoach list shows them)"]


def test_config_shows_the_bedside_settings(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("bedside:\n  keypad: off\n")
    result = CliRunner().invoke(cli, ["config", "--config", str(path)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "  bedside.routine     cramp-rescue  [default]" in lines
    assert f"  bedside.keypad      off  [{path}:2]" in lines
    assert ("  bedside.start_keys  1 = cramp-rescue, 2 = twitch-wind-down  [default]"
            in lines)
