"""What happens in a session, as events for a display and for tests. The player never prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from crampcoach.care import Outcome
from crampcoach.routines.timeline import Cue

RatingWhen = Literal["before", "after"]


@dataclass(frozen=True, slots=True)
class CueStarted:
    """A cue's moment came. ``sounded`` is False when only its text could be shown."""

    cue: Cue
    planned: float  # the clock time it was due
    actual: float  # the clock time it began
    sounded: bool


@dataclass(frozen=True, slots=True)
class StepChanged:
    """A new part of the session began. ``index`` is None for the opening and the closing."""

    index: int | None
    kind: str  # "opening", "closing", or the step's kind ("stretch", "say", ...)
    title: str
    next_title: str | None  # None when nothing follows, or what follows says itself
    count: int  # steps in the routine


@dataclass(frozen=True, slots=True)
class Progress:
    """Where the session stands, about once a second. ``None``: not known yet."""

    elapsed: float  # seconds of the session played (pauses excluded)
    step_left: float | None
    session_left: float | None
    total: float | None


@dataclass(frozen=True, slots=True)
class Paused:
    at: float  # session offset


@dataclass(frozen=True, slots=True)
class Resumed:
    at: float  # session offset where it carries on
    paused_s: float  # the whole pause, get-ready included: what later cues moved by
    get_ready_s: float


@dataclass(frozen=True, slots=True)
class Skipped:
    from_title: str
    to_index: int | None  # None: the closing
    to_kind: str
    to_title: str


@dataclass(frozen=True, slots=True)
class Waiting:
    """A wait step's prompt has been said: the session waits until the person is ready."""

    at: float  # session offset of the wait point
    max_wait_s: float


@dataclass(frozen=True, slots=True)
class WaitReminded:
    text: str


@dataclass(frozen=True, slots=True)
class WaitEnded:
    """The session carries on after a wait: the person was ready, or ``max_wait`` passed."""

    waited_s: float
    timed_out: bool
    text: str  # what the voice says as it carries on


@dataclass(frozen=True, slots=True)
class Repeated:
    text: str


@dataclass(frozen=True, slots=True)
class SoundMissed:
    """A cue's sound was not ready by its deadline; its text was shown, on time."""

    cue: Cue
    reason: str


@dataclass(frozen=True, slots=True)
class SpeechLate:
    """A part's speech was not made by the time the part was due (synthesis slower than
    the session): everything from ``title`` on moves ``seconds`` later, as after a pause,
    so each cue keeps its place relative to the others; ``plan``'s timeline shifted by
    ``seconds`` from ``at`` (an offset in it) is what is played."""

    title: str
    at: float
    seconds: float


@dataclass(frozen=True, slots=True)
class AudioFallback:
    """Sound stopped working; the session goes on in text. Sent once per cause."""

    reason: str


@dataclass(frozen=True, slots=True)
class SessionEnded:
    outcome: Outcome
    step_reached: int | None  # index of the last step begun; None if still in the opening
    elapsed: float


@dataclass(frozen=True, slots=True)
class RatingAsked:
    when: RatingWhen
    prompt: str


@dataclass(frozen=True, slots=True)
class RatingTyped:
    """Digits typed so far (shown while waiting for a possible second digit)."""

    digits: str


@dataclass(frozen=True, slots=True)
class RatingReminder:
    text: str


@dataclass(frozen=True, slots=True)
class RatingInvalid:
    text: str


@dataclass(frozen=True, slots=True)
class Rated:
    when: RatingWhen
    value: int
    text: str


@dataclass(frozen=True, slots=True)
class RatingMissing:
    when: RatingWhen
    reason: str


@dataclass(frozen=True, slots=True)
class Advice:
    """Calm advice to talk to the neurologist; at most once per session."""

    text: str


@dataclass(frozen=True, slots=True)
class HandsFreeFallback:
    """A hands-free input (GPIO button, spoken rating) cannot be used; said once."""

    text: str


@dataclass(frozen=True, slots=True)
class SafetyNotice:
    """A safety instruction spoken and shown because of a control (the compress off on a
    pause or stop, back on when resuming)."""

    text: str


@dataclass(frozen=True, slots=True)
class NightMode:
    """Night mode applies to this session (sent first): what it changes, in words."""

    text: str


@dataclass(frozen=True, slots=True)
class VoiceFallback:
    """The chosen voice (Piper) cannot speak, so espeak-ng does: ``said`` aloud, with the
    ``reason`` shown beside it; once per reason."""

    said: str
    reason: str


@dataclass(frozen=True, slots=True)
class Said:
    """A phrase spoken outside the timeline by a hands-free input (the spoken rating)."""

    text: str


SessionEvent = (
    CueStarted | StepChanged | Progress | Paused | Resumed | Waiting | WaitReminded | WaitEnded
    | Skipped | Repeated | SoundMissed | SpeechLate
    | AudioFallback | SessionEnded | RatingAsked | RatingTyped | RatingReminder
    | RatingInvalid | Rated | RatingMissing | Advice | HandsFreeFallback | VoiceFallback | Said
    | SafetyNotice | NightMode
)


class SessionObserver(Protocol):
    """Receives every event, in order, on the thread that runs the session."""

    def __call__(self, event: SessionEvent) -> None: ...
