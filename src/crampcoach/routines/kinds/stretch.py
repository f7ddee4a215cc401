"""``stretch``: held for an exact time on each side, with a countdown and rests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from yaml.nodes import MappingNode, SequenceNode

from crampcoach.routines import checks
from crampcoach.routines.checks import Defaults, Keys, LoadContext
from crampcoach.routines.cues import GAP_S, StepBuilder, with_next
from crampcoach.routines.kinds import StepKind
from crampcoach.yamlfile import line_of

#: The shortest hold: less cannot be held, and would make a cue per microsecond.
MIN_HOLD_S = 1.0
#: More repetitions than any routine needs; with the cue and length bounds, no bomb.
MAX_REPS = 100

Side = Literal["left", "right"]
SIDES: tuple[Side, ...] = ("left", "right")


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


def load(ctx: LoadContext, node: MappingNode, keys: Keys,
             where: str, d: Defaults) -> Stretch | None:
    name = checks.text(ctx, keys["stretch"][1], f"{where}: the stretch's name")
    cue_node = checks.required(ctx, node, keys, "cue", f"{where} (stretch)")
    cue = checks.text(ctx, cue_node, f"{where}: cue") if cue_node is not None else None
    hold_node = checks.required(ctx, node, keys, "hold", f"{where} (stretch)")
    hold = checks.duration(ctx, hold_node, f"{where}: hold", positive=True) if hold_node else None
    if hold is not None and hold < MIN_HOLD_S:
        ctx.problem(hold_node or node, f"{where}: hold must be at least {MIN_HOLD_S:g} second, "
                                       f"not {hold:g}")
        hold = None
    sides: tuple[Side, ...] = ()
    if "sides" in keys:
        sides_node = keys["sides"][1]
        if not isinstance(sides_node, SequenceNode) or not sides_node.value:
            ctx.problem(sides_node, f"{where}: sides must be a list like [left, right]")
        else:
            chosen: list[Side] = []
            for item in sides_node.value:
                side = checks.choice(ctx, item, f"{where}: a side", SIDES)
                if side is None:
                    continue
                if side in chosen:
                    ctx.problem(item, f"{where}: side '{side}' is listed twice")
                    continue
                chosen.append("left" if side == "left" else "right")
            sides = tuple(chosen)
    reps = checks.whole(ctx, keys["reps"][1], f"{where}: reps", 1) if "reps" in keys else 1
    if reps is not None and reps > MAX_REPS:
        ctx.problem(keys["reps"][1], f"{where}: reps must be at most {MAX_REPS}, not {reps}")
        reps = None
    countdown = (checks.whole(ctx, keys["countdown"][1], f"{where}: countdown", 0)
                 if "countdown" in keys else 0)
    if countdown is not None and hold is not None and countdown >= hold:
        ctx.problem(keys["countdown"][1],
                    f"{where}: countdown ({countdown}) must be shorter than the hold ({hold:g} s)")
        countdown = None
    rest = (checks.duration(ctx, keys["rest"][1], f"{where}: rest", positive=False)
            if "rest" in keys else d.rest_s)
    prepare = (checks.duration(ctx, keys["prepare"][1], f"{where}: prepare", positive=False)
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


def _capitalized(text: str) -> str:
    """The first letter made a capital, the rest as written (" left side." -> " Left
    side."; " côté gauche." -> " Côté gauche.")."""
    for i, c in enumerate(text):
        if c.isalpha():
            return text[:i] + c.upper() + text[i + 1:]
    return text


def _cues(b: StepBuilder, s: Stretch, t: float, next_title: str | None) -> float:
    book = b.book
    sides: tuple[str | None, ...] = s.sides or (None,)
    rounds = [(rep, side) for rep in range(1, s.reps + 1) for side in sides]
    for n, (rep, side) in enumerate(rounds):
        said_side = book.sides.get(side, side) if side else None
        side_words = _capitalized(book.stretch_side.format(side=said_side)) if said_side else ""
        if n == 0:
            times = ""
            if s.reps > 1:
                each = book.stretch_times_each_side if s.sides else book.stretch_times
                times = each.format(reps=s.reps)
            intro = book.stretch_intro.format(name=s.name, times=times, side=side_words,
                                              cue=s.cue)
        elif side is not None and rep == rounds[n - 1][0]:
            intro = book.stretch_switch.format(side=said_side, cue=s.cue)
        else:
            intro = book.stretch_again.format(name=s.name, rep=rep, reps=s.reps,
                                              side=side_words, cue=s.cue)
        hold_at = b.window(t, intro, "intro", s.prepare_s)
        b.speech(hold_at, book.hold_for.format(duration=book.duration(s.hold_s)), "hold")
        release_at = hold_at + s.hold_s
        for k in range(s.countdown, 0, -1):
            b.speech(release_at - k, book.number(k), "countdown")
        last = n == len(rounds) - 1
        release = b.speech(release_at,
                           with_next(book, book.release, next_title if last else None),
                           "release")
        if not last:
            t = release_at + max(s.rest_s, release.length + GAP_S)
    return b.settled()


def _minimum(step: Stretch) -> float:
    rounds = step.reps * max(1, len(step.sides))
    return rounds * (step.prepare_s + step.hold_s) + (rounds - 1) * step.rest_s


KIND = StepKind(
    name="stretch",
    keys=("stretch", "cue", "hold", "sides", "reps", "countdown", "rest", "prepare"),
    load=load, cues=_cues, minimum_s=_minimum,
    # Per round: the introduction, the hold, the countdown and the release.
    most_cues=lambda step: step.reps * max(1, len(step.sides)) * (3 + step.countdown),
)
