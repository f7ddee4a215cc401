"""The timing model as a contract: exact offsets, whatever the routine."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crampcoach.errors import RoutineError
from crampcoach.routines.compiler import (
    OPENING_SPEECH_AT,
    SETTLE_S,
    TONE_SECONDS,
    EstimatedSpeechMeter,
    compile_routine,
    iter_steps,
    spoken_seconds,
    spoken_texts,
)
from crampcoach.routines.model import Breathe, Compress, Rest, Routine, Say, Step, Stretch
from crampcoach.routines.timeline import Cue, Timeline, Voice

VOICE = Voice()
# Offsets are binary floats: "exact" means equal to well under a microsecond.
EPS = 1e-9


class FixedMeter:
    """Every phrase lasts 0.05 s per character: predictable, and different per phrase."""

    def seconds(self, text: str, voice: Voice) -> float:
        return len(text) * 0.05


def compiled(*steps: Step) -> Timeline:
    return compile_routine(Routine(name="Test", steps=steps), FixedMeter(), VOICE)


def step_cues(timeline: Timeline, step: int) -> list[Cue]:
    return [c for c in timeline.cues if c.step == step and c.role not in ("opening", "closing")]


def test_opening_chime_then_name_then_steps() -> None:
    t = compiled(Say("Hello."))
    assert [(c.at, c.kind, c.role) for c in t.cues[:2]] == [
        (0.0, "tone", "opening"), (OPENING_SPEECH_AT, "speech", "opening")]
    opening = t.cues[1]
    assert opening.text == "Test. Move gently, and stop if anything hurts."
    say = t.cues[2]
    assert say.at == pytest.approx(opening.end + SETTLE_S)
    assert say.text == "Hello."
    closing = [c for c in t.cues if c.role == "closing"]
    assert closing[0].text == "That is the end of Test. Well done."
    assert closing[0].at == pytest.approx(say.end + 1.0)  # the say's own pause
    assert closing[1].tone == "chime"
    assert t.total == pytest.approx(closing[1].end)


def test_stretch_hold_is_exact_and_sides_alternate() -> None:
    s = Stretch("Calf stretch", "Toes toward you.", hold_s=30, sides=("left", "right"),
                reps=2, countdown=3, prepare_s=5, rest_s=10)
    t = compiled(s)
    cues = step_cues(t, 0)
    holds = [c for c in cues if c.role == "hold"]
    releases = [c for c in cues if c.role == "release"]
    intros = [c for c in cues if c.role == "intro"]
    assert len(holds) == len(releases) == len(intros) == 4
    for hold, release in zip(holds, releases, strict=True):
        assert release.at - hold.at == pytest.approx(30, abs=EPS)
        counts = [c for c in cues if c.role == "countdown" and hold.at < c.at < release.at]
        assert [c.text for c in counts] == ["three", "two", "one"]
        assert [release.at - c.at for c in counts] == pytest.approx([3, 2, 1], abs=EPS)
    assert [i.text for i in intros] == [
        "Calf stretch. 2 times on each side. Left side. Toes toward you.",
        "Switch to the right side. Toes toward you.",
        "Calf stretch again, 2 of 2. Left side. Toes toward you.",
        "Switch to the right side. Toes toward you.",
    ]
    # The intro window is `prepare`, or longer when the speech needs it.
    for intro, hold in zip(intros, holds, strict=True):
        assert hold.at - intro.at == pytest.approx(max(5, intro.length + 0.5))
    # Rest between rounds, measured from the release, not after the last one.
    for release, intro in zip(releases, intros[1:], strict=False):
        assert intro.at - release.at == pytest.approx(max(10, release.length + 0.5))
    assert releases[-1].text == "And release."
    assert t.steps[0].end == pytest.approx(releases[-1].end + SETTLE_S)


def test_breathe_phases_on_the_beat_without_gaps() -> None:
    b = Breathe("Box breathing", in_s=4, hold_s=4, out_s=4, hold_out_s=4, cycles=3)
    t = compiled(b)
    cues = step_cues(t, 0)
    tones = [c for c in cues if c.kind == "tone"]
    words = [c for c in cues if c.role == "phase" and c.kind == "speech"]
    first = tones[0].at
    assert [c.at - first for c in tones] == pytest.approx([4.0 * i for i in range(12)], abs=EPS)
    assert [c.tone for c in tones] == ["in", "hold", "out", "hold"] * 3
    assert [c.at for c in words] == [c.at for c in tones]
    assert [c.text for c in words[:4]] == ["Breathe in", "Hold", "Breathe out", "Hold"]
    end = next(c for c in cues if c.role == "end")
    assert end.at - first == pytest.approx(48.0, abs=EPS)
    assert end.text == "And breathe normally."


def test_breathe_tones_only_and_words_only() -> None:
    tones = compiled(Breathe("B", in_s=4, out_s=6, cycles=2, guide="tones"))
    assert [c.kind for c in step_cues(tones, 0) if c.role == "phase"] == ["tone"] * 4
    words = compiled(Breathe("B", in_s=4, out_s=6, cycles=2, guide="words"))
    assert [c.kind for c in step_cues(words, 0) if c.role == "phase"] == ["speech"] * 4


def test_compress_check_ins_and_end_exactly_on_time() -> None:
    t = compiled(Compress("Warm compress", duration_s=600, check_every_s=240))
    cues = step_cues(t, 0)
    start = next(c for c in cues if c.role == "start")
    checks = [c.at - start.at for c in cues if c.role == "checkin"]
    assert checks == pytest.approx([240, 480], abs=EPS)
    end = next(c for c in cues if c.role == "end")
    assert end.at - start.at == pytest.approx(600, abs=EPS)
    assert end.text == "Time is up. Remove the compress."
    intro = next(c for c in cues if c.role == "intro")
    assert "warm, never hot" in intro.text
    # Hands are often numb in MS too: someone else or a thermometer tests the warmth.
    assert "Numb skin can miss a burn, so have someone else test it, or use a thermometer." \
        in intro.text


def test_no_check_in_lands_on_the_end() -> None:
    t = compiled(Compress("C", duration_s=600, check_every_s=300))
    start = next(c for c in t.cues if c.role == "start")
    checks = [c.at - start.at for c in t.cues if c.role == "checkin"]
    assert checks == pytest.approx([300], abs=EPS)


def test_rest_is_quiet_and_exact() -> None:
    t = compiled(Say("A."), Rest(20), Say("B."))
    a, b = (c for c in t.cues if c.role == "say")
    assert t.steps[1].end - t.steps[1].start == pytest.approx(20, abs=EPS)
    assert b.at == pytest.approx(a.end + 1.0 + 20)
    assert not step_cues(t, 1)


def test_next_up_names_the_next_step_skipping_rests() -> None:
    t = compiled(Stretch("Calf", "Toes up.", hold_s=10), Rest(5),
                 Breathe("Slow breathing", in_s=4, out_s=6, cycles=1), Say("Done."))
    release = next(c for c in t.cues if c.role == "release")
    assert release.text == "And release. Next up: Slow breathing."
    end = next(c for c in t.cues if c.role == "end")
    assert end.text == "And breathe normally."  # a say follows: it speaks for itself


def test_overrun_names_the_step() -> None:
    routine = Routine(name="T", steps=(Say("Hi."), Stretch("Quick", "Go.", hold_s=2, countdown=1,
                                                          line=7)), source="r.yaml")
    with pytest.raises(RoutineError) as caught:
        compile_routine(routine, FixedMeter(), VOICE)
    assert str(caught.value) == (
        "r.yaml:7: step 2 (stretch 'Quick'): 'And hold for 2 seconds.' lasts 1.15 s and "
        "would run past the next cue 1.00 s later; give it more time")


def test_iter_steps_matches_compile() -> None:
    routine = Routine(name="T", steps=(Say("Hi."), Rest(3), Stretch("S", "C.", hold_s=5)))
    pieces = list(iter_steps(routine, FixedMeter(), VOICE))
    timeline = compile_routine(routine, FixedMeter(), VOICE)
    assert [c for _, cues in pieces for c in cues] == list(timeline.cues)
    assert [span for span, _ in pieces if span] == list(timeline.steps)


def test_phrases_in_order_heard_without_repeats() -> None:
    routine = Routine(name="T", steps=(Stretch("S", "C.", hold_s=5, sides=("left", "right")),))
    said = spoken_texts(routine)
    assert said[0] == "T. Move gently, and stop if anything hurts."
    assert said[1] == "S. Left side. C."
    assert len(said) == len(set(said))
    assert "And hold for 5 seconds." in said


@pytest.mark.parametrize(("seconds", "words"), [
    (30, "30 seconds"), (1, "1 second"), (7.5, "7.5 seconds"), (60, "1 minute"),
    (90, "1 minute 30 seconds"), (600, "10 minutes"), (61, "1 minute 1 second")])
def test_spoken_seconds(seconds: float, words: str) -> None:
    assert spoken_seconds(seconds) == words


def test_estimate_grows_with_text_and_slows_with_rate() -> None:
    meter = EstimatedSpeechMeter()
    assert meter.seconds("Hold.", VOICE) < meter.seconds("Hold for thirty seconds.", VOICE)
    assert meter.seconds("Hold.", Voice(rate=100)) > meter.seconds("Hold.", Voice(rate=200))


# --- properties ------------------------------------------------------------------------------

durations = st.sampled_from([1.0, 2.0, 2.5, 4.0, 5.0, 7.5, 10.0, 30.0])
stretches = st.builds(
    Stretch, name=st.sampled_from(["Calf", "Hamstring stretch"]), cue=st.just("Gently."),
    hold_s=st.sampled_from([10.0, 20.0, 30.0, 45.5]),
    sides=st.sampled_from([(), ("left",), ("left", "right"), ("right", "left")]),
    reps=st.integers(1, 3), countdown=st.integers(0, 5),
    prepare_s=st.sampled_from([0.0, 3.0, 5.0]), rest_s=st.sampled_from([0.0, 5.0, 10.0]))
breaths = st.builds(
    Breathe, name=st.just("Breath"), in_s=st.sampled_from([4.0, 5.5]),
    out_s=st.sampled_from([4.0, 6.0, 8.0]), hold_s=st.sampled_from([0.0, 2.0, 7.0]),
    hold_out_s=st.sampled_from([0.0, 4.0]), cycles=st.integers(1, 5),
    guide=st.sampled_from(["words", "tones", "both"]))
compresses = st.builds(Compress, name=st.just("Compress"),
                       duration_s=st.sampled_from([60.0, 300.0, 600.0, 1200.0]),
                       check_every_s=st.sampled_from([30.0, 60.0, 300.0]))
steps = st.one_of(stretches, breaths, compresses, st.builds(Rest, durations),
                  st.builds(Say, st.sampled_from(["Sit up.", "Lie down slowly."])))


@settings(max_examples=150, deadline=None)
@given(st.lists(steps, min_size=1, max_size=6))
def test_timing_guarantees(steps_: list[Step]) -> None:
    t = compile_routine(Routine(name="P", steps=tuple(steps_)), FixedMeter(), VOICE)
    ats = [c.at for c in t.cues]
    assert ats == sorted(ats)
    # Steps follow end to end and every cue lies within its step.
    for before, after in zip(t.steps, t.steps[1:], strict=False):
        assert after.start == pytest.approx(before.end)
    for cue in t.cues:
        if cue.role not in ("opening", "closing"):
            span = t.steps[cue.step]
            assert span.start - 1e-9 <= cue.at
            assert cue.end <= span.end + 1e-9
    # No speech overlaps the next speech; no tone overlaps the next tone.
    for kind in ("speech", "tone"):
        same = [c for c in t.cues if c.kind == kind]
        for a, b in itertools.pairwise(same):
            assert a.end <= b.at + 1e-6
    for i, step in enumerate(steps_):
        cues = [c for c in t.cues if c.step == i and c.role not in ("opening", "closing")]
        if isinstance(step, Stretch):
            holds = [c for c in cues if c.role == "hold"]
            releases = [c for c in cues if c.role == "release"]
            assert len(holds) == step.reps * max(1, len(step.sides))
            for h, r in zip(holds, releases, strict=True):
                assert r.at - h.at == pytest.approx(step.hold_s, abs=EPS)
                counts = [c.at for c in cues if c.role == "countdown" and h.at < c.at < r.at]
                assert [r.at - c for c in counts] == pytest.approx(
                    list(range(step.countdown, 0, -1)), abs=EPS)
        elif isinstance(step, Breathe):
            beats = sorted({c.at for c in cues if c.role == "phase"})
            phases = [p for p in (step.in_s, step.hold_s, step.out_s, step.hold_out_s) if p]
            expected = [beats[0] + sum((phases * step.cycles)[:k]) for k in range(len(beats))]
            assert beats == pytest.approx(expected, abs=EPS)
            assert len(beats) == len(phases) * step.cycles
        elif isinstance(step, Compress):
            start = next(c for c in cues if c.role == "start").at
            checks = [c.at - start for c in cues if c.role == "checkin"]
            assert checks == pytest.approx(
                [step.check_every_s * k for k in range(1, len(checks) + 1)], abs=EPS)
            assert len(checks) == math.ceil(step.duration_s / step.check_every_s) - 1
            assert next(c for c in cues if c.role == "end").at - start == pytest.approx(
                step.duration_s, abs=EPS)
        elif isinstance(step, Rest):
            assert t.steps[i].end - t.steps[i].start == pytest.approx(step.seconds, abs=EPS)
    tones = [c for c in t.cues if c.kind == "tone"]
    assert all(c.length == TONE_SECONDS[c.tone] for c in tones if c.tone)
