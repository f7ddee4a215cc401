"""The one output stream: sounds that overlap are mixed into one buffer before playing,
and a device that fails turns the session into text, once, without stopping it."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Sequence

from crampcoach.audio.base import SAMPLE_WIDTH, AudioSink, Clip
from crampcoach.audio.mix import frame_at, mix
from crampcoach.errors import AudioError
from crampcoach.player.clock import Clock
from crampcoach.player.events import AudioFallback, SessionObserver

SinkFactory = Callable[[], AudioSink]


class Output:
    """Plays cue sounds on one sink; falls back to text when the sink fails.

    ``sink_factory`` None means text only, as asked (no fallback event).
    """

    def __init__(self, sink_factory: SinkFactory | None, clock: Clock,
                 observer: SessionObserver) -> None:
        self._clock = clock
        self._observer = observer
        self._sink: AudioSink | None = None
        self._playing: tuple[float, Clip] | None = None  # (clock time it began, sound)
        # When what is worth waiting for ends: the speaker-wake hum does not count.
        self._busy_until = -math.inf
        self._told: set[str] = set()
        self._ever_played = False
        self.fallback_reason: str | None = None
        if sink_factory is not None:
            try:
                self._sink = sink_factory()
            except AudioError as e:
                self._fall_back("device", f"No sound: {e}")

    @property
    def sounding(self) -> bool:
        return self._sink is not None

    def _fall_back(self, cause: str, reason: str) -> None:
        if cause in self._told:
            return
        self._told.add(cause)
        reason = f"{reason}. Carrying on in text, on time."
        if self.fallback_reason is None:
            self.fallback_reason = reason
        self._observer(AudioFallback(reason))

    def speech_failed(self, reason: str) -> None:
        """A cue's sound could not be made: say why, once."""
        self._fall_back("speech", f"Speech is not working: {reason}")

    def _tail(self, now: float) -> Clip | None:
        """What is left of the sound still playing at ``now``, if any."""
        if self._playing is None:
            return None
        began, sound = self._playing
        done = frame_at(now - began)
        if done >= sound.frames:
            return None
        return Clip(sound.pcm[done * SAMPLE_WIDTH:])

    def prepare(self, clips: Sequence[Clip]) -> Clip | None:
        """The sounds that start together, as one buffer (mixing ahead of the deadline)."""
        if not clips:
            return None
        if len(clips) == 1:
            return clips[0]
        return mix((0, clip) for clip in clips)

    def play(self, sound: Clip, *, filler: bool = False) -> bool:
        """Start ``sound`` now, mixed with the rest of anything still playing.

        ``filler``: the speaker-wake hum, which keeps the stream going but is not
        something to wait for (:meth:`busy_for` does not count it).
        Returns False when there is no sound (text mode, or the device just failed).
        """
        if self._sink is None:
            return False
        now = self._clock.now()
        own_end = now + sound.seconds
        tail = self._tail(now)
        if tail is not None:
            sound = mix([(0, tail), (0, sound)])
        try:
            self._sink.play(sound)
        except AudioError as e:
            self._drop_sink()
            # The real device is only opened at the first sound: failing there means
            # there is no sound at all, not that it stopped.
            lead = "Sound stopped working" if self._ever_played else "No sound"
            self._fall_back("device", f"{lead}: {e}")
            return False
        self._ever_played = True
        self._playing = (now, sound)
        if not filler:
            self._busy_until = max(self._busy_until, own_end)
        return True

    def stop(self) -> None:
        """Silence at once (pause, skip, quit)."""
        self._playing = None
        self._busy_until = -math.inf
        if self._sink is None:
            return
        try:
            self._sink.stop()
        except AudioError:
            self._drop_sink()

    def _drop_sink(self) -> None:
        sink, self._sink = self._sink, None
        if sink is not None:
            with contextlib.suppress(AudioError):
                sink.close()

    def close(self) -> None:
        self.stop()
        self._drop_sink()

    def busy_for(self) -> float:
        """Seconds until the sound playing now ends (0 when quiet or only the hum)."""
        if self._playing is None or self._sink is None:
            return 0.0
        return max(0.0, self._busy_until - self._clock.now())
