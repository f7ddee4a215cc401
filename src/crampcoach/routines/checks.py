"""The checks every part of a routine file is read with: each problem goes to the file's
list as ``FILE:LINE: message`` and reading goes on, so one run lists them all."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode

from crampcoach.errors import Problem
from crampcoach.routines.durations import parse_duration
from crampcoach.yamlfile import did_you_mean, line_of, mapping_entries

# More digits than this is a slip of the keyboard, and would overflow the arithmetic.
MAX_WHOLE_DIGITS = 9
# About ten minutes of speech; espeak-ng crashed on a phrase of 100,000 characters.
MAX_TEXT_CHARS = 5000

# Control characters in routine text would reach the terminal (escape sequences) and the
# voice; line breaks and tabs are the only ones a text may hold.
TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

LanguageCheck = Callable[[str], bool]


@dataclass
class Budget:
    """What one routine has read so far, shared by every file it includes."""

    files: int = 0
    bytes: int = 0
    steps: int = 0
#: A step's keys: name -> (key node, value node).
Keys = dict[str, tuple[Node, Node]]


@dataclass
class LoadContext:
    """What validation of one file needs: where it is and where problems go."""

    shown: str
    path: Path | None
    problems: list[Problem]
    include_stack: tuple[str, ...]
    language_check: LanguageCheck | None
    builtin_dirs: Sequence[Path]
    user_dirs: Sequence[Path]
    step_sources: list[str] = field(default_factory=list)
    sha256: str = ""
    budget: Budget = field(default_factory=Budget)
    #: Includes only from ``user_dirs`` and ``builtin_dirs`` (the companion page: a file
    #: elsewhere is refused in the same words whether it exists or not).
    confined: bool = False

    def problem(self, node: Node, message: str) -> None:
        self.problems.append(Problem(self.shown, line_of(node), message))


def mapping(ctx: LoadContext, node: MappingNode, allowed: Sequence[str], where: str,
             ) -> dict[str, tuple[Node, Node]]:
    """Keys to (key node, value node); unknown and duplicate keys reported."""
    return {key: (key_node, value_node) for key, key_node, value_node
            in mapping_entries(node, where, allowed, ctx.problem)}


def text(ctx: LoadContext, node: Node, what: str) -> str | None:
    if not isinstance(node, ScalarNode) or node.tag == "tag:yaml.org,2002:null":
        ctx.problem(node, f"{what} must be text")
        return None
    # The raw scalar text: 'no' stays "no" and 10 stays "10" (no YAML 1.1 surprises).
    value = str(node.value).strip()
    if not value:
        ctx.problem(node, f"{what} must not be empty")
        return None
    if len(value) > MAX_TEXT_CHARS:
        ctx.problem(node, f"{what} is too long ({len(value):,} characters; "
                          f"at most {MAX_TEXT_CHARS:,})")
        return None
    control = TEXT_CONTROL.search(value)
    if control is not None:
        ctx.problem(node, f"{what} contains a control character ({control.group()}); "
                          "only plain text can be shown and spoken")
        return None
    return value


def duration(ctx: LoadContext, node: Node, what: str, *, positive: bool) -> float | None:
    seconds: float | None = None
    raw = str(node.value) if isinstance(node, ScalarNode) else ""
    if isinstance(node, ScalarNode) and node.tag != "tag:yaml.org,2002:bool":
        seconds = parse_duration(raw)
    if seconds is None:
        ctx.problem(node, f"{what} must be a duration like 30, 7.5, 30s, 2m or 1m30s, "
                          f"not '{raw or '...'}'")
        return None
    if math.isinf(seconds):  # so many digits that the number overflows
        ctx.problem(node, f"{what} is far too large")
        return None
    if positive and seconds <= 0:
        ctx.problem(node, f"{what} must be longer than 0 seconds")
        return None
    return seconds


def whole(ctx: LoadContext, node: Node, what: str, least: int) -> int | None:
    raw = str(node.value) if isinstance(node, ScalarNode) else ""
    # isascii: str.isdigit() accepts '²' and other digits int() refuses.
    if not (isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:int"
            and raw.lstrip("+-").isascii() and raw.lstrip("+-").isdigit()):
        ctx.problem(node, f"{what} must be a whole number, not '{raw or '...'}'")
        return None
    if len(raw.lstrip("+-").lstrip("0")) > MAX_WHOLE_DIGITS:
        ctx.problem(node, f"{what} is far too large")
        return None
    value = int(raw)
    if value < least:
        ctx.problem(node, f"{what} must be at least {least}, not {value}")
        return None
    return value


def choice(ctx: LoadContext, node: Node, what: str, choices: Sequence[str]) -> str | None:
    raw = str(node.value) if isinstance(node, ScalarNode) else ""
    if raw not in choices:
        listed = ", ".join(choices)
        ctx.problem(node, f"{what} must be one of {listed}, not '{raw or '...'}'"
                          f"{did_you_mean(raw, choices)}")
        return None
    return raw


@dataclass(frozen=True)
class Defaults:
    """The routine's ``defaults:``, for the steps that leave a value out."""

    prepare_s: float = 5.0
    rest_s: float = 10.0
    pause_s: float = 1.0
    guide: str = "both"


def required(ctx: LoadContext, node: MappingNode, keys: dict[str, tuple[Node, Node]],
              key: str, where: str) -> Node | None:
    if key not in keys:
        ctx.problem(node, f"{where}: '{key}' is required")
        return None
    return keys[key][1]


