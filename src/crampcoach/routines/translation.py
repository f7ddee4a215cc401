"""The built-in routines in the person's language, and a warning for a routine of their own
whose text is in another language than the voice that reads it.

The built-ins are written in English (``routines/builtin/*.yaml``); their text (names,
cues, ``say`` lines, wait prompts) is translated in one gettext catalog per language,
``phrases/locale/LANG/LC_MESSAGES/routines.po`` (docs/languages.md says why), the English
sentence its ``msgid``. Timing, holds and every other number stay in the YAML, one home
for all languages. :func:`localized` swaps the text when a built-in is loaded; a language
whose catalog does not yet translate every sentence of a built-in gets that built-in in
English, spoken by an English voice, rather than English words read by a German one.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, cast

from crampcoach.routines.kinds import Step
from crampcoach.routines.model import Routine

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

#: The gettext domain of the built-ins' text, beside the phrasebook's in the same tree.
DOMAIN = "routines"
#: How a built-in found by name is shown in messages (``library.shown_name``).
BUILTIN_PREFIX = "builtin:"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Language codes the guesser knows, with words common in any instruction in them and
#: rare in the others (short function words; the same word in two lists counts for none).
_COMMON_WORDS: dict[str, frozenset[str]] = {
    "en": _words("the and your you with of to it this that is are for on if now then "
                 "breathe slowly gently hold let feel back leg legs arm knee foot"),
    "de": _words("der die das und ihr ihre ihren sie mit den dem ist nicht ein eine "
                 "auf zu jetzt dann langsam sanft halten bein beine knie fuß atmen"),
    "fr": _words("le la les et votre vous avec de du des est une sur pour si maintenant "
                 "puis lentement doucement jambe jambes genou pied respirez"),
    "es": _words("el la los las y su usted con de del es una sobre para si ahora luego "
                 "despacio suavemente pierna piernas rodilla pie respire"),
    "it": _words("il lo la le e suo sua lei con di del della è una sul per se ora poi "
                 "lentamente delicatamente gamba gambe ginocchio piede respiri"),
    "nl": _words("de het en uw u met van een is op voor als nu dan langzaam rustig "
                 "zachtjes been benen knie voet adem"),
}
_NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
          "nl": "Dutch"}
_WORD = re.compile(r"[^\W\d_]+")


def base_code(language: str) -> str:
    """``"de-CH"`` -> ``"de"``."""
    return language.strip().lower().replace("_", "-").split("-")[0]


def text_fields(step: Step) -> tuple[str, ...]:
    """The fields of a step that are prose a person hears or reads: every field declared
    ``str`` (names, cues, prompts, say lines); choices like a breathing guide are typed
    ``Literal`` and stay as written."""
    return tuple(f.name for f in fields(cast("DataclassInstance", step))
                 if f.type in ("str", str) and f.name != "kind")


def is_builtin(source: str) -> bool:
    return source.startswith(BUILTIN_PREFIX)


def builtin_texts(routine: Routine) -> Iterator[str]:
    """Every translatable text of a built-in (its name and description, then each step's
    prose, in order); included built-ins' steps too."""
    if is_builtin(routine.source):
        yield routine.name
        if routine.description:
            yield routine.description
    for i, step in enumerate(routine.steps):
        if is_builtin(routine.step_file(i)):
            for name in text_fields(step):
                yield getattr(step, name)


@cache
def catalog(language: str) -> gettext.NullTranslations | None:
    """The compiled catalog of the built-ins' text for ``language`` (``de-AT`` uses
    ``de``); None when there is none."""
    code = base_code(language)
    path = resources.files("crampcoach.phrases").joinpath("locale", code, "LC_MESSAGES",
                                                          f"{DOMAIN}.mo")
    if not path.is_file():
        return None
    with path.open("rb") as mo:
        return gettext.GNUTranslations(mo)


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of a routine's built-in text a catalog translates."""

    language: str
    missing: tuple[str, ...]
    total: int

    @property
    def complete(self) -> bool:
        return not self.missing


def coverage(routine: Routine, language: str) -> Coverage:
    texts = list(dict.fromkeys(builtin_texts(routine)))
    found = catalog(language)
    missing = tuple(t for t in texts if found is None or _lookup(found, t) is None)
    return Coverage(language, missing, len(texts))


def _lookup(found: gettext.NullTranslations, text: str) -> str | None:
    said = found.gettext(text)
    return said if said and said != text else None


def is_english(language: str | None) -> bool:
    return language is None or base_code(language) == "en"


def localized(routine: Routine, language: str | None) -> Routine:
    """``routine`` with its built-in text in ``language`` (the routine's own ``language:``
    wins, so a routine of the person's own that includes a built-in hears it in the
    routine's language). A built-in (or a routine including one) whose text the catalog
    does not fully translate is left in English, and a built-in then says so in its
    ``language`` ("en"): an English voice reads it instead of a voice of another
    language mispronouncing English words."""
    target = routine.language or language
    if target is None or not any(True for _ in builtin_texts(routine)):
        return routine
    if is_english(target):
        return routine if routine.language or not is_builtin(routine.source) else replace(
            routine, language=target)
    found = catalog(target)
    if found is None or not coverage(routine, target).complete:
        if is_builtin(routine.source) and routine.language is None:
            return replace(routine, language="en")
        return routine

    def said(text: str) -> str:
        return _lookup(found, text) or text

    steps = []
    for i, step in enumerate(routine.steps):
        if is_builtin(routine.step_file(i)):
            step = cast("Step", replace(cast("DataclassInstance", step),
                                        **{name: said(getattr(step, name))
                                           for name in text_fields(step)}))
        steps.append(step)
    if not is_builtin(routine.source):
        return replace(routine, steps=tuple(steps))
    return replace(routine, steps=tuple(steps), name=said(routine.name),
                   description=said(routine.description) if routine.description else "",
                   language=target)


def translation_note(routine: Routine, language: str | None) -> str | None:
    """What ``check``, ``plan`` and ``play`` say when built-in text is asked for in a
    language its catalog does not (yet) fully translate; None when nothing needs saying.
    ``routine`` is the one :func:`localized` gave; ``language`` the settings'."""
    texts = list(builtin_texts(routine))
    if not texts:
        return None
    if is_builtin(routine.source):
        if language is None or is_english(language) or not is_english(routine.language):
            return None
        wanted = _NAMES.get(base_code(language), f"'{language}'")
        return (f"the built-in text is not translated into {wanted} yet; it is spoken in "
                "English")
    target = routine.language or language
    if target is None or is_english(target) or guess_language(texts) != "en":
        return None
    wanted = _NAMES.get(base_code(target), f"'{target}'")
    return (f"the built-in steps it includes are not translated into {wanted} yet; a "
            f"{wanted} voice reads their English words")


def guess_language(texts: Iterable[str]) -> str | None:
    """The language of ``texts`` among those :data:`_COMMON_WORDS` knows, by counting their
    common words; None when too few words say it clearly (at least 4, and twice as many
    as the next language)."""
    counts = dict.fromkeys(_COMMON_WORDS, 0)
    for text in texts:
        for word in _WORD.findall(text.lower()):
            owners = [code for code, words in _COMMON_WORDS.items() if word in words]
            if len(owners) == 1:
                counts[owners[0]] += 1
    ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
    (best, most), (_, next_most) = ranked[0], ranked[1]
    if most >= 4 and most >= 2 * next_most:
        return best
    return None


def own_texts(routine: Routine) -> list[str]:
    """The text of a routine that is the person's own (not from a built-in)."""
    texts = [] if is_builtin(routine.source) else [routine.name, routine.description]
    for i, step in enumerate(routine.steps):
        if not is_builtin(routine.step_file(i)):
            texts.extend(getattr(step, name) for name in text_fields(step))
    return [t for t in texts if t]


def language_warning(routine: Routine, voice_language: str) -> str | None:
    """A warning when a routine of the person's own looks written in another language than
    the voice that will read it (a German voice reading English words is hard to follow);
    None when it matches, or when the text is too short to tell."""
    guessed = guess_language(own_texts(routine))
    if guessed is None or guessed == base_code(voice_language):
        return None
    heard = _NAMES.get(base_code(voice_language), f"'{voice_language}'")
    where = ("its language:" if routine.language is not None
             else "the settings' language, as the routine has no language:")
    return (f"its text looks {_NAMES[guessed]} but a {heard} voice would read it "
            f"({where} {voice_language}); put 'language: {guessed}' in the routine, or "
            f"write it in {heard}")
