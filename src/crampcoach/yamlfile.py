"""Reading the YAML files people write (routines and settings), safely.

PyYAML's safe loader only; files are size-capped and read with a bounded read; binary,
UTF-16 and non-UTF-8 text refused; anchors and aliases refused and nesting bounded before
any node is built. Problems are :class:`RoutineError` (or a subclass) as FILE:LINE lines.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode

from crampcoach.errors import RoutineError


@dataclass(frozen=True)
class YamlKind:
    """What kind of file is read, for the limits and the words of its messages."""

    noun: str          # "routine": "not a YAML routine"
    file_noun: str     # "routine file": "is a directory, not a routine file"
    plural: str        # "routines": "anchors ... are not allowed in routines"
    max_bytes: int
    max_depth: int
    error: type[RoutineError] = RoutineError


class _Refused(Exception):
    """YAML that parses but that these files do not allow (at a 1-based line)."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


# What the YAML spec lets a file hold: tab, line breaks and printable characters.
_NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Explicit tags a file may carry: the plain scalar ones. Any other (!!python/..., !!binary,
# !!set, a local !tag) is refused by name before anything is built from it.
SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null"))


def read_bytes(path: Path, shown: str, kind: YamlKind) -> bytes:
    """The bytes of a regular file of at most ``kind.max_bytes``, or a one-line error.

    The file is opened without blocking and checked through its descriptor: a FIFO, a
    device or a socket is refused before a byte is read, so nothing can hang on it.
    """
    fail = kind.error.single
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise fail(shown, 0, "no such file") from None
    except PermissionError:
        raise fail(shown, 0, "cannot be read (permission denied)") from None
    except IsADirectoryError:
        raise fail(shown, 0, f"is a directory, not a {kind.file_noun}") from None
    except (OSError, ValueError) as e:
        raise fail(shown, 0, f"cannot be read ({getattr(e, 'strerror', None) or e})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise fail(shown, 0, f"is a directory, not a {kind.file_noun}")
        if not stat.S_ISREG(info.st_mode):
            raise fail(shown, 0, f"is not a regular file (a device, FIFO or socket), "
                                 f"not a {kind.file_noun}")
        if info.st_size > kind.max_bytes:
            raise fail(shown, 0, f"is {info.st_size:,} bytes; {kind.file_noun}s are limited to "
                                 f"{kind.max_bytes:,} bytes")
        os.set_blocking(fd, True)
        # A bounded read, in case the file grows while it is read.
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read(kind.max_bytes + 1)
    except OSError as e:
        raise fail(shown, 0, f"cannot be read ({e.strerror})") from None
    finally:
        os.close(fd)


def _shown_char(char: str) -> str:
    return repr(char)[1:-1] if ord(char) < 0x100 else f"U+{ord(char):04X}"


def read_text(path: Path, shown: str, kind: YamlKind) -> str:
    """The file's text, or an error for anything that is not a small UTF-8 text file."""
    fail = kind.error.single
    data = read_bytes(path, shown, kind)
    if len(data) > kind.max_bytes:
        raise fail(shown, 0, f"is larger than {kind.max_bytes:,} bytes")
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\0\0\xfe\xff")):
        # Byte-order marks of UTF-16 and UTF-32, as Windows Notepad's "Unicode" writes.
        raise fail(shown, 0, "is saved as UTF-16 or UTF-32 text; save it as UTF-8")
    if b"\0" in data:
        raise fail(shown, 0, f"is a binary file, not a YAML {kind.noun}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise fail(shown, line, "is not UTF-8 text") from None


def _event_line(event: yaml.Event) -> int:
    mark = event.start_mark
    return int(mark.line) + 1 if mark is not None else 0


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,") \
        else tag


def _refusal(event: yaml.Event, depth: int, kind: YamlKind) -> _Refused | None:
    if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
        return _Refused(_event_line(event),
                        f"YAML anchors and aliases are not allowed in {kind.plural}")
    tag = getattr(event, "tag", None)
    if tag is not None and tag not in SCALAR_TAGS:
        return _Refused(_event_line(event),
                        f"the YAML tag '{_short_tag(tag)}' is not allowed in {kind.plural}")
    if depth > kind.max_depth:
        return _Refused(_event_line(event), f"nested more than {kind.max_depth} levels deep")
    return None


def _prescan(text: str, kind: YamlKind) -> None:
    """Refuse anchors, aliases and deep nesting from the event stream, before any node exists."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, CollectionStartEvent):
            depth += 1
        elif isinstance(event, CollectionEndEvent):
            depth -= 1
        refused = _refusal(event, depth, kind)
        if refused is not None:
            raise refused


class _StrictLoader(yaml.SafeLoader):
    """The pure-Python safe loader with the same refusals (when libyaml is missing)."""

    def __init__(self, stream: str, kind: YamlKind) -> None:
        super().__init__(stream)
        self._kind = kind
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        self._depth += 1
        try:
            refused = _refusal(event, self._depth, self._kind)
            if refused is not None:
                raise refused
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _compose(text: str, kind: YamlKind) -> Node | None:
    if getattr(yaml, "__with_libyaml__", False):
        # libyaml is about ten times faster; the prescan gives it the strict loader's rules.
        try:
            _prescan(text, kind)
            return yaml.compose(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError as libyaml_error:
            # libyaml reads a flow collection to its end before the first event, and newer
            # builds refuse deep nesting there in their own words. The strict loader has no
            # limit of its own, so this file's limits are found first and said in the
            # project's words; any other problem is reported as libyaml found it.
            with contextlib.suppress(yaml.YAMLError):
                _strict_compose(text, kind)
            raise libyaml_error from None
    return _strict_compose(text, kind)


def _strict_compose(text: str, kind: YamlKind) -> Node | None:
    loader = _StrictLoader(text, kind)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    return lines[line][column:column + 1] if 0 <= line < len(lines) else ""


def compose(text: str, shown: str, kind: YamlKind) -> Node | None:
    """The node tree of one YAML document (None for an empty one), with line marks."""
    fail = kind.error.single
    bad = _NOT_YAML.search(text)
    if bad is not None:
        # Found here, with its line: PyYAML's own message spans two lines and says line 0.
        line = text.count("\n", 0, bad.start()) + 1
        raise fail(shown, line, f"contains a control character ({_shown_char(bad.group())}), "
                                "which a YAML file cannot hold")
    try:
        return _compose(text, kind)
    except _Refused as e:
        raise fail(shown, e.line, f"not valid YAML: {e.problem}") from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else 0
        what = e.problem or e.context or "not valid YAML"
        if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
            # libyaml says only "found character that cannot start any token".
            what = "a tab character; indent with spaces, not tabs"
        raise fail(shown, line, f"not valid YAML: {what}") from None
    except yaml.YAMLError as e:
        raise fail(shown, 0, f"not valid YAML: {e}") from None


# --- checks shared by every file kind -----------------------------------------------------------


def line_of(node: Node) -> int:
    """The 1-based line a node starts on."""
    return int(node.start_mark.line) + 1


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """``"; did you mean 'hold'?"`` when a choice is close to ``word``, else ``""``."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.7)
    return f"; did you mean '{close[0]}'?" if close else ""


def mapping_entries(
    node: MappingNode, where: str, known: Sequence[str], problem: Callable[[Node, str], None],
    hint: Callable[[str], str] = lambda key: "",
) -> Iterator[tuple[str, Node, Node]]:
    """A mapping's known entries as (key, key node, value node), in order. Keys that are
    not plain words, duplicates and unknown keys go to ``problem`` (unknown ones with
    ``hint(key)``, else a did-you-mean) and are left out."""
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            problem(key_node, f"{where}: keys must be plain words")
            continue
        key = str(key_node.value)
        if key in seen:
            problem(key_node, f"{where}: duplicate key '{key}' (first at line {seen[key]})")
            continue
        seen[key] = line_of(key_node)
        if key not in known:
            problem(key_node, f"{where}: unknown key '{key}'"
                              f"{hint(key) or did_you_mean(key, known)}")
            continue
        yield key, key_node, value_node
