"""The one family of errors a user can cause or must be told about.

Only ``cli.py`` turns these into messages and exit codes; everything else raises them.
Each message is a single line a person can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# C0 and C1 control characters, DEL and lone surrogates (bytes that were not UTF-8): shown
# escaped so a message stays one line, can be written to any terminal, and a file's bytes
# never reach the terminal as escape sequences.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def escape_controls(text: str) -> str:
    """``text`` with every control character shown as ``\\n``, ``\\t`` or ``\\x1b``."""
    return _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], text)


class CrampcoachError(Exception):
    """Base class of every error crampcoach reports to a person."""

    exit_code = 1


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a file, at a line (1-based; 0 when the file as a whole is wrong)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        file, message = escape_controls(self.file), escape_controls(self.message)
        if self.line:
            return f"{file}:{self.line}: {message}"
        return f"{file}: {message}"


class RoutineError(CrampcoachError):
    """A routine file that cannot be used; carries every problem found, each FILE:LINE: ..."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("RoutineError needs at least one problem")
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, file: str, line: int, message: str) -> RoutineError:
        return cls([Problem(file, line, message)])


class ConfigError(RoutineError):
    """A settings file that cannot be used (same FILE:LINE: form as routines)."""


class AudioError(CrampcoachError):
    """Sound could not be made or played."""


class AudioDeviceError(AudioError):
    """The audio output device is missing, busy or refused the format."""


class SynthesisError(AudioError):
    """Speech synthesis failed, hung, or espeak-ng is not installed."""


class VoiceUnusable(SynthesisError):
    """The engine or its voice cannot speak at all (not installed, a voice file that cannot
    be loaded): no phrase will work, so the caller stops trying and falls back."""


class JournalError(CrampcoachError):
    """The journal could not be opened, read or written. Its data is never touched."""


class ScheduleError(CrampcoachError):
    """A scheduled start could not be created, listed or removed."""


class RecordError(JournalError):
    """A value typed for the journal that it cannot take (a severity of 12, a day in the
    future, a dose change for a medicine never started). Nothing was written."""

    exit_code = 2


class WebError(CrampcoachError):
    """The companion web page could not start, or a password could not be set."""


class BedsideError(CrampcoachError):
    """The bedside service could not start, be reached, installed or told something."""
