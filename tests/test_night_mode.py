"""Night: a routine that `check` accepts plays at night. `check` validates at the day and
the night rate (naming which fails); `play` never refuses at night what fits by day (it
keeps the day rate and says so); `plan --night`/`--at` show the night timeline; `config`
and the first line of `play` say when night mode applies (issue 12)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.cli import cli
from crampcoach.routines import library
from crampcoach.routines.timeline import Voice
from crampcoach.session.machine import Machine
from support.wiring import NIGHT, NOON, VoicedSpeech, wired_play

# With the fake speech (0.05 s a character at 140 words per minute), "And hold for 6.3
# seconds." lasts 1.25 s by day and 1.46 s at 120 words per minute; the countdown's
# "five" comes 1.3 s after it.
TIGHT = """\
name: Quick calf
steps:
  - stretch: Calf
    cue: Toes up.
    hold: 6.3
    countdown: 5
"""
ROOMY = TIGHT.replace("countdown: 5", "countdown: 3")
NIGHT_FAILS = (
    "{path}:3: step 1 (stretch 'Calf'): at the night rate (120 words per minute), "
    "'And hold for 6.3 seconds.' lasts 1.46 s and would run past the next cue 1.30 s "
    "later; give it more time\n")
SLOWED = ("Night mode (until 07:00): speech at 120 words per minute, volume at most 0.5, "
          "softer tones.")
KEPT = ("Night mode (until 07:00): volume at most 0.5, softer tones; speech stays at 140 "
        "words per minute, as this routine does not fit at 120.")


def _cli(*args: str, now: datetime.datetime = NOON,
         speech: VoicedSpeech | None = None) -> tuple[int, str, str]:
    machine = Machine(speech=lambda: speech or VoicedSpeech(), now=lambda: now)
    result = CliRunner().invoke(cli, list(args), obj=machine)
    return result.exit_code, result.stdout, result.stderr


def _routine(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calf.yaml"
    path.write_text(text)
    return path


def _settings(text: str) -> None:
    path = Path.home() / ".config/crampcoach/config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


# --- check ----------------------------------------------------------------------------------


def test_check_refuses_a_routine_that_fits_only_by_day_and_names_the_night_rate(
        tmp_path: Path) -> None:
    path = _routine(tmp_path, TIGHT)
    speech = VoicedSpeech()
    code, out, err = _cli("check", str(path), speech=speech)
    assert (code, out) == (2, "")
    assert err == NIGHT_FAILS.format(path=path)
    # Both rates were measured (and so are in the speech cache for the night).
    assert {v.rate for v in speech.voices} == {140, 120}


def test_check_passes_what_fits_at_both_rates_and_names_the_day_rate_first(
        tmp_path: Path) -> None:
    code, out, _ = _cli("check", str(_routine(tmp_path, ROOMY)))
    assert code == 0
    assert out.endswith(": ok\n")
    # Too tight even by day: reported once, as before, without a rate.
    path = _routine(tmp_path, TIGHT.replace("hold: 6.3", "hold: 6"))
    code, out, err = _cli("check", str(path))
    assert (code, out) == (2, "")
    assert err == (f"{path}:3: step 1 (stretch 'Calf'): 'And hold for 6 seconds.' lasts "
                   "1.15 s and would run past the next cue 1.00 s later; give it more time\n")


def test_check_without_night_mode_checks_the_day_rate_only(tmp_path: Path) -> None:
    _settings("night: off\n")
    speech = VoicedSpeech()
    code, out, _ = _cli("check", str(_routine(tmp_path, TIGHT)), speech=speech)
    assert (code, out) == (0, f"{tmp_path / 'calf.yaml'}: ok\n")
    assert {v.rate for v in speech.voices} == {140}


# --- play -----------------------------------------------------------------------------------


def test_at_night_play_says_so_first_and_slows_the_speech(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = wired_play(monkeypatch, tmp_path, ["--no-rating"], routine_text=ROOMY, now=NIGHT)
    assert run.result.exit_code == 0, run.result.output
    assert run.lines[0] == SLOWED
    assert set(run.speech.voices) == {Voice("en", 120)}


def test_by_day_play_says_nothing_of_night(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    run = wired_play(monkeypatch, tmp_path, ["--no-rating"], routine_text=ROOMY, now=NOON)
    assert run.lines[0] == "Opening"
    assert "Night mode" not in run.result.stdout


def test_a_routine_too_tight_for_the_night_rate_still_plays_at_night(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Before: exit 2 and silence at 3 a.m. Now: the day rate, night's volume and tones.
    run = wired_play(monkeypatch, tmp_path, ["--no-rating"], routine_text=TIGHT, now=NIGHT,
                     config="preroll: 0\n")
    assert run.result.exit_code == 0, run.result.output
    assert run.lines[0] == KEPT
    assert run.audio_args == [(0.5, 0.5)]
    played = {v for v in run.speech.voices if v.rate == 140}
    assert played == {Voice("en", 140)}
    [record] = run.recorder.records
    assert record.outcome == "finished"


@pytest.mark.slow
def test_every_built_in_routine_that_check_accepts_plays_at_night(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    names = library.builtin_names()
    assert names
    for name in names:
        code, _, err = _cli("check", name)
        assert code == 0, err
        path = library.BUILTIN_DIR / f"{name}.yaml"
        run = wired_play(monkeypatch, tmp_path, ["--no-rating"],
                         routine_text=path.read_text(), now=NIGHT)
        assert run.result.exit_code == 0, (name, run.result.output)
        assert run.lines[0] == SLOWED, name


# --- plan -----------------------------------------------------------------------------------


def _plan_json(*args: str) -> dict[str, object]:
    code, out, err = _cli("plan", *args, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert isinstance(data, dict)
    return data


def test_plan_night_shows_the_night_timeline(tmp_path: Path) -> None:
    path = str(_routine(tmp_path, ROOMY))
    day, night = _plan_json(path), _plan_json(path, "--night")
    assert (day["rate"], night["rate"]) == (140, 120)
    assert night["night"] is True
    assert night["night_note"] == SLOWED
    assert isinstance(night["total"], float)
    assert isinstance(day["total"], float)
    assert night["total"] > day["total"]
    assert _plan_json(path, "--at", "23:30") == night
    noon = _plan_json(path, "--at", "12:00")
    assert (noon["rate"], noon["night"], noon["total"]) == (140, False, day["total"])
    code, out, _ = _cli("plan", path, "--night")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == SLOWED
    assert lines[1].startswith("Quick calf: ")


def test_plan_night_of_a_routine_too_tight_at_night_shows_what_play_does(
        tmp_path: Path) -> None:
    data = _plan_json(str(_routine(tmp_path, TIGHT)), "--night")
    assert (data["rate"], data["night_note"]) == (140, KEPT)


def test_plan_night_when_night_mode_is_off_and_a_bad_time(tmp_path: Path) -> None:
    _settings("night: off\n")
    path = str(_routine(tmp_path, ROOMY))
    code, out, err = _cli("plan", path, "--night")
    assert code == 0
    assert err == "Note: night mode is off in the settings, so nights sound like days.\n"
    assert out.startswith("Quick calf: ")
    code, out, err = _cli("plan", path, "--at", "25:00")
    assert (code, out) == (1, "")
    assert err == ("Error: --at '25:00': give a time of day as HH:MM on the 24-hour clock, "
                   "like 21:30\n")


# --- config ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("settings", "now", "line"), [
    ("", NIGHT, "Night mode: on now (22:00 to 07:00): speech at most 120 words per minute, "
                "volume at most 0.5, tones at 0.5."),
    ("", NOON, "Night mode: from 22:00 to 07:00; not now."),
    ("night: off\n", NIGHT, "Night mode: off."),
])
def test_config_says_when_night_mode_applies(settings: str, now: datetime.datetime,
                                             line: str) -> None:
    _settings(settings)
    code, out, err = _cli("config", now=now)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == line


# --- the companion page ---------------------------------------------------------------------


def test_the_companion_page_checks_an_edit_at_the_night_rate_too() -> None:
    import dataclasses

    from crampcoach import locations
    from support.web import ORIGIN, logged_in, make_page

    page = make_page()
    page.parts = dataclasses.replace(page.parts, machine=Machine(speech=VoicedSpeech))
    client, csrf = logged_in(page)
    client.post("/routines/new", data={"name": "mine", "csrf": csrf}, headers=ORIGIN)
    path = locations.user_routines_dir() / "mine.yaml"
    before = path.read_text()
    response = client.post("/routines/mine/edit", data={"text": TIGHT, "action": "save",
                                                        "csrf": csrf}, headers=ORIGIN)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert ("step 1 (stretch &#39;Calf&#39;): at the night rate (120 words per minute), "
            "&#39;And hold for 6.3 seconds.&#39; lasts 1.46 s") in html
    assert path.read_text() == before
    response = client.post("/routines/mine/edit", data={"text": ROOMY, "action": "save",
                                                        "csrf": csrf}, headers=ORIGIN)
    assert response.status_code == 200
    assert path.read_text() == ROOMY
