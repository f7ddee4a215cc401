"""The scheduler on a fake clock: exact onsets, pause, skip, repeat, stop, audio faults."""

from __future__ import annotations

import threading

import pytest

from crampcoach.audio.base import Clip
from crampcoach.audio.mix import mix
from crampcoach.errors import AudioDeviceError, SynthesisError
from crampcoach.player.clock import INTERRUPT, FakeClock
from crampcoach.player.deadlines import GET_READY_TEXT, Scheduler
from crampcoach.player.events import (
    AudioFallback,
    CueStarted,
    Paused,
    Repeated,
    Resumed,
    SessionEnded,
    Skipped,
    SoundMissed,
    StepChanged,
)
from crampcoach.player.feed import CueFeed
from crampcoach.player.output import Output
from crampcoach.routines.compiler import iter_steps
from crampcoach.routines.timeline import Cue, Voice
from support.fakes import FakeCueSounds, FakeSpeech, RecordingSink
from support.player import ROUTINE, VOICE, Events, beats, run_session, sound_of, timeline


def test_every_cue_sounds_exactly_at_its_offset() -> None:
    tl = timeline()
    session = run_session()
    assert session.onsets == beats(tl)
    started = session.events.of(CueStarted)
    assert [e.cue for e in started] == list(tl.cues)
    assert all(e.actual == e.planned == e.cue.at for e in started)
    assert session.record is not None
    assert session.record.outcome == "finished"
    assert session.record.step_reached == 3
    assert session.record.elapsed_s == pytest.approx(tl.total)


def test_a_tone_and_a_word_on_one_beat_are_one_mixed_buffer() -> None:
    tl = timeline()
    session = run_session()
    first_in = next(c for c in tl.cues if c.kind == "tone" and c.tone == "in")
    word = next(c for c in tl.cues if c.at == first_in.at and c.kind == "speech")
    played = dict(session.sink.played)
    assert played[first_in.at] == mix([(0, sound_of(first_in)), (0, sound_of(word))])


def test_steps_are_announced_with_what_comes_next() -> None:
    session = run_session()
    changes = [(e.index, e.title, e.next_title) for e in session.events.of(StepChanged)]
    assert changes == [
        (None, "Opening", None),
        (0, "Sit on the edge of the bed.", "Calf stretch"),
        # Rests are skipped, as the spoken "Next up" skips them.
        (1, "Calf stretch", "Box breathing"),
        (2, "Rest", "Box breathing"),
        (3, "Box breathing", None),
        (None, "Closing", None),
    ]


def test_pause_shifts_every_later_cue_by_exactly_the_pause() -> None:
    tl = timeline()
    pause_at, resume_at = 20.25, 95.5  # in the quiet of a hold: nothing is cut off
    session = run_session([(pause_at, "space"), (resume_at, "space")])
    paused_s = resume_at - pause_at + 3.0
    expected = [t for t in beats(tl) if t < pause_at] + [
        t + paused_s for t in beats(tl) if t >= pause_at]
    before = len([t for t in beats(tl) if t < pause_at])
    paused, get_ready = session.sink.played[before:before + 2]
    assert paused == (pause_at, FakeSpeech().clip("Paused.", VOICE))
    assert get_ready == (resume_at, FakeSpeech().clip(GET_READY_TEXT, VOICE))
    assert [t for t in session.onsets if t not in (pause_at, resume_at)] == pytest.approx(
        expected, abs=1e-9)
    assert pause_at in session.sink.stops
    assert session.events.of(Paused) == [Paused(pause_at)]
    assert session.events.of(Resumed) == [Resumed(pause_at, paused_s, 3.0)]
    assert session.record is not None
    assert session.record.elapsed_s == pytest.approx(tl.total)


def test_b_from_a_presenter_remote_pauses_too() -> None:
    session = run_session([(20.0, "b"), (30.0, "b")])
    assert len(session.events.of(Paused)) == 1
    assert len(session.events.of(Resumed)) == 1


def test_next_skips_to_the_next_step_with_sound_from_that_moment() -> None:
    tl = timeline()
    calf = tl.steps[1]
    breathing = tl.steps[3]
    skip_at = calf.start + 7.0
    session = run_session([(skip_at, "n")])
    before = [t for t in beats(tl) if t < skip_at]
    after = [t - breathing.start + skip_at for t in beats(tl) if t >= breathing.start]
    assert session.onsets == pytest.approx(before + after, abs=1e-9)
    assert skip_at in session.sink.stops
    assert session.events.of(Skipped) == [
        Skipped("Calf stretch", 3, "breathe", "Box breathing")]
    assert session.record is not None
    assert session.record.outcome == "finished"


def test_next_in_the_quiet_before_a_step_starts_that_step_now() -> None:
    tl = timeline()
    first = tl.steps[0]
    skip_at = first.start - 0.5  # the opening has gone quiet; step 1 is half a second away
    session = run_session([(skip_at, "n")])
    assert session.onsets == pytest.approx(
        [t for t in beats(tl) if t < skip_at] + [t - 0.5 for t in beats(tl) if t >= skip_at],
        abs=1e-9)
    assert session.events.of(Skipped) == [
        Skipped("Opening", 0, "say", "Sit on the edge of the bed.")]


def test_next_during_a_rest_starts_the_following_step_now() -> None:
    tl = timeline()
    rest, breathing = tl.steps[2], tl.steps[3]
    skip_at = rest.start + 1.0
    session = run_session([(skip_at, "n")])
    assert session.events.of(Skipped) == [Skipped("Rest", 3, "breathe", "Box breathing")]
    first_after = next(t for t in session.onsets if t >= skip_at)
    assert first_after == skip_at
    assert session.onsets[-1] == pytest.approx(beats(tl)[-1] - (breathing.start - skip_at))


def test_pagedown_skips_and_skipping_the_closing_finishes() -> None:
    tl = timeline()
    closing = next(c for c in tl.cues if c.role == "closing")
    session = run_session([(closing.at + 0.5, "pagedown")])
    assert session.onsets == [t for t in beats(tl) if t <= closing.at]
    assert session.record is not None
    assert session.record.outcome == "finished"


def test_repeat_says_the_last_instruction_again_now() -> None:
    tl = timeline()
    intro = next(c for c in tl.cues if c.role == "intro")
    hold = next(c for c in tl.cues if c.role == "hold")
    repeat_at = hold.at + 3.0
    session = run_session([(repeat_at, "r"), (repeat_at + 2.0, "pageup")])
    played = [(t, clip) for t, clip in session.sink.played if t in (repeat_at, repeat_at + 2)]
    assert [t for t, _ in played] == [repeat_at, repeat_at + 2.0]
    assert played[0][1] == sound_of(intro)
    # The second repeat comes while the first is still speaking: that stops, and the
    # instruction starts again on its own, never over itself (issue 21).
    assert sound_of(intro).seconds > 2.0
    assert repeat_at + 2.0 in session.sink.stops
    assert played[1][1] == sound_of(intro)
    assert [e.text for e in session.events.of(Repeated)] == [intro.text, intro.text]
    # Repeating never moves the plan.
    assert [t for t in session.onsets if t not in (repeat_at, repeat_at + 2)] == beats(tl)


def test_quit_stops_the_sound_and_records_the_step_reached() -> None:
    tl = timeline()
    quit_at = tl.steps[1].start + 3.0
    session = run_session([(quit_at, "q")])
    assert session.onsets == [t for t in beats(tl) if t < quit_at]
    assert session.sink.stops[-1] == quit_at
    assert session.sink.closed
    assert session.events.of(SessionEnded) == [SessionEnded("stopped", 1, quit_at)]
    assert len(session.recorder.starts) == 1
    assert session.recorder.steps == [(0, "Sit on the edge of the bed."), (1, "Calf stretch")]
    [record] = session.recorder.records
    assert (record.outcome, record.step_reached, record.steps) == ("stopped", 1, 4)
    assert record.step_title == "Calf stretch"
    assert record.elapsed_s == pytest.approx(quit_at, abs=1e-3)


def test_a_pause_ends_the_session_after_the_limit_saying_so_without_a_rating() -> None:
    from crampcoach.phrases import ENGLISH
    from crampcoach.player.deadlines import PAUSE_LIMIT_S
    from crampcoach.player.events import RatingAsked, SafetyNotice
    from crampcoach.player.session import RatingChoice

    tl = timeline()
    paused_at = tl.steps[1].start + 2.0
    # Nobody comes back: the pause ends by itself, and no rating is waited for.
    session = run_session([(paused_at, "space")], rating=RatingChoice(), input_live=True)
    assert session.events.of(SafetyNotice) == [SafetyNotice(ENGLISH.pause_ended)]
    ended = session.sink.played[-1]
    assert ended == (paused_at + PAUSE_LIMIT_S, sound_of_text(ENGLISH.pause_ended))
    assert session.events.of(RatingAsked) == []
    [record] = session.recorder.records
    assert (record.outcome, record.step_reached, record.rating_after) == ("stopped", 1, None)
    assert record.elapsed_s == pytest.approx(paused_at - 0.0, abs=1e-3)
    # Said to its end before the sound is closed.
    assert session.clock.now() >= paused_at + PAUSE_LIMIT_S + ended[1].seconds


def test_a_pause_resumed_within_the_limit_carries_on() -> None:
    from crampcoach.player.deadlines import PAUSE_LIMIT_S

    tl = timeline()
    paused_at = tl.steps[1].start + 2.0
    session = run_session([(paused_at, "space"), (paused_at + PAUSE_LIMIT_S - 1, "space")])
    assert session.recorder.records[0].outcome == "finished"


def sound_of_text(text: str) -> Clip:
    return FakeSpeech().clip(text, VOICE)


def test_quit_while_paused_and_stop_in_the_opening() -> None:
    session = run_session([(1.0, "space"), (5.0, "q")])
    [record] = session.recorder.records
    assert (record.outcome, record.step_reached, record.elapsed_s) == ("stopped", None, 1.0)


def test_an_interrupt_is_recorded_as_interrupted() -> None:
    tl = timeline()
    session = run_session([(tl.steps[2].start + 1, INTERRUPT)])
    [record] = session.recorder.records
    assert (record.outcome, record.step_reached) == ("interrupted", 2)


def test_no_audio_device_means_text_on_time_said_once() -> None:
    tl = timeline()
    session = run_session(sink_error=AudioDeviceError("no sound card found"))
    started = session.events.of(CueStarted)
    assert [e.actual for e in started] == [c.at for c in tl.cues]
    assert not any(e.sounded for e in started)
    assert session.events.of(AudioFallback) == [
        AudioFallback("No sound: no sound card found. Carrying on in text, on time.")]
    [record] = session.recorder.records
    assert record.outcome == "finished"
    assert record.audio_note == "No sound: no sound card found. Carrying on in text, on time."


class _DyingSink(RecordingSink):
    def play(self, clip: Clip) -> None:
        if len(self.played) == 3:
            raise AudioDeviceError("the device was unplugged")
        super().play(clip)


def test_a_device_lost_mid_session_goes_on_in_text_on_time() -> None:
    tl = timeline()
    clock = FakeClock()
    sink = _DyingSink(clock)
    events = Events()
    speech = FakeSpeech()
    feed = CueFeed(iter_steps(ROUTINE, speech, VOICE), FakeCueSounds(speech), VOICE,
                   lookahead_s=1e9)
    feed.start()
    feed.wait_idle()
    result = Scheduler(feed, Output(lambda: sink, clock, events), clock, events,
                       len(ROUTINE.steps), tick_s=None).run()
    feed.close()
    assert result.outcome == "finished"
    assert len(sink.played) == 3
    assert [e.actual for e in events.of(CueStarted)] == [c.at for c in tl.cues]
    assert events.of(AudioFallback) == [AudioFallback(
        "Sound stopped working: the device was unplugged. Carrying on in text, on time.")]


class _NoSpeech(FakeCueSounds):
    def clip_for(self, cue: Cue, voice: Voice) -> Clip:
        if cue.kind == "speech":
            raise SynthesisError("espeak-ng is not installed")
        return super().clip_for(cue, voice)


def test_speech_failing_keeps_the_tones_and_says_why_once() -> None:
    tl = timeline()
    session = run_session(sounds=_NoSpeech(FakeSpeech()))
    assert session.onsets == sorted({c.at for c in tl.cues if c.kind == "tone"})
    assert session.events.of(AudioFallback) == [AudioFallback(
        "Speech is not working: espeak-ng is not installed. Carrying on in text, on time.")]
    started = session.events.of(CueStarted)
    assert [e.actual for e in started] == [c.at for c in tl.cues]
    assert [e.sounded for e in started] == [c.kind == "tone" for c in tl.cues]


class _StuckSpeech(FakeCueSounds):
    """Hangs on one phrase until released, as a synthesis that hangs would."""

    def __init__(self, stuck_on: str) -> None:
        super().__init__(FakeSpeech())
        self.stuck_on = stuck_on
        self.reached = threading.Event()
        self.release = threading.Event()

    def clip_for(self, cue: Cue, voice: Voice) -> Clip:
        if cue.text == self.stuck_on:
            self.reached.set()
            self.release.wait(timeout=10)
        return super().clip_for(cue, voice)


def test_a_sound_not_ready_in_time_is_skipped_and_the_session_stays_on_time() -> None:
    tl = timeline()
    stuck = next(c for c in tl.cues if c.text == "And breathe normally.")
    sounds = _StuckSpeech(stuck.text)
    clock = FakeClock()
    sink = RecordingSink(clock)
    events = Events()
    feed = CueFeed(iter_steps(ROUTINE, FakeSpeech(), VOICE), sounds, VOICE, lookahead_s=1e9)
    feed.start()
    assert sounds.reached.wait(timeout=10)
    try:
        result = Scheduler(feed, Output(lambda: sink, clock, events), clock, events,
                           len(ROUTINE.steps), tick_s=None).run()
    finally:
        sounds.release.set()
        feed.close()
    assert result.outcome == "finished"
    assert session_onsets(sink) == [t for t in beats(tl) if t < stuck.at]
    missed = events.of(SoundMissed)
    assert missed[0] == SoundMissed(stuck, "its sound was not ready in time")
    assert [e.actual for e in events.of(CueStarted)] == [c.at for c in tl.cues]


def session_onsets(sink: RecordingSink) -> list[float]:
    return [t for t, _ in sink.played]


def test_waiting_is_one_wait_per_beat_not_polling() -> None:
    clock = FakeClock()
    events = Events()
    speech = FakeSpeech()
    feed = CueFeed(iter_steps(ROUTINE, speech, VOICE), FakeCueSounds(speech), VOICE,
                   lookahead_s=1e9)
    feed.start()
    feed.wait_idle()
    Scheduler(feed, Output(lambda: RecordingSink(clock), clock, events), clock, events,
              len(ROUTINE.steps), tick_s=None).run()
    feed.close()
    parts = len(timeline().steps) + 2
    assert clock.waits <= len(beats(timeline())) + parts + 1
