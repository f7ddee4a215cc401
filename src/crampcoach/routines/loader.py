"""Loading a routine: a file or a built-in name -> a validated, flat :class:`Routine`.

Safety first: PyYAML's safe loader only, files capped at 1 MB, anchors and aliases
refused, nesting bounded, text must be UTF-8. Every problem is reported as
``FILE:LINE: message`` using the YAML nodes' marks; validation goes on after a problem
so that one run lists all of them.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from crampcoach import yamlfile
from crampcoach.errors import Problem, RoutineError
from crampcoach.routines import library
from crampcoach.routines.durations import parse_duration
from crampcoach.routines.model import (
    Breathe,
    Compress,
    Guide,
    Rest,
    Routine,
    Say,
    Side,
    Step,
    Stretch,
    Style,
    Wait,
)
from crampcoach.routines.timeline import rate_problem
from crampcoach.yamlfile import YamlKind, did_you_mean, line_of, mapping_entries

MAX_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_INCLUDE_DEPTH = 16
MAX_SESSION_S = 24 * 3600
# More digits than this is a slip of the keyboard, and would overflow the arithmetic.
MAX_WHOLE_DIGITS = 9
MAX_COMPRESS_S = 20 * 60
# About ten minutes of speech; espeak-ng crashed on a phrase of 100,000 characters.
MAX_TEXT_CHARS = 5000
MAX_CHECK_EVERY_S = 5 * 60
MIN_PHASE_S = 1.0

STEP_KINDS = ("say", "stretch", "breathe", "compress", "rest", "include", "wait")
TOP_KEYS = ("name", "description", "language", "rate", "style", "defaults", "steps")
STYLES: tuple[Style, ...] = ("standard", "breathing", "bedtime", "rescue")
DEFAULT_KEYS = ("prepare", "rest", "pause", "guide")
STEP_KEYS: dict[str, tuple[str, ...]] = {
    "say": ("say", "pause"),
    "stretch": ("stretch", "cue", "hold", "sides", "reps", "countdown", "rest", "prepare"),
    "breathe": ("breathe", "pattern", "cycles", "duration", "guide", "prepare"),
    "compress": ("compress", "duration", "check_every", "prepare"),
    "rest": ("rest",),
    "include": ("include",),
    "wait": ("wait", "prompt", "remind_every", "max_wait"),
}
PATTERN_KEYS = ("in", "hold", "out", "hold_out")
#: Breathing patterns known by name (``pattern: box``): the seconds of each phase.
NAMED_PATTERNS: dict[str, dict[str, float]] = {
    "box": {"in": 4, "hold": 4, "out": 4, "hold_out": 4},
    "4-7-8": {"in": 4, "hold": 7, "out": 8},
    "resonance": {"in": 5.5, "out": 5.5},
}
GUIDES: tuple[Guide, ...] = ("words", "tones", "both")
SIDES: tuple[Side, ...] = ("left", "right")

LanguageCheck = Callable[[str], bool]


ROUTINE_FILE = YamlKind(noun="routine", file_noun="routine file", plural="routines",
                        max_bytes=MAX_BYTES, max_depth=MAX_DEPTH)


def read_routine_text(path: Path, shown: str) -> str:
    """The file's text, or a RoutineError for anything that is not a small UTF-8 text file."""
    text = yamlfile.read_text(path, shown, ROUTINE_FILE)
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise RoutineError.single(shown, 0, "is empty; a routine needs a name and steps")
    return text


def compose(text: str, shown: str) -> Node:
    """The YAML node tree of one document, with marks for line numbers."""
    node = yamlfile.compose(text, shown, ROUTINE_FILE)
    if node is None:
        raise RoutineError.single(shown, 0, "is empty; a routine needs a name and steps")
    return node


@dataclass
class _Context:
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

    def problem(self, node: Node, message: str) -> None:
        self.problems.append(Problem(self.shown, line_of(node), message))


def _mapping(ctx: _Context, node: MappingNode, allowed: Sequence[str], where: str,
             ) -> dict[str, tuple[Node, Node]]:
    """Keys to (key node, value node); unknown and duplicate keys reported."""
    return {key: (key_node, value_node) for key, key_node, value_node
            in mapping_entries(node, where, allowed, ctx.problem)}


def _text(ctx: _Context, node: Node, what: str) -> str | None:
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
    return value


def _duration(ctx: _Context, node: Node, what: str, *, positive: bool) -> float | None:
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


def _whole(ctx: _Context, node: Node, what: str, least: int) -> int | None:
    raw = str(node.value) if isinstance(node, ScalarNode) else ""
    if not (isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:int"
            and raw.lstrip("+-").isdigit()):
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


def _choice(ctx: _Context, node: Node, what: str, choices: Sequence[str]) -> str | None:
    raw = str(node.value) if isinstance(node, ScalarNode) else ""
    if raw not in choices:
        listed = ", ".join(choices)
        ctx.problem(node, f"{what} must be one of {listed}, not '{raw or '...'}'"
                          f"{did_you_mean(raw, choices)}")
        return None
    return raw


@dataclass(frozen=True)
class _Defaults:
    prepare_s: float = 5.0
    rest_s: float = 10.0
    pause_s: float = 1.0
    guide: Guide = "both"


def _defaults(ctx: _Context, node: Node) -> _Defaults:
    if not isinstance(node, MappingNode):
        ctx.problem(node, "defaults must be a mapping like {prepare: 5s, rest: 10s}")
        return _Defaults()
    keys = _mapping(ctx, node, DEFAULT_KEYS, "defaults")
    d = _Defaults()
    values: dict[str, Any] = {}
    for key in ("prepare", "rest", "pause"):
        if key in keys:
            seconds = _duration(ctx, keys[key][1], f"defaults.{key}", positive=False)
            if seconds is not None:
                values[f"{key}_s"] = seconds
    if "guide" in keys:
        guide = _choice(ctx, keys["guide"][1], "defaults.guide", GUIDES)
        if guide is not None:
            values["guide"] = guide
    return _Defaults(**{**d.__dict__, **values})


def _step_kind(ctx: _Context, node: MappingNode, index: int) -> str | None:
    present = [str(k.value) for k, _ in node.value
               if isinstance(k, ScalarNode) and k.value in STEP_KINDS]
    where = f"step {index + 1}"
    # 'rest' is both a step kind and a stretch's key: the kind is the one whose keys
    # account for every other kind-named key in the step.
    kinds = [k for k in present if all(p in STEP_KEYS[k] for p in present)]
    if len(kinds) == 1:
        return kinds[0]
    if present:
        ctx.problem(node, f"{where}: has more than one kind ({', '.join(present)}); "
                          "give each its own step")
        return None
    for key_node, _ in node.value:
        hint = did_you_mean(str(key_node.value), STEP_KINDS)
        if hint:
            ctx.problem(node, f"{where}: unknown step kind '{key_node.value}'{hint}")
            return None
    ctx.problem(node, f"{where}: a step must be one of {', '.join(STEP_KINDS)}")
    return None


def _required(ctx: _Context, node: MappingNode, keys: dict[str, tuple[Node, Node]],
              key: str, where: str) -> Node | None:
    if key not in keys:
        ctx.problem(node, f"{where}: '{key}' is required")
        return None
    return keys[key][1]


def _stretch(ctx: _Context, node: MappingNode, keys: dict[str, tuple[Node, Node]],
             where: str, d: _Defaults) -> Stretch | None:
    name = _text(ctx, keys["stretch"][1], f"{where}: the stretch's name")
    cue_node = _required(ctx, node, keys, "cue", f"{where} (stretch)")
    cue = _text(ctx, cue_node, f"{where}: cue") if cue_node is not None else None
    hold_node = _required(ctx, node, keys, "hold", f"{where} (stretch)")
    hold = _duration(ctx, hold_node, f"{where}: hold", positive=True) if hold_node else None
    sides: tuple[Side, ...] = ()
    if "sides" in keys:
        sides_node = keys["sides"][1]
        if not isinstance(sides_node, SequenceNode) or not sides_node.value:
            ctx.problem(sides_node, f"{where}: sides must be a list like [left, right]")
        else:
            chosen: list[Side] = []
            for item in sides_node.value:
                side = _choice(ctx, item, f"{where}: a side", SIDES)
                if side is None:
                    continue
                if side in chosen:
                    ctx.problem(item, f"{where}: side '{side}' is listed twice")
                    continue
                chosen.append("left" if side == "left" else "right")
            sides = tuple(chosen)
    reps = _whole(ctx, keys["reps"][1], f"{where}: reps", 1) if "reps" in keys else 1
    countdown = (_whole(ctx, keys["countdown"][1], f"{where}: countdown", 0)
                 if "countdown" in keys else 0)
    if countdown is not None and hold is not None and countdown >= hold:
        ctx.problem(keys["countdown"][1],
                    f"{where}: countdown ({countdown}) must be shorter than the hold ({hold:g} s)")
        countdown = None
    rest = (_duration(ctx, keys["rest"][1], f"{where}: rest", positive=False)
            if "rest" in keys else d.rest_s)
    prepare = (_duration(ctx, keys["prepare"][1], f"{where}: prepare", positive=False)
               if "prepare" in keys else d.prepare_s)
    if None in (name, cue, hold, reps, countdown, rest, prepare):
        return None
    assert name is not None
    assert cue is not None
    assert hold is not None
    assert reps is not None
    assert countdown is not None
    assert rest is not None
    assert prepare is not None
    return Stretch(name=name, cue=cue, hold_s=hold, sides=sides, reps=reps,
                   countdown=countdown, prepare_s=prepare, rest_s=rest, line=line_of(node))


def _breathe(ctx: _Context, node: MappingNode, keys: dict[str, tuple[Node, Node]],
             where: str, d: _Defaults) -> Breathe | None:
    name = _text(ctx, keys["breathe"][1], f"{where}: the breathing exercise's name")
    pattern_node = _required(ctx, node, keys, "pattern", f"{where} (breathe)")
    phases: dict[str, float] = {}
    ok = True
    if pattern_node is not None:
        named = (str(pattern_node.value).strip().lower()
                 if isinstance(pattern_node, ScalarNode) else "")
        if named in NAMED_PATTERNS:
            phases = dict(NAMED_PATTERNS[named])
        elif not isinstance(pattern_node, MappingNode):
            raw = str(pattern_node.value) if isinstance(pattern_node, ScalarNode) else ""
            names = ", ".join(NAMED_PATTERNS)
            ctx.problem(pattern_node, f"{where}: pattern must be one of {names}, or the "
                                      "seconds of each phase like {in: 4, out: 6}"
                                      f"{did_you_mean(raw, list(NAMED_PATTERNS))}")
            ok = False
        else:
            pkeys = _mapping(ctx, pattern_node, PATTERN_KEYS, f"{where}: pattern")
            for key in PATTERN_KEYS:
                if key not in pkeys:
                    if key in ("in", "out"):
                        ctx.problem(pattern_node, f"{where}: pattern needs '{key}'")
                        ok = False
                    continue
                value_node = pkeys[key][1]
                seconds = _duration(ctx, value_node, f"{where}: pattern.{key}",
                                    positive=key in ("in", "out"))
                if seconds is None:
                    ok = False
                elif 0 < seconds < MIN_PHASE_S:
                    ctx.problem(value_node, f"{where}: pattern.{key} must be 0 or at least "
                                            f"{MIN_PHASE_S:g} second")
                    ok = False
                else:
                    phases[key] = seconds
    else:
        ok = False
    cycle = sum(phases.values())
    cycles: int | None = None
    if "cycles" in keys and "duration" in keys:
        ctx.problem(keys["duration"][0], f"{where}: give cycles or duration, not both")
    elif "cycles" in keys:
        cycles = _whole(ctx, keys["cycles"][1], f"{where}: cycles", 1)
    elif "duration" in keys:
        total = _duration(ctx, keys["duration"][1], f"{where}: duration", positive=True)
        if total is not None and ok:
            cycles = int(total // cycle + 1e-9)
            if cycles < 1:
                ctx.problem(keys["duration"][1], f"{where}: duration ({total:g} s) is shorter "
                                                 f"than one breath ({cycle:g} s)")
                cycles = None
    else:
        ctx.problem(node, f"{where}: give cycles (a number of breaths) or duration")
    guide: str | None = d.guide
    if "guide" in keys:
        guide = _choice(ctx, keys["guide"][1], f"{where}: guide", GUIDES)
    prepare = (_duration(ctx, keys["prepare"][1], f"{where}: prepare", positive=False)
               if "prepare" in keys else d.prepare_s)
    if name is None or not ok or cycles is None or guide is None or prepare is None:
        return None
    return Breathe(name=name, in_s=phases["in"], out_s=phases["out"],
                   hold_s=phases.get("hold", 0.0), hold_out_s=phases.get("hold_out", 0.0),
                   cycles=cycles, guide=_as_guide(guide), prepare_s=prepare, line=line_of(node))


def _as_guide(value: str) -> Guide:
    return "words" if value == "words" else "tones" if value == "tones" else "both"


def _compress(ctx: _Context, node: MappingNode, keys: dict[str, tuple[Node, Node]],
              where: str, d: _Defaults) -> Compress | None:
    name = _text(ctx, keys["compress"][1], f"{where}: the compress step's name")
    duration_node = _required(ctx, node, keys, "duration", f"{where} (compress)")
    duration = (_duration(ctx, duration_node, f"{where}: duration", positive=True)
                if duration_node is not None else None)
    if duration is not None and duration > MAX_COMPRESS_S:
        ctx.problem(duration_node or node,  # duration_node is set here
                    f"{where}: a warm compress is limited to {MAX_COMPRESS_S // 60} minutes "
                    f"(numb skin can miss a burn, and heat can worsen MS symptoms), "
                    f"not {duration / 60:g}")
        duration = None
    check: float | None = min(MAX_CHECK_EVERY_S, duration or MAX_CHECK_EVERY_S)
    if "check_every" in keys:
        check_node = keys["check_every"][1]
        check = _duration(ctx, check_node, f"{where}: check_every", positive=True)
        if check is not None and check > MAX_CHECK_EVERY_S:
            ctx.problem(check_node, f"{where}: check_every must be at most "
                                    f"{MAX_CHECK_EVERY_S // 60} minutes, so the skin is "
                                    "checked often")
            check = None
        elif check is not None and duration is not None and check > duration:
            ctx.problem(check_node, f"{where}: check_every ({check:g} s) is longer than the "
                                    f"duration ({duration:g} s)")
            check = None
    prepare = (_duration(ctx, keys["prepare"][1], f"{where}: prepare", positive=False)
               if "prepare" in keys else d.prepare_s)
    if name is None or duration is None or check is None or prepare is None:
        return None
    return Compress(name=name, duration_s=duration, check_every_s=check, prepare_s=prepare,
                    line=line_of(node))


# --- the wait step -----------------------------------------------------------------------------

#: The longest a wait may hold the session before it carries on by itself.
MAX_WAIT_S = 30 * 60
#: Reminders closer together than this would nag, and could overlap their own speech.
MIN_REMIND_EVERY_S = 15.0


def _wait(ctx: _Context, step_node: MappingNode, keys: dict[str, tuple[Node, Node]],
          where: str) -> Wait | None:
    title = _text(ctx, keys["wait"][1], f"{where}: the wait's name")
    prompt = title
    if "prompt" in keys:
        prompt = _text(ctx, keys["prompt"][1], f"{where}: prompt")
    max_wait: float | None = 120.0
    if "max_wait" in keys:
        node = keys["max_wait"][1]
        max_wait = _duration(ctx, node, f"{where}: max_wait", positive=True)
        if max_wait is not None and max_wait > MAX_WAIT_S:
            ctx.problem(node, f"{where}: max_wait must be at most {MAX_WAIT_S // 60} minutes, "
                              f"not {max_wait / 60:g}")
            max_wait = None
    remind: float | None = 30.0
    if "remind_every" in keys:
        node = keys["remind_every"][1]
        remind = _duration(ctx, node, f"{where}: remind_every", positive=False)
        if remind is not None and 0 < remind < MIN_REMIND_EVERY_S:
            ctx.problem(node, f"{where}: remind_every must be 0 (no reminders) or at least "
                              f"{MIN_REMIND_EVERY_S:g} seconds, not {remind:g}")
            remind = None
        elif remind is not None and max_wait is not None and remind >= max_wait:
            ctx.problem(node, f"{where}: remind_every ({remind:g} s) must be shorter than "
                              f"max_wait ({max_wait:g} s), or 0 for no reminders")
            remind = None
    elif max_wait is not None and max_wait <= 30.0:
        remind = 0.0  # a short wait needs no reminder
    if title is None or prompt is None or max_wait is None or remind is None:
        return None
    return Wait(title=title, prompt=prompt, remind_every_s=remind, max_wait_s=max_wait,
                line=line_of(step_node))


def _steps(ctx: _Context, node: Node, d: _Defaults) -> list[Step]:
    if not isinstance(node, SequenceNode):
        ctx.problem(node, "steps must be a list of steps, each starting with '- '")
        return []
    if not node.value:
        ctx.problem(node, "steps is empty; a routine needs at least one step")
        return []
    steps: list[Step] = []
    for index, step_node in enumerate(node.value):
        where = f"step {index + 1}"
        if not isinstance(step_node, MappingNode):
            ctx.problem(step_node, f"{where}: a step must be a mapping like 'say: Hello'")
            continue
        kind = _step_kind(ctx, step_node, index)
        if kind is None:
            continue
        keys = _mapping(ctx, step_node, STEP_KEYS[kind], f"{where} ({kind})")
        start = len(ctx.problems)
        if kind == "say":
            text = _text(ctx, keys["say"][1], f"{where}: say")
            pause = (_duration(ctx, keys["pause"][1], f"{where}: pause", positive=False)
                     if "pause" in keys else d.pause_s)
            if text is not None and pause is not None:
                steps.append(Say(text=text, pause_s=pause, line=line_of(step_node)))
                ctx.step_sources.append(ctx.shown)
        elif kind == "rest":
            seconds = _duration(ctx, keys["rest"][1], f"{where}: rest", positive=True)
            if seconds is not None:
                steps.append(Rest(seconds=seconds, line=line_of(step_node)))
                ctx.step_sources.append(ctx.shown)
        elif kind == "include":
            steps.extend(_include(ctx, keys["include"][1], where))
        elif kind == "wait":
            wait = _wait(ctx, step_node, keys, where)
            if wait is not None and len(ctx.problems) == start:
                steps.append(wait)
                ctx.step_sources.append(ctx.shown)
        else:
            build = {"stretch": _stretch, "breathe": _breathe, "compress": _compress}[kind]
            step = build(ctx, step_node, keys, where, d)
            if step is not None and len(ctx.problems) == start:
                steps.append(step)
                ctx.step_sources.append(ctx.shown)
    return steps


def _include(ctx: _Context, node: Node, where: str) -> list[Step]:
    ref = _text(ctx, node, f"{where}: include")
    if ref is None:
        return []
    if len(ctx.include_stack) >= MAX_INCLUDE_DEPTH:
        # The stack holds the top routine too: MAX_INCLUDE_DEPTH files are 1 fewer includes.
        ctx.problem(node, f"{where}: includes nested more than {MAX_INCLUDE_DEPTH - 1} deep")
        return []
    base = ctx.path.parent if ctx.path is not None else None
    # A built-in includes built-ins only: a routine of the person's own with the same name
    # replaces the built-in where they name it, not inside every built-in that uses it.
    in_builtin = base is not None and any(base == d for d in ctx.builtin_dirs)
    user_dirs: Sequence[Path] = () if in_builtin else ctx.user_dirs
    try:
        path, shown = resolve(ref, base=base, builtin_dirs=ctx.builtin_dirs,
                              user_dirs=user_dirs, relative_to_cwd=False)
    except RoutineError as e:
        ctx.problem(node, f"{where}: cannot include '{ref}': {e.problems[0].message}")
        return []
    key = str(path.resolve())
    if key in ctx.include_stack:
        chain = " -> ".join([*(Path(p).name for p in ctx.include_stack), path.name])
        ctx.problem(node, f"{where}: include cycle: {chain}")
        return []
    try:
        sub = _load(path, shown, stack=(*ctx.include_stack, key),
                    language_check=ctx.language_check, builtin_dirs=ctx.builtin_dirs,
                    user_dirs=ctx.user_dirs)
    except RoutineError as e:
        whole = e.problems[0]
        if len(e.problems) == 1 and whole.file == shown and whole.line == 0:
            # Missing, a directory, empty, binary: the include line is what needs fixing.
            ctx.problem(node, f"{where}: cannot include '{ref}': {whole.message}")
        else:
            ctx.problems.extend(e.problems)
        return []
    ctx.step_sources.extend(sub.step_file(i) for i in range(len(sub.steps)))
    return list(sub.steps)


def _routine(ctx: _Context, root: Node) -> Routine:
    if not isinstance(root, MappingNode):
        raise RoutineError.single(ctx.shown, line_of(root),
                                  "a routine must be a mapping with 'name' and 'steps'")
    keys = _mapping(ctx, root, TOP_KEYS, "routine")
    name = None
    if "name" in keys:
        name = _text(ctx, keys["name"][1], "name")
    else:
        ctx.problem(root, "routine: 'name' is required")
    description = ""
    if "description" in keys:
        description = _text(ctx, keys["description"][1], "description") or ""
    language = None
    if "language" in keys:
        language = _text(ctx, keys["language"][1], "language")
        if (language is not None and ctx.language_check is not None
                and not ctx.language_check(language)):
            ctx.problem(keys["language"][1], f"language '{language}' is not a voice espeak-ng "
                                             "knows (crampcoach voices lists them)")
    rate = None
    if "rate" in keys:
        rate_node = keys["rate"][1]
        raw = str(rate_node.value) if isinstance(rate_node, ScalarNode) else "..."
        problem = rate_problem(raw)
        if problem is not None:
            ctx.problem(rate_node, f"rate {problem}")
        else:
            rate = int(raw)
    style: Style = "standard"
    if "style" in keys:
        chosen = _choice(ctx, keys["style"][1], "style", STYLES)
        style = next((s for s in STYLES if s == chosen), "standard")
    d = _defaults(ctx, keys["defaults"][1]) if "defaults" in keys else _Defaults()
    steps: list[Step] = []
    if "steps" in keys:
        steps = _steps(ctx, keys["steps"][1], d)
    else:
        ctx.problem(root, "routine: 'steps' is required")
    if not ctx.problems:
        # A wait may last its whole max_wait: the bound counts the longest it can be.
        least = sum(minimum_seconds(s) + (s.max_wait_s if isinstance(s, Wait) else 0.0)
                    for s in steps)
        if least > MAX_SESSION_S:
            hours = least / 3600
            shown = f"{hours:.1f}" if hours < 10_000 else "10,000"
            ctx.problem(keys["steps"][0], f"the session would last at least {shown} "
                                          "hours; sessions are limited to 24 hours")
    if ctx.problems:
        raise RoutineError(ctx.problems)
    assert name is not None
    return Routine(name=name, steps=tuple(steps), description=description, language=language,
                   rate=rate, source=ctx.shown, step_sources=tuple(ctx.step_sources),
                   sha256=ctx.sha256, style=style)


def minimum_seconds(step: Step) -> float:
    """A lower bound of a step's length that needs no speech lengths."""
    if isinstance(step, Say):
        return step.pause_s
    if isinstance(step, Rest):
        return step.seconds
    if isinstance(step, Stretch):
        rounds = step.reps * max(1, len(step.sides))
        return rounds * (step.prepare_s + step.hold_s) + (rounds - 1) * step.rest_s
    if isinstance(step, Breathe):
        return step.prepare_s + step.cycles * step.cycle_s
    if isinstance(step, Wait):
        return 0.0  # the person may be ready at once
    return step.prepare_s + step.duration_s


def _load(path: Path, shown: str, *, stack: tuple[str, ...], language_check: LanguageCheck | None,
          builtin_dirs: Sequence[Path], user_dirs: Sequence[Path]) -> Routine:
    text = read_routine_text(path, shown)
    root = compose(text, shown)
    ctx = _Context(shown=shown, path=path, problems=[], include_stack=stack,
                   language_check=language_check, builtin_dirs=builtin_dirs,
                   user_dirs=user_dirs, sha256=hashlib.sha256(text.encode()).hexdigest())
    return _routine(ctx, root)


def _is_file(path: Path) -> bool:
    """Path.is_file, but False for a name the system refuses (too long for a file name)."""
    try:
        return path.is_file()
    except OSError:
        return False


def _looks_like_path(ref: str) -> bool:
    return os.sep in ref or ref.endswith((".yaml", ".yml")) or ref.startswith(".")


def resolve(ref: str, *, base: Path | None = None, builtin_dirs: Sequence[Path] | None = None,
            user_dirs: Sequence[Path] | None = None, relative_to_cwd: bool = True,
            ) -> tuple[Path, str]:
    """The file a routine reference names, and how to show it in messages.

    A reference that looks like a path is a file (relative to ``base`` for includes);
    otherwise it is a routine name, looked up in the user's routines first, then the
    built-ins; a bare name that is also an existing file in the working directory is that file.
    """
    builtin_dirs = [library.BUILTIN_DIR] if builtin_dirs is None else list(builtin_dirs)
    user_dirs = library.default_user_dirs() if user_dirs is None else list(user_dirs)
    if _looks_like_path(ref):
        path = Path(ref).expanduser()
        if base is not None and not path.is_absolute():
            path = base / path
        shown = ref if base is None else str(path)
        return path, shown
    if relative_to_cwd and _is_file(Path(ref)):
        return Path(ref), ref
    for folder in [*user_dirs, *builtin_dirs]:
        for suffix in (".yaml", ".yml"):
            candidate = folder / f"{ref}{suffix}"
            # A dangling link or a folder is still the routine of that name, as `list`
            # shows it: loading it then says what is wrong with it.
            if os.path.lexists(candidate):
                return candidate, library.shown_name(candidate, ref, builtin_dirs)
    names = library.routine_names(builtin_dirs=builtin_dirs, user_dirs=user_dirs)
    raise RoutineError.single(ref, 0, "no such file or built-in routine"
                              f"{did_you_mean(ref, names)} (crampcoach list shows them)")


def load_routine(ref: str, *, language_check: LanguageCheck | None = None,
                 builtin_dirs: Sequence[Path] | None = None,
                 user_dirs: Sequence[Path] | None = None) -> Routine:
    """Load, validate and flatten a routine by path or by name.

    Raises :class:`RoutineError` with every problem found, each ``FILE:LINE: message``.
    """
    builtin_dirs = [library.BUILTIN_DIR] if builtin_dirs is None else list(builtin_dirs)
    user_dirs = library.default_user_dirs() if user_dirs is None else list(user_dirs)
    path, shown = resolve(ref, builtin_dirs=builtin_dirs, user_dirs=user_dirs)
    return _load(path, shown, stack=(str(path.resolve()),), language_check=language_check,
                 builtin_dirs=builtin_dirs, user_dirs=user_dirs)


def routine_text(ref: str, *, builtin_dirs: Sequence[Path] | None = None,
                 user_dirs: Sequence[Path] | None = None) -> str:
    """The text of the routine file a reference names (a path, or a name as `play` finds it)."""
    path, shown = resolve(ref, builtin_dirs=builtin_dirs, user_dirs=user_dirs)
    return read_routine_text(path, shown)
