"""``say``: a sentence of the author's, then a pause."""

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
class Say:
    text: str
    pause_s: float = 1.0
    line: int = 0
    kind: Literal["say"] = "say"

    @property
    def title(self) -> str:
        return self.text


def load(ctx: LoadContext, node: MappingNode, keys: Keys, where: str, d: Defaults) -> Say | None:
    text = checks.text(ctx, keys["say"][1], f"{where}: say")
    pause = (checks.duration(ctx, keys["pause"][1], f"{where}: pause", positive=False)
             if "pause" in keys else d.pause_s)
    if text is None or pause is None:
        return None
    return Say(text=text, pause_s=pause, line=line_of(node))


def cues(b: StepBuilder, step: Say, t: float, next_title: str | None) -> float:
    cue = b.speech(t, step.text, "say")
    return cue.end + step.pause_s


KIND = StepKind(
    name="say", keys=("say", "pause"), load=load, cues=cues,
    minimum_s=lambda step: step.pause_s, most_cues=lambda step: 1, next_up="silent",
    describe=lambda step, index: f"step {index + 1} (say)", shows_title=False,
)
