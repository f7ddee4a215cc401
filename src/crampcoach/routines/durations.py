"""Durations as carers write them: ``30``, ``7.5``, ``"30s"``, ``"2m"``, ``"1m30s"``, ``"1h"``."""

from __future__ import annotations

import re

_UNITS = re.compile(
    r"^(?:(?P<h>\d+(?:\.\d+)?)h)?(?:(?P<m>\d+(?:\.\d+)?)m)?(?:(?P<s>\d+(?:\.\d+)?)s?)?$"
)


def parse_duration(text: str) -> float | None:
    """Seconds for a duration string, or None when it is not one.

    Units go from large to small, each at most once; a bare number is seconds.
    """
    compact = text.replace(" ", "").lower()
    match = _UNITS.match(compact)
    if not compact or match is None or not any(match.groupdict().values()):
        return None
    h, m, s = (float(match[g] or 0) for g in "hms")
    return h * 3600 + m * 60 + s


def format_clock(seconds: float) -> str:
    """``75.5`` -> ``"01:15"``; ``3725`` -> ``"1:02:05"`` (whole seconds, rounded down)."""
    whole = int(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def format_duration(seconds: float) -> str:
    """As a carer writes it: ``120`` -> ``"2m"``, ``90`` -> ``"1m30s"``, ``45`` -> ``"45s"``."""
    whole = round(seconds)
    m, s = divmod(whole, 60)
    if not m:
        return f"{s}s"
    return f"{m}m{s}s" if s else f"{m}m"
