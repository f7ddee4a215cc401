"""Step kinds: each module here is one kind (``say``, ``stretch``, ...) with everything
about it: its model, the YAML keys it takes, how it is read and checked, the cues it
makes, its least length, and how it is announced as "next".

Adding a kind is adding a module here that defines ``KIND`` (see ``rest.py``, the
smallest), plus its tests and its section in docs/routine-format.md; the loader and the
compiler find it through :data:`KINDS`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from yaml.nodes import MappingNode

    from crampcoach.routines.checks import Defaults, Keys, LoadContext
    from crampcoach.routines.cues import StepBuilder


class Step(Protocol):
    """What every step has, whatever its kind (each kind's model adds its own fields)."""

    @property
    def kind(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def line(self) -> int: ...


#: How a step is announced as what comes next: by its title; not at all (a ``say`` is
#: heard in full a moment later); or skipped over to the step after it (a rest).
NextUp = Literal["title", "silent", "skip"]


@dataclass(frozen=True)
class StepKind:
    """One kind of step. ``keys``: the YAML keys it takes, its own name first.

    ``load`` reads and checks a step (problems go to the context; None when there were
    any). ``cues`` adds the step's cues from ``t`` (``next_title``: what to announce at
    its end) and returns when the step ends. ``minimum_s`` is a lower bound of its
    length that needs no speech lengths; ``holds_s`` is how much longer it may hold the
    session beyond that (a ``wait``: its ``max_wait``), for the bound on a session's
    length. ``most_cues`` is an upper bound of the cues it compiles to, so a session's
    cues are bounded before anything is compiled. ``describe`` names it in a problem.
    """

    name: str
    keys: tuple[str, ...]
    load: Callable[[LoadContext, MappingNode, Keys, str, Defaults], Any]
    cues: Callable[[StepBuilder, Any, float, str | None], float]
    minimum_s: Callable[[Any], float]
    next_up: NextUp = "title"
    # One cue unless the kind says otherwise: a kind whose cues grow with a step's values
    # (reps, cycles) must say how, or a file could make it compile to millions of cues.
    most_cues: Callable[[Any], int] = lambda step: 1
    holds_s: Callable[[Any], float] = lambda step: 0.0
    describe: Callable[[Any, int], str] = (
        lambda step, index: f"step {index + 1} ({step.kind} '{step.title}')")
    #: Whether the screen shows the step's title beside its number.
    shows_title: bool = True


def _discover() -> dict[str, StepKind]:
    kinds: dict[str, StepKind] = {}
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        kind = getattr(importlib.import_module(f"{__name__}.{module.name}"), "KIND", None)
        if isinstance(kind, StepKind):
            kinds[kind.name] = kind
    return kinds


#: Every step kind by its name.
KINDS: dict[str, StepKind] = _discover()


def kind_of(step: Step) -> StepKind:
    return KINDS[step.kind]
