"""The same text always has the same length: a plan's total does not depend on what was
synthesized before, on how many workers shared the work, or on other plans at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crampcoach.audio.speech import SpeechCache, SynthesizedSpeech
from crampcoach.routines.timeline import Voice

VOICE = Voice("en", 140)
OTHERS = ["Breathe in.", "Hold.", "Breathe out.", "Straighten one leg and gently draw your "
          "toes toward you.", "Release.", "Three", "Two", "One"]
ROUTINE = """\
name: Several phrases
steps:
  - say: Sit on the edge of the bed with both feet on the floor.
  - stretch: Calf stretch
    cue: Straighten one leg and gently draw your toes toward you.
    hold: 10s
    sides: [left, right]
    countdown: 3
  - breathe: Slow breathing
    pattern: box
    cycles: 1
  - say: Notice how your legs feel now.
"""


@pytest.mark.realaudio
def test_a_phrase_does_not_depend_on_what_came_before(tmp_path: Path) -> None:
    with SynthesizedSpeech(SpeechCache(tmp_path / "alone"), workers=1) as speech:
        alone = speech.clip("Hold.", VOICE)
    with SynthesizedSpeech(SpeechCache(tmp_path / "after"), workers=1) as speech:
        for text in OTHERS:
            if text != "Hold.":
                speech.clip(text, VOICE)
        after = speech.clip("Hold.", VOICE)
    with SynthesizedSpeech(SpeechCache(tmp_path / "two"), workers=2) as speech:
        assert speech.prepare(list(reversed(OTHERS)), VOICE) == {}
        shared = speech.clip("Hold.", VOICE)
    assert alone.pcm == after.pcm == shared.pcm


def cold_plans(tmp_path: Path, name: str, count: int) -> list[float]:
    """``count`` plans started at once on one empty speech cache; their totals."""
    routine = tmp_path / "routine.yaml"
    routine.write_text(ROUTINE)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / name)}
    procs = [subprocess.Popen([sys.executable, "-m", "crampcoach", "plan", str(routine),
                               "--json"], env=env, stdout=subprocess.PIPE)
             for _ in range(count)]
    totals = []
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        totals.append(json.loads(out)["total"])
    return totals


@pytest.mark.realaudio
@pytest.mark.slow
def test_cold_plans_at_once_agree_with_a_cold_plan_alone(tmp_path: Path) -> None:
    [alone] = cold_plans(tmp_path, "alone", 1)
    assert cold_plans(tmp_path, "together", 4) == [alone] * 4


# Numbers, doses, a long cue, other languages, a word alone: what a routine says.
FORKED = [("gmw/en", 140, "Take 2.5 mg at 7.45, then 400 mg of magnesium."),
          ("gmw/en", 140, "Hold."),
          ("gmw/en", 120, "Straighten one leg and gently draw your toes toward you."),
          ("gmw/en", 140, "three"),
          ("gmw/de", 140, "Atme ein und halte die Luft vier Sekunden lang an."),
          ("roa/fr", 130, "Respirez lentement, 4-7-8."),
          ("gmw/nl", 160, "Ontspan je kuiten.")]


@pytest.mark.realaudio
def test_forked_phrases_sound_exactly_as_a_fresh_engine_makes_them(tmp_path: Path) -> None:
    from crampcoach.audio.speech import SpeechWorker
    from support.pyttsx3_phrase import reference_wav

    worker = SpeechWorker()
    try:
        # Forked one after another from one worker per voice, in reverse order: whatever
        # came before, each is what pyttsx3's engine makes in a process of its own.
        for n, (voice, rate, text) in enumerate(reversed(FORKED)):
            out = tmp_path / f"forked-{n}.wav"
            worker.synthesize(text, voice, rate, out)
            assert out.read_bytes() == reference_wav(voice, rate, text,
                                                     str(tmp_path / f"fresh-{n}.wav")), text
    finally:
        worker.close()
