"""How the journal's records read: one line for an episode, a day's factors, a medicine
change, and the few phrases every front end shares (the heading of the flags, the urgent
tier, the note under "what seems to help").

The bottom of the journal's text: it knows the records (``store``) and nothing that
analyses them, so the analysis modules can word their findings with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from crampcoach.journal.store import DayFactors, Episode, MedicineEvent
from crampcoach.phrases import ENGLISH

#: The heading of every list of flags: history, rate, the page, the report.
RAISE_HEADING = "Worth raising with your neurologist"
#: The urgent tier, in the phrasebook's words: shown after every list of flags.
URGENT = ENGLISH.urgent_help
ASSOCIATION_NOTE = (
    "These are associations in your own records, not causes: other things may differ "
    "between those days."
)
NOTHING_STANDS_OUT = "Nothing stands out yet."
CHANGE_WORDS = {"start": "started", "change": "changed to", "stop": "stopped"}


def one_line(text: str) -> str:
    return " / ".join(part.strip() for part in text.splitlines() if part.strip())


def and_list(items: Sequence[str], word: str = "and") -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {word} " + items[-1]


def plural(n: int, kind: str) -> str:
    return f"{n} {kind}" if n == 1 else f"{n} {kind}{'es' if kind.endswith('ch') else 's'}"


def minutes_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes >= 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes} min" + (f" {rest} s" if rest else "")


def place_text(e: Episode) -> str | None:
    if e.body_part is None:
        return None
    if e.side in ("left", "right"):
        return f"{e.side} {e.body_part}"
    if e.side == "both":
        return f"{e.body_part}, both sides"
    return e.body_part


def missing_text(e: Episode) -> str:
    missing = [what for what, value in (("what", e.kind), ("where", e.body_part),
                                         ("how long", e.duration_s)) if value is None]
    return ", ".join(missing)


def describe_episode(e: Episode) -> str:
    """One line for an episode (without its time)."""
    parts: list[str] = [e.kind or "episode"]
    place = place_text(e)
    if place:
        parts.append(place)
    if e.duration_s is not None:
        parts.append(minutes_text(e.duration_s))
    if e.severity is not None:
        parts.append(f"{e.severity} of 10")
    if e.eased is not None:
        parts.append("eased" if e.eased else "did not ease")
    if e.signs:
        parts.append(and_list(e.signs))
    if e.routine:
        parts.append(f"routine {e.routine}")
    text = ", ".join(parts)
    if e.helped:
        text += f"; helped: {one_line(e.helped)}"
    if e.note:
        text += f'  "{one_line(e.note)}"'
    if e.follow_up:
        text += f'  (since: "{one_line(e.follow_up)}")'
    if not e.complete:
        text += f" (to complete: {missing_text(e)})"
    return text


def describe_urgent(e: Episode, tz: tzinfo | None) -> str:
    """What the urgent flag says about the episode that raised it."""
    when = e.at.astimezone(tz)
    what = e.kind or "episode"
    place = place_text(e)
    text = f"On {when:%a %d %b} at {when:%H:%M} you recorded a {what}"
    if place:
        text += f" in the {place}"
    if e.duration_s is not None:
        text += f" that lasted {minutes_text(e.duration_s)}"
        if e.eased is False:
            text += " and did not ease"
    elif e.eased is False:
        text += " that did not ease"
    if e.signs:
        text += f", with the limb {and_list(e.signs)}"
    return text + ". That needs help now, not a wait for the next appointment."


#: How the person answers an urgent flag once they have had help (the command's words).
FOLLOW_UP_HINT = ("Once you have had help, note what happened: crampcoach episode --last "
                  "--follow-up TEXT")


def _hours(value: float) -> str:
    return f"{value:g}"


def describe_factors(f: DayFactors) -> str:
    parts: list[str] = []
    if f.fluids_glasses is not None:
        parts.append(f"{f.fluids_glasses} glasses of fluids")
    if f.caffeine_drinks is not None:
        parts.append(f"caffeine {f.caffeine_drinks}")
    if f.alcohol_drinks is not None:
        parts.append(f"alcohol {f.alcohol_drinks}")
    for flag, label in ((f.heat, "heat"), (f.bladder_bowel, "bladder or bowel trouble"),
                        (f.infection, "signs of infection")):
        if flag is not None:
            parts.append(label if flag else f"no {label}")
    if f.exertion is not None:
        parts.append(f"exertion {f.exertion}/10")
    if f.stress is not None:
        parts.append(f"stress {f.stress}/10")
    if f.sleep_hours is not None or f.sleep_quality is not None:
        sleep = "sleep"
        if f.sleep_hours is not None:
            sleep += f" {_hours(f.sleep_hours)} h"
        if f.sleep_quality is not None:
            sleep += f" (quality {f.sleep_quality}/10)"
        parts.append(sleep)
    if f.tags:
        parts.append("tags: " + ", ".join(f.tags))
    return ", ".join(parts) if parts else "nothing recorded"


def describe_medicine(m: MedicineEvent) -> str:
    kind = " (supplement)" if m.supplement else ""
    text = f"{m.name}{kind}: {CHANGE_WORDS[m.change]}"
    if m.dose and m.change != "stop":
        text += f" {m.dose}"
    if m.note:
        text += f'  "{one_line(m.note)}"'
    return text


def change_label(m: MedicineEvent) -> str:
    """A chart's short label for a medicine change, with its dose ("baclofen 15 mg")."""
    if m.change == "stop":
        return f"{m.name} stopped"
    return f"{m.name} {m.dose}" if m.dose else f"{m.name} {CHANGE_WORDS[m.change]}"
