"""Help topics installed with the package: what a message may send a person to read.

Each topic is a text file beside this module; its first line is its one-line summary. Facts
that live elsewhere in the code (the journal's version) are filled in as ``$name``.
"""

from __future__ import annotations

from importlib import resources
from string import Template

from crampcoach.errors import CrampcoachError
from crampcoach.yamlfile import did_you_mean


def _files() -> dict[str, str]:
    folder = resources.files(__name__)
    return {
        entry.name.removesuffix(".txt"): entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".txt")
    }


def available() -> list[tuple[str, str]]:
    """Every topic's name and one-line summary, by name."""
    return sorted((name, text.splitlines()[0]) for name, text in _files().items())


def text(topic: str) -> str:
    """The whole text of a topic."""
    files = _files()
    if topic not in files:
        raise CrampcoachError(
            f"no help topic '{topic}'{did_you_mean(topic, sorted(files))} "
            "(crampcoach help lists them)"
        )
    from crampcoach.journal.store import APPLICATION_ID, SCHEMA_VERSION

    return Template(files[topic]).safe_substitute(
        application_id=APPLICATION_ID, journal_version=SCHEMA_VERSION
    )
