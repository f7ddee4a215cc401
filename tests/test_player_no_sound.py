"""QA: with no sound card the real sink fails at its first sound, not when it is made;
the note must still say there is no sound, not that sound "stopped working"."""

from __future__ import annotations

from crampcoach.audio.base import Clip
from crampcoach.errors import AudioDeviceError
from crampcoach.player.clock import FakeClock
from crampcoach.player.events import AudioFallback
from crampcoach.player.output import Output
from support.fakes import RecordingSink
from support.player import Events

BEEP = Clip(b"\x01\x00" * 100)


def test_a_device_that_fails_at_the_first_sound_is_no_sound() -> None:
    clock = FakeClock()
    sink = RecordingSink(clock, fail_with=AudioDeviceError("no card"))
    events = Events()
    output = Output(lambda: sink, clock, events)
    assert output.play(BEEP) is False
    assert output.play(BEEP) is False
    assert events == [AudioFallback("No sound: no card. Carrying on in text, on time.")]
    assert output.fallback_reason == "No sound: no card. Carrying on in text, on time."


def test_a_device_that_played_and_then_failed_stopped_working() -> None:
    clock = FakeClock()
    sink = RecordingSink(clock)
    events = Events()
    output = Output(lambda: sink, clock, events)
    assert output.play(BEEP) is True
    sink.fail_with = AudioDeviceError("unplugged")
    assert output.play(BEEP) is False
    assert events == [AudioFallback(
        "Sound stopped working: unplugged. Carrying on in text, on time.")]
