"""A validated routine: what the carer wrote, with every duration in seconds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from crampcoach.routines.kinds import Step
from crampcoach.routines.kinds.breathe import Breathe, Guide
from crampcoach.routines.kinds.compress import Compress
from crampcoach.routines.kinds.rest import Rest
from crampcoach.routines.kinds.say import Say
from crampcoach.routines.kinds.stretch import Side, Stretch
from crampcoach.routines.kinds.wait import Wait

# Each kind's model lives with the rest of that kind (crampcoach.routines.kinds); the
# built-in ones are named here too, for whoever builds routines in code.
__all__ = ["Breathe", "Compress", "Guide", "Rest", "Routine", "Say", "Side", "Step", "Stretch",
           "Style", "Wait"]

#: How a routine opens and closes, and how gently the rating after it is asked:
#: "rescue" (a cramp happening now: never asked for a rating before), "guidance" (advice
#: to listen to, nothing to move: no "Move gently"), "bedtime" (ends
#: towards sleep: no "Well done", a gentle rating question), "breathing", "standard".
Style = Literal["standard", "breathing", "bedtime", "rescue", "guidance"]


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
