"""Read YAML or JSON into plain Python data while remembering where each value stands.

Users edit deal and rule files by hand, so every error must point at a line and column.
ruamel.yaml keeps positions on its round-trip nodes; we convert to plain dicts and lists and
keep a side table from the path of each value (a tuple of keys and indices) to its position.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError

from antitrust.errors import InputError, Location

PathKey = tuple[str | int, ...]


@dataclass
class Document:
    """A parsed file: its plain data and the position of every value in it."""

    path: str
    data: Any
    positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def locate(self, loc: Iterable[str | int]) -> Location:
        """The position of the deepest known prefix of ``loc`` (1-based)."""
        key = tuple(loc)
        while key:
            if key in self.positions:
                line, col = self.positions[key]
                return Location(self.path, line, col)
            key = key[:-1]
        line, col = self.positions.get((), (1, 1))
        return Location(self.path, line, col)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def _plain(node: Any, path: PathKey, positions: dict[PathKey, tuple[int, int]]) -> Any:
    """Convert ruamel nodes to dicts, lists and scalars, recording positions on the way."""
    if isinstance(node, CommentedMap):
        out: dict[str, Any] = {}
        for key, value in node.items():
            k = str(key)
            try:
                line, col = node.lc.value(key)
            except (KeyError, TypeError):
                line, col = node.lc.line, node.lc.col
            # The key's own position is the most useful place to point at.
            kline, kcol = node.lc.key(key)
            positions[(*path, k)] = (kline + 1, kcol + 1)
            del line, col
            out[k] = _plain(value, (*path, k), positions)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, value in enumerate(node):
            try:
                line, col = node.lc.item(i)
                positions[(*path, i)] = (line + 1, col + 1)
            except (KeyError, TypeError, IndexError):
                pass
            items.append(_plain(value, (*path, i), positions))
        return items
    if hasattr(node, "isoformat"):
        # Dates stay ISO strings: pydantic parses them, with a clear message when invalid.
        return node.isoformat()
    if type(node).__name__ in {"ScalarFloat", "ScalarInt", "ScalarBoolean"}:
        return bool(node) if type(node).__name__ == "ScalarBoolean" else (
            float(node) if type(node).__name__ == "ScalarFloat" else int(node)
        )
    if isinstance(node, str):
        return str(node)
    return node


def parse_text(text: str, path: str) -> Document:
    """Parse YAML (JSON is YAML too, but gets json's stricter parser for clearer messages)."""
    if path.endswith(".json"):
        # json's own parser gives the clearer message for malformed JSON; valid JSON is then
        # read by the YAML parser (JSON is YAML) to keep line and column of every value.
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                Location(path, exc.lineno, exc.colno), f"invalid JSON: {exc.msg}"
            ) from None
    try:
        node = _yaml().load(text)
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        raise InputError(
            Location(path, mark.line + 1, mark.column + 1) if mark else Location(path),
            f"duplicate key: {exc.problem}; each key may appear once in a mapping",
        ) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise InputError(where, f"invalid YAML: {problem}") from None
    positions: dict[PathKey, tuple[int, int]] = {(): (1, 1)}
    return Document(path, _plain(node, (), positions), positions)


def load(path: str | Path) -> Document:
    """Read and parse a YAML or JSON file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(Location(str(path)), "file not found") from None
    except IsADirectoryError:
        raise InputError(Location(str(path)), "is a directory; expected a YAML or JSON file") from None
    except UnicodeDecodeError as exc:
        raise InputError(Location(str(path)), f"not UTF-8 text ({exc.reason})") from None
    return parse_text(text, str(path))
