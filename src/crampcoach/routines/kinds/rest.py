"""``rest``: quiet for a set time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from yaml.nodes import MappingNode

from crampcoach.routines import checks
from crampcoach.routines.checks import Defaults, Keys, LoadContext
from crampcoach.routines.cues import StepBuilder
from crampcoach.routines.kinds import StepKind
from crampcoach.yamlfile import line_of


@dataclass(frozen=True, slots=True)
class Rest:
    seconds: float
    line: int = 0
    kind: Literal["rest"] = "rest"

    @property
    def title(self) -> str:
        return "Rest"


def load(ctx: LoadContext, node: MappingNode, keys: Keys, where: str,
         d: Defaults) -> Rest | None:
    seconds = checks.duration(ctx, keys["rest"][1], f"{where}: rest", positive=True)
    return None if seconds is None else Rest(seconds=seconds, line=line_of(node))


def cues(b: StepBuilder, step: Rest, t: float, next_title: str | None) -> float:
    return t + step.seconds


KIND = StepKind(
    name="rest", keys=("rest",), load=load, cues=cues,
    minimum_s=lambda step: step.seconds, most_cues=lambda step: 0, next_up="skip",
    describe=lambda step, index: f"step {index + 1} (rest)",
)
