"""The gettext catalogs, kept in step with the English source (``make catalogs``): the
phrasebook's fixed sentences (domain ``crampcoach``) and the built-in routines' own text
(domain ``routines``), one .po of each per language.

    python tools/catalogs.py update   # the templates from phrases/en.py and from every
                                      # routines/builtin/*.yaml; every catalog updated from
                                      # them (new sentences empty, changed ones marked
                                      # fuzzy), then compiled to its .mo
    python tools/catalogs.py update crampcoach  # the same, for one domain only
    python tools/catalogs.py check    # what is untranslated, marked fuzzy, left over,
                                      # missing a {name}, or compiled from an older .po
    python tools/catalogs.py new LANG # start the catalogs for another language
    python tools/catalogs.py compile LANG  # compile only LANG's catalogs to their .mo
                                           # (a translator's step: nothing else changes)
    python tools/catalogs.py check LANG    # what is left to do in LANG's catalogs only

Babel does the reading, merging and compiling (a developer's tool: the installed
package reads the compiled .mo files with the standard library's gettext). The template
is made from the :class:`~crampcoach.phrases.Phrasebook` itself, not by scanning source
for ``_()`` calls: each sentence is a field, and the field's name is its ``msgctxt``.
"""

from __future__ import annotations

import io
import re
import sys
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from crampcoach.phrases import DOMAIN, ENGLISH, Phrasebook
from crampcoach.routines import translation
from crampcoach.routines.kinds import kind_of
from crampcoach.routines.library import builtin_names
from crampcoach.routines.loader import load_routine

LOCALE = Path(__file__).resolve().parent.parent / "src" / "crampcoach" / "phrases" / "locale"
TEMPLATE = LOCALE / f"{DOMAIN}.pot"
ROUTINES = translation.DOMAIN
#: Fixed, so that refreshing the catalogs changes only the sentences that changed.
_DATE = datetime(2026, 1, 1, tzinfo=UTC)
_FIELD = re.compile(r"{(\w+)}")
_NOT_SENTENCES = frozenset({"language", "plural"})
#: Names a translation may leave out: compress_on's "is"/"are", for a language that words
#: the sentence without a verb that agrees with the amount.
_OPTIONAL = frozenset({"verb"})
_ROOT = LOCALE.parent.parent.parent.parent
_HEADER = """\
# crampcoach's fixed sentences (the English source: src/crampcoach/phrases/en.py).
# Keep each {name} as it is; calm, plain words; the safety meaning exact.
#"""


_ROUTINES_HEADER = """\
# crampcoach's built-in routines, their own text (the English source:
# src/crampcoach/routines/builtin/*.yaml; instructions: docs/languages.md).
# Spoken slowly to a person in pain or half asleep: calm, plain, short words; the formal
# address; the safety meaning exact (the SAFETY notes say which words).
#"""


def _catalog(language: str | None = None, domain: str = DOMAIN) -> Catalog:
    return Catalog(locale=language, project="crampcoach", version="1", domain=domain,
                   header_comment=_HEADER if domain == DOMAIN else _ROUTINES_HEADER,
                   copyright_holder="the crampcoach authors",
                   msgid_bugs_address="-", language_team="crampcoach",
                   last_translator="the crampcoach authors",
                   creation_date=_DATE, revision_date=_DATE, fuzzy=False)


def _note(msgid: str | tuple[str, str]) -> list[str]:
    text = msgid if isinstance(msgid, str) else " ".join(msgid)
    names = sorted(set(_FIELD.findall(text)))
    notes = []
    if names:
        notes.append("Keep " + ", ".join("{" + n + "}" for n in names) + " as they are.")
    if text != text.strip():
        notes.append("Keep the space at the start or end.")
    return notes


def template(book: Phrasebook = ENGLISH) -> Catalog:
    """Every sentence of ``book`` as a message, its field's name as the context."""
    catalog = _catalog()
    for f in fields(book):
        if f.name in _NOT_SENTENCES:
            continue
        value = getattr(book, f.name)
        if f.name in ("second_forms", "minute_forms"):
            catalog.add(tuple(value), context=f.name, auto_comments=_note(tuple(value)))
        elif isinstance(value, str):
            catalog.add(value, context=f.name, auto_comments=_note(value))
        elif isinstance(value, tuple):
            for word in value:
                catalog.add(word, context=f.name)
        else:
            for key, text in value.items():
                catalog.add(text, context=f"{f.name}.{key}", auto_comments=_note(text))
    return catalog


#: Words whose meaning a translation must keep exactly, and what the note says about them.
SAFETY_TERMS: tuple[tuple[str, str], ...] = (
    (r"\bhot\b|\bwarm\b|warmth", "warm means pleasantly warm; 'not hot' means not too "
     "hot (not 'not scalding/burning'): the point to take it off is hot, not burning"),
    (r"\bburn", "a burn: skin damaged by heat (numb skin cannot feel it coming)"),
    (r"take (it|the pack) off|lift it and look|remove", "take it off: at once, not later"),
    (r"help now|emergency", "get help now / call the emergency number now: urgent, today, "
     "not 'see a doctor some day'"),
    (r"swollen|red\b|chest pain|breathless", "the urgent signs: any ONE of them is enough; "
     "keep 'or', never 'and'"),
    (r"rub|massage|knead|stroke", "the clot check comes before any rubbing: never massage a "
     "calf that is swollen, warm, red or painful"),
    (r"pain|force|jerk|bounce", "gentle, never into pain, never forced"),
    (r"medicine|baclofen|dose", "never stop or change a medicine on your own: ask"),
    (r"weakness", "sudden new weakness: contact the MS team today"),
    (r"twitch", "twitching = fasciculations (small muscle twitches), NOT tremor (shaking)"),
    (r"\bstand|brake|fall|lean", "falls: the support (chair with a back and arms, brakes on) "
     "and the order of the moves must stay"),
    (r"back of the thigh|heel toward", "do not pull with the back of the thigh: the move is "
     "passive (hand, towel or helper)"),
    (r"toes? (up|toward|back)|point", "toes drawn toward the shin, never pointed away"),
)


def po_path(language: str, domain: str = DOMAIN) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{domain}.po"


def languages() -> list[str]:
    return sorted(p.name for p in LOCALE.iterdir() if (p / "LC_MESSAGES").is_dir())


def read(language: str, domain: str = DOMAIN) -> Catalog:
    with po_path(language, domain).open("rb") as f:
        return read_po(f, locale=language, domain=domain)


def _routine_notes(text: str, where: str) -> list[str]:
    notes = [where]
    if len(text) > 60 and "description" not in where:
        notes.append("Keep it about as long as the English: the timing test checks that it "
                     "fits at the night rate.")
    notes.extend(f"SAFETY: {note}" for pattern, note in SAFETY_TERMS
                 if re.search(pattern, text, re.IGNORECASE))
    return notes


def routines_template() -> Catalog:
    """Every built-in's own text (name, description, each step's prose), the English as the
    message, where it is said as its reference, and what a translator must keep as notes.
    A sentence used in several built-ins is one message (translated once, the same
    everywhere)."""
    catalog = _catalog(domain=ROUTINES)
    for name in builtin_names():
        routine = load_routine(name, user_dirs=[])
        own = f"{translation.BUILTIN_PREFIX}{name}.yaml"
        ref = f"{name}.yaml"
        items: list[tuple[str, int, str]] = [(routine.name, 0, "the routine's name")]
        if routine.description:
            items.append((routine.description, 0, "the routine's description (shown)"))
        for i, step in enumerate(routine.steps):
            if routine.step_file(i) != own:
                continue  # an included built-in has its own entries
            kind = kind_of(step).name
            for field in translation.text_fields(step):
                items.append((getattr(step, field), step.line, f"step {i + 1} ({kind}): {field}"))
        for text, line, what in items:
            where = f"{name}, {what}"
            old = catalog.get(text)
            if old is None:
                catalog.add(text, locations=[(ref, line)],
                            auto_comments=_routine_notes(text, where))
            else:
                old.locations.append((ref, line))
                old.auto_comments.append(where)
    return catalog


def compiled(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def _write(language: str, catalog: Catalog, domain: str = DOMAIN) -> None:
    path = po_path(language, domain)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=96, sort_output=False, omit_header=False)
    path.with_suffix(".mo").write_bytes(compiled(read(language, domain)))


def _templates() -> dict[str, Catalog]:
    return {DOMAIN: template(), ROUTINES: routines_template()}


def update(only: str | None = None) -> None:
    """Refresh the templates and every catalog from the English (``only``: one domain)."""
    LOCALE.mkdir(parents=True, exist_ok=True)
    for domain, pot in _templates().items():
        if only is not None and domain != only:
            continue
        with (LOCALE / f"{domain}.pot").open("wb") as f:
            write_po(f, pot, width=96, sort_output=False)
        for language in languages():
            if po_path(language, domain).exists():
                catalog = read(language, domain)
            else:
                catalog = _catalog(language, domain)
            catalog.update(pot)
            catalog.obsolete.clear()
            _write(language, catalog, domain)


def new(language: str) -> None:
    if po_path(language).exists():
        raise SystemExit(f"{po_path(language)} already exists")
    for domain, pot in _templates().items():
        catalog = _catalog(language, domain)
        catalog.update(pot)
        _write(language, catalog, domain)


def routine_problems(language: str) -> list[str]:
    """Everything that keeps ``language``'s catalog of the built-ins' text from being
    complete and current (untranslated, fuzzy, missing, left over, not compiled)."""
    return problems(language, ROUTINES)


def problems(language: str, domain: str = DOMAIN) -> list[str]:
    """Everything that keeps ``language``'s catalog from being complete and current."""
    path = po_path(language, domain).relative_to(_ROOT)
    if not po_path(language, domain).exists():
        return [f"{path}: missing (run make catalogs)"]
    catalog = read(language, domain)
    pot = template() if domain == DOMAIN else routines_template()
    found: list[str] = []
    for message in pot:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        mine = catalog.get(message.id, context=message.context)
        strings = [] if mine is None else (
            [mine.string] if isinstance(mine.string, str) else list(mine.string))
        where = f"{path}: {message.context or _short(key)}"
        if mine is None:
            found.append(f"{where}: missing")
        elif mine.fuzzy:
            found.append(f"{where}: marked fuzzy (the English changed; check the translation)")
        elif not all(s.strip() for s in strings):
            found.append(f"{where}: not translated")
        else:
            wanted = set(_FIELD.findall(key))
            for index, s in enumerate(strings):
                has = set(_FIELD.findall(s))
                # The singular of a counted word may say the number as a word ("eine
                # Minute", "une seconde"): espeak-ng reads a digit 1 as the counting word.
                optional = _OPTIONAL | ({"n"} if index == 0 and len(strings) > 1 else set())
                if not has <= wanted or not wanted - optional <= has:
                    found.append(f"{where}: has {sorted(has)}, needs {sorted(wanted)}")
    known = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in pot if m.id}
    for message in catalog:
        if message.id and (message.id if isinstance(message.id, str) else message.id[0],
                           message.context) not in known:
            found.append(f"{path}: {message.context or _short(key)}: "
                         "not in the English any more")
    mo = po_path(language, domain).with_suffix(".mo")
    if not mo.exists() or mo.read_bytes() != compiled(catalog):
        found.append(f"{mo.relative_to(_ROOT)}: not compiled from the .po beside it "
                     "(run make catalogs)")
    return found


def _short(text: str) -> str:
    return repr(text if len(text) <= 50 else text[:47] + "...")


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"] and len(argv) <= 2:
        update(argv[1] if len(argv) == 2 else None)
        return 0
    if argv[:1] == ["new"] and len(argv) == 2:
        new(argv[1])
        return 0
    if argv[:1] == ["compile"] and len(argv) == 2:
        for domain in (DOMAIN, ROUTINES):
            po = po_path(argv[1], domain)
            if po.exists():
                po.with_suffix(".mo").write_bytes(compiled(read(argv[1], domain)))
        return 0
    if argv[:1] == ["check"] and len(argv) <= 2:
        found = [p for language in (argv[1:] or languages())
                 for p in [*problems(language), *routine_problems(language)]]
        for line in found:
            print(line)
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
