"""`crampcoach render -o`: which files it writes, and standard output."""

from __future__ import annotations

import io
import re
import wave
from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.cli import cli

ROUTINE = "name: Tiny\nsteps:\n  - say: Sit comfortably.\n"


@pytest.fixture
def routine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "tiny.yaml"
    path.write_text(ROUTINE)
    return path


@pytest.mark.parametrize("name", ["session.mp3", "session.ogg", "session", "session.wav.txt"])
def test_other_formats_are_refused_in_one_line(routine: Path, tmp_path: Path,
                                               name: str) -> None:
    result = CliRunner().invoke(cli, ["render", str(routine), "-o", str(tmp_path / name)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: render writes WAV files only: give a name ending in .wav (not '{name}'), "
        "or - for standard output\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.yaml"]


@pytest.mark.realaudio
def test_the_suffix_may_be_in_capitals(routine: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["render", str(routine), "-o", str(tmp_path / "S.WAV")])
    assert result.exit_code == 0, result.output
    with wave.open(str(tmp_path / "S.WAV")) as wav:
        assert wav.getframerate() == 22050


@pytest.mark.realaudio
def test_dash_writes_the_wav_to_standard_output(routine: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["render", str(routine), "-o", "-"])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"Wrote standard output: 00:\d\d of Tiny "
                        r"\(\d+ cues; voice: espeak-ng en\)\n", result.stderr)
    data = result.stdout_bytes
    with wave.open(io.BytesIO(data)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        frames = wav.getnframes()
    # The header's length is the data that follows: a pipe cannot be patched afterwards.
    assert len(data) == 44 + 2 * frames
    assert frames > 22050
    # Nothing named "-" is left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.yaml"]


def test_dash_refuses_a_terminal(routine: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from crampcoach import cli as cli_module

    class Terminal(io.BytesIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(cli_module, "_binary_stdout", lambda: terminal)
    result = CliRunner().invoke(cli, ["render", str(routine), "-o", "-"])
    assert (result.exit_code, result.stderr) == (
        2, "Error: will not write a WAV to the terminal: redirect it (> FILE.wav), pipe it "
           "(| aplay), or give -o FILE.wav\n")
    assert terminal.getvalue() == b""
