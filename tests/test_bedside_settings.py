from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

import pytest

from crampcoach.errors import ConfigError, RoutineError
from crampcoach.routines.timeline import Voice
from crampcoach.settings import (
    EXAMPLE,
    MAX_CONFIG_BYTES,
    KeyBindings,
    NightHours,
    Preroll,
    Settings,
    describe,
    effective_voice,
    load_settings,
    write_example,
)
from support.bedside import bedside_home_fixture  # noqa: F401  (the fixture "bedside_home")


def _load(tmp_path: Path, text: str, env: dict[str, str] | None = None
          ) -> tuple[Settings, dict[str, str]]:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, environ=env or {})


def _problems(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text, env)
    prefix = str(tmp_path / "config.yaml")
    return [str(p).replace(prefix, "F") for p in caught.value.problems]


def test_config_error_is_a_routine_error_with_exit_2() -> None:
    assert issubclass(ConfigError, RoutineError)
    assert ConfigError.exit_code == 2


@pytest.mark.usefixtures("bedside_home")
def test_no_file_at_the_default_place_gives_every_default() -> None:
    settings, sources = load_settings(environ={})
    assert settings == Settings()
    assert settings.rating_timeout_s == 120
    assert settings.red_flag_threshold == 8
    assert settings.journal == Path.home() / ".local/share/crampcoach/journal.sqlite3"
    assert set(sources.values()) == {"default"}


def test_xdg_config_home_is_where_the_file_is_read(
    bedside_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xdg = tmp_path / "xdg"
    (xdg / "crampcoach").mkdir(parents=True)
    (xdg / "crampcoach" / "config.yaml").write_text("volume: 0.3\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    settings, sources = load_settings()
    assert settings.volume == 0.3
    assert sources["volume"] == f"{xdg}/crampcoach/config.yaml:1"


def test_crampcoach_config_names_another_file(tmp_path: Path) -> None:
    other = tmp_path / "bedroom.yaml"
    other.write_text("rate: 130\n")
    settings, sources = load_settings(environ={"CRAMPCOACH_CONFIG": str(other)})
    assert settings.rate == 130
    assert sources["rate"] == f"{other}:1"


def test_a_named_file_that_is_missing_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as caught:
        load_settings(missing, environ={})
    assert str(caught.value) == f"{missing}: no such file"


def test_the_written_example_loads_cleanly_and_every_value_comes_from_it(
    tmp_path: Path
) -> None:
    path = write_example(tmp_path / "sub" / "config.yaml")
    assert path.read_text() == EXAMPLE
    settings, sources = load_settings(path, environ={})
    # The example spells out the defaults, so a fresh file changes nothing...
    assert settings == Settings()
    # ...but says where each one is set, except the journal which is commented out.
    for key, source in sources.items():
        if key == "journal":
            assert source == "default"
        else:
            assert source.startswith(f"{path}:"), key
    # 22:00 unquoted is the time of day, not YAML 1.1's sexagesimal 1320.
    line = int(sources["night.start"].rsplit(":", 1)[1])
    assert EXAMPLE.splitlines()[line - 1] == "  start: 22:00"


def test_init_never_replaces_a_file_without_force(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("volume: 0.2\n")
    with pytest.raises(ConfigError) as caught:
        write_example(path)
    assert str(caught.value) == (
        f"{path}: already exists; use --force to replace it with the example"
    )
    assert path.read_text() == "volume: 0.2\n"
    write_example(path, force=True)
    assert path.read_text() == EXAMPLE


def test_every_key_read_from_a_file(tmp_path: Path) -> None:
    settings, sources = _load(tmp_path, """\
language: no
rate: 150
volume: 0.65
rating_timeout: 1m30s
rate_before: yes
night:
  start: 23:30
  end: 6:15
  volume_cap: 0.3
  rate: 110
  tone_gain: 0.25
keys:
  pause: [" ", p]
  quit: [escape, Q]
red_flag_threshold: 7
default_routine: my-legs
journal: logs/journal.sqlite3
preroll: chime
button_pin: 27
spoken_rating: true
microphone: plughw:1,0
""")
    assert settings == Settings(
        language="no",  # Norwegian, not YAML 1.1's false
        rate=150,
        volume=0.65,
        rating_timeout_s=90.0,
        rate_before=True,
        night=NightHours(time(23, 30), time(6, 15), 0.3, 110, 0.25),
        keys=KeyBindings(pause=("space", "p"), skip=("n", "pagedown"), repeat=("r", "pageup"),
                         quit=("escape", "Q")),
        red_flag_threshold=7,
        default_routine="my-legs",
        journal=tmp_path / "logs" / "journal.sqlite3",
        preroll=Preroll("chime", 0.0),
        button_pin=27,
        spoken_rating=True,
        microphone="plughw:1,0",
    )
    f = tmp_path / "config.yaml"
    assert sources["night.end"] == f"{f}:8"
    assert sources["keys.quit"] == f"{f}:14"
    assert sources["keys.skip"] == "default"


def test_night_off_and_an_empty_file(tmp_path: Path) -> None:
    settings, sources = _load(tmp_path, "night: off\n")
    assert settings.night is None
    assert describe(settings)["night"] == "off"
    assert sources["night"] == f"{tmp_path / 'config.yaml'}:1"
    assert _load(tmp_path, "")[0] == Settings()
    assert _load(tmp_path, "# only a comment\n")[0] == Settings()


def test_environment_wins_over_the_file_and_says_so(tmp_path: Path) -> None:
    settings, sources = _load(
        tmp_path, "volume: 0.9\nrate: 150\n",
        env={"CRAMPCOACH_VOLUME": "0.4", "CRAMPCOACH_SPOKEN_RATING": "true",
             "CRAMPCOACH_PREROLL": "2s"},
    )
    assert (settings.volume, settings.rate, settings.spoken_rating) == (0.4, 150, True)
    assert settings.preroll == Preroll("quiet", 2.0)
    assert sources["volume"] == "env CRAMPCOACH_VOLUME"
    assert sources["preroll"] == "env CRAMPCOACH_PREROLL"
    assert sources["rate"] == f"{tmp_path / 'config.yaml'}:2"


NAMED = ("backspace, down, end, enter, escape, home, left, pagedown, pageup, right, space, "
         "tab, up")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("volme: 0.5\n", ["F:1: settings: unknown key 'volme'; did you mean 'volume'?"]),
        ("colour: red\n", ["F:1: settings: unknown key 'colour'"]),
        ("voice: en-gb\n", ["F:1: settings: unknown key 'voice'; the espeak-ng voice is set "
                            "with 'language' (like en, en-gb, de)"]),
        ("night:\n  strat: 22:00\n", ["F:2: night: unknown key 'strat'; did you mean 'start'?"]),
        ("keys:\n  pase: p\n", ["F:2: keys: unknown key 'pase'; did you mean 'pause'?"]),
        ("volume: 1.5\n", ["F:1: volume must be between 0 and 1, not 1.5"]),
        ("volume: loud\n", ["F:1: volume must be a number, not 'loud'"]),
        ("rate: 40\n", ["F:1: rate must be between 80 and 300 words per minute, not 40"]),
        ("rate: 140.5\n", ["F:1: rate must be a whole number, not '140.5'"]),
        ("rating_timeout: soon\n",
         ["F:1: rating_timeout must be a duration like 30, 7.5, 30s, 2m or 1m30s, not 'soon'"]),
        ("rating_timeout: 2s\n",
         ["F:1: rating_timeout must be between 5 and 3600 seconds, not 2"]),
        ("rate_before: maybe\n", ["F:1: rate_before must be true or false, not 'maybe'"]),
        ("red_flag_threshold: 11\n",
         ["F:1: red_flag_threshold must be between 1 and 10, not 11"]),
        ("night:\n  start: 25:00\n",
         ["F:2: night.start must be a time of day like 22:00, not '25:00'"]),
        ("night: sometimes\n",
         ["F:1: night must be a mapping (start, end, volume_cap, rate, tone_gain) or off"]),
        ("keys:\n  skip: space\n", ["F:2: keys: 'space' is bound to both pause and skip"]),
        ("keys:\n  quit: ctrl-q\n",
         [f"F:2: keys.quit must be one character or one of {NAMED}, not 'ctrl-q'"]),
        ("keys:\n  quit: pagedwn\n",
         [f"F:2: keys.quit must be one character or one of {NAMED}, not 'pagedwn'; "
          "did you mean 'pagedown'?"]),
        ("preroll: loud\n",
         ["F:1: preroll must be \"chime\" or seconds of quiet like 1 or 1.5s, not 'loud'"]),
        ("preroll: 30s\n", ["F:1: preroll must be between 0 and 10 seconds, not 30"]),
        ("language: [en]\n", ["F:1: language must be a single value, not a list or mapping"]),
        ("language: en gb\n",
         ["F:1: language must be an espeak-ng voice name like en, en-gb or de, not 'en gb'"]),
        ("button_pin: 40\n", ["F:1: button_pin must be between 0 and 27, not 40"]),
        ("- volume\n", ["F:1: settings must be a mapping of keys to values"]),
        ("volume: 0.5\nvolume: 0.6\n",
         ["F:2: settings: duplicate key 'volume' (first at line 1)"]),
        ("base: &b 0.5\nvolume: *b\n",
         ["F:1: not valid YAML: YAML anchors and aliases are not allowed in settings"]),
        ("volume: [0.5\n", ["F:2: not valid YAML: did not find expected ',' or ']'"]),
    ],
)
def test_each_problem_is_named_with_its_line(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    assert _problems(tmp_path, text) == expected


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    assert _problems(tmp_path, "volme: 0.5\nrate: fast\nnight:\n  end: 7\n",
                     env={"CRAMPCOACH_VOLUME": "2"}) == [
        "F:1: settings: unknown key 'volme'; did you mean 'volume'?",
        "F:2: rate must be a whole number, not 'fast'",
        "F:4: night.end must be a time of day like 22:00, not '7'",
        "CRAMPCOACH_VOLUME: must be between 0 and 1, not 2",
    ]


def test_files_that_are_not_settings(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    def problem() -> str:
        with pytest.raises(ConfigError) as caught:
            load_settings(path, environ={})
        return str(caught.value)

    path.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    assert problem() == f"{path}: is a binary file, not a YAML settings file"
    path.write_bytes(b"volume: 0.5\nlanguage: fran\xe7ais\n")
    assert problem() == f"{path}:2: is not UTF-8 text"
    path.write_text("volume: 0.5\n" + "#" * MAX_CONFIG_BYTES)
    assert problem() == f"{path}: is 65,548 bytes; settings files are limited to 65,536 bytes"
    path.write_text("a:\n  " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    assert str(caught.value) == f"{path}:2: not valid YAML: nested more than 8 levels deep"
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path, environ={})
    assert str(caught.value) == f"{tmp_path}: is a directory, not a settings file"


# --- night mode -----------------------------------------------------------------------------

NIGHT = NightHours(start=time(22, 0), end=time(7, 0), volume_cap=0.5, rate=120, tone_gain=0.4)


@pytest.mark.parametrize(
    ("now", "inside"),
    [(time(21, 59), False), (time(22, 0), True), (time(23, 59, 59), True), (time(0, 0), True),
     (time(6, 59, 59), True), (time(7, 0), False), (time(12, 0), False)],
)
def test_night_hours_span_midnight(now: time, inside: bool) -> None:
    assert NIGHT.contains(now) is inside


def test_night_hours_inside_one_day_and_empty() -> None:
    afternoon = NightHours(start=time(13, 0), end=time(15, 0))
    assert afternoon.contains(time(14, 0))
    assert not afternoon.contains(time(15, 0))
    assert not NightHours(start=time(9, 0), end=time(9, 0)).contains(time(9, 0))


def test_effective_voice_by_day_and_by_night() -> None:
    settings = Settings(language="en-gb", rate=150, volume=0.9, night=NIGHT)
    day = effective_voice(settings, datetime(2026, 3, 1, 15, 0))
    assert (day.voice, day.volume, day.tone_gain, day.night) == (
        Voice("en-gb", 150), 0.9, 1.0, False)
    night = effective_voice(settings, datetime(2026, 3, 1, 2, 30))
    assert (night.voice, night.volume, night.tone_gain, night.night) == (
        Voice("en-gb", 120), 0.5, 0.4, True)


def test_night_never_makes_things_louder_or_faster() -> None:
    settings = Settings(volume=0.3, night=NIGHT)
    night = effective_voice(settings, time(23, 0), routine_voice=Voice("de", 100))
    assert night.voice == Voice("de", 100)
    assert night.volume == 0.3


def test_night_off_leaves_the_voice_alone() -> None:
    settings = Settings(night=None)
    assert not effective_voice(settings, time(23, 0)).night


def test_key_bindings_map_keys_to_actions() -> None:
    keys = KeyBindings()
    assert [keys.action_for(k) for k in ("space", "pagedown", "pageup", "q", "x")] == [
        "pause", "skip", "repeat", "quit", None]


def test_key_bindings_as_the_players_control_table() -> None:
    assert KeyBindings().controls() == {
        "space": "pause", "b": "pause", "n": "next", "pagedown": "next",
        "r": "repeat", "pageup": "repeat", "q": "quit"}
