"""The phrasebook's gettext catalogs, kept in step with the English source (``make catalogs``).

    python tools/catalogs.py update   # the template from phrases/en.py; every catalog
                                      # updated from it (new or changed sentences marked),
                                      # then compiled to its .mo
    python tools/catalogs.py check    # what is untranslated, marked fuzzy, left over,
                                      # missing a {name}, or compiled from an older .po
    python tools/catalogs.py new LANG # start a catalog for another language

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

LOCALE = Path(__file__).resolve().parent.parent / "src" / "crampcoach" / "phrases" / "locale"
TEMPLATE = LOCALE / f"{DOMAIN}.pot"
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


def _catalog(language: str | None = None) -> Catalog:
    return Catalog(locale=language, project="crampcoach", version="1", domain=DOMAIN,
                   header_comment=_HEADER, copyright_holder="the crampcoach authors",
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


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages() -> list[str]:
    return sorted(p.name for p in LOCALE.iterdir() if (p / "LC_MESSAGES").is_dir())


def read(language: str) -> Catalog:
    with po_path(language).open("rb") as f:
        return read_po(f, locale=language, domain=DOMAIN)


def compiled(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def _write(language: str, catalog: Catalog) -> None:
    path = po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=96, sort_output=False, omit_header=False)
    path.with_suffix(".mo").write_bytes(compiled(read(language)))


def update() -> None:
    LOCALE.mkdir(parents=True, exist_ok=True)
    pot = template()
    with TEMPLATE.open("wb") as f:
        write_po(f, pot, width=96, sort_output=False)
    for language in languages():
        catalog = read(language)
        catalog.update(pot)
        catalog.obsolete.clear()
        _write(language, catalog)


def new(language: str) -> None:
    if po_path(language).exists():
        raise SystemExit(f"{po_path(language)} already exists")
    catalog = _catalog(language)
    catalog.update(template())
    _write(language, catalog)


def problems(language: str) -> list[str]:
    """Everything that keeps ``language``'s catalog from being complete and current."""
    path = po_path(language).relative_to(_ROOT)
    catalog, pot = read(language), template()
    found: list[str] = []
    for message in pot:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        mine = catalog.get(message.id, context=message.context)
        strings = [] if mine is None else (
            [mine.string] if isinstance(mine.string, str) else list(mine.string))
        where = f"{path}: {message.context}"
        if mine is None:
            found.append(f"{where}: missing")
        elif mine.fuzzy:
            found.append(f"{where}: marked fuzzy (the English changed; check the translation)")
        elif not all(s.strip() for s in strings):
            found.append(f"{where}: not translated")
        else:
            wanted = set(_FIELD.findall(key))
            for s in strings:
                has = set(_FIELD.findall(s))
                if not has <= wanted or not wanted - _OPTIONAL <= has:
                    found.append(f"{where}: has {sorted(has)}, needs {sorted(wanted)}")
    known = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in pot if m.id}
    for message in catalog:
        if message.id and (message.id if isinstance(message.id, str) else message.id[0],
                           message.context) not in known:
            found.append(f"{path}: {message.context}: not in the English any more")
    mo = po_path(language).with_suffix(".mo")
    if not mo.exists() or mo.read_bytes() != compiled(catalog):
        found.append(f"{mo.relative_to(_ROOT)}: not compiled from the .po beside it "
                     "(run make catalogs)")
    return found


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update()
        return 0
    if argv[:1] == ["new"] and len(argv) == 2:
        new(argv[1])
        return 0
    if argv[:1] == ["check"]:
        found = [p for language in languages() for p in problems(language)]
        for line in found:
            print(line)
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
