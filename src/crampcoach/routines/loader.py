"""Loading a routine: a file or a built-in name -> a validated, flat :class:`Routine`.

Safety first: PyYAML's safe loader only, files capped at 1 MB, anchors and aliases
refused, nesting bounded, text must be UTF-8. Every problem is reported as
``FILE:LINE: message`` using the YAML nodes' marks; validation goes on after a problem
so that one run lists all of them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from crampcoach import locations, yamlfile
from crampcoach.errors import Problem, RoutineError
from crampcoach.routines import library
from crampcoach.routines.checks import TEXT_CONTROL, Budget, Defaults, LanguageCheck, LoadContext
from crampcoach.routines.checks import choice as _choice
from crampcoach.routines.checks import duration as _duration
from crampcoach.routines.checks import mapping as _mapping
from crampcoach.routines.checks import text as _text
from crampcoach.routines.kinds import KINDS, Step, kind_of
from crampcoach.routines.kinds.breathe import GUIDES
from crampcoach.routines.model import Routine, Style
from crampcoach.routines.timeline import rate_problem
from crampcoach.yamlfile import YamlKind, did_you_mean, line_of

MAX_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_INCLUDE_DEPTH = 16
MAX_SESSION_S = 24 * 3600
# Bounds on what a file expands into, not only on its size (docs/routine-format.md, Limits):
# generous for real routines, and each refused before anything is compiled or rendered.
# (The shortest hold and the most reps are the stretch kind's: routines/kinds/stretch.py.)
#: Files read for one routine, itself and every include (a file included twice counts twice).
MAX_FILES = 100
#: Bytes read for one routine, all of those files together.
MAX_TOTAL_BYTES = MAX_BYTES
#: Steps once every include is expanded (a 1,000-step routine is a long one).
MAX_STEPS = 10_000
#: Cues in the compiled session; a 24-hour session of box breathing has about 43,000.
MAX_CUES = 100_000

TOP_KEYS = ("name", "description", "language", "rate", "style", "defaults", "steps")
STYLES: tuple[Style, ...] = ("standard", "breathing", "bedtime", "rescue", "guidance")
DEFAULT_KEYS = ("prepare", "rest", "pause", "guide")
# The built-in kinds in the order the docs list them; any other kind follows.
_ORDER = ("say", "stretch", "breathe", "compress", "rest", "wait")


def step_keys() -> dict[str, tuple[str, ...]]:
    """Every step kind (then include) with the keys it takes."""
    ordered = [*(k for k in _ORDER if k in KINDS), *(k for k in KINDS if k not in _ORDER)]
    return {**{name: KINDS[name].keys for name in ordered}, "include": ("include",)}


ROUTINE_FILE = YamlKind(noun="routine", file_noun="routine file", plural="routines",
                        max_bytes=MAX_BYTES, max_depth=MAX_DEPTH)


class LimitError(RoutineError):
    """A routine that expands past a bound: loading stops at once, nothing more is read."""


@dataclass(frozen=True, slots=True)
class IncludedProblem(Problem):
    """A problem inside an included file, shown at the including line; ``inner`` is the
    problem where it really is, so a chain of includes names the outermost and the innermost."""

    inner: Problem | None = None


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


def _defaults(ctx: LoadContext, node: Node) -> Defaults:
    if not isinstance(node, MappingNode):
        ctx.problem(node, "defaults must be a mapping like {prepare: 5s, rest: 10s}")
        return Defaults()
    keys = _mapping(ctx, node, DEFAULT_KEYS, "defaults")
    d = Defaults()
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
    return Defaults(**{**d.__dict__, **values})


def _step_kind(ctx: LoadContext, node: MappingNode, index: int) -> str | None:
    kind_keys = step_keys()
    kind_names = tuple(kind_keys)
    present = [str(k.value) for k, _ in node.value
               if isinstance(k, ScalarNode) and k.value in kind_names]
    where = f"step {index + 1}"
    # 'rest' is both a step kind and a stretch's key: the kind is the one whose keys
    # account for every other kind-named key in the step.
    kinds = [k for k in present if all(p in kind_keys[k] for p in present)]
    if len(kinds) == 1:
        return kinds[0]
    if present:
        ctx.problem(node, f"{where}: has more than one kind ({', '.join(present)}); "
                          "give each its own step")
        return None
    for key_node, _ in node.value:
        hint = did_you_mean(str(key_node.value), kind_names)
        if hint:
            ctx.problem(node, f"{where}: unknown step kind '{key_node.value}'{hint}")
            return None
    ctx.problem(node, f"{where}: a step must be one of {', '.join(kind_names)}")
    return None


def _steps(ctx: LoadContext, node: Node, d: Defaults) -> list[Step]:
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
        keys = _mapping(ctx, step_node, step_keys()[kind], f"{where} ({kind})")
        start = len(ctx.problems)
        if kind == "include":
            # The included file counts its own steps against the budget.
            steps.extend(_include(ctx, keys["include"][1], where))
            continue
        step = KINDS[kind].load(ctx, step_node, keys, where, d)
        if step is not None and len(ctx.problems) == start:
            steps.append(step)
            ctx.step_sources.append(ctx.shown)
        # Every step made anywhere ends up once in the expanded routine: so this counts it.
        ctx.budget.steps += 1
        if ctx.budget.steps > MAX_STEPS:
            raise LimitError.single(ctx.shown, line_of(step_node),
                                    f"{where}: more than {MAX_STEPS:,} steps with every include "
                                    "expanded; a routine is limited to that")
    return steps


def _include(ctx: LoadContext, node: Node, where: str) -> list[Step]:
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
    if ctx.confined and not any(Path(key).is_relative_to(Path(d).resolve())
                                for d in [*ctx.builtin_dirs, *ctx.user_dirs]):
        ctx.problem(node, f"{where}: cannot include '{ref}': only routines in your routines "
                          "folder or built-in ones can be included here")
        return []
    if key in ctx.include_stack:
        chain = " -> ".join([*(Path(p).name for p in ctx.include_stack), path.name])
        ctx.problem(node, f"{where}: include cycle: {chain}")
        return []
    try:
        sub = _load(path, shown, stack=(*ctx.include_stack, key),
                    language_check=ctx.language_check, builtin_dirs=ctx.builtin_dirs,
                    user_dirs=ctx.user_dirs, budget=ctx.budget, confined=ctx.confined)
    except RoutineError as e:
        whole = e.problems[0]
        if len(e.problems) == 1 and whole.file == shown and whole.line == 0:
            # Missing, a directory, empty, binary, one file too many: the include line is
            # what needs fixing.
            message = f"{where}: cannot include '{ref}': {whole.message}"
            if isinstance(e, LimitError):
                raise LimitError.single(ctx.shown, line_of(node), message) from None
            ctx.problem(node, message)
            return []
        # Shown at the line that includes it, with where it really is.
        wrapped: list[Problem] = []
        for problem in e.problems:
            inner = problem.inner if isinstance(problem, IncludedProblem) else problem
            wrapped.append(IncludedProblem(ctx.shown, line_of(node),
                                           f"in included '{ref}': {inner}", inner))
        if isinstance(e, LimitError):
            raise LimitError(wrapped) from None
        ctx.problems.extend(wrapped)
        return []
    ctx.step_sources.extend(sub.step_file(i) for i in range(len(sub.steps)))
    return list(sub.steps)


def _routine(ctx: LoadContext, root: Node) -> Routine:
    if not isinstance(root, MappingNode):
        raise RoutineError.single(ctx.shown, line_of(root),
                                  "a routine must be a mapping with 'name' and 'steps'")
    if not any(isinstance(k, ScalarNode) and k.value in TOP_KEYS for k, _ in root.value):
        # Some other file (a system file, another program's settings): its content is not
        # quoted back as "unknown key" messages.
        raise RoutineError.single(ctx.shown, 0, "is not a routine file: none of its keys is "
                                                "one a routine has (name, steps, ...)")
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
    d = _defaults(ctx, keys["defaults"][1]) if "defaults" in keys else Defaults()
    steps: list[Step] = []
    if "steps" in keys:
        steps = _steps(ctx, keys["steps"][1], d)
    else:
        ctx.problem(root, "routine: 'steps' is required")
    if not ctx.problems:
        # A wait may last its whole max_wait: the bound counts the longest it can be.
        least = sum(minimum_seconds(s) + kind_of(s).holds_s(s) for s in steps)
        if least > MAX_SESSION_S:
            hours = least / 3600
            shown = f"{hours:.1f}" if hours < 10_000 else "10,000"
            ctx.problem(keys["steps"][0], f"the session would last at least {shown} "
                                          "hours; sessions are limited to 24 hours")
        else:
            cues = sum(kind_of(s).most_cues(s) for s in steps)
            if cues > MAX_CUES:
                ctx.problem(keys["steps"][0], f"the session would have {cues:,} cues; "
                                              f"sessions are limited to {MAX_CUES:,}")
    if ctx.problems:
        raise RoutineError(ctx.problems)
    assert name is not None
    return Routine(name=name, steps=tuple(steps), description=description, language=language,
                   rate=rate, source=ctx.shown, step_sources=tuple(ctx.step_sources),
                   sha256=ctx.sha256, style=style)


def minimum_seconds(step: Step) -> float:
    """A lower bound of a step's length that needs no speech lengths."""
    return float(kind_of(step).minimum_s(step))


def _load(path: Path, shown: str, *, stack: tuple[str, ...], language_check: LanguageCheck | None,
          builtin_dirs: Sequence[Path], user_dirs: Sequence[Path],
          budget: Budget | None = None, confined: bool = False) -> Routine:
    budget = budget if budget is not None else Budget()
    budget.files += 1
    if budget.files > MAX_FILES:
        raise LimitError.single(shown, 0, f"a routine and its includes are limited to "
                                          f"{MAX_FILES} files read (a file included twice "
                                          "counts twice)")
    text = read_routine_text(path, shown)
    budget.bytes += len(text.encode())
    if budget.bytes > MAX_TOTAL_BYTES:
        raise LimitError.single(shown, 0, f"a routine and its includes are limited to "
                                          f"{MAX_TOTAL_BYTES:,} bytes read together")
    root = compose(text, shown)
    ctx = LoadContext(shown=shown, path=path, problems=[], include_stack=stack,
                   language_check=language_check, builtin_dirs=builtin_dirs,
                   user_dirs=user_dirs, sha256=hashlib.sha256(text.encode()).hexdigest(),
                   budget=budget, confined=confined)
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
    if TEXT_CONTROL.search(ref) or "\n" in ref or "\t" in ref:
        raise RoutineError.single(ref, 0, "a routine's name or path cannot contain control "
                                          "characters")
    if _looks_like_path(ref):
        try:
            path = locations.expand_user(Path(ref))
        except LookupError as e:
            raise RoutineError.single(ref, 0, str(e)) from None
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
                 user_dirs: Sequence[Path] | None = None, confined: bool = False,
                 language: str | None = None) -> Routine:
    """Load, validate and flatten a routine by path or by name (``confined``: includes
    only from ``user_dirs`` and the built-ins, as the companion page allows).

    ``language`` (the settings' language) is the one a built-in's text is given in, when
    the routine names none (``routines/translation.py``); None leaves it as written.
    Raises :class:`RoutineError` with every problem found, each ``FILE:LINE: message``.
    """
    from crampcoach.routines.translation import localized

    builtin_dirs = [library.BUILTIN_DIR] if builtin_dirs is None else list(builtin_dirs)
    user_dirs = library.default_user_dirs() if user_dirs is None else list(user_dirs)
    path, shown = resolve(ref, builtin_dirs=builtin_dirs, user_dirs=user_dirs)
    routine = _load(path, shown, stack=(str(path.resolve()),), language_check=language_check,
                    builtin_dirs=builtin_dirs, user_dirs=user_dirs, confined=confined)
    return localized(routine, language)


def routine_text(ref: str, *, builtin_dirs: Sequence[Path] | None = None,
                 user_dirs: Sequence[Path] | None = None) -> str:
    """The text of the routine file a reference names (a path, or a name as `play` finds it)."""
    path, shown = resolve(ref, builtin_dirs=builtin_dirs, user_dirs=user_dirs)
    return read_routine_text(path, shown)


def check_routine_text(text: str, path: Path, *, language_check: LanguageCheck | None = None,
                       builtin_dirs: Sequence[Path] | None = None,
                       user_dirs: Sequence[Path] | None = None,
                       confined: bool = False) -> Routine:
    """Validate ``text`` as if it were the routine file ``path`` (not yet written): the same
    checks and ``FILE:LINE`` messages as :func:`load_routine`, includes found beside
    ``path``. The companion page checks an edit with it before anything is saved."""
    builtin_dirs = [library.BUILTIN_DIR] if builtin_dirs is None else list(builtin_dirs)
    user_dirs = library.default_user_dirs() if user_dirs is None else list(user_dirs)
    shown = str(path)
    if len(text.encode()) > MAX_BYTES:
        raise RoutineError.single(shown, 0, f"is larger than {MAX_BYTES:,} bytes")
    if "\0" in text:
        raise RoutineError.single(shown, 0, "is a binary file, not a YAML routine")
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise RoutineError.single(shown, 0, "is empty; a routine needs a name and steps")
    root = compose(text, shown)
    ctx = LoadContext(shown=shown, path=path, problems=[], include_stack=(str(path.resolve()),),
                   language_check=language_check, builtin_dirs=builtin_dirs,
                   user_dirs=user_dirs, sha256=hashlib.sha256(text.encode()).hexdigest(),
                   confined=confined)
    return _routine(ctx, root)
