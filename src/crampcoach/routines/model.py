"""A validated routine: what the carer wrote, with every duration in seconds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Side = Literal["left", "right"]
Guide = Literal["words", "tones", "both"]
#: How a routine opens and closes, and how gently the rating after it is asked:
#: "rescue" (a cramp happening now: never asked for a rating before), "bedtime" (ends
#: towards sleep: no "Well done", a gentle rating question), "breathing", "standard".
Style = Literal["standard", "breathing", "bedtime", "rescue"]


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


# --- the wait step: everything about it is grouped here, in the loader, the compiler and
# the scheduler (each under a "wait step" heading), so it moves as one into a registry.


@dataclass(frozen=True, slots=True)
class Wait:
    """A marked point: the voice asks, then the session waits until the person is ready
    (a key, the button or a service command), reminding every ``remind_every_s`` (0:
    never) and carrying on by itself after ``max_wait_s``."""

    title: str
    prompt: str
    remind_every_s: float = 30.0
    max_wait_s: float = 120.0
    line: int = 0
    kind: Literal["wait"] = "wait"


Step = Say | Stretch | Breathe | Compress | Rest | Wait


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
    style: Style = "standard"

    @property
    def rescue(self) -> bool:
        """A routine for a cramp happening now: help comes first, so no rating before."""
        return self.style == "rescue"

    @property
    def gentle_ending(self) -> bool:
        """Ends towards rest or sleep: the rating after it is asked in its gentle form."""
        return self.style in ("bedtime", "rescue")

    def step_file(self, index: int) -> str:
        if index < len(self.step_sources):
            return self.step_sources[index]
        return self.source
