"""A validated routine: what the carer wrote, with every duration in seconds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Side = Literal["left", "right"]
Guide = Literal["words", "tones", "both"]


@dataclass(frozen=True, slots=True)
class Say:
    text: str
    pause_s: float = 1.0
    line: int = 0
    kind: Literal["say"] = "say"

    @property
    def title(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Stretch:
    name: str
    cue: str
    hold_s: float
    sides: tuple[Side, ...] = ()
    reps: int = 1
    countdown: int = 0
    prepare_s: float = 5.0
    rest_s: float = 10.0
    line: int = 0
    kind: Literal["stretch"] = "stretch"

    @property
    def title(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Breathe:
    name: str
    in_s: float
    out_s: float
    hold_s: float = 0.0
    hold_out_s: float = 0.0
    cycles: int = 1
    guide: Guide = "both"
    prepare_s: float = 5.0
    line: int = 0
    kind: Literal["breathe"] = "breathe"

    @property
    def title(self) -> str:
        return self.name

    @property
    def cycle_s(self) -> float:
        return self.in_s + self.hold_s + self.out_s + self.hold_out_s


@dataclass(frozen=True, slots=True)
class Compress:
    name: str
    duration_s: float
    check_every_s: float
    prepare_s: float = 5.0
    line: int = 0
    kind: Literal["compress"] = "compress"

    @property
    def title(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Rest:
    seconds: float
    line: int = 0
    kind: Literal["rest"] = "rest"

    @property
    def title(self) -> str:
        return "Rest"


Step = Say | Stretch | Breathe | Compress | Rest


@dataclass(frozen=True, slots=True)
class Routine:
    """A routine after loading, validation and expansion of includes (steps are flat)."""

    name: str
    steps: tuple[Step, ...]
    description: str = ""
    language: str | None = None
    rate: int | None = None
    source: str = ""
    # The file each step came from (differs from ``source`` for included steps).
    step_sources: tuple[str, ...] = field(default=())
    # SHA-256 of the routine file, so the journal knows which version was played.
    sha256: str = ""

    def step_file(self, index: int) -> str:
        if index < len(self.step_sources):
            return self.step_sources[index]
        return self.source
