"""The person's settings: one YAML file, validated like a routine, with known defaults.

``~/.config/crampcoach/config.yaml`` (``$XDG_CONFIG_HOME`` honoured; ``--config PATH`` or
``$CRAMPCOACH_CONFIG`` choose another file). Every problem is reported as
``FILE:LINE: message``; unknown keys get a did-you-mean. Any top-level scalar can also be
set for one run with ``CRAMPCOACH_<KEY>`` (``CRAMPCOACH_VOLUME=0.3``), which wins over
the file.

Night mode is a pure function of the settings and the time of day, so the player asks
:func:`effective_voice` with the clock's ``now`` and tests pass any time they like.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any, Literal

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from crampcoach import locations, yamlfile
from crampcoach.care import RED_FLAG_RATING
from crampcoach.errors import ConfigError, Problem, escape_controls
from crampcoach.inputs.keys import ACTIONS, DEFAULT_KEYS, NAMED_KEYS, Action, key_controls
from crampcoach.routines.durations import parse_duration
from crampcoach.routines.timeline import DEFAULT_ENGINE, Voice, rate_problem
from crampcoach.yamlfile import YamlKind, did_you_mean, line_of, mapping_entries

#: A settings file is a page of text; anything larger is a mistake (or an attack).
MAX_CONFIG_BYTES = 64 * 1024
#: Settings are two levels deep; stop reading long before deep nesting costs time.
MAX_DEPTH = 8
CONFIG_ENV = "CRAMPCOACH_CONFIG"
ENV_PREFIX = "CRAMPCOACH_"



@dataclass(frozen=True, slots=True)
class NightHours:
    """Hours in which the voice is quieter, slower and the tones softer.

    ``start`` may be later than ``end``: 22:00-07:00 spans midnight.
    """

    start: clock_time = clock_time(22, 0)
    end: clock_time = clock_time(7, 0)
    volume_cap: float = 0.5
    rate: int = 120
    tone_gain: float = 0.5

    def contains(self, now: clock_time) -> bool:
        now = now.replace(second=0, microsecond=0, tzinfo=None)
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end


@dataclass(frozen=True, slots=True)
class KeyBindings:
    """Keys for each control; each action may have several (keyboard and presenter remote)."""

    pause: tuple[str, ...] = DEFAULT_KEYS["pause"]
    skip: tuple[str, ...] = DEFAULT_KEYS["skip"]
    repeat: tuple[str, ...] = DEFAULT_KEYS["repeat"]
    quit: tuple[str, ...] = DEFAULT_KEYS["quit"]

    def controls(self) -> dict[str, str]:
        """Key -> the player's control name (see :mod:`crampcoach.inputs.keys`)."""
        return key_controls({action: getattr(self, action) for action in ACTIONS})

    def action_for(self, key: str) -> Action | None:
        for action in ACTIONS:
            if key in getattr(self, action):
                return action
        return None


@dataclass(frozen=True, slots=True)
class Preroll:
    """What plays before the first cue so a sleeping speaker wakes before the first word."""

    kind: Literal["quiet", "chime"] = "quiet"
    # None by default: every session already opens with a chime 1.5 s before the first word.
    seconds: float = 0.0


#: What the bedside service's button starts unless the settings say otherwise.
BEDSIDE_ROUTINE = "cramp-rescue"
#: The keypad keys that start a routine unless the settings say otherwise.
BEDSIDE_START_KEYS: tuple[tuple[str, str], ...] = (("1", BEDSIDE_ROUTINE),
                                                   ("2", "twitch-wind-down"))
#: A keypad key for every routine is plenty; more is a mistake.
MAX_START_KEYS = 20
#: Where the kernel's input devices are; a keypad named in the settings must be there.
INPUT_DEVICES = "/dev/input/"


@dataclass(frozen=True, slots=True)
class BedsideSettings:
    """The bedside service (``crampcoach bedside``): what a press of the button starts,
    which keypad keys start which routine, and which keypad to read.

    ``keypad``: "auto" (every keypad or presenter remote, never a full keyboard), "off",
    or one device's path under /dev/input/.
    """

    routine: str = BEDSIDE_ROUTINE
    keypad: str = "auto"
    start_keys: tuple[tuple[str, str], ...] = BEDSIDE_START_KEYS

    def routine_for_key(self, key: str) -> str | None:
        return dict(self.start_keys).get(key)

    def routines(self) -> list[str]:
        """Every routine the service may start from its inputs, the button's first."""
        names = [self.routine, *(name for _, name in self.start_keys)]
        return list(dict.fromkeys(names))


@dataclass(frozen=True, slots=True)
class Settings:
    language: str = "en"
    rate: int = 140
    volume: float = 0.8
    rating_timeout_s: float = 120.0
    rate_before: bool = False
    night: NightHours | None = NightHours()
    keys: KeyBindings = KeyBindings()
    red_flag_threshold: int = RED_FLAG_RATING
    default_routine: str | None = None
    journal: Path = field(default_factory=locations.journal_path)
    preroll: Preroll = Preroll()
    button_pin: int | None = None
    spoken_rating: bool = False
    microphone: str = "default"
    speech_engine: str = DEFAULT_ENGINE
    piper_voice: str | None = None
    bedside: BedsideSettings = BedsideSettings()
    #: A faint hum before the first cue and through long quiet stretches, for speakers
    #: (and sound servers) that go to sleep on silence.
    speaker_wake: bool = False
    #: Printed at the top of the report for the neurologist when given.
    patient_name: str | None = None
    date_of_birth: str | None = None
    clinic_number: str | None = None


@dataclass(frozen=True, slots=True)
class EffectiveVoice:
    """How the session sounds at a given moment, night mode applied."""

    voice: Voice
    volume: float
    tone_gain: float
    night: bool


def night_voice(settings: Settings, day: Voice) -> Voice | None:
    """The voice night mode slows ``day`` to; None when night mode is off or would not
    slow it (it never makes speech faster)."""
    night = settings.night
    if night is None or night.rate >= day.rate:
        return None
    return replace(day, rate=night.rate)


def night_state(settings: Settings, now: datetime) -> str:
    """One line on when night mode applies, for ``crampcoach config``."""
    night = settings.night
    if night is None or night.start == night.end:
        return "Night mode: off."
    hours = f"{night.start:%H:%M} to {night.end:%H:%M}"
    if night.contains(now.time()):
        return (f"Night mode: on now ({hours}): speech at most {night.rate} words per "
                f"minute, volume at most {night.volume_cap:g}, tones at {night.tone_gain:g}.")
    return f"Night mode: from {hours}; not now."


def effective_voice(
    settings: Settings, now: datetime | clock_time, routine_voice: Voice | None = None
) -> EffectiveVoice:
    """The voice, volume and tone gain for a session starting at ``now``.

    A routine's own language and rate win over the settings; inside night hours the rate
    is slowed to at most the night rate, the volume capped and tones softened.
    """
    base = routine_voice or Voice(settings.language, settings.rate)
    at = now.time() if isinstance(now, datetime) else now
    night = settings.night
    if night is None or not night.contains(at):
        return EffectiveVoice(base, settings.volume, 1.0, night=False)
    return EffectiveVoice(
        night_voice(settings, base) or base,
        min(settings.volume, night.volume_cap),
        night.tone_gain,
        night=True,
    )


# --- where values came from ------------------------------------------------------------------

Sources = dict[str, str]


def settings_path(explicit: Path | None = None,
                  environ: Mapping[str, str] | None = None) -> Path:
    """The file to read: ``--config``, else ``$CRAMPCOACH_CONFIG``, else the XDG default."""
    env = os.environ if environ is None else environ
    if explicit is not None:
        return explicit
    if env.get(CONFIG_ENV):
        try:
            return locations.expand_user(Path(env[CONFIG_ENV]))
        except LookupError as e:
            raise ConfigError.single(CONFIG_ENV, 0, str(e)) from None
    return locations.config_path()


def load_settings(
    path: Path | None = None, environ: Mapping[str, str] | None = None
) -> tuple[Settings, Sources]:
    """Read the settings, returning them and where each effective value came from.

    The sources map dotted keys (``night.start``, ``keys.pause``) to ``default``,
    ``FILE:LINE`` or ``env CRAMPCOACH_<KEY>``. A missing file at the default location is
    not an error (defaults apply); a missing file that was asked for by name is.
    """
    env = os.environ if environ is None else environ
    explicit = path is not None or bool(env.get(CONFIG_ENV))
    target = settings_path(path, env)
    reader = _Reader(str(target), target.parent)
    if target.exists() or explicit:
        root = _compose(target)
        if root is not None:
            reader.read_root(root)
    reader.read_environment(env)
    reader.raise_problems()
    return reader.settings(), reader.sources()


def load_settings_forgiving(
    path: Path | None = None, environ: Mapping[str, str] | None = None, *,
    read_from: Path | None = None,
) -> tuple[Settings, Sources, list[Problem]]:
    """The settings as :func:`load_settings` reads them, but never refused: a value with a
    problem keeps its default, and the problems are returned beside them. A file that
    cannot be read at all gives the defaults. For a resident service that must start
    whatever the file holds (the bedside button must always give help).

    ``read_from``: read this file's text instead, as if it were the settings file
    (relative paths stay relative to the settings file's folder): a copy kept of the
    last good settings.
    """
    env = os.environ if environ is None else environ
    problems: list[Problem] = []
    try:
        explicit = path is not None or bool(env.get(CONFIG_ENV))
        target = settings_path(path, env)
    except ConfigError as e:
        problems.extend(e.problems)
        explicit, target = False, locations.config_path()
    reader = _Reader(str(target), target.parent)
    source = read_from or target
    try:
        if source.exists() or explicit:
            root = _compose(source)
            if root is not None:
                reader.read_root(root)
    except ConfigError as e:
        problems.extend(e.problems)
    reader.read_environment(env)
    problems.extend(reader.problems)
    try:
        return reader.settings(), reader.sources(), problems
    except (TypeError, ValueError):  # values that do not fit together: the defaults
        defaults = _Reader(str(target), target.parent)
        return defaults.settings(), defaults.sources(), problems


SETTINGS_FILE = YamlKind(noun="settings file", file_noun="settings file", plural="settings",
                         max_bytes=MAX_CONFIG_BYTES, max_depth=MAX_DEPTH, error=ConfigError)


def _compose(path: Path) -> Node | None:
    name = str(path)
    return yamlfile.compose(yamlfile.read_text(path, name, SETTINGS_FILE), name, SETTINGS_FILE)


# --- reading and checking -------------------------------------------------------------------



class _Invalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _scalar_text(node: Node) -> str:
    if not isinstance(node, ScalarNode):
        raise _Invalid("must be a single value, not a list or mapping")
    # The raw text, before YAML 1.1 turns "no" into False or 22:00 into 1320.
    return str(node.value)


def _plain(node: Node) -> Any:
    """The node as YAML would build it; its raw text when YAML cannot (a 5000-digit int,
    ``!!int x``, a date with month 99, an unknown tag), for the caller to refuse."""
    try:
        return SafeConstructor().construct_object(node, deep=True)
    except (ValueError, KeyError, OverflowError, yaml.YAMLError):
        # KeyError: '!!bool maybe' is looked up in PyYAML's table of booleans.
        return str(node.value) if isinstance(node, ScalarNode) else ""


def _as_number(node: Node) -> float:
    text = _scalar_text(node)
    try:
        return float(text)
    except ValueError:
        raise _Invalid(f"must be a number, not {text!r}") from None


def _in_range(lo: float, hi: float) -> Callable[[Node], float]:
    def read(node: Node) -> float:
        value = _as_number(node)
        if not lo <= value <= hi:
            raise _Invalid(f"must be between {lo:g} and {hi:g}, not {value:g}")
        return value
    return read


def _whole_in_range(lo: int, hi: int) -> Callable[[Node], int]:
    def read(node: Node) -> int:
        text = _scalar_text(node)
        if not re.fullmatch(r"[+-]?\d+", text):
            raise _Invalid(f"must be a whole number, not {text!r}")
        digits = len(text.lstrip("+-").lstrip("0"))
        if digits > 9:  # a slip of the keyboard; int() refuses more than 4300 digits
            raise _Invalid(f"must be between {lo} and {hi}, not a {digits}-digit number")
        value = int(text)
        if not lo <= value <= hi:
            raise _Invalid(f"must be between {lo} and {hi}, not {value}")
        return value
    return read


def _rate(node: Node) -> int:
    text = _scalar_text(node)
    problem = rate_problem(text)
    if problem is not None:
        raise _Invalid(problem)
    return int(text)


def _duration(lo: float, hi: float) -> Callable[[Node], float]:
    def read(node: Node) -> float:
        text = _scalar_text(node)
        value = parse_duration(text)
        if value is None:
            raise _Invalid(f"must be a duration like 30, 7.5, 30s, 2m or 1m30s, not {text!r}")
        if not lo <= value <= hi:
            raise _Invalid(f"must be between {lo:g} and {hi:g} seconds, not {value:g}")
        return value
    return read


def _boolean(node: Node) -> bool:
    value = _plain(node) if isinstance(node, ScalarNode) else None
    if not isinstance(value, bool):
        raise _Invalid(f"must be true or false, not {_scalar_text(node)!r}")
    return value


def _clock(node: Node) -> clock_time:
    from crampcoach.errors import RecordError
    from crampcoach.journal.rules import parse_clock

    text = _scalar_text(node)
    try:
        return parse_clock(text) if text == text.strip() else parse_clock("")
    except RecordError:
        raise _Invalid(f"must be a time of day like 22:00, not {text!r}") from None


def _text(node: Node) -> str:
    text = _scalar_text(node).strip()
    if not text:
        raise _Invalid("must not be empty")
    if escape_controls(text) != text:
        raise _Invalid(f"must not contain control characters, not {text!r}")
    return text


def _language(node: Node) -> str:
    text = _text(node)
    if not re.fullmatch(r"[A-Za-z0-9_+\-]+", text):
        raise _Invalid(f"must be an espeak-ng voice name like en, en-gb or de, not {text!r}")
    return text


def _engine(node: Node) -> str:
    from crampcoach.audio.engine import ENGINES

    name = _text(node)
    if name not in ENGINES:
        known = ", ".join(sorted(ENGINES))
        raise _Invalid(f"must be one of {known}, not {name!r}")
    return name


def _is_empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag.endswith(":null")


def _report_line(node: Node) -> str:
    text = _text(node)
    if len(text) > 80:
        raise _Invalid("must be at most 80 characters")
    return text


def _optional(read: Callable[[Node], Any]) -> Callable[[Node], Any]:
    """An empty value (``key:`` with nothing after it) means "none"."""
    def read_optional(node: Node) -> Any:
        return None if _is_empty(node) else read(node)
    return read_optional


def _one_key(node: Node) -> str:
    key = _scalar_text(node)
    if key == " ":
        key = "space"
    # One printable character is itself; longer names are the named keys.
    if len(key) != 1 or not key.isprintable():
        key = key.strip().lower()
        if key not in NAMED_KEYS:
            named = sorted(NAMED_KEYS)
            raise _Invalid(
                f"must be one character or one of {', '.join(named)}, not {key!r}"
                f"{did_you_mean(key, named)}"
            )
    return key


def _key_list(node: Node) -> tuple[str, ...]:
    items = node.value if isinstance(node, SequenceNode) else [node]
    if not items:
        raise _Invalid("needs at least one key")
    return tuple(_one_key(item) for item in items)


def _routine_ref(node: Node) -> str:
    """A routine's name or path, as ``play`` takes it (checked when the service starts)."""
    text = _text(node)
    if len(text) > 255 or not text.isprintable():
        raise _Invalid(f"must be a routine's name or path, not {text[:60]!r}")
    return text


def _keypad(node: Node) -> str:
    if _is_empty(node) or _plain(node) is False:
        return "off"
    text = _text(node)
    if text.lower() in ("auto", "off"):
        return text.lower()
    if not text.startswith(INPUT_DEVICES) or not text.isprintable() or ".." in text:
        raise _Invalid(f"must be auto, off, or a device under {INPUT_DEVICES} (like "
                       f"{INPUT_DEVICES}by-id/usb-...-event-kbd), not {text[:80]!r}")
    return text


Reader = Callable[[Node], Any]

_TOP: dict[str, tuple[str, Reader]] = {
    # file key: (Settings field, reader)
    "language": ("language", _language),
    "rate": ("rate", _rate),
    "volume": ("volume", _in_range(0.0, 1.0)),
    "rating_timeout": ("rating_timeout_s", _duration(5, 3600)),
    "rate_before": ("rate_before", _boolean),
    "red_flag_threshold": ("red_flag_threshold", _whole_in_range(1, 10)),
    "default_routine": ("default_routine", _optional(_text)),
    "button_pin": ("button_pin", _optional(_whole_in_range(0, 27))),
    "spoken_rating": ("spoken_rating", _boolean),
    "microphone": ("microphone", _text),
    "speech_engine": ("speech_engine", _engine),
    "piper_voice": ("piper_voice", _optional(_text)),
    "speaker_wake": ("speaker_wake", _boolean),
    "patient_name": ("patient_name", _optional(_report_line)),
    "date_of_birth": ("date_of_birth", _optional(_report_line)),
    "clinic_number": ("clinic_number", _optional(_report_line)),
}
_NIGHT: dict[str, Reader] = {
    "start": _clock,
    "end": _clock,
    "volume_cap": _in_range(0.0, 1.0),
    "rate": _rate,
    "tone_gain": _in_range(0.0, 1.0),
}
_BEDSIDE: dict[str, Reader] = {
    "routine": _routine_ref,
    "keypad": _keypad,
}
_STRUCTURED = ("night", "keys", "journal", "preroll", "bedside")
# Words people reach for that are spelled differently here.
_RENAMED = {
    "voice": "; the espeak-ng voice is set with 'language' (like en, en-gb, de)",
    "speed": "; speech speed is 'rate' (words per minute)",
    "red_flag": "; did you mean 'red_flag_threshold'?",
    "routine": "; did you mean 'default_routine'?",
}
_ALL_TOP = (*_TOP, *_STRUCTURED)


class _Reader:
    """Collects values, their sources and every problem, so all are reported at once."""

    def __init__(self, file: str, base_dir: Path) -> None:
        self.file = file
        self.base_dir = base_dir
        self.values: dict[str, Any] = {}
        self.night: dict[str, Any] = {}
        self.night_off = False
        self.keys: dict[str, tuple[str, ...]] = {}
        self.bedside: dict[str, Any] = {}
        self.where: Sources = {}
        self.problems: list[Problem] = []

    def _line(self, node: Node) -> int:
        return line_of(node)

    def _problem(self, node: Node | None, message: str) -> None:
        self.problems.append(Problem(self.file, self._line(node) if node else 0, message))

    def _entries(self, mapping: MappingNode, what: str, known: tuple[str, ...] | list[str]
                 ) -> Iterator[tuple[str, Node, Node]]:
        renamed = _RENAMED if what == "settings" else {}
        return mapping_entries(mapping, what, list(known), self._problem,
                               lambda key: renamed.get(key, ""))

    def read_root(self, root: Node) -> None:
        if isinstance(root, ScalarNode) and _plain(root) is None:
            return  # an empty file: every default applies
        if not isinstance(root, MappingNode):
            self._problem(root, "settings must be a mapping of keys to values")
            return
        for key, key_node, node in self._entries(root, "settings", list(_ALL_TOP)):
            where = f"{self.file}:{self._line(key_node)}"
            try:
                if key in _TOP:
                    name, read = _TOP[key]
                    self.values[name] = read(node)
                    self.where[key] = where
                elif key == "night":
                    self._read_night(node, where)
                elif key == "keys":
                    self._read_keys(node)
                elif key == "journal":
                    self.values["journal"] = self._path(node)
                    self.where[key] = where
                elif key == "preroll":
                    self.values["preroll"] = _preroll(node)
                    self.where[key] = where
                elif key == "bedside":
                    self._read_bedside(node)
            except _Invalid as e:
                self._problem(node, f"{key} {e.message}")

    def _read_night(self, node: Node, where: str) -> None:
        if isinstance(node, ScalarNode):
            value = _plain(node)
            if value is False or value is None:
                self.night_off = True
                self.where["night"] = where
                return
            raise _Invalid("must be a mapping (start, end, volume_cap, rate, tone_gain) or off")
        if not isinstance(node, MappingNode):
            raise _Invalid("must be a mapping (start, end, volume_cap, rate, tone_gain) or off")
        for key, key_node, value_node in self._entries(node, "night", list(_NIGHT)):
            try:
                self.night[key] = _NIGHT[key](value_node)
                self.where[f"night.{key}"] = f"{self.file}:{self._line(key_node)}"
            except _Invalid as e:
                self._problem(value_node, f"night.{key} {e.message}")

    def _read_keys(self, node: Node) -> None:
        if not isinstance(node, MappingNode):
            raise _Invalid("must be a mapping of controls (pause, skip, repeat, quit) to keys")
        lines: dict[str, Node] = {}
        for key, key_node, value_node in self._entries(node, "keys", list(ACTIONS)):
            lines[key] = value_node
            try:
                self.keys[key] = _key_list(value_node)
                self.where[f"keys.{key}"] = f"{self.file}:{self._line(key_node)}"
            except _Invalid as e:
                self._problem(value_node, f"keys.{key} {e.message}")
        owner: dict[str, str] = {}
        merged = {a: self.keys.get(a, getattr(KeyBindings(), a)) for a in ACTIONS}
        for action in ACTIONS:
            for key in merged[action]:
                if key in owner and owner[key] != action:
                    # Point at whichever of the two the file set (a default has no line).
                    at = lines.get(action) or lines.get(owner[key]) or node
                    self._problem(at, f"keys: '{key}' is bound to both {owner[key]} and {action}")
                owner.setdefault(key, action)

    def _read_bedside(self, node: Node) -> None:
        if not isinstance(node, MappingNode):
            raise _Invalid("must be a mapping (routine, keypad, start_keys)")
        for key, key_node, value_node in self._entries(node, "bedside",
                                                       [*_BEDSIDE, "start_keys"]):
            where = f"{self.file}:{self._line(key_node)}"
            try:
                if key == "start_keys":
                    self.bedside[key] = self._start_keys(value_node)
                else:
                    self.bedside[key] = _BEDSIDE[key](value_node)
                self.where[f"bedside.{key}"] = where
            except _Invalid as e:
                self._problem(value_node, f"bedside.{key} {e.message}")

    def _start_keys(self, node: Node) -> tuple[tuple[str, str], ...]:
        if _is_empty(node):
            return ()  # no key starts anything; the keypad only steers sessions
        if not isinstance(node, MappingNode):
            raise _Invalid('must be a mapping of keys to routines, like "1": cramp-rescue')
        if len(node.value) > MAX_START_KEYS:
            raise _Invalid(f"has {len(node.value)} keys; at most {MAX_START_KEYS}")
        found: dict[str, tuple[str, int]] = {}
        for key_node, value_node in node.value:
            line = self._line(key_node)
            try:
                key = _one_key(key_node)
            except _Invalid as e:
                self._problem(key_node, f"bedside.start_keys: the key {e.message}")
                continue
            if key in found:
                self._problem(key_node, f"bedside.start_keys: '{key}' is given twice "
                                        f"(first at line {found[key][1]})")
                continue
            try:
                found[key] = (_routine_ref(value_node), line)
            except _Invalid as e:
                self._problem(value_node, f"bedside.start_keys.{key} {e.message}")
                continue
            self.where[f"bedside.start_keys.{key}"] = f"{self.file}:{line}"
        return tuple((key, routine) for key, (routine, _) in found.items())

    def _path(self, node: Node) -> Path:
        path = _home_expanded(_text(node))
        # A relative path is relative to the settings file, not to wherever the command ran.
        return path if path.is_absolute() else self.base_dir / path

    def read_environment(self, env: Mapping[str, str]) -> None:
        for key in (*_TOP, "journal", "preroll"):
            var = ENV_PREFIX + key.upper()
            if var not in env or var == CONFIG_ENV:
                continue
            node: Node = ScalarNode("tag:yaml.org,2002:str", env[var])
            try:
                if key in _TOP:
                    name, read = _TOP[key]
                    if read is _boolean:
                        # Resolved as YAML would a plain word ("yes", "off"), never parsed:
                        # a value of 5,000 '[' is not a document to build.
                        tag = Resolver().resolve(  # type: ignore[no-untyped-call]
                            ScalarNode, env[var], (True, False))
                        node = ScalarNode(tag, env[var])
                    self.values[name] = read(node)
                elif key == "journal":
                    self.values["journal"] = _home_expanded(_text(node)).absolute()
                else:
                    self.values["preroll"] = _preroll(node)
            except (_Invalid, yaml.YAMLError) as e:
                message = e.message if isinstance(e, _Invalid) else "not a value"
                self.problems.append(Problem(var, 0, message))
                continue
            self.where[key] = f"env {var}"

    def raise_problems(self) -> None:
        if self.problems:
            raise ConfigError(sorted(self.problems, key=lambda p: (p.file != self.file, p.line)))

    def settings(self) -> Settings:
        defaults = Settings()
        night: NightHours | None = None
        if not self.night_off:
            night = replace(NightHours(), **self.night)
        keys = replace(KeyBindings(), **self.keys)
        bedside = replace(BedsideSettings(), **self.bedside)
        return replace(defaults, night=night, keys=keys, bedside=bedside, **self.values)

    def sources(self) -> Sources:
        out: Sources = {}
        for key in describe(self.settings()):
            top = key.split(".")[0]
            out[key] = self.where.get(key) or self.where.get(top) or "default"
        # Where each start key was set: the service names it for a routine it cannot load.
        out.update({key: where for key, where in self.where.items()
                    if key.startswith("bedside.start_keys.")})
        return out


def _home_expanded(text: str) -> Path:
    try:
        return locations.expand_user(Path(text))
    except LookupError as e:
        raise _Invalid(f"cannot be used: {e}") from None


def _preroll(node: Node) -> Preroll:
    text = _scalar_text(node).strip().lower()
    if text == "chime":
        return Preroll("chime", 0.0)
    seconds = parse_duration(text)
    if seconds is None:
        raise _Invalid(f'must be "chime" or seconds of quiet like 1 or 1.5s, not {text!r}')
    if not 0 <= seconds <= 10:
        raise _Invalid(f"must be between 0 and 10 seconds, not {seconds:g}")
    return Preroll("quiet", seconds)


# --- showing ----------------------------------------------------------------------------------

def _show(value: object) -> str:
    if isinstance(value, clock_time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if value is None:
        return "none"
    return str(value)


def describe(settings: Settings) -> dict[str, str]:
    """Every effective setting as the file's dotted key and a value as a person reads it."""
    out: dict[str, str] = {
        "language": settings.language,
        "rate": f"{settings.rate} words per minute",
        "volume": _show(settings.volume),
        "rating_timeout": f"{settings.rating_timeout_s:g} s",
        "rate_before": _show(settings.rate_before),
    }
    if settings.night is None:
        out["night"] = "off"
    else:
        for f in fields(NightHours):
            out[f"night.{f.name}"] = _show(getattr(settings.night, f.name))
    for action in ACTIONS:
        out[f"keys.{action}"] = _show(getattr(settings.keys, action))
    out["red_flag_threshold"] = str(settings.red_flag_threshold)
    out["default_routine"] = settings.default_routine or "the player's default"
    out["journal"] = str(settings.journal)
    preroll = settings.preroll
    out["preroll"] = "chime" if preroll.kind == "chime" else f"{preroll.seconds:g} s of quiet"
    out["button_pin"] = "none" if settings.button_pin is None else f"GPIO{settings.button_pin}"
    out["spoken_rating"] = _show(settings.spoken_rating)
    out["microphone"] = settings.microphone
    out["speech_engine"] = settings.speech_engine
    out["piper_voice"] = settings.piper_voice or "none"
    bedside = settings.bedside
    out["bedside.routine"] = bedside.routine
    out["bedside.keypad"] = bedside.keypad
    out["bedside.start_keys"] = ", ".join(f"{key} = {routine}"
                                          for key, routine in bedside.start_keys) or "none"
    out["speaker_wake"] = _show(settings.speaker_wake)
    for key in ("patient_name", "date_of_birth", "clinic_number"):
        out[key] = getattr(settings, key) or "none"
    return out


# --- the commented example ---------------------------------------------------------------------

EXAMPLE = """\
# crampcoach settings. Every key is optional; remove a line to get its default.
# Check what is in effect with:  crampcoach config

# espeak-ng voice or language (en, en-gb, en-us, de, fr, ...); a routine's own wins.
language: en
# Words per minute; a calm voice is 130-150. A routine's own rate wins.
rate: 140
# Loudness of speech and tones, from 0 (silent) to 1 (full).
volume: 0.8

# How long to wait for the 0-10 rating before keeping the session without one.
rating_timeout: 2m
# Also ask for a rating before the session, so the journal shows each routine's effect.
rate_before: false
# A rating at or above this makes the voice advise talking to the neurologist, and
# 'rate' and 'history' show it as worth raising.
red_flag_threshold: RED_FLAG_RATING

# Night hours (they may span midnight): quieter, slower speech and softer tones.
# Write "night: off" to turn night mode off.
night:
  start: 22:00
  end: 07:00
  volume_cap: 0.5
  rate: 120
  tone_gain: 0.5

# Keys for the controls; each may be one character or a list.
# Named keys: space, enter, escape, tab, backspace, up, down, left, right,
# pageup, pagedown, home, end (a presenter remote sends pageup and pagedown).
keys:
  pause: [space, b]
  skip: [n, pagedown]
  repeat: [r, pageup]
  quit: q

# The routine "crampcoach play" starts when none is named (a built-in's name,
# or one of yours in ~/.config/crampcoach/routines/). Leave empty for the usual one.
default_routine:

# Where sessions and ratings are kept. A relative path is relative to this file.
# journal: ~/.local/share/crampcoach/journal.sqlite3

# Before the first cue: seconds of quiet, or "chime", so a Bluetooth or USB
# speaker that sleeps wakes up in time. Every session already opens with a soft
# chime 1.5 s before the first word; raise this if even the chime is cut off.
preroll: 0
# A faint hum before the first cue and through quiet stretches of 3 s or more, for a
# Bluetooth or USB speaker (or a sound server) that goes to sleep on silence.
speaker_wake: false

# For the top of the report for the neurologist (crampcoach report); leave empty to
# leave them out. Kept only in this file and printed as written.
patient_name:
date_of_birth:
clinic_number:

# Hands-free: a push button between this GPIO pin (BCM number) and ground
# (needs crampcoach[pi]); leave empty for none.
button_pin:
# Say the rating aloud instead of typing it (needs crampcoach[voice] and a microphone).
spoken_rating: false
# The ALSA device arecord listens on.
microphone: default

# The voice: espeak-ng (needs nothing more), or piper, a natural voice (needs
# crampcoach[neural] and a voice file; see 'crampcoach help voices').
speech_engine: espeak-ng
# The Piper voice: a path to its .onnx file (its .onnx.json beside it), or the NAME of
# one in ~/.local/share/crampcoach/voices/. If it cannot speak the routine's language,
# espeak-ng speaks instead and says so.
piper_voice:

# The bedside service (crampcoach bedside install): what a press of the button starts
# when nothing is playing, which keys of a USB keypad or presenter remote start which
# routine, and the keypad to read: auto (every keypad or remote, never a full
# keyboard), off, or one device like /dev/input/by-id/usb-...-event-kbd.
bedside:
  routine: BEDSIDE_ROUTINE
  keypad: auto
  start_keys:
START_KEYS
""".replace("RED_FLAG_RATING", str(RED_FLAG_RATING)).replace(
    "BEDSIDE_ROUTINE", BEDSIDE_ROUTINE).replace(
    "START_KEYS", "\n".join(f'    "{key}": {routine}' for key, routine in BEDSIDE_START_KEYS))


def write_example(path: Path, *, force: bool = False) -> Path:
    """Write the commented example settings; never replaces a file unless ``force``."""
    if path.exists() and not force:
        raise ConfigError.single(
            str(path), 0, "already exists; use --force to replace it with the example"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(EXAMPLE, encoding="utf-8")
        tmp.replace(path)
    except OSError as e:
        raise ConfigError.single(str(path), 0, f"cannot be written: {e.strerror}") from None
    return path
