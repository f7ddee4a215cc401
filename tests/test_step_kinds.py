"""Step kinds come from one registry: a kind added there is read, compiled and announced
without touching the loader or the compiler, and every kind is documented."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest
from yaml.nodes import MappingNode

from crampcoach.errors import RoutineError
from crampcoach.routines import checks
from crampcoach.routines.checks import Defaults, Keys, LoadContext
from crampcoach.routines.compiler import compile_routine
from crampcoach.routines.cues import StepBuilder
from crampcoach.routines.kinds import KINDS, StepKind
from crampcoach.routines.loader import load_routine
from crampcoach.routines.timeline import Voice
from support.fakes import FakeSpeech

DOCS = Path(__file__).parent.parent / "docs" / "routine-format.md"


@dataclass(frozen=True, slots=True)
class Hydrate:
    sips: int
    line: int = 0
    kind: Literal["hydrate"] = "hydrate"

    @property
    def title(self) -> str:
        return "Drink some water"


def _load(ctx: LoadContext, node: MappingNode, keys: Keys, where: str,
          d: Defaults) -> Hydrate | None:
    sips = checks.whole(ctx, keys["hydrate"][1], f"{where}: hydrate", 1)
    return None if sips is None else Hydrate(sips)


def _cues(b: StepBuilder, step: Hydrate, t: float, next_title: str | None) -> float:
    b.speech(t, f"Take {step.sips} sips of water.", "say")
    return b.settled()


HYDRATE = StepKind(name="hydrate", keys=("hydrate",), load=_load, cues=_cues,
                   minimum_s=lambda step: 1.0)


@pytest.fixture
def hydrate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(KINDS, "hydrate", HYDRATE)


def test_a_registered_kind_is_read_compiled_and_announced(hydrate: None,
                                                          tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("name: Water\nsteps:\n  - stretch: Calf stretch\n    cue: Toes up.\n"
                    "    hold: 5\n  - rest: 2\n  - hydrate: 3\n")
    routine = load_routine(str(path))
    assert routine.steps[2] == Hydrate(3)
    texts = [c.text for c in compile_routine(routine, FakeSpeech(), Voice()).cues]
    assert "And release. Next up: Drink some water." in texts
    assert "Take 3 sips of water." in texts


def test_its_problems_are_reported_like_any_others(hydrate: None, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("name: Water\nsteps:\n  - hydrate: lots\n")
    with pytest.raises(RoutineError) as caught:
        load_routine(str(path))
    assert str(caught.value) == f"{path}:3: step 1: hydrate must be a whole number, not 'lots'"


def test_an_unknown_kind_is_refused_not_played_as_something_else(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("name: Water\nsteps:\n  - hydrate: 3\n")
    with pytest.raises(RoutineError) as caught:
        load_routine(str(path))
    assert str(caught.value) == (f"{path}:3: step 1: a step must be one of say, stretch, "
                                 "breathe, compress, rest, wait, include")


def test_every_kind_has_its_section_in_the_routine_format_docs() -> None:
    text = DOCS.read_text()
    for name in KINDS:
        assert f"`{name}`" in text, name
