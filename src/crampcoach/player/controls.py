"""The one key table: which keys steer a session, and what each does.

The settings name the actions (``keys: {skip: [n]}``); the player knows them as
controls. Both, and the default keys, are here; nothing else lists keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from crampcoach.player.clock import BUTTON, CONTINUE, INTERRUPT, PAGE_DOWN, PAGE_UP, SPACE

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

#: Key names besides single printable characters; a USB presenter remote sends the paging keys.
NAMED_KEYS = frozenset({
    "space", "enter", "escape", "tab", "backspace",
    "up", "down", "left", "right", "pageup", "pagedown", "home", "end",
})


def key_controls(keys: Mapping[Action, Sequence[str]]) -> dict[str, str]:
    """Key -> the player's control, for keys bound to actions."""
    return {key: CONTROL_OF[action] for action in ACTIONS for key in keys.get(action, ())}


def controls_for(bindings: Mapping[str, str]) -> dict[str, str]:
    """The player's whole controls table for keys a person chose (key -> control).

    Letters are matched as the key reader reports them, in lower case. Ctrl-C, SIGTERM,
    the GPIO button and a service's "continue" keep their meaning whatever the keys are.
    """
    table = {(key.lower() if len(key) == 1 else key): action
             for key, action in bindings.items()}
    table[INTERRUPT] = "interrupt"
    table[BUTTON] = "pause"
    # "I am ready" from a service command: it ends a wait step, and does nothing else.
    table[CONTINUE] = "continue"
    return table


#: The controls with the default keys.
CONTROLS: dict[str, str] = controls_for(key_controls(DEFAULT_KEYS))
