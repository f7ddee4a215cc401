"""Routine files as untrusted input (issue 11): what a shared file expands into is bounded,
and every refusal is one line, FILE:LINE, exit 2, no traceback, nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from crampcoach.cli import cli
from crampcoach.errors import RoutineError
from crampcoach.routines import loader
from crampcoach.routines.kinds import stretch
from crampcoach.routines.loader import load_routine

NOT_REGULAR = "is not a regular file (a device, FIFO or socket), not a routine file"


def _run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    # A traceback would be an exception other than the exit.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def _one_line_each(text: str) -> None:
    assert "Traceback" not in text
    for line in text.splitlines():
        assert "\x1b" not in line
        assert "\x07" not in line


def _bomb(folder: Path, levels: int = 11) -> Path:
    """Each file includes the next three times: 3^10 steps from 11 small files."""
    for i in range(levels):
        body = f"name: Level {i}\nsteps:\n"
        if i < levels - 1:
            body += f"  - include: ./level{i + 1}.yaml\n" * 3
        else:
            body += "  - say: Hello.\n"
        (folder / f"level{i}.yaml").write_text(body)
    return folder / "level0.yaml"


# --- 1. include bomb ----------------------------------------------------------------------------


def test_an_include_bomb_stops_at_the_file_limit(tmp_path: Path) -> None:
    top = _bomb(tmp_path)
    result = _run("check", str(top))
    # Depth first, the 101st file read is one of level9's three includes of level10.
    level = tmp_path / "level9.yaml"
    assert (result.exit_code, result.stderr) == (
        2, f"{top}:3: in included './level1.yaml': {level}:5: step 3: cannot include "
           "'./level10.yaml': a routine and its includes are limited to 100 files read "
           "(a file included twice counts twice)\n")
    assert result.stdout == ""


# Slow: real espeak-ng speaks every built-in into a fresh speech cache.
@pytest.mark.slow
def test_list_with_an_include_bomb_among_my_routines_still_lists(isolated_home: Path) -> None:
    mine = isolated_home / ".config" / "crampcoach" / "routines"
    mine.mkdir(parents=True)
    _bomb(mine)
    result = _run("list")
    assert result.exit_code == 0
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("level0 "))
    assert "--:--  not valid: " in line
    assert "limited to 100 files read" in line


def test_steps_after_expansion_are_bounded(tmp_path: Path) -> None:
    # 2,000 steps, included six times: each file is small, the expansion is not. The
    # 10,001st step is the first one of the sixth include.
    (tmp_path / "part.yaml").write_text("name: Part\nsteps:\n" + "  - rest: 1\n" * 2000)
    top = tmp_path / "top.yaml"
    top.write_text("name: Top\nsteps:\n" + "  - include: part.yaml\n" * 6)
    result = _run("check", str(top))
    assert (result.exit_code, result.stderr) == (
        2, f"{top}:8: in included 'part.yaml': {tmp_path / 'part.yaml'}:3: step 1: more "
           "than 10,000 steps with every include expanded; a routine is limited to that\n")


def test_bytes_read_through_includes_are_bounded(tmp_path: Path) -> None:
    # 300 kB of comments, included four times: 1.2 MB read for one routine.
    (tmp_path / "part.yaml").write_text("# " + "x" * 300_000 + "\nname: Part\nsteps:\n"
                                        "  - rest: 1\n")
    top = tmp_path / "top.yaml"
    top.write_text("name: Top\nsteps:\n" + "  - include: part.yaml\n" * 4)
    result = _run("check", str(top))
    assert (result.exit_code, result.stderr) == (
        2, f"{top}:6: step 4: cannot include 'part.yaml': a routine and its includes are "
           "limited to 1,000,000 bytes read together\n")


def test_a_long_real_routine_is_within_every_bound(tmp_path: Path) -> None:
    # As the benchmark's 1,000-step routine: every kind, sides, countdowns, breathing.
    lines = ["name: Long", "steps:"]
    for i in range(1000):
        lines += [
            ["  - say: Now the next part."],
            ["  - stretch: Calf", "    cue: Gently.", "    hold: 30s", "    sides: [left, right]",
             "    countdown: 3"],
            ["  - breathe: Box", "    pattern: {in: 4, hold: 4, out: 4, hold_out: 4}",
             "    cycles: 2"],
            ["  - rest: 5s"],
            ["  - compress: Warm", "    duration: 1m", "    check_every: 30s"],
        ][i % 5]
    path = tmp_path / "long.yaml"
    path.write_text("\n".join(lines) + "\n")
    assert len(load_routine(str(path)).steps) == 1000
    result = _run("plan", str(path), "--json")
    assert result.exit_code == 0, result.stderr


# --- 2. reps bomb (and tests/data/routines/bad-reps-bomb.yaml) ---------------------------------


def test_the_reps_bomb_is_refused_before_compiling(routines_dir: Path) -> None:
    path = routines_dir / "bad-reps-bomb.yaml"
    result = _run("plan", str(path))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (f"{path}:10: step 1: hold must be at least 1 second, not 1e-08\n"
                             f"{path}:11: step 1: reps must be at most 100, not 999999999\n")


def test_every_bound_is_a_documented_number() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "routine-format.md").read_text()
    for figure in (f"{loader.MAX_FILES}", f"{loader.MAX_TOTAL_BYTES:,}", f"{loader.MAX_STEPS:,}",
                   f"{stretch.MAX_REPS}", f"{loader.MAX_CUES:,}",
                   f"{stretch.MIN_HOLD_S:g} second"):
        assert figure in doc, figure


# --- 3. length of the compiled session, speech included -----------------------------------------


def _talkative(tmp_path: Path) -> Path:
    """197 phrases of 5,000 characters at 80 words a minute: 41 hours of speech by the estimate."""
    path = tmp_path / "talk.yaml"
    phrase = ("word " * 998).strip()
    path.write_text("name: Talk\nrate: 80\nsteps:\n"
                    + "".join(f"  - say: Part {n:03d}. {phrase}\n" for n in range(197)))
    return path


def test_hours_of_speech_are_refused_by_check(tmp_path: Path) -> None:
    path = _talkative(tmp_path)
    result = _run("check", str(path))
    assert (result.exit_code, result.stderr) == (
        2, f"{path}: the session would last more than 41.3 hours: that much is speech; "
           "sessions are limited to 24 hours\n")


def test_hours_of_speech_are_refused_by_play_before_a_sound(tmp_path: Path) -> None:
    path = _talkative(tmp_path)
    result = _run("play", str(path), "--text-only", "--journal", str(tmp_path / "j.sqlite3"))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (f"{path}: the session would last 41.4 hours with its speech; "
                             "sessions are limited to 24 hours\n")
    assert not (tmp_path / "j.sqlite3").exists()


def test_hours_of_speech_are_refused_before_rendering(tmp_path: Path) -> None:
    path = _talkative(tmp_path)
    out = tmp_path / "out.wav"
    result = _run("render", str(path), "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr.endswith("sessions are limited to 24 hours\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["talk.yaml"]  # nothing written


def test_a_render_that_would_fill_the_disk_is_refused_before_writing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from crampcoach.audio import render
    from crampcoach.errors import AudioError
    from crampcoach.routines.compiler import compile_routine
    from crampcoach.routines.timeline import Voice
    from support.fakes import FakeCueSounds, FakeSpeech

    speech, voice = FakeSpeech(), Voice()
    routine = tmp_path / "rest.yaml"
    routine.write_text("name: Rest\nsteps:\n  - rest: 420\n")  # 7 minutes: about 19 MB
    timeline = compile_routine(load_routine(str(routine)), speech, voice)
    routine.unlink()
    # The disk as the operating system would report it: 70 MB free.
    monkeypatch.setattr(render.shutil, "disk_usage",
                        lambda _: shutil._ntuple_diskusage(10**9, 10**9 - 70_000_000, 70_000_000))
    out = tmp_path / "out.wav"
    with pytest.raises(AudioError) as caught:
        render.render_to_wav(timeline, FakeCueSounds(speech), out, voice)
    assert str(caught.value) == (f"cannot write {out}: the session needs 18.9 MB and only "
                                 "2.9 MB can be used (67.1 MB are kept free)")
    assert list(tmp_path.iterdir()) == []


# --- 4. tracebacks from routine files (data files: bad-reps-superscript, bad-tag) -----------------


def test_an_include_path_with_a_nul_byte(tmp_path: Path) -> None:
    path = tmp_path / "nul.yaml"
    path.write_text('name: Nul\nsteps:\n  - include: "part\\0.yaml"\n')
    result = _run("check", str(path))
    assert (result.exit_code, result.stderr) == (
        2, f"{path}:3: step 1: include contains a control character (\\x00); only plain text "
           "can be shown and spoken\n")


def test_an_include_from_the_home_of_a_user_who_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "home.yaml"
    path.write_text("name: Home\nsteps:\n  - include: ~nosuchuser/x.yaml\n")
    result = _run("check", str(path))
    assert (result.exit_code, result.stderr) == (
        2, f"{path}:3: step 1: cannot include '~nosuchuser/x.yaml': '~nosuchuser' names the "
           "home folder of a user who does not exist\n")


def test_a_routine_named_from_the_home_of_a_user_who_does_not_exist() -> None:
    result = _run("check", "~nosuchuser/x.yaml")
    assert (result.exit_code, result.stderr) == (
        2, "~nosuchuser/x.yaml: '~nosuchuser' names the home folder of a user who does not "
           "exist\n")


# --- 10. terminal escapes (data files: bad-terminal-escapes, bad-raw-control-character) ---------


def test_plan_never_sends_a_routine_s_escapes_to_the_terminal(routines_dir: Path) -> None:
    path = routines_dir / "bad-terminal-escapes.yaml"
    result = _run("plan", str(path))
    assert (result.exit_code, result.stdout) == (2, "")
    _one_line_each(result.stderr)
    assert result.stderr.splitlines()[0] == (
        f"{path}:7: step 1: say contains a control character (\\x1b); only plain text can be "
        "shown and spoken")


def test_a_file_name_with_control_characters_is_shown_escaped(tmp_path: Path) -> None:
    name = tmp_path / "evil\x1b]0;owned\x07.yaml"
    name.write_text("name: x\nsteps:\n  - rest: 1\n")
    result = _run("check", str(name))
    assert result.exit_code == 2
    _one_line_each(result.stderr)
    assert result.stderr == (f"{tmp_path}/evil\\x1b]0;owned\\x07.yaml: a routine's name or path "
                             "cannot contain control characters\n")


def test_a_settings_problem_with_control_characters_is_shown_escaped(tmp_path: Path) -> None:
    settings = tmp_path / "config.yaml"
    settings.write_text('microphone: "hw:0\\e[2J"\n')
    result = _run("config", "--config", str(settings))
    assert result.exit_code == 2
    _one_line_each(result.stderr)
    assert result.stderr == (f"{settings}:1: microphone must not contain control characters, "
                             "not 'hw:0\\x1b[2J'\n")


# --- 11. FIFOs --------------------------------------------------------------------------------


def test_a_fifo_as_a_routine_or_an_include_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    assert _run("check", str(fifo)).stderr == f"{fifo}: {NOT_REGULAR}\n"
    top = tmp_path / "top.yaml"
    top.write_text("name: Top\nsteps:\n  - include: ./pipe.yaml\n")
    result = _run("check", str(top))
    assert (result.exit_code, result.stderr) == (
        2, f"{top}:3: step 1: cannot include './pipe.yaml': {NOT_REGULAR}\n")


# --- 12. included files -------------------------------------------------------------------------


def test_an_included_file_that_is_not_a_routine_is_not_quoted(tmp_path: Path) -> None:
    secret = tmp_path / "secrets.yaml"
    secret.write_text("password: hunter2\napi_token: abc123\n")
    top = tmp_path / "top.yaml"
    top.write_text("name: Top\nsteps:\n  - say: Hello.\n  - include: ./secrets.yaml\n")
    result = _run("check", str(top))
    assert (result.exit_code, result.stderr) == (
        2, f"{top}:4: step 2: cannot include './secrets.yaml': is not a routine file: none of "
           "its keys is one a routine has (name, steps, ...)\n")
    assert "hunter2" not in result.output
    assert "api_token" not in result.output


def test_an_included_system_file_is_not_quoted(tmp_path: Path) -> None:
    top = tmp_path / "top.yaml"
    top.write_text("name: Top\nsteps:\n  - include: /etc/passwd\n")
    result = _run("check", str(top))
    assert (result.exit_code, result.stderr) == (
        2, f"{top}:3: in included '/etc/passwd': /etc/passwd:1: a routine must be a mapping "
           "with 'name' and 'steps'\n")


def test_an_error_inside_an_included_file_names_the_including_line(tmp_path: Path) -> None:
    (tmp_path / "parts").mkdir()
    part = tmp_path / "parts" / "x.yaml"
    part.write_text("name: Part\nsteps:\n  - say: Hello.\n  - stretch: Calf\n    hold: 20s\n")
    mine = tmp_path / "mine.yaml"
    mine.write_text("name: Mine\nsteps:\n  - say: Hi.\n  - include: parts/x.yaml\n")
    with pytest.raises(RoutineError) as caught:
        load_routine(str(mine))
    assert [str(p) for p in caught.value.problems] == [
        f"{mine}:4: in included 'parts/x.yaml': {part}:4: step 2 (stretch): 'cue' is required"]
