"""The control socket's commands (``crampcoach bedside pause``, the companion page's
buttons) as one input: each command a session understands becomes one token of the key
table, pushed to the session's clock like a key.

``pause`` only pauses and ``resume`` only carries on, also during a wait step (where the
button's press means "ready"); ``continue`` is "I am ready" and means something only
while a wait step waits.
"""

from __future__ import annotations

from collections.abc import Mapping

from crampcoach.inputs.keys import (
    COMMAND_NEXT,
    COMMAND_PAUSE,
    COMMAND_REPEAT,
    COMMAND_RESUME,
    COMMAND_STOP,
    CONTINUE,
)

#: The token each steering command pushes ("start" and "status" are the service's own).
COMMAND_KEYS: Mapping[str, str] = {
    "pause": COMMAND_PAUSE, "resume": COMMAND_RESUME, "next": COMMAND_NEXT,
    "repeat": COMMAND_REPEAT, "stop": COMMAND_STOP, "continue": CONTINUE,
}
