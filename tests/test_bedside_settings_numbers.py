"""Settings files with numbers no person meant: one line each, exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.cli import cli


def test_whole_numbers_of_thousands_of_digits(tmp_path: Path) -> None:
    settings = tmp_path / "config.yaml"
    settings.write_text(f"rate: {'9' * 5000}\nbutton_pin: {'1' * 5000}\n"
                        f"night:\n  rate: {'9' * 400}\n")
    result = CliRunner().invoke(cli, ["config", "--config", str(settings)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2
    assert result.stderr == (
        f"{settings}:1: rate must be between 80 and 300 words per minute, "
        "not a 5000-digit number\n"
        f"{settings}:2: button_pin must be between 0 and 27, not a 5000-digit number\n"
        f"{settings}:4: night.rate must be between 80 and 300 words per minute, "
        "not a 400-digit number\n"
    )


def test_an_endless_device_as_the_settings_file() -> None:
    result = CliRunner().invoke(cli, ["config", "--config", "/dev/zero"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert (result.exit_code, result.stderr) == (
        2, "/dev/zero: is not a regular file (a device, FIFO or socket), not a settings file\n")


def test_config_names_a_language_espeak_ng_cannot_speak(tmp_path: Path) -> None:
    # 'crampcoach config init' says: edit it, then check it with 'crampcoach config'.
    settings = tmp_path / "config.yaml"
    settings.write_text("rate: 130\nlanguage: xx-nowhere\n")
    result = CliRunner().invoke(cli, ["config", "--config", str(settings)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (f"{settings}:2: language 'xx-nowhere' is not a voice espeak-ng "
                             "knows (crampcoach voices lists them)\n")


def test_a_settings_file_saved_as_utf16_says_so(tmp_path: Path) -> None:
    settings = tmp_path / "config.yaml"
    settings.write_bytes("rate: 130\n".encode("utf-16"))  # Windows Notepad's "Unicode"
    result = CliRunner().invoke(cli, ["config", "--config", str(settings)])
    assert (result.exit_code, result.stderr) == (
        2, f"{settings}: is saved as UTF-16 or UTF-32 text; save it as UTF-8\n")


@pytest.mark.parametrize(("text", "line"), [
    ("spoken_rating: " + "9" * 5000, "1: spoken_rating must be true or false, not '" + "9" * 5000
     + "'"),
    # Tags other than the plain scalar ones are refused by name, before anything is built.
    ("night: !!timestamp 2001-99-99",
     "1: not valid YAML: the YAML tag '!!timestamp' is not allowed in settings"),
    ("rate_before: !!int x", "1: rate_before must be true or false, not 'x'"),
    ("night: !!python/name:os.system",
     "1: not valid YAML: the YAML tag '!!python/name:os.system' is not allowed in settings"),
    ("9" * 5000, "1: settings must be a mapping of keys to values"),
])
def test_values_the_yaml_constructor_cannot_build(tmp_path: Path, text: str, line: str) -> None:
    settings = tmp_path / "config.yaml"
    settings.write_text(text + "\n")
    result = CliRunner().invoke(cli, ["config", "--config", str(settings)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert (result.exit_code, result.stderr) == (2, f"{settings}:{line}\n")
