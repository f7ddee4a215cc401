"""Piper voice files that are not what they claim (issue 24, item 13): a FIFO, a link to a
device, a huge sparse file, wrong JSON types, deep nesting, a home folder of nobody, a
/proc file. Each is one reason why the voice cannot be used, at once, never a hang or a
traceback; ``voices`` lists them and goes on."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach import locations
from crampcoach.audio.piper import MAX_CONFIG_BYTES, choose_voice, read_voice_file
from crampcoach.cli import cli
from crampcoach.errors import VoiceUnusable
from crampcoach.routines.timeline import Voice

GOOD = {"language": {"code": "en_US"}, "audio": {"sample_rate": 22050}}


def _voice(folder: Path, name: str = "v", config: object = GOOD) -> Path:
    model = folder / f"{name}.onnx"
    model.write_bytes(b"\x08\x07rest of a model")
    (folder / f"{name}.onnx.json").write_text(json.dumps(config))
    return model


def _reason(model: Path) -> str:
    with pytest.raises(VoiceUnusable) as caught:
        read_voice_file(model)
    return str(caught.value)


def test_a_good_voice_file_is_read(tmp_path: Path) -> None:
    assert read_voice_file(_voice(tmp_path)).language == "en_US"


def test_a_fifo_as_the_model_or_its_settings_is_refused_without_waiting(tmp_path: Path) -> None:
    model = _voice(tmp_path)
    config = model.with_name("v.onnx.json")
    config.unlink()
    os.mkfifo(config)
    assert _reason(model) == f"the Piper voice file {config} is not a regular file"
    model.unlink()
    os.mkfifo(model)
    assert _reason(model) == f"the Piper voice file {model} is not a regular file"


def test_settings_linked_to_a_device_or_huge_are_refused(tmp_path: Path) -> None:
    model = _voice(tmp_path)
    config = model.with_name("v.onnx.json")
    config.unlink()
    config.symlink_to("/dev/zero")
    assert _reason(model) == f"the Piper voice file {config} is not a regular file"
    config.unlink()
    with config.open("wb") as f:  # 2 GB, sparse: nothing on the disk, all of it to read
        f.truncate(2 * 1024**3)
    assert _reason(model) == (f"the Piper voice settings {config} are larger than "
                              f"{MAX_CONFIG_BYTES:,} bytes")


@pytest.mark.parametrize("config", [
    {"language": "en_US"}, {"language": ["en_US"]}, {"language": {"code": 7}},
    {"espeak": "en-us"}, ["en_US"], "en_US", {"language": {"code": "\x1b[2J"}},
])
def test_settings_of_the_wrong_types_say_the_language_is_missing(tmp_path: Path,
                                                                 config: object) -> None:
    model = _voice(tmp_path, config=config)
    assert _reason(model) == (f"the Piper voice settings {model}.json do not say its "
                              "language")


def test_deeply_nested_settings_are_refused(tmp_path: Path) -> None:
    model = _voice(tmp_path)
    model.with_name("v.onnx.json").write_text("[" * 100_000 + "]" * 100_000)
    assert _reason(model) in (f"the Piper voice settings {model}.json are nested too deeply",
                              f"the Piper voice settings {model}.json are not valid JSON")


def test_a_proc_file_as_the_model_is_one_reason() -> None:
    reason = _reason(Path("/proc/self/mem"))
    assert reason.startswith("the Piper voice file /proc/self/mem")
    assert "None" not in reason


def test_the_home_folder_of_nobody_falls_back_with_the_reason() -> None:
    choice = choose_voice(Voice("en"), "piper", "~nosuchuser-crampcoach/v.onnx")
    assert choice.voice == Voice("en")
    assert choice.fallback_reason == ("piper_voice '~nosuchuser-crampcoach/v.onnx': "
                                      "'~nosuchuser-crampcoach' names the home folder of a "
                                      "user who does not exist")


def test_voices_lists_a_fifo_and_a_bad_setting_and_goes_on(isolated_home: Path) -> None:
    folder = locations.piper_voices_dir()
    folder.mkdir(parents=True)
    os.mkfifo(folder / "stuck.onnx")
    _voice(folder, "good")
    _voice(folder, "odd", {"language": {"code": "en\x1b]0;x\x07US"}})
    settings = locations.config_path()
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text("piper_voice: ~nosuchuser-crampcoach/v.onnx\n")
    result = CliRunner().invoke(cli, ["voices"])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert f"  good  en_US  {folder / 'good.onnx'}" in result.output
    assert (f"  {folder / 'stuck.onnx'}: cannot be used: the Piper voice file "
            f"{folder / 'stuck.onnx'} is not a regular file") in result.output
    assert ("cannot be used: piper_voice '~nosuchuser-crampcoach/v.onnx': "
            "'~nosuchuser-crampcoach' names the home folder") in result.output
