"""Every built-in routine in the person's language: its own text from the catalogs of the
built-ins' text (phrases/locale/LANG/LC_MESSAGES/routines.po), compiled in every language
at the day and the night rate with the same timing rules as in English, with no English
sentence left and no number a voice reads wrongly; and a routine of the person's own read
by a voice of another language than its text gets a warning from check, plan and play.

While a catalog is not fully translated, the tests for its language fail and list every
sentence still to do: that is their purpose (docs/languages.md).
"""

from __future__ import annotations

import dataclasses
import gettext
import io
import re
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from click.testing import CliRunner

from crampcoach.audio.speech import SynthesizedSpeech
from crampcoach.cli import cli
from crampcoach.phrases import ENGLISH, phrasebook
from crampcoach.routines import translation
from crampcoach.routines.compiler import EstimatedSpeechMeter, compile_routine
from crampcoach.routines.library import builtin_names
from crampcoach.routines.loader import load_routine
from crampcoach.routines.model import Routine, Say, Stretch, Wait
from crampcoach.routines.timeline import Timeline, Voice
from crampcoach.settings import NightHours, Settings
from support.wiring import wired_play

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import catalogs

TRANSLATED = ("de", "fr", "es", "it", "nl")
NAMES = builtin_names()
RATES = [pytest.param(Settings().rate, id="day"), pytest.param(NightHours().rate, id="night")]
#: Seconds between the end of a stretch's spoken cue and its hold, at either rate: weak or
#: numb hands need them to loop a towel (docs/routine-safety.md).
MOVE_S = 10.0
#: Each language's word for seconds (plural), the one a decimal duration must be said with.
SECONDS = {"de": "Sekunden", "fr": "secondes", "es": "segundos", "it": "secondi",
           "nl": "seconden", "en": "seconds"}
#: Languages whose voice reads a lone "1" before a word as the counting word ("eins
#: Minute", "un seconde", "uno minuto"): there the words must say it.
ONE_READ_AS_COUNT = ("de", "fr", "es", "it")


def localized(name: str, language: str) -> Routine:
    return load_routine(name, user_dirs=[], language=language)


def english_sentences() -> list[str]:
    """Every built-in's own English text, longest first."""
    texts = {t for name in NAMES
             for t in translation.builtin_texts(load_routine(name, user_dirs=[]))}
    return sorted(texts, key=len, reverse=True)


def misread_numbers(text: str, language: str) -> list[str]:
    """Numbers a voice of ``language`` reads wrongly in ``text``: a lone 1 before a word
    (read as the counting word), a decimal not followed by the word for seconds (a
    breathing count of "5,5" cannot be counted)."""
    found: list[str] = []
    if language in ONE_READ_AS_COUNT:
        found += [m.group(0) for m in re.finditer(r"(?<![\d.,])\b1 [^\W\d_]+", text)]
    for m in re.finditer(r"\d+[.,]\d+(?: (\w+))?", text):
        if m.group(1) != SECONDS[language]:
            found.append(m.group(0))
    return found


def too_little_time_to_move(timeline: Timeline, routine: Routine) -> list[str]:
    """Each stretch whose spoken cue leaves less than ``MOVE_S`` before its hold."""
    found: list[str] = []
    cues = timeline.cues
    for i, cue in enumerate(cues):
        if cue.role == "intro" and isinstance(routine.steps[cue.step], Stretch):
            gap = cues[i + 1].at - cue.end
            if gap < MOVE_S:
                found.append(f"only {gap:.1f} s to move after {cue.text!r}")
    return found


def problems_in(timeline: Timeline, routine: Routine, language: str,
                english: list[str]) -> list[str]:
    """What is wrong in a built-in's words compiled in ``language``; a number in the
    routine's own (translated) text and one in a fixed sentence of the phrasebook are told
    apart. (The time left to move is measured on real speech: the estimate errs long.)"""
    found: list[str] = []
    authored = sorted(set(translation.builtin_texts(routine)), key=len, reverse=True)
    for text in authored:
        found += [f"misread number {n!r} in the routine's text {text!r}"
                  for n in misread_numbers(text, language)]
    for cue in timeline.cues:
        if cue.kind != "speech":
            continue
        for sentence in english:
            if len(sentence) > 3 and re.search(rf"(?<!\w){re.escape(sentence)}(?!\w)",
                                               cue.text):
                found.append(f"English {sentence!r} in {cue.text!r}")
        fixed = cue.text
        for text in authored:
            fixed = fixed.replace(text, " ")
        found += [f"misread number {n!r} in a fixed sentence of the phrasebook {cue.text!r}"
                  for n in misread_numbers(fixed, language)]
    return found


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalog_of_built_in_text_is_complete_and_compiled(language: str) -> None:
    assert catalogs.routine_problems(language) == []


# Slow: every built-in compiled in every language (about 13 s in all).
@pytest.mark.slow
@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("language", TRANSLATED)
def test_every_built_in_is_spoken_in_the_language_at_both_rates(language: str,
                                                                rate: int) -> None:
    english = english_sentences()
    found: list[str] = []
    for name in NAMES:
        routine = localized(name, language)
        if routine.language != language:
            missing = translation.coverage(load_routine(name, user_dirs=[]), language).missing
            found.append(f"{name}: {len(missing)} sentences not translated, the first "
                         f"{missing[0]!r}")
            continue
        try:
            timeline = compile_routine(routine, EstimatedSpeechMeter(), Voice(language, rate))
        except Exception as e:  # a timing rule broken: named, and the others still checked
            found.append(f"{name}: {e}")
            continue
        found += [f"{name}: {p}" for p in problems_in(timeline, routine, language, english)]
    assert found == []


@pytest.mark.realaudio
@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("language", TRANSLATED)
def test_every_stretch_leaves_time_to_move_in_every_language(
        language: str, rate: int, real_speech: SynthesizedSpeech) -> None:
    found: list[str] = []
    for name in NAMES:
        routine = localized(name, language)
        timeline = compile_routine(routine, real_speech, Voice(language, rate))
        found += [f"{name}: {p}" for p in too_little_time_to_move(timeline, routine)]
    assert found == []


# The checks above can fail: a fake language's catalog, made here, that translates all,
# part, or leaves English in.

STEPS = (Say(text="Lie down."), Wait(title="Get a towel", prompt="Reach for a towel."),
         Stretch(name="Calf stretch", cue="Loop the towel round the foot.", hold_s=30,
                 prepare_s=15))
BUILTIN = Routine(name="Calm", steps=STEPS, source="builtin:calm.yaml",
                  step_sources=("builtin:calm.yaml",) * 3)
GERMAN = {"Calm": "Ruhe", "Lie down.": "Legen Sie sich hin.", "Get a towel": "Ein Handtuch",
          "Reach for a towel.": "Nehmen Sie ein Handtuch.", "Calf stretch": "Wadendehnung",
          "Loop the towel round the foot.": "Legen Sie das Handtuch um den Fuß."}


def fake_catalog(monkeypatch: pytest.MonkeyPatch, messages: dict[str, str]) -> None:
    catalog = Catalog(locale="de")
    for english, said in messages.items():
        catalog.add(english, said)
    out = io.BytesIO()
    write_mo(out, catalog)
    out.seek(0)
    made = gettext.GNUTranslations(out)
    monkeypatch.setattr(translation, "catalog", lambda language: made)


def test_a_complete_catalog_gives_the_built_in_in_its_language(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fake_catalog(monkeypatch, GERMAN)
    routine = translation.localized(BUILTIN, "de-AT")
    assert routine.language == "de-AT"
    assert routine.name == "Ruhe"
    assert routine.steps == (
        Say(text="Legen Sie sich hin."),
        Wait(title="Ein Handtuch", prompt="Nehmen Sie ein Handtuch."),
        Stretch(name="Wadendehnung", cue="Legen Sie das Handtuch um den Fuß.", hold_s=30,
                prepare_s=15))
    assert translation.translation_note(routine, "de-AT") is None


def test_an_incomplete_catalog_leaves_the_built_in_english_and_says_so(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fake_catalog(monkeypatch, {k: v for k, v in GERMAN.items() if k != "Lie down."})
    routine = translation.localized(BUILTIN, "de")
    assert routine.language == "en"
    assert routine.steps == STEPS
    assert translation.translation_note(routine, "de") == (
        "the built-in text is not translated into German yet; it is spoken in English")
    assert translation.coverage(BUILTIN, "de").missing == ("Lie down.",)


def test_the_language_test_sees_english_and_misread_numbers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fake_catalog(monkeypatch, {**GERMAN, "Loop the towel round the foot.":
                               "Loop the towel round the foot. 1 Minute, bis 5,5 zählen."})
    routine = translation.localized(BUILTIN, "de")
    timeline = compile_routine(routine, EstimatedSpeechMeter(), Voice("de", 120))
    found = problems_in(timeline, routine, "de", ["Loop the towel round the foot."])
    said = "Loop the towel round the foot. 1 Minute, bis 5,5 zählen."
    assert found[:3] == [
        f"misread number '1 Minute' in the routine's text {said!r}",
        f"misread number '5,5 zählen' in the routine's text {said!r}",
        f"English 'Loop the towel round the foot.' in 'Wadendehnung. {said}'"]
    assert misread_numbers("eine Minute, 7,5 Sekunden, 21 Minuten", "de") == []
    assert misread_numbers("1 minuut", "nl") == []


def test_an_included_built_in_takes_the_language_of_the_routine_that_includes_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fake_catalog(monkeypatch, GERMAN)
    mine = dataclasses.replace(BUILTIN, name="Meine Ruhe", language="de", source="mine.yaml",
                               steps=(Say(text="Atmen Sie ruhig."), *STEPS),
                               step_sources=("mine.yaml", *BUILTIN.step_sources))
    routine = translation.localized(mine, "en")
    assert [s.title for s in routine.steps] == ["Atmen Sie ruhig.", "Legen Sie sich hin.",
                                                "Ein Handtuch", "Wadendehnung"]
    assert routine.name == "Meine Ruhe"


def test_an_untranslated_included_built_in_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(translation, "catalog", lambda language: None)
    steps = (Say(text="Atmen Sie ruhig."),
             Say(text="Let your shoulders drop, and let the breath go slowly."),
             Say(text="Now let your hands and your arms rest on the bed."))
    mine = Routine(name="Meine Ruhe", language="de", source="mine.yaml", steps=steps,
                   step_sources=("mine.yaml", "builtin:calm.yaml", "builtin:calm.yaml"))
    routine = translation.localized(mine, "en")
    assert routine.steps == steps
    assert translation.translation_note(routine, "en") == (
        "the built-in steps it includes are not translated into German yet; a German voice "
        "reads their English words")
    assert translation.translation_note(dataclasses.replace(routine, language="en"),
                                        "de") is None


def test_the_template_holds_every_built_in_sentence_once_with_where_it_is_said() -> None:
    pot = catalogs.routines_template()
    ids = [m.id for m in pot if m.id]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(english_sentences())
    rescue = pot.get("Cramp rescue")
    assert rescue is not None
    assert ("cramp-rescue.yaml", 0) in rescue.locations


ENGLISH_ROUTINE = """\
name: My evening
steps:
  - say: Sit on the edge of the bed and let your shoulders drop.
  - say: Now breathe in slowly, and then let the breath go.
"""


def test_check_and_plan_warn_when_the_text_is_not_in_the_voice_language(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    routine = tmp_path / "mine.yaml"
    routine.write_text(ENGLISH_ROUTINE)
    monkeypatch.setenv("CRAMPCOACH_LANGUAGE", "de")
    warning = (f"{routine}: warning: its text looks English but a German voice would read "
               "it (the settings' language, as the routine has no language: de); put "
               "'language: en' in the routine, or write it in German\n")
    result = CliRunner().invoke(cli, ["check", str(routine)])
    assert (result.exit_code, result.stdout) == (0, f"{routine}: ok\n")
    assert result.stderr == warning
    result = CliRunner().invoke(cli, ["plan", str(routine)])
    assert result.exit_code == 0
    assert result.stderr == warning
    routine.write_text("language: en\n" + ENGLISH_ROUTINE)
    result = CliRunner().invoke(cli, ["check", str(routine)])
    assert (result.exit_code, result.stderr) == (0, "")


def test_play_warns_when_the_text_is_not_in_the_voice_language(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    run = wired_play(monkeypatch, tmp_path, ["--no-rating"],
                     config="preroll: 0\nlanguage: fr\n", routine_text=ENGLISH_ROUTINE)
    assert run.result.exit_code == 0, run.result.output
    assert (f"{tmp_path / 'tiny.yaml'}: warning: its text looks English but a French voice "
            "would read it") in run.result.stderr


def test_a_german_routine_read_by_a_german_voice_is_quiet(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    routine = tmp_path / "mine.yaml"
    routine.write_text("name: Mein Abend\nsteps:\n  - say: Setzen Sie sich auf die Bettkante "
                       "und lassen Sie die Schultern sinken.\n  - say: Atmen Sie jetzt "
                       "langsam ein, und dann lassen Sie den Atem gehen.\n")
    monkeypatch.setenv("CRAMPCOACH_LANGUAGE", "de")
    result = CliRunner().invoke(cli, ["check", str(routine)])
    assert (result.exit_code, result.stderr) == (0, "")


def test_a_built_in_not_yet_translated_says_it_is_spoken_in_english(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(translation, "catalog", lambda language: None)
    monkeypatch.setenv("CRAMPCOACH_LANGUAGE", "it")
    result = CliRunner().invoke(cli, ["check", "box-breathing"])
    assert result.exit_code == 0
    assert result.stderr == ("box-breathing: warning: the built-in text is not translated "
                             "into Italian yet; it is spoken in English\n")
    assert load_routine("box-breathing", user_dirs=[], language="it").language == "en"


def test_english_needs_no_catalog() -> None:
    routine = load_routine("cramp-rescue", user_dirs=[], language="en-gb")
    assert routine.name == "Cramp rescue"
    assert phrasebook("en").release == ENGLISH.release
