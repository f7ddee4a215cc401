"""`crampcoach voices` and `crampcoach render` as a carer would use them."""

from __future__ import annotations

import re
import wave
from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.audio.voices import EspeakVoice, known_language, list_voices, parse_voices
from crampcoach.cli import cli
from support.audio import fresh_voice_list  # noqa: F401 - a fixture

ROUTINE = """\
name: Tiny evening
language: {language}
rate: 150
steps:
  - say: Sit on the edge of the bed.
  - breathe: Slow breathing
    pattern: {{in: 3, out: 4}}
    cycles: 1
"""

LISTING = """\
Pty Language       Age/Gender VoiceName          File                 Other Languages
 5  de              --/M      German             gmw/de
 2  en-gb           --/M      English_(Great_Britain) gmw/en               (en 2)
 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)
 5  cmn             --/M      Chinese_(Mandarin,_latin_as_English) sit/cmn   (zh-cmn 5)(zh 5)
"""


def write_routine(tmp_path: Path, language: str = "en") -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(ROUTINE.format(language=language))
    return path


def without_espeak(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_parse_voices_listing() -> None:
    voices = parse_voices(LISTING)
    assert voices[1] == EspeakVoice("en-gb", "English (Great Britain)", "gmw/en", 2, (("en", 2),))
    assert voices[3].also == (("zh-cmn", 5), ("zh", 5))
    assert [v.language for v in voices] == ["de", "en-gb", "en-us", "cmn"]


@pytest.mark.realaudio
@pytest.mark.usefixtures("fresh_voice_list")
def test_voices_lists_language_and_name() -> None:
    result = CliRunner().invoke(cli, ["voices"])
    assert result.exit_code == 0, result.output
    espeak_ng = result.stdout.split("\n\n")[0]  # the Piper voices follow a blank line
    rows = [re.split(r"\s{2,}", line) for line in espeak_ng.splitlines()]
    assert ["de", "German"] in rows
    assert ["en-gb", "English (Great Britain)"] in rows
    assert len(rows) == len(list_voices()) > 50


@pytest.mark.realaudio
@pytest.mark.usefixtures("fresh_voice_list")
def test_known_language() -> None:
    assert known_language("en")
    assert known_language("EN_gb")
    assert known_language("de")
    assert not known_language("xx-nowhere")


@pytest.mark.usefixtures("fresh_voice_list")
def test_voices_without_espeak(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    without_espeak(monkeypatch, tmp_path)
    result = CliRunner().invoke(cli, ["voices"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", "Error: espeak-ng is not installed: sudo apt-get install espeak-ng\n")
    # Nothing to check a routine's language against: synthesis reports the real problem.
    assert known_language("xx-nowhere")


@pytest.mark.parametrize(("command", "says"), [
    ("voices", "List the voices espeak-ng offers"),
    ("render", "Write the whole session of ROUTINE"),
])
def test_help(command: str, says: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: cli {command} ")
    assert says in result.stdout


@pytest.mark.realaudio
def test_render_writes_the_session(tmp_path: Path) -> None:
    routine = write_routine(tmp_path)
    out = tmp_path / "tiny.wav"
    result = CliRunner().invoke(cli, ["render", str(routine), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(rf"Wrote {re.escape(str(out))}: 00:\d\d of Tiny evening "
                        r"\(\d+ cues; voice: espeak-ng en\)\n",
                        result.stdout)
    with wave.open(str(out)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        assert wav.getnframes() > 10 * 22050


@pytest.mark.realaudio
@pytest.mark.usefixtures("fresh_voice_list")
def test_render_unknown_language_names_the_line(tmp_path: Path) -> None:
    routine = write_routine(tmp_path, language="xx-nowhere")
    result = CliRunner().invoke(cli, ["render", str(routine), "-o", str(tmp_path / "x.wav")])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"{routine}:2: language 'xx-nowhere' is not a voice espeak-ng knows "
        "(crampcoach voices lists them)\n")
    assert not (tmp_path / "x.wav").exists()


@pytest.mark.usefixtures("fresh_voice_list")
def test_render_without_espeak(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    routine = write_routine(tmp_path)
    without_espeak(monkeypatch, tmp_path)
    result = CliRunner().invoke(cli, ["render", str(routine), "-o", str(tmp_path / "x.wav")])
    assert (result.exit_code, result.stderr) == (
        1, "Error: espeak-ng is not installed: sudo apt-get install espeak-ng\n")
    assert not (tmp_path / "x.wav").exists()


def test_render_needs_an_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["render", str(write_routine(tmp_path))])
    assert result.exit_code == 2
    assert "Missing option '-o' / '--output'" in result.stderr
