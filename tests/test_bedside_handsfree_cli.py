from __future__ import annotations

import glob
import shutil
import sys

import pytest
from click.testing import CliRunner

from crampcoach.cli import cli
from crampcoach.inputs.spoken import PROMPT


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.skipif(bool(glob.glob("/dev/gpiochip*")), reason="this machine has real GPIO")
def test_button_check_without_gpio_says_why() -> None:
    pytest.importorskip("gpiozero", reason="gpiozero (crampcoach[pi]) is not installed")
    code, out, err = _run("hands-free", "button", "--pin", "27")
    assert (code, out) == (1, "")
    assert err == ("Error: The GPIO button on GPIO27 cannot be used "
                   "(Unable to load any default pin factory!).\n")


def test_button_check_without_gpiozero_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "gpiozero", None)
    code, out, err = _run("hands-free", "button")
    assert (code, out) == (1, "")
    assert err == ("Error: The GPIO button needs gpiozero, which is not installed "
                   "(pip install 'crampcoach[pi]').\n")


@pytest.mark.skipif(shutil.which("arecord") is None, reason="arecord (alsa-utils) is missing")
def test_voice_check_with_a_missing_microphone_says_which() -> None:
    pytest.importorskip("pocketsphinx", reason="pocketsphinx (crampcoach[voice]) is not installed")
    code, out, err = _run("hands-free", "voice", "--microphone", "crampcoach_no_such_device")
    assert code == 1
    assert out == f"  \u201c{PROMPT}\u201d\n"
    assert err.startswith("Error: The microphone 'crampcoach_no_such_device' cannot be used (")
    assert err.endswith(").\n")
    assert len(err.splitlines()) == 1
