"""The phrasebook: every fixed sentence a session speaks or shows, in its language.

``en.py`` is the source: the English sentences. Every other language is a gettext
catalog, ``locale/LANG/LC_MESSAGES/crampcoach.po`` (what a translator edits, with any
PO editor), compiled to the ``.mo`` beside it that is read here with the standard
library's :mod:`gettext`. Each sentence's context (``msgctxt``) is its field name below;
durations use the catalog's plural rule. ``make catalogs`` refreshes the template and
every catalog from ``en.py`` and compiles them (docs/languages.md says how to add a
language). Routine text (names, cues, ``say`` lines) is the author's and never comes from
here. A language without a catalog falls back to English (:func:`phrasebook`).
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from dataclasses import fields, replace
from importlib import resources
from typing import Any

from crampcoach.phrases.book import Phrasebook, Plural, english_plural

__all__ = ["ENGLISH", "Phrasebook", "Plural", "english_plural", "fallback_note",
           "has_phrasebook", "phrasebook", "translated"]

#: Fields that are not sentences: never translated.
_NOT_TRANSLATED = frozenset({"language", "plural", "second_forms", "minute_forms"})


def translated(english: Phrasebook, catalog: gettext.NullTranslations,
               language: str) -> Phrasebook:
    """``english`` with every sentence looked up in ``catalog`` (context: the field's
    name; a mapping's entries ``field.key``; the numbers ``numbers``). A sentence the
    catalog lacks stays English; the catalog test makes sure none does."""
    changes: dict[str, Any] = {}
    for f in fields(english):
        value = getattr(english, f.name)
        if f.name in _NOT_TRANSLATED:
            continue
        if isinstance(value, str):
            changes[f.name] = catalog.pgettext(f.name, value)
        elif isinstance(value, tuple):
            changes[f.name] = tuple(catalog.pgettext(f.name, word) for word in value)
        elif isinstance(value, Mapping):
            changes[f.name] = {key: catalog.pgettext(f"{f.name}.{key}", text)
                               for key, text in value.items()}
    return replace(english, language=language, plural=catalog.npgettext, **changes)


#: The gettext domain: locale/LANG/LC_MESSAGES/crampcoach.mo inside this package.
DOMAIN = "crampcoach"


def _catalog_languages() -> frozenset[str]:
    locale = resources.files(__package__).joinpath("locale")
    if not locale.is_dir():
        return frozenset()
    return frozenset(entry.name for entry in locale.iterdir()
                     if entry.joinpath("LC_MESSAGES", f"{DOMAIN}.mo").is_file())


def _from_catalog(language: str) -> Phrasebook:
    path = resources.files(__package__).joinpath("locale", language, "LC_MESSAGES",
                                                 f"{DOMAIN}.mo")
    with path.open("rb") as mo:
        return translated(ENGLISH, gettext.GNUTranslations(mo), language)


def _english() -> Phrasebook:
    from crampcoach.phrases import en

    return en.PHRASES


ENGLISH = _english()
#: Languages with a compiled catalog, and English.
LANGUAGES: frozenset[str] = frozenset({"en"}) | _catalog_languages()
#: The phrasebooks made so far by language code; a catalog is read when first asked for.
BOOKS: dict[str, Phrasebook] = {"en": ENGLISH}


def _code(language: str) -> str:
    return language.strip().lower().replace("_", "-")


def _book_for(code: str) -> Phrasebook | None:
    book = BOOKS.get(code)
    if book is None and code in LANGUAGES:
        book = BOOKS[code] = _from_catalog(code)
    return book


def phrasebook(language: str) -> Phrasebook:
    """The phrasebook for a routine's ``language`` ("de", "en-gb", "pt-BR"); English
    when there is none for it (the part before any "-" is tried too: "de-at" is "de")."""
    code = _code(language)
    return _book_for(code) or _book_for(code.split("-")[0]) or ENGLISH


def has_phrasebook(language: str) -> bool:
    code = _code(language)
    return any(c in BOOKS or c in LANGUAGES for c in (code, code.split("-")[0]))


def fallback_note(language: str) -> str | None:
    """What ``check`` says about a language without a phrasebook; None when it has one."""
    if has_phrasebook(language):
        return None
    have = ", ".join(sorted(LANGUAGES))
    return (f"no phrasebook for language '{language}' (there are: {have}); its fixed "
            f"sentences are spoken in English")
