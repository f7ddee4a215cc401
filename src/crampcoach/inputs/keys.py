"""The one key table: every key's name, how each input spells it, which keys steer a
session, and what each does.

Every input hands the player a key name from here: the terminal (:mod:`.terminal`)
decodes bytes and escape sequences with :data:`TERMINAL_SEQUENCES` and
:data:`TERMINAL_SINGLE`, a keypad or presenter remote (:mod:`.keypad`) maps the kernel's
key names with :data:`EVDEV_NAMES`, and the GPIO button and the control socket's commands
send the tokens below that are not keys. The settings name the actions
(``keys: {skip: [n]}``); the player knows them as controls. Nothing else lists keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

#: Names of the keys the player understands (digits are "0".."9", letters themselves).
SPACE = "space"
ENTER = "enter"
BACKSPACE = "backspace"
ESCAPE = "escape"
PAGE_UP = "pageup"
PAGE_DOWN = "pagedown"
#: Not a key: Ctrl-C or SIGTERM, delivered through the queue where that is possible.
INTERRUPT = "interrupt"
#: Not a key: the input ended (stdin closed); nobody can answer a question any more.
INPUT_ENDED = "eof"
#: Not a key: the GPIO button was pressed during the session (it pauses and resumes).
BUTTON = "button"
#: Not a key: "I am ready" from another input (a service command); it ends a wait step
#: and does nothing at other times.
CONTINUE = "continue"

#: Not keys: the control socket's commands (:mod:`.commands`), one token each, with one
#: meaning whatever keys the settings bind. "pause" only pauses and "resume" only carries
#: on (the button's and the pause key's toggle would turn a repeated command around),
#: and neither is a "ready" during a wait step.
COMMAND_PAUSE = "command:pause"
COMMAND_RESUME = "command:resume"
COMMAND_NEXT = "command:next"
COMMAND_REPEAT = "command:repeat"
COMMAND_STOP = "command:stop"
#: The player's control for each command token ("hold": pause, never resume).
COMMAND_CONTROLS: Mapping[str, str] = {
    COMMAND_PAUSE: "hold", COMMAND_RESUME: "resume", COMMAND_NEXT: "next",
    COMMAND_REPEAT: "repeat", COMMAND_STOP: "quit", CONTINUE: "continue",
}

#: Key names besides single printable characters; a USB presenter remote sends the paging keys.
NAMED_KEYS = frozenset({
    SPACE, ENTER, ESCAPE, "tab", BACKSPACE,
    "up", "down", "left", "right", PAGE_UP, PAGE_DOWN, "home", "end",
})

#: Escape sequences terminals and presenter remotes send (xterm, linux console, VT220).
TERMINAL_SEQUENCES: Mapping[bytes, str] = {
    b"\x1b[5~": PAGE_UP,
    b"\x1b[6~": PAGE_DOWN,
    b"\x1b[C": "right",
    b"\x1b[D": "left",
    b"\x1b[A": "up",
    b"\x1b[B": "down",
    b"\x1b[H": "home",
    b"\x1b[F": "end",
    b"\x1b[1~": "home",
    b"\x1b[4~": "end",
    b"\x1bOH": "home",
    b"\x1bOF": "end",
}
#: Single bytes a terminal sends for named keys (printable characters are themselves).
TERMINAL_SINGLE: Mapping[bytes, str] = {
    b" ": SPACE, b"\r": ENTER, b"\n": ENTER, b"\x7f": BACKSPACE, b"\x08": BACKSPACE,
    b"\t": "tab",
}
#: The Linux input layer's names for keys that are not a letter or a digit (letters
#: ``KEY_A`` and digits ``KEY_1``/``KEY_KP1`` are mapped by rule in :mod:`.keypad`).
EVDEV_NAMES: Mapping[str, str] = {
    "KEY_SPACE": SPACE, "KEY_ENTER": ENTER, "KEY_KPENTER": ENTER,
    "KEY_ESC": ESCAPE, "KEY_TAB": "tab", "KEY_BACKSPACE": BACKSPACE,
    "KEY_UP": "up", "KEY_DOWN": "down", "KEY_LEFT": "left", "KEY_RIGHT": "right",
    "KEY_PAGEUP": PAGE_UP, "KEY_PAGEDOWN": PAGE_DOWN, "KEY_HOME": "home", "KEY_END": "end",
    "KEY_DOT": ".", "KEY_KPDOT": ".", "KEY_COMMA": ",", "KEY_MINUS": "-", "KEY_KPMINUS": "-",
    "KEY_KPPLUS": "+", "KEY_KPASTERISK": "*", "KEY_KPSLASH": "/", "KEY_SLASH": "/",
}

#: What a person can bind keys to, as the settings name it.
Action = Literal["pause", "skip", "repeat", "quit"]
ACTIONS: tuple[Action, ...] = ("pause", "skip", "repeat", "quit")

#: The keys for each action unless the settings say otherwise. A presenter remote sends
#: PageDown, PageUp and "b" (its "blank screen" button): next, repeat and pause.
DEFAULT_KEYS: Mapping[Action, tuple[str, ...]] = {
    "pause": (SPACE, "b"),
    "skip": ("n", PAGE_DOWN),
    "repeat": ("r", PAGE_UP),
    "quit": ("q",),
}

#: The player's control for each action (a skip moves on to the next step).
CONTROL_OF: Mapping[Action, str] = {
    "pause": "pause", "skip": "next", "repeat": "repeat", "quit": "quit",
}

def key_controls(keys: Mapping[Action, Sequence[str]]) -> dict[str, str]:
    """Key -> the player's control, for keys bound to actions."""
    return {key: CONTROL_OF[action] for action in ACTIONS for key in keys.get(action, ())}


def controls_for(bindings: Mapping[str, str]) -> dict[str, str]:
    """The player's whole controls table for keys a person chose (key -> control).

    Letters are matched as the key reader reports them, in lower case. Ctrl-C, SIGTERM,
    the GPIO button and a service's commands keep their meaning whatever the keys are.
    """
    table = {(key.lower() if len(key) == 1 else key): action
             for key, action in bindings.items()}
    table[INTERRUPT] = "interrupt"
    table[BUTTON] = "pause"
    # The service's commands; "continue" ("I am ready") ends a wait step, nothing else.
    table.update(COMMAND_CONTROLS)
    return table


#: The controls with the default keys.
CONTROLS: dict[str, str] = controls_for(key_controls(DEFAULT_KEYS))
