"""Languages: every fixed sentence of a session in the routine's language (the author's own
text stays as written), catalogs complete and compiled, numbers and durations said the way
each language says them, and a warning for a language without a phrasebook."""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from crampcoach.cli import cli
from crampcoach.inputs.button import open_button
from crampcoach.inputs.protocol import HandsFree
from crampcoach.phrases import ENGLISH, LANGUAGES, Phrasebook, phrasebook
from crampcoach.player import events as ev
from crampcoach.player.session import RatingChoice
from crampcoach.routines.compiler import compile_routine
from crampcoach.routines.library import builtin_names
from crampcoach.routines.loader import load_routine
from crampcoach.routines.model import Compress, Routine, Stretch
from crampcoach.routines.timeline import Voice
from crampcoach.terminal import SessionDisplay
from support.fakes import FakeSpeech
from support.player import ROUTINE, run_session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import catalogs

TRANSLATED = ("de", "fr", "es", "it", "nl")


def test_the_six_languages_have_phrasebooks() -> None:
    assert sorted(LANGUAGES) == ["de", "en", "es", "fr", "it", "nl"]
    assert catalogs.languages() == sorted(TRANSLATED)


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalog_is_complete_and_compiled(language: str) -> None:
    assert catalogs.problems(language) == []


def test_the_catalog_check_finds_a_gap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: an untranslated sentence and a stale .mo are reported."""
    locale = tmp_path / "locale"
    monkeypatch.setattr(catalogs, "LOCALE", locale)
    monkeypatch.setattr(catalogs, "_ROOT", tmp_path)
    catalogs.new("pt")
    po = catalogs.po_path("pt")
    found = catalogs.problems("pt")
    assert "locale/pt/LC_MESSAGES/crampcoach.po: release: not translated" in found
    po.with_suffix(".mo").write_bytes(b"old")
    assert catalogs.problems("pt")[-1] == (
        "locale/pt/LC_MESSAGES/crampcoach.mo: not compiled from the .po beside it "
        "(run make catalogs)")


def _author_text(routine: Routine) -> list[str]:
    """Everything the routine's author wrote that a cue may say, longest first."""
    texts = {routine.name}
    for step in routine.steps:
        for f in dataclasses.fields(step):
            value = getattr(step, f.name)
            if isinstance(value, str):
                texts.add(value)
    return sorted((t for t in texts if t.strip()), key=len, reverse=True)


def _english_fragments(book: Phrasebook) -> set[str]:
    """The words of every English fixed sentence between its {names} that the other
    language does not also use (Italian says "zero" too)."""
    own = " ".join(_strings(book))
    fragments: set[str] = set()
    for text in _strings(ENGLISH):
        for piece in re.split(r"{\w+}|[.?!;:](?:\s|$)", text):
            piece = piece.strip(" .,:;?!()|")
            if re.search(r"[A-Za-z]{2}", piece) and not re.search(
                    rf"(?<!\w){re.escape(piece)}(?!\w)", own):
                fragments.add(piece)
    return fragments


def _strings(book: Phrasebook) -> list[str]:
    out: list[str] = []
    for f in dataclasses.fields(book):
        value = getattr(book, f.name)
        if f.name in ("language", "plural", "decimal_point"):
            continue
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, tuple):
            out.extend(value)
        elif isinstance(value, dict):
            out.extend(value.values())
    return out


@pytest.mark.parametrize("language", TRANSLATED)
def test_built_in_routines_have_no_english_fixed_sentence(language: str) -> None:
    book = phrasebook(language)
    fragments = _english_fragments(book)
    found: list[str] = []
    for name in builtin_names():
        routine = dataclasses.replace(load_routine(name), language=language)
        authored = _author_text(routine)
        timeline = compile_routine(routine, FakeSpeech(), Voice(language))
        for cue in timeline.cues:
            if cue.kind != "speech":
                continue
            fixed = cue.text
            for text in authored:
                fixed = fixed.replace(text, "\0")
            for fragment in fragments:
                if re.search(rf"(?<!\w){re.escape(fragment)}(?!\w)", fixed):
                    found.append(f"{name}: {fragment!r} in {cue.text!r}")
    assert found == []


def test_the_english_test_would_see_an_english_sentence() -> None:
    fragments = _english_fragments(phrasebook("de"))
    assert "And release" in fragments
    assert "Next up" in fragments
    assert "Remove the compress" in fragments
    assert "Time is up" in fragments


@pytest.mark.parametrize(("language", "seconds", "said"), [
    # One is said in words, in its gender: espeak-ng reads a digit 1 as the counting word
    # ("eins Minute", "un seconde", "uno minuto").
    ("de", 90, "eine Minute und 30 Sekunden"), ("de", 1, "eine Sekunde"),
    ("de", 7.5, "7,5 Sekunden"), ("de", 120, "2 Minuten"),
    ("fr", 90, "une minute et 30 secondes"), ("fr", 1, "une seconde"),
    ("fr", 61, "une minute et une seconde"), ("fr", 0, "0 secondes"),
    ("fr", 1.5, "1,5 secondes"), ("es", 90, "un minuto y 30 segundos"),
    ("es", 1, "un segundo"), ("it", 90, "un minuto e 30 secondi"), ("it", 30, "30 secondi"),
    ("it", 60, "un minuto"), ("nl", 90, "één minuut en 30 seconden"), ("nl", 60, "één minuut"),
    ("en", 90, "1 minute 30 seconds"), ("en", 1, "1 second"),
])
def test_durations_read_naturally(language: str, seconds: float, said: str) -> None:
    assert phrasebook(language).duration(seconds) == said


def test_a_german_stretch_and_compress_read_as_german() -> None:
    routine = Routine(name="Warme Waden", language="de", steps=(
        Stretch(name="Wadendehnung", cue="Ziehen Sie die Zehen sanft zu sich.", hold_s=30,
                sides=("left", "right"), countdown=3, prepare_s=8),
        Compress(name="Warme Kompresse", duration_s=600, check_every_s=300, prepare_s=30),
    ))
    texts = [c.text for c in compile_routine(routine, FakeSpeech(), Voice("de")).cues
             if c.kind == "speech"]
    assert texts[1] == "Wadendehnung. Linke Seite. Ziehen Sie die Zehen sanft zu sich."
    assert texts[2] == "Und jetzt 30 Sekunden halten."
    assert texts[3:7] == ["drei", "zwei", "eins", "Und loslassen."]
    assert texts[7] == "Jetzt die rechte Seite. Ziehen Sie die Zehen sanft zu sich."
    assert texts[12] == "Und loslassen. Als Nächstes: Warme Kompresse."
    assert texts[13].startswith("Warme Kompresse. Verwenden Sie eine Kompresse, die sich "
                                "angenehm warm anfühlt, niemals heiß.")
    assert texts[14] == ("Die Kompresse liegt. Ruhen Sie sich aus und atmen Sie langsam. Ich "
                         "sage Bescheid, wenn 10 Minuten um sind.")
    assert texts[-2] == "Die Zeit ist um. Nehmen Sie die Kompresse ab."
    assert texts[-1] == "Das war Warme Waden. Gut gemacht."


def test_breathing_seconds_use_the_decimal_comma() -> None:
    routine = Routine(name="Atem", steps=(dataclasses.replace(ROUTINE.steps[3], in_s=4.5),))
    intro = compile_routine(routine, FakeSpeech(), Voice("fr")).cues[2].text
    assert intro == ("Box breathing. Inspirez pendant 4,5 secondes, retenez votre souffle "
                     "pendant 2 secondes, expirez pendant 4 secondes. 2 respirations. Suivez ma "
                     "voix et les sons.")


def _after_the_end(language: str) -> float:
    return compile_routine(ROUTINE, FakeSpeech(), Voice(language)).total + 10


def test_a_german_session_shows_and_asks_in_german() -> None:
    session = run_session([(_after_the_end("de"), "7")],
                          routine=dataclasses.replace(ROUTINE, language="de"),
                          rating=RatingChoice(), input_live=True, voice=Voice("de"))
    lines: list[str] = []
    display = SessionDisplay(live=False, stamp=lambda: "--", language="de")
    display.line = lines.append  # type: ignore[method-assign]
    for event in session.events:
        display(event)
    assert lines[0] == "Beginn"
    assert "Schritt 2 von 4: Calf stretch (als Nächstes: Box breathing)" in lines
    assert ("Wie sind Ihre Krämpfe jetzt? Drücken Sie eine Zahl von 0 für keine bis 10 für "
            "die schlimmsten.") in lines
    assert lines[-1] == "Danke. Ihre Bewertung ist 7."
    assert "Sitzung beendet." in lines


def test_the_spoken_rating_says_in_french_that_the_keys_answer() -> None:
    opened: list[str] = []

    def never(speak: object) -> object:
        opened.append("opened")
        raise AssertionError("the English recognizer must not be opened for French")

    session = run_session([(_after_the_end("fr"), "3")],
                          routine=dataclasses.replace(ROUTINE, language="fr"),
                          rating=RatingChoice(), input_live=True, voice=Voice("fr"),
                          hands_free=HandsFree(spoken_rating=never))  # type: ignore[arg-type]
    notes = [e.text for e in session.events.of(ev.HandsFreeFallback)]
    assert notes == ["La note à voix haute ne comprend que l'anglais. Vous pouvez utiliser les "
                     "touches à la place."]
    assert notes[0] in session.speech.requests
    assert [e.value for e in session.events.of(ev.Rated)] == [3]
    assert opened == []


def test_the_button_counts_in_dutch(mock_pins: object) -> None:
    said: list[str] = []
    now = [0.0]
    button = open_button(said.append, 17, clock=lambda: now[0], bounce_s=None,
                         book=phrasebook("nl"))
    pin = mock_pins.pin(17)  # type: ignore[attr-defined]
    button.begin_rating()
    for hold in (0.1, 0.1, 1.5):
        pin.drive_low()
        now[0] += hold
        pin.drive_high()
    assert said == [phrasebook("nl").button_hint, "één", "twee", "Twee. Dank u."]
    button.close()


def test_check_warns_when_a_language_has_no_phrasebook(tmp_path: Path) -> None:
    routine = tmp_path / "pt.yaml"
    routine.write_text("name: Calma\nlanguage: pt\nsteps:\n  - say: Sente-se.\n")
    result = CliRunner().invoke(cli, ["check", str(routine)])
    assert result.exit_code == 0
    assert result.stdout == f"{routine}: ok\n"
    assert result.stderr == (
        f"{routine}: warning: no phrasebook for language 'pt' (there are: de, en, es, fr, "
        "it, nl); its fixed sentences are spoken in English\n")


def test_check_is_quiet_for_a_language_with_a_phrasebook(tmp_path: Path) -> None:
    routine = tmp_path / "de.yaml"
    routine.write_text("name: Ruhe\nlanguage: de\nsteps:\n  - say: Setzen Sie sich.\n")
    result = CliRunner().invoke(cli, ["check", str(routine)])
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{routine}: ok\n", "")
