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

import contextlib
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


# --- the format-2 import, end to end ----------------------------------------------------------
# Structure-aware: a valid export the journal itself wrote (every table), changed where a
# person, a spreadsheet or an attacker would change it; then imported, and when it was
# taken, every reader and a re-import of its own backup must still work.

#: Each end-to-end example runs the command line several times: fewer in the short run.
END_TO_END = int(os.environ.get("CRAMPCOACH_FUZZ_EXAMPLES", "12"))
RUN_END_TO_END = settings(RUN, max_examples=END_TO_END)
_NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _valid_export(folder: Path) -> dict[str, Any]:
    from datetime import date, timedelta

    from click.testing import CliRunner

    from crampcoach.cli import cli
    from crampcoach.journal.store import Journal

    path = folder / "seed.sqlite3"
    clock = [_NOW - timedelta(days=40)]
    with Journal.open(path, clock=lambda: clock[0]) as j:
        session = j.start_session("Evening calf relief", "sha256:aa", 6, rating_before=6)
        clock[0] += timedelta(minutes=12)
        j.finish_session(session, "finished", 5, "Rest", rating_after=3, note="warm legs")
        j.add_rating(7, note="woke with a cramp")
        j.add_episode(at=clock[0], kind="cramp", body_part="calf", side="left",
                      duration_s=300, severity=6, helped="stretching", note="night")
        j.set_factors(date(2026, 10, 22), fluids_glasses=6, heat=True, sleep_hours=6.5,
                      tags=["travel"])
        j.add_medicine("baclofen", "start", date(2026, 10, 1), dose="10 mg")
        j.add_medicine("baclofen", "change", date(2026, 10, 15), dose="15 mg")
        j.add_medicine("magnesium", "start", date(2026, 10, 2), dose="300 mg", supplement=True)
        j.add_medicine("magnesium", "stop", date(2026, 10, 20))
        j.add_blood_result(date(2026, 10, 3), "magnesium", "0.71", "mmol/L")
        j.add_question("Could the dose be split?")
        j.add_checkin({"painful": False, "more_often": True, "weakness": None,
                       "daily_life": False})
    out = folder / "seed.json"
    result = CliRunner().invoke(cli, ["history", "export", "-o", str(out), "--journal",
                                      str(path)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert isinstance(document, dict)
    return document


_ODD_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True),
    _TEXT, st.just("\ud800"), st.just("x" * 3000), st.just([[[[]]]]), st.just({"a": 1}),
    st.sampled_from(["1026-12-05T03:10:00Z", "1900-01-01T00:00:00+14:00",
                     "9998-12-31T23:59:59-05:00", "0001-01-01T00:00:00Z", "2026-02-30",
                     "2026-10-01", "9999-01-01", "1899-12-31", "start", "stop", "change",
                     "cramp", "left", "both", "=1+1", "\x1b]0;x\x07", "baclofen", "BACLOFEN",
                     "9" * 300, ""]))
#: One change to the document: (table, index fraction, what to do, field, value).
_CHANGE = st.tuples(
    st.sampled_from(["records", "episodes", "factors", "medicines", "blood_results",
                     "questions", "checkins"]),
    st.floats(0, 1), st.sampled_from(["set", "drop_field", "drop_record", "duplicate",
                                      "reverse", "new_id"]),
    st.sampled_from(["id", "at", "day", "time_utc", "end_utc", "change", "name", "dose",
                     "kind", "value", "rating", "rating_before", "status", "text", "note",
                     "tags", "done_at", "duration_s", "severity", "sleep_hours", "heat",
                     "record", "extra"]),
    _ODD_VALUE)


def _changed(document: dict[str, Any], changes: list[tuple[str, float, str, str, Any]]
             ) -> dict[str, Any]:
    doc = json.loads(json.dumps(document))
    for table, where, what, key, value in changes:
        items = doc.get(table)
        if not isinstance(items, list) or not items:
            continue
        index = min(int(where * len(items)), len(items) - 1)
        item = items[index]
        if what == "set" and isinstance(item, dict):
            item[key] = value
        elif what == "drop_field" and isinstance(item, dict):
            item.pop(key, None)
        elif what == "drop_record":
            del items[index]
        elif what == "duplicate":
            items.insert(index, json.loads(json.dumps(item)))
        elif what == "reverse":
            items.reverse()
        elif what == "new_id" and isinstance(item, dict) and "id" in item:
            item["id"] = f"{item['id']}-copy"
            items.append(json.loads(json.dumps(item)))
    return doc


@pytest.fixture(scope="module")
def seed_export(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _valid_export(tmp_path_factory.mktemp("seed"))


_READERS = (["history"], ["history", "--days", "36600"], ["med", "list"],
            ["episode", "list", "--days", "36600"], ["episode", "list", "--to-complete"],
            ["question", "list"], ["blood", "list"],
            ["history", "export", "--table", "episodes"],
            ["history", "export", "--table", "medicines"])


def _import_then_read(folder: Path, data: bytes) -> str:
    """Import ``data``; the outcome ("refused" or "imported"), after checking the rules."""
    import shutil

    from click.testing import CliRunner

    from crampcoach.cli import cli
    from crampcoach.journal.store import Journal

    work = folder / "e2e"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    export, journal = work / "export.json", work / "journal.sqlite3"
    export.write_bytes(data)
    env = {"CRAMPCOACH_JOURNAL": str(journal), "TZ": "Europe/Berlin"}
    runner = CliRunner(env=env)
    result = runner.invoke(cli, ["history", "import", str(export)])
    if result.exit_code != 0:
        assert isinstance(result.exception, SystemExit), result.exception
        assert result.stderr.startswith("Error: "), result.stderr
        assert result.stderr.count("\n") == 1, result.stderr
        if journal.exists():
            with Journal.open(journal, create=False) as j:
                assert (len(j.sessions()), len(j.ratings()), len(j.care())) == (0, 0, 0)
        return "refused"
    for argv in _READERS:
        read = runner.invoke(cli, argv)
        assert read.exit_code == 0, (argv, read.output, read.exception)
    backup = work / "backup.json"
    assert runner.invoke(cli, ["history", "export", "-o", str(backup)]).exit_code == 0
    again = runner.invoke(cli, ["history", "import", str(backup), "--journal",
                                str(work / "restored.sqlite3")])
    assert again.exit_code == 0, again.output
    return "imported"


@RUN_END_TO_END
@given(changes=st.lists(_CHANGE, min_size=1, max_size=4))
def test_format_2_import_end_to_end(folder: Path, seed_export: dict[str, Any],
                                    changes: list[tuple[str, float, str, str, Any]]) -> None:
    doc = _changed(seed_export, changes)
    data = json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass")
    outcome = _import_then_read(folder, data)
    COUNTS.setdefault("format-2 imports, then every reader", Counter())[outcome] += 1


# --- piper voice files ----------------------------------------------------------------------

_VOICE_VALUE = st.recursive(
    _ODD_VALUE, lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["language", "code", "espeak", "voice", "audio",
                                       "sample_rate", "x"]), inner, max_size=4),
    max_leaves=10)
VOICE_CONFIG = st.one_of(
    st.fixed_dictionaries({}, optional={"language": _VOICE_VALUE, "espeak": _VOICE_VALUE,
                                        "audio": _VOICE_VALUE}).map(
        lambda d: json.dumps(d).encode("utf-8", "surrogatepass")),
    st.binary(max_size=200), st.just(b"[" * 5000), st.just(b'{"language": {"code": "en'),
    st.just(b'{"language": {"code": "en_US"}}'), st.just(b'{"espeak": {"voice": "en-us"}}'))


@RUN
@given(config=VOICE_CONFIG, model_start=st.binary(max_size=4) | st.just(b"\x08\x07"))
def test_piper_voice_files(folder: Path, config: bytes, model_start: bytes) -> None:
    from crampcoach.audio.piper import choose_voice, read_voice_file

    model = folder / "fuzz.onnx"
    model.write_bytes(model_start)
    model.with_name("fuzz.onnx.json").write_bytes(config)
    _holds_the_property("piper voice files", lambda: read_voice_file(model))
    choice = choose_voice(Voice("en"), "piper", str(model))
    assert choice.fallback_reason is None or "\n" not in choice.fallback_reason


# --- the control socket's requests ----------------------------------------------------------

_REQUEST_DOC = st.one_of(
    st.fixed_dictionaries({}, optional={
        "command": st.sampled_from(["start", "pause", "status", "stop", "dance", ""])
        | _ODD_VALUE, "routine": _ODD_VALUE, "as": _ODD_VALUE}),
    _ODD_VALUE)
CONTROL_REQUESTS = st.one_of(
    _REQUEST_DOC.map(lambda d: json.dumps(d).encode("utf-8", "surrogatepass") + b"\n"),
    st.tuples(_REQUEST_DOC.map(lambda d: json.dumps(d).encode("utf-8", "surrogatepass")),
              st.lists(_EDIT, min_size=1, max_size=4)).map(lambda t: _mutated(*t)),
    st.binary(max_size=300), st.just(b"[" * 4000 + b"\n"), st.just(b"{" * 3000),
    st.sampled_from([b'{"command": "status"}\n', b'{"command": "start", "routine": "x"}\n',
                     b'{"command": "pause"}']))


@pytest.fixture(scope="module")
def control_socket() -> Iterator[tuple[Path, list[str]]]:
    import shutil
    import tempfile

    from crampcoach.bedside.control import ControlServer, Reply

    where = Path(tempfile.mkdtemp(prefix="cc-fz-"))  # short: a socket path is 107 bytes
    log: list[str] = []
    server = ControlServer(where / "run" / "s.sock",
                           lambda command: Reply(True, f"did {command.name}"), log.append)
    server.open()
    yield server.path, log
    server.close()
    shutil.rmtree(where, ignore_errors=True)


@RUN
@given(request=CONTROL_REQUESTS)
def test_control_socket_requests(control_socket: tuple[Path, list[str]],
                                 request: bytes) -> None:
    import socket

    path, log = control_socket
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(str(path))
        with contextlib.suppress(OSError):  # a request too long is refused unread
            sock.sendall(request)
            sock.shutdown(socket.SHUT_WR)
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    reply = json.loads(answer)
    assert isinstance(reply, dict)
    assert isinstance(reply["ok"], bool)
    assert answer.count(b"\n") == 1
    assert not [line for line in log if "Traceback" in line or "\n" in line]
    COUNTS.setdefault("control requests", Counter())["answered" if reply["ok"]
                                                      else "refused"] += 1
