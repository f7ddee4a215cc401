"""``compress``: a warm (never hot) compress, time-limited, with check-ins."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from yaml.nodes import MappingNode

from crampcoach.phrases import ENGLISH
from crampcoach.routines import checks
from crampcoach.routines.checks import Defaults, Keys, LoadContext
from crampcoach.routines.cues import EPS, StepBuilder, with_next
from crampcoach.routines.kinds import StepKind
from crampcoach.yamlfile import line_of

MAX_COMPRESS_S = 20 * 60
MAX_CHECK_EVERY_S = 5 * 60


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


def load(ctx: LoadContext, node: MappingNode, keys: Keys,
              where: str, d: Defaults) -> Compress | None:
    name = checks.text(ctx, keys["compress"][1], f"{where}: the compress step's name")
    duration_node = checks.required(ctx, node, keys, "duration", f"{where} (compress)")
    duration = (checks.duration(ctx, duration_node, f"{where}: duration", positive=True)
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
        check = checks.duration(ctx, check_node, f"{where}: check_every", positive=True)
        if check is not None and check > MAX_CHECK_EVERY_S:
            ctx.problem(check_node, f"{where}: check_every must be at most "
                                    f"{MAX_CHECK_EVERY_S // 60} minutes, so the skin is "
                                    "checked often")
            check = None
        elif check is not None and duration is not None and check > duration:
            ctx.problem(check_node, f"{where}: check_every ({check:g} s) is longer than the "
                                    f"duration ({duration:g} s)")
            check = None
    prepare = (checks.duration(ctx, keys["prepare"][1], f"{where}: prepare", positive=False)
               if "prepare" in keys else d.prepare_s)
    if name is None or duration is None or check is None or prepare is None:
        return None
    return Compress(name=name, duration_s=duration, check_every_s=check, prepare_s=prepare,
                    line=line_of(node))


#: The burn-safety words said before every compress (English; see the phrasebook).
COMPRESS_SAFETY = ENGLISH.compress_safety


def _cues(b: StepBuilder, s: Compress, t: float, next_title: str | None) -> float:
    book = b.book
    start = b.window(t, book.compress_intro.format(name=s.name, safety=book.compress_safety),
                     "intro", s.prepare_s)
    amount = book.duration(s.duration_s)
    one = amount in (book.duration(60), book.duration(1))
    verb = book.compress_verb_one if one else book.compress_verb_many
    b.speech(start, book.compress_on.format(amount=amount, verb=verb), "start")
    k = 1
    while k * s.check_every_s < s.duration_s - EPS:
        b.speech(start + k * s.check_every_s, book.compress_checkin, "checkin")
        k += 1
    b.speech(start + s.duration_s, with_next(book, book.compress_end, next_title), "end")
    return b.settled()


KIND = StepKind(
    name="compress", keys=("compress", "duration", "check_every", "prepare"),
    load=load, cues=_cues, minimum_s=lambda step: step.prepare_s + step.duration_s,
    most_cues=lambda step: 3 + math.ceil(step.duration_s / step.check_every_s),
)
