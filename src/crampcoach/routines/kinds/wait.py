"""``wait``: the voice asks, then the session waits until the person is ready (a key, the
button or a service command), reminding now and then, and carrying on by itself after
``max_wait``.

The timeline assumes the person is ready at once: the prompt's cue carries a
:class:`WaitMark`, the step ends ``SETTLE_S`` after it, and the player holds the
deadlines after it for as long as the wait really takes (render and plan go straight on).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from yaml.nodes import MappingNode

from crampcoach.errors import escape_controls
from crampcoach.phrases import phrasebook
from crampcoach.routines import checks
from crampcoach.routines.checks import Defaults, Keys, LoadContext
from crampcoach.routines.cues import SETTLE_S, StepBuilder
from crampcoach.routines.kinds import StepKind
from crampcoach.routines.timeline import Cue, WaitMark
from crampcoach.yamlfile import line_of

#: The longest a wait may hold the session before it carries on by itself, and the least
#: (a wait shorter than this gives the person no time to get ready).
MAX_WAIT_S = 30 * 60
MIN_WAIT_S = 5.0
#: Reminders closer together than this would nag, and could overlap their own speech.
MIN_REMIND_EVERY_S = 15.0
#: The quiet a rendered file leaves at a wait that has no reminder interval (a file
#: cannot wait for a button): time to do what was asked, a towel looped by slow hands.
FILE_PAUSE_S = 20.0


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


def load(ctx: LoadContext, node: MappingNode, keys: Keys, where: str,
         d: Defaults) -> Wait | None:
    title = checks.text(ctx, keys["wait"][1], f"{where}: the wait's name")
    prompt = title
    if "prompt" in keys:
        prompt = checks.text(ctx, keys["prompt"][1], f"{where}: prompt")
    max_wait: float | None = 120.0
    if "max_wait" in keys:
        max_node = keys["max_wait"][1]
        max_wait = checks.duration(ctx, max_node, f"{where}: max_wait", positive=True)
        if max_wait is not None and not MIN_WAIT_S <= max_wait <= MAX_WAIT_S:
            # Said as it was written: "not 30" for 30m0.001s misled.
            given = escape_controls(str(getattr(max_node, "value", max_wait)))[:40]
            ctx.problem(max_node, f"{where}: max_wait must be at most {MAX_WAIT_S // 60} "
                                  f"minutes, not {given}" if max_wait > MAX_WAIT_S else
                        f"{where}: max_wait must be at least {MIN_WAIT_S:g} seconds, "
                        f"not {given}")
            max_wait = None
    remind: float | None = 30.0
    if "remind_every" in keys:
        remind_node = keys["remind_every"][1]
        remind = checks.duration(ctx, remind_node, f"{where}: remind_every", positive=False)
        if remind is not None and 0 < remind < MIN_REMIND_EVERY_S:
            ctx.problem(remind_node, f"{where}: remind_every must be 0 (no reminders) or at "
                                     f"least {MIN_REMIND_EVERY_S:g} seconds, not {remind:g}")
            remind = None
        elif remind is not None and max_wait is not None and remind >= max_wait:
            ctx.problem(remind_node, f"{where}: remind_every ({remind:g} s) must be shorter "
                                     f"than max_wait ({max_wait:g} s), or 0 for no reminders")
            remind = None
    elif max_wait is not None and max_wait <= 30.0:
        remind = 0.0  # a short wait needs no reminder
    if title is None or prompt is None or max_wait is None or remind is None:
        return None
    return Wait(title=title, prompt=prompt, remind_every_s=remind, max_wait_s=max_wait,
                line=line_of(node))


def wait_reminder(step: Wait, language: str = "en") -> str:
    """What the voice says every ``remind_every`` while the session waits (the player
    follows it with how to say "ready" with the inputs connected: the timeline cannot
    know them)."""
    book = phrasebook(language)
    return book.wait_reminder.format(prompt=step.prompt, hint="").strip()


def file_prompt(step: Wait, language: str = "en") -> str:
    """What a rendered file says for the wait: its prompt, and words that fit a file (no
    button to press)."""
    book = phrasebook(language)
    return book.wait_prompt.format(prompt=step.prompt, hint=book.wait_in_file)


def file_pause_s(step: Wait) -> float:
    """The quiet a rendered file leaves after the wait's prompt: its reminder interval (the
    player would remind then), else :data:`FILE_PAUSE_S`; never more than ``max_wait``."""
    pause = step.remind_every_s if step.remind_every_s > 0 else FILE_PAUSE_S
    return min(pause, step.max_wait_s)


def cues(b: StepBuilder, step: Wait, t: float, next_title: str | None) -> float:
    """The prompt, marked: the player waits after it (and says how to carry on, in words
    that fit the inputs connected); render and plan go straight on."""
    book = b.book
    text = book.wait_prompt.format(prompt=step.prompt, hint="").strip()
    cue = Cue(at=t, kind="speech", text=text, step=b.step, role="wait",
              length=b.meter.seconds(text, b.voice),
              wait=WaitMark(step.max_wait_s, step.remind_every_s,
                            wait_reminder(step, b.voice.language)))
    b.cues.append(cue)
    return cue.end + SETTLE_S


KIND = StepKind(
    name="wait", keys=("wait", "prompt", "remind_every", "max_wait"), load=load, cues=cues,
    # The person may be ready at once; the session's bound counts the longest it can be.
    minimum_s=lambda step: 0.0, holds_s=lambda step: step.max_wait_s, next_up="silent",
    # The question, a reminder every remind_every, and carrying on.
    most_cues=lambda step: 2 + (math.ceil(step.max_wait_s / step.remind_every_s)
                                if step.remind_every_s > 0 else 0),
)
