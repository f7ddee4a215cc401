"""A fuzzer over the three readers of untrusted files: routines, settings, journal imports.

The property, for every input: a valid result, or an error of the project's own kind
(a CrampcoachError subclass) whose every line is one ``FILE:LINE: message`` (or one clear
line), in under 2 s of CPU time. Inputs are generated from the formats' own keys and
values, dumped as YAML, CSV or JSON, then mutated byte by byte; some are raw bytes.

``make test`` runs a short bounded run; ``make fuzz`` a long one:
``CRAMPCOACH_FUZZ_EXAMPLES=100000`` sets the examples per reader (docs/hostile-input.md has
the figures of the last long run and what it found).
"""

from __future__ import annotations

import gc
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crampcoach.errors import CrampcoachError, RoutineError
from crampcoach.journal.exchange import COLUMNS, read_export
from crampcoach.routines.compiler import EstimatedSpeechMeter, compile_routine
from crampcoach.routines.loader import load_routine
from crampcoach.routines.timeline import Voice
from crampcoach.settings import EXAMPLE, load_settings

# The short run inside `make test` takes a few seconds; `make fuzz` sets many more.
EXAMPLES = int(os.environ.get("CRAMPCOACH_FUZZ_EXAMPLES", "100"))
CPU_LIMIT_S = 2.0
RUN = settings(max_examples=EXAMPLES, deadline=None, database=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.function_scoped_fixture])
#: Inputs run and how each ended, per reader (printed at the end of a run with -s).
COUNTS: dict[str, Counter[str]] = {}


@pytest.fixture(scope="module", autouse=True)
def report_counts() -> Iterator[None]:
    yield
    for reader, counts in sorted(COUNTS.items()):
        print(f"\nfuzz {reader}: {sum(counts.values())} inputs: "  # noqa: T201
              + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


def _outcome(call: Callable[[], object]) -> tuple[str, float]:
    """How the call ended, and the CPU time it took. The garbage collector waits until after:
    a collection of everything a long run has piled up is not the reader's work (a long run
    once measured 2.1 s for a tiny input that then took milliseconds every time)."""
    gc.disable()
    start = time.process_time()
    try:
        call()
    except CrampcoachError as e:
        lines = ([str(p) for p in e.problems] if isinstance(e, RoutineError)
                 else [str(e)])
        for line in lines:
            assert line
            assert "\n" not in line, repr(line)
            assert "\r" not in line, repr(line)
            assert "Traceback" not in line
        return type(e).__name__, time.process_time() - start
    finally:
        gc.enable()
    return "valid", time.process_time() - start


def _holds_the_property(reader: str, call: Callable[[], object]) -> None:
    outcome, used = _outcome(call)
    assert used < CPU_LIMIT_S, f"{reader} took {used:.2f} s of CPU"
    COUNTS.setdefault(reader, Counter())[outcome] += 1


# --- mutation -----------------------------------------------------------------------------------

_EDIT = st.tuples(st.floats(0, 1), st.integers(0, 8),
                  st.binary(max_size=6) | st.sampled_from(
                      [b"\n", b": ", b"- ", b"  ", b"{", b"[", b"&a ", b"*a", b"!!", b"\t", b"#",
                       b'"', b"'", b"\\", b"\x00", b"\x1b", b"\xff", b"%", b"---\n", b"..."]))


def _mutated(data: bytes, edits: list[tuple[float, int, bytes]]) -> bytes:
    """Each edit replaces ``cut`` bytes at a relative position with some bytes."""
    for where, cut, insert in edits:
        at = int(where * len(data))
        data = data[:at] + insert + data[at + cut:]
    return data


def _document(doc: st.SearchStrategy[Any], dump: Callable[[Any], str],
              seeds: tuple[bytes, ...] = ()) -> st.SearchStrategy[bytes]:
    """A generated document dumped, then maybe mutated; a real file mutated; or raw bytes."""
    dumped = doc.map(lambda d: dump(d).encode("utf-8", "surrogatepass"))
    edits = st.lists(_EDIT, min_size=1, max_size=6)
    choices = [dumped, st.tuples(dumped, edits).map(lambda t: _mutated(*t)),
               st.binary(max_size=300)]
    if seeds:
        real = st.sampled_from(seeds)
        choices += [real, st.tuples(real, edits).map(lambda t: _mutated(*t))]
    return st.one_of(choices)


def _yaml_dump(doc: Any) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000)


# --- routines -------------------------------------------------------------------------------

_TEXT = st.text(max_size=40) | st.sampled_from(
    ["Calf stretch", "Gently.", "\x1b[2J", "a\nb", "é", "  ", "", "10-15", "\u202e"])
_SCALAR: st.SearchStrategy[Any] = st.one_of(
    st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.none(), _TEXT,
    st.sampled_from(["30s", "2m", "1m30s", "1h", "0", "0.5", "-1", "1e9", "9" * 40, "left",
                     "right", "words", "tones", "both", "en", "de", "xx", "box-breathing",
                     "./part.yaml", "part.yaml", "../", "~nosuchuser/x.yaml", "/dev/zero",
                     "./self.yaml", "evening-calf-relief", "nope"]))
_ROUTINE_KEYS = st.sampled_from(
    ["name", "description", "language", "rate", "defaults", "steps", "say", "stretch", "cue",
     "hold", "sides", "reps", "countdown", "rest", "prepare", "breathe", "pattern", "cycles",
     "duration", "guide", "compress", "check_every", "include", "pause", "in", "out",
     "hold_out", "nmae", "stpes"])
_VALUE = st.recursive(_SCALAR, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(_ROUTINE_KEYS, inner, max_size=5), max_leaves=12)
_STEP = st.dictionaries(_ROUTINE_KEYS, _VALUE, min_size=1, max_size=6)
_ROUTINE_DOC = st.fixed_dictionaries(
    {}, optional={"name": _VALUE, "description": _VALUE, "language": _VALUE, "rate": _VALUE,
                  "defaults": _VALUE, "steps": st.lists(_STEP, max_size=8) | _VALUE})
# Every built-in routine and every failure-mode file: real files to mutate.
_BUILTINS = Path(__file__).parents[1] / "src" / "crampcoach" / "routines" / "builtin"
_ROUTINE_SEEDS = tuple(
    p.read_bytes() for p in sorted([*_BUILTINS.glob("*.yaml"),
                                    *(Path(__file__).parent / "data" / "routines").glob("*.yaml")]))
ROUTINE_BYTES = _document(_ROUTINE_DOC | _VALUE, _yaml_dump, _ROUTINE_SEEDS)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fuzz")
    (path / "part.yaml").write_text("name: Part\nsteps:\n  - rest: 2\n")
    return path


@RUN
@given(data=ROUTINE_BYTES)
def test_routine_loader(folder: Path, data: bytes) -> None:
    path = folder / "self.yaml"
    path.write_bytes(data)

    def load_and_compile() -> None:
        routine = load_routine(str(path), builtin_dirs=[], user_dirs=[folder])
        compile_routine(routine, EstimatedSpeechMeter(), Voice())

    _holds_the_property("routines", load_and_compile)


# --- settings -------------------------------------------------------------------------------

_SETTING_KEYS = st.sampled_from(
    ["language", "rate", "volume", "rating_timeout", "rate_before", "red_flag_threshold",
     "default_routine", "button_pin", "spoken_rating", "microphone", "night", "keys",
     "journal", "preroll", "start", "end", "volume_cap", "tone_gain", "pause", "skip",
     "repeat", "quit", "voice", "speed"])
_SETTING_SCALAR = _SCALAR | st.sampled_from(
    ["22:00", "07:00", "24:00", "off", "on", "yes", "no", "space", "pagedown", "q", "chime",
     "~/j.sqlite3", "~nosuchuser/j", "rel/j.sqlite3", "!!bool maybe"])
_SETTING_VALUE = st.recursive(_SETTING_SCALAR, lambda inner: st.lists(inner, max_size=4)
                              | st.dictionaries(_SETTING_KEYS, inner, max_size=5), max_leaves=10)
SETTINGS_BYTES = _document(st.dictionaries(_SETTING_KEYS, _SETTING_VALUE, max_size=8)
                           | _SETTING_VALUE, _yaml_dump, (EXAMPLE.encode(),))
_ENV_NAMES = st.sampled_from(["CRAMPCOACH_RATE", "CRAMPCOACH_RATE_BEFORE", "CRAMPCOACH_JOURNAL",
                              "CRAMPCOACH_VOLUME", "CRAMPCOACH_PREROLL", "CRAMPCOACH_CONFIG",
                              "CRAMPCOACH_SPOKEN_RATING", "CRAMPCOACH_BUTTON_PIN"])
# Environment values cannot hold a NUL byte.
_ENV = st.dictionaries(_ENV_NAMES, st.text(st.characters(blacklist_characters="\x00"),
                                           max_size=30) | st.just("[" * 5000), max_size=3)


@RUN
@given(data=SETTINGS_BYTES, environ=_ENV)
def test_settings_loader(folder: Path, data: bytes, environ: dict[str, str]) -> None:
    path = folder / "config.yaml"
    path.write_bytes(data)
    environ = {k: v if k != "CRAMPCOACH_CONFIG" else str(path) for k, v in environ.items()}
    _holds_the_property("settings", lambda: load_settings(path, environ))


# --- journal import -------------------------------------------------------------------------

_FIELD = st.one_of(st.none(), st.integers(-5, 20), st.sampled_from(
    ["session", "rating", "finished", "stopped", "interrupted", "2026-03-01T22:15:00.000000Z",
     "2026-13-45T22:15:00Z", "2026-03-01T22:15:00", "9999-12-31T23:59:59+14:00", "abc",
     "=HYPERLINK(\"x\")", "'=1+1", "''", "-3", "+1", "@SUM(A1)", "\tx", "\rx", "x\r\ny", ""]),
    _TEXT)
_RECORD = st.dictionaries(st.sampled_from([*COLUMNS, "extra"]), _FIELD, max_size=len(COLUMNS))
_EXPORT = st.fixed_dictionaries({"records": st.lists(_RECORD, max_size=6)},
                                optional={"format": st.sampled_from(["crampcoach journal", "x"]),
                                          "format_version": st.sampled_from([1, 2, "1"])})


def _csv_dump(doc: dict[str, Any]) -> str:
    from crampcoach.journal.exchange import _csv_field

    lines = ["# crampcoach journal export format 1", ",".join(COLUMNS)]
    for record in doc["records"]:
        lines.append(",".join(_csv_field(record.get(c)) for c in COLUMNS))
    return "\n".join(lines) + "\n"


def _json_dump(doc: dict[str, Any]) -> str:
    return json.dumps({"format": "crampcoach journal", "format_version": 1,
                       "exported_at": datetime(2026, 3, 1, tzinfo=UTC).isoformat(), **doc})


IMPORT_BYTES = _document(_EXPORT, _csv_dump) | _document(_EXPORT, _json_dump)


@RUN
@given(data=IMPORT_BYTES)
def test_journal_import(folder: Path, data: bytes) -> None:
    path = folder / "export.csv"
    path.write_bytes(data)
    _holds_the_property("imports", lambda: read_export(path))
