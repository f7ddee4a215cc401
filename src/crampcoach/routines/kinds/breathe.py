"""``breathe``: paced breathing, every phase on its beat, in words, tones or both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from yaml.nodes import MappingNode, ScalarNode

from crampcoach.phrases import Phrasebook
from crampcoach.routines import checks
from crampcoach.routines.checks import Defaults, Keys, LoadContext
from crampcoach.routines.cues import StepBuilder, with_next
from crampcoach.routines.kinds import StepKind
from crampcoach.routines.timeline import ToneName
from crampcoach.yamlfile import did_you_mean, line_of

Guide = Literal["words", "tones", "both"]
GUIDES: tuple[Guide, ...] = ("words", "tones", "both")
PATTERN_KEYS = ("in", "hold", "out", "hold_out")
#: Breathing patterns known by name (``pattern: box``): the seconds of each phase.
NAMED_PATTERNS: dict[str, dict[str, float]] = {
    "box": {"in": 4, "hold": 4, "out": 4, "hold_out": 4},
    "4-7-8": {"in": 4, "hold": 7, "out": 8},
    "resonance": {"in": 5.5, "out": 5.5},
}
MIN_PHASE_S = 1.0


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


def load(ctx: LoadContext, node: MappingNode, keys: Keys,
             where: str, d: Defaults) -> Breathe | None:
    name = checks.text(ctx, keys["breathe"][1], f"{where}: the breathing exercise's name")
    pattern_node = checks.required(ctx, node, keys, "pattern", f"{where} (breathe)")
    phases: dict[str, float] = {}
    ok = True
    if pattern_node is not None:
        named = (str(pattern_node.value).strip().lower()
                 if isinstance(pattern_node, ScalarNode) else "")
        if named in NAMED_PATTERNS:
            phases = dict(NAMED_PATTERNS[named])
        elif not isinstance(pattern_node, MappingNode):
            raw = str(pattern_node.value) if isinstance(pattern_node, ScalarNode) else ""
            names = ", ".join(NAMED_PATTERNS)
            ctx.problem(pattern_node, f"{where}: pattern must be one of {names}, or the "
                                      "seconds of each phase like {in: 4, out: 6}"
                                      f"{did_you_mean(raw, list(NAMED_PATTERNS))}")
            ok = False
        else:
            pkeys = checks.mapping(ctx, pattern_node, PATTERN_KEYS, f"{where}: pattern")
            for key in PATTERN_KEYS:
                if key not in pkeys:
                    if key in ("in", "out"):
                        ctx.problem(pattern_node, f"{where}: pattern needs '{key}'")
                        ok = False
                    continue
                value_node = pkeys[key][1]
                seconds = checks.duration(ctx, value_node, f"{where}: pattern.{key}",
                                    positive=key in ("in", "out"))
                if seconds is None:
                    ok = False
                elif 0 < seconds < MIN_PHASE_S:
                    ctx.problem(value_node, f"{where}: pattern.{key} must be 0 or at least "
                                            f"{MIN_PHASE_S:g} second")
                    ok = False
                else:
                    phases[key] = seconds
    else:
        ok = False
    cycle = sum(phases.values())
    cycles: int | None = None
    if "cycles" in keys and "duration" in keys:
        ctx.problem(keys["duration"][0], f"{where}: give cycles or duration, not both")
    elif "cycles" in keys:
        cycles = checks.whole(ctx, keys["cycles"][1], f"{where}: cycles", 1)
    elif "duration" in keys:
        total = checks.duration(ctx, keys["duration"][1], f"{where}: duration", positive=True)
        if total is not None and ok:
            cycles = int(total // cycle + 1e-9)
            if cycles < 1:
                ctx.problem(keys["duration"][1], f"{where}: duration ({total:g} s) is shorter "
                                                 f"than one breath ({cycle:g} s)")
                cycles = None
    else:
        ctx.problem(node, f"{where}: give cycles (a number of breaths) or duration")
    guide: str | None = d.guide
    if "guide" in keys:
        guide = checks.choice(ctx, keys["guide"][1], f"{where}: guide", GUIDES)
    prepare = (checks.duration(ctx, keys["prepare"][1], f"{where}: prepare", positive=False)
               if "prepare" in keys else d.prepare_s)
    if name is None or not ok or cycles is None or guide is None or prepare is None:
        return None
    return Breathe(name=name, in_s=phases["in"], out_s=phases["out"],
                   hold_s=phases.get("hold", 0.0), hold_out_s=phases.get("hold_out", 0.0),
                   cycles=cycles, guide=_as_guide(guide), prepare_s=prepare, line=line_of(node))


def _as_guide(value: str) -> Guide:
    return "words" if value == "words" else "tones" if value == "tones" else "both"


def _breathe_intro(book: Phrasebook, s: Breathe) -> str:
    # Each phase in seconds, with the word for seconds: a bare "5.5" cannot be counted to,
    # and "4 seconds" needs no counting in the head at all.
    parts = [book.breathe_in_for.format(seconds=book.duration(s.in_s))]
    if s.hold_s:
        parts.append(book.breathe_hold_for.format(seconds=book.duration(s.hold_s)))
    parts.append(book.breathe_out_for.format(seconds=book.duration(s.out_s)))
    if s.hold_out_s:
        parts.append(book.breathe_hold_for.format(seconds=book.duration(s.hold_out_s)))
    breaths = book.one_breath if s.cycles == 1 else book.breaths.format(count=s.cycles)
    return book.breathe_intro.format(name=s.name, parts=book.breathe_list_separator.join(parts),
                                     breaths=breaths, follow=book.follow[s.guide])


def _phases(book: Phrasebook) -> tuple[tuple[str, str, ToneName], ...]:
    return (
        ("in_s", book.phase_in, "in"),
        ("hold_s", book.phase_hold, "hold"),
        ("out_s", book.phase_out, "out"),
        ("hold_out_s", book.phase_hold, "hold"),
    )


def _cues(b: StepBuilder, s: Breathe, t: float, next_title: str | None) -> float:
    book = b.book
    t = b.window(t, _breathe_intro(book, s), "intro", s.prepare_s)
    phases = _phases(book)
    for _ in range(s.cycles):
        for attr, word, tone in phases:
            length: float = getattr(s, attr)
            if length <= 0:
                continue
            if s.guide in ("tones", "both"):
                b.tone(t, tone, word, "phase")
            if s.guide in ("words", "both"):
                b.speech(t, word, "phase")
            t += length
    b.speech(t, with_next(book, book.breathe_end, next_title), "end")
    return b.settled()


KIND = StepKind(
    name="breathe", keys=("breathe", "pattern", "cycles", "duration", "guide", "prepare"),
    load=load, cues=_cues, minimum_s=lambda step: step.prepare_s + step.cycles * step.cycle_s,
    # The introduction and the end, and a word and a tone on every phase of every cycle.
    most_cues=lambda step: 2 + step.cycles * 2 * sum(
        1 for s in (step.in_s, step.hold_s, step.out_s, step.hold_out_s) if s > 0),
)
