"""Changing a few settings in the person's settings file, keeping its comments and layout.

Each value is written into the file's text where its key is (or added where it belongs),
the new text is read back with :func:`crampcoach.settings.load_settings` - the same rules,
messages and FILE:LINE as ``crampcoach config`` - and only a file that reads cleanly
replaces the old one, in one rename. A change that is refused leaves the file as it was.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from crampcoach.errors import ConfigError, Problem, escape_controls
from crampcoach.files import write_atomically
from crampcoach.settings import SETTINGS_FILE, Settings, Sources, load_settings
from crampcoach.yamlfile import compose, read_text


def _scalar(value: str) -> str:
    """``value`` as one YAML scalar that reads back as exactly this text."""
    if value and all(c.isalnum() or c in "._-:/+" for c in value) and value[0] not in "-:":
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _find(mapping: MappingNode, key: str) -> tuple[Node, Node] | None:
    for key_node, value_node in mapping.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def _end_of_block(text: str, node: Node) -> int:
    """Where to insert a line after a block mapping: after the line its last value ends
    on (a block's own end mark runs on past blank lines and comments)."""
    last: Node = node
    while isinstance(last, MappingNode | SequenceNode) and last.value:
        item = last.value[-1]
        last = item[1] if isinstance(last, MappingNode) else item
    end: int = last.end_mark.index
    if end > 0 and text[end - 1] == "\n":
        return end
    newline = text.find("\n", end)
    return len(text) if newline < 0 else newline + 1


def _set_one(text: str, path: tuple[str, ...], scalar: str, shown: str) -> str:
    root = compose(text, shown, SETTINGS_FILE) if text.strip() else None
    if root is None or (isinstance(root, ScalarNode) and not root.value):
        return text + ("" if not text or text.endswith("\n") else "\n") + _block(path, scalar, 0)
    if not isinstance(root, MappingNode):
        raise ConfigError([Problem(shown, 1, "settings must be a mapping of keys to values")])
    mapping: MappingNode = root
    for depth, key in enumerate(path):
        found = _find(mapping, key)
        last = depth == len(path) - 1
        if found is None:
            return _insert(text, mapping, path[depth:], scalar)
        key_node, value_node = found
        if last or not isinstance(value_node, MappingNode):
            if not last and isinstance(value_node, ScalarNode):
                # "night: off" given a time: the mapping replaces the scalar.
                replacement = "{" + f"{path[-1]}: {scalar}" + "}"
            elif isinstance(value_node, ScalarNode):
                replacement = scalar
            else:
                raise ConfigError([Problem(shown, key_node.start_mark.line + 1,
                                           f"{'.'.join(path[:depth + 1])} is not a single "
                                           "value; change it in the file")])
            start, end = value_node.start_mark.index, value_node.end_mark.index
            if start == end:  # "key:" with nothing after it
                return text[:start] + " " + replacement + text[end:] if (
                    start and text[start - 1] == ":") else text[:start] + replacement + text[end:]
            return text[:start] + replacement + text[end:]
        mapping = value_node
    return text


def _block(path: tuple[str, ...], scalar: str, indent: int) -> str:
    lines = []
    for depth, key in enumerate(path):
        pad = " " * (indent + 2 * depth)
        lines.append(f"{pad}{key}:" + (f" {scalar}" if depth == len(path) - 1 else ""))
    return "\n".join(lines) + "\n"


def _insert(text: str, mapping: MappingNode, path: tuple[str, ...], scalar: str) -> str:
    if mapping.flow_style:
        close = mapping.end_mark.index - 1  # the closing brace
        entry = (f"{path[0]}: " + ("{" * (len(path) - 1)) + (
            ": {".join(path[1:]) + ": " if len(path) > 1 else "") + scalar
                 + ("}" * (len(path) - 1)))
        separator = ", " if mapping.value else ""
        return text[:close].rstrip() + separator + entry + text[close:]
    indent = mapping.value[0][0].start_mark.column if mapping.value else 0
    at = _end_of_block(text, mapping)
    before = text[:at]
    if before and not before.endswith("\n"):
        before += "\n"
    return before + _block(path, scalar, indent) + text[at:]


#: The settings that name a routine to play.
ROUTINE_KEYS = ("bedside.routine", "default_routine")


def change_settings(path: Path, values: Mapping[str, str], *,
                    routines: Sequence[str] | None = None) -> tuple[Settings, Sources]:
    """Set each dotted key (``volume``, ``night.start``, ``bedside.routine``) to the given
    text in the settings file at ``path`` (made if missing), check the whole file as
    ``crampcoach config`` does, and only then replace it.

    ``routines``: the routine names that exist; a routine setting must be one of them.
    Raises :class:`ConfigError` with every problem (FILE:LINE as the file will read) and
    leaves the file untouched; a file replaced keeps its mode.
    """
    shown = str(path)
    text = read_text(path, shown, SETTINGS_FILE) if path.exists() else ""
    for dotted, value in values.items():
        if not value.isprintable() or "\n" in value:
            raise ConfigError([Problem(shown, 0, f"{dotted} must be one line of text")])
        if routines is not None and dotted in ROUTINE_KEYS and value.strip() not in routines:
            raise ConfigError([Problem(shown, 0, f"{dotted}: there is no routine called "
                                                 f"{escape_controls(repr(value.strip()[:80]))}")])
        text = _set_one(text, tuple(dotted.split(".")), _scalar(value.strip()), shown)
    result: list[tuple[Settings, Sources]] = []

    def check(draft: Path) -> None:
        try:
            result.append(load_settings(draft, environ={}))
        except ConfigError as e:
            # The draft's problems, told as the file's own: the same lines.
            raise ConfigError([Problem(shown if p.file == str(draft) else p.file, p.line,
                                       p.message) for p in e.problems]) from None
        except yaml.YAMLError:  # the reader reports YAML errors itself; this is a backstop
            raise ConfigError([Problem(shown, 0, "the changed file is not valid YAML")]) \
                from None

    # A new settings file is the person's own (0600); one replaced keeps its mode.
    try:
        write_atomically(path, text.encode(), mode=0o600, check=check)
    except OSError as e:
        raise ConfigError([Problem(shown, 0, f"cannot be written: {e.strerror or e}")]) \
            from None
    return result[0]
