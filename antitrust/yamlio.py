"""Read YAML or JSON into plain Python data while remembering where each value stands.

Users edit deal and rule files by hand, so every error must point at a line and column.
ruamel.yaml keeps positions on its round-trip nodes; we convert to plain dicts and lists and
keep a side table from the path of each value (a tuple of keys and indices) to its position.

The round-trip parser is slow (about a second for the whole rulebook), so a file that parsed
cleanly is kept in a small cache keyed by a hash of its text: the next run reads the data and
positions back with :mod:`marshal` instead of parsing again. Files with errors are never cached,
so every message still comes from the parser. The cache lives in ``$ANTITRUST_CACHE_DIR`` (set
it to ``off`` to disable), else ``$XDG_CACHE_HOME/antitrust`` or ``~/.cache/antitrust``; it is
only ever an optimisation: any problem reading or writing it falls back to parsing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from antitrust.errors import InputError, Location

if TYPE_CHECKING:  # ruamel is imported on first parse: a cache hit never needs it
    from ruamel.yaml import YAML

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
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def _plain(node: Any, path: PathKey, positions: dict[PathKey, tuple[int, int]]) -> Any:
    """Convert ruamel nodes to dicts, lists and scalars, recording positions on the way."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

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


_CACHE_FORMAT = b"antitrust-yamlio-1"
_CACHE_MAX_FILES = 512


def cache_dir() -> Path | None:
    """Where parsed files are cached (None: caching is off)."""
    env = os.environ.get("ANTITRUST_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in {"", "0", "off", "no", "none"} else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "antitrust"


def _cache_file(text: str, path: str) -> Path | None:
    where = cache_dir()
    if where is None:
        return None
    digest = hashlib.sha256(_CACHE_FORMAT + sys.version.encode() + b"\0" + path.endswith(".json").to_bytes(1, "big")
                            + text.encode("utf-8", "surrogatepass")).hexdigest()
    return where / "parsed" / f"{digest}.marshal"


def _cache_read(file: Path, path: str) -> Document | None:
    try:
        data, raw = marshal.loads(file.read_bytes())
        return Document(path, data, raw)
    except (OSError, ValueError, EOFError, TypeError):
        return None


def _cache_write(file: Path, doc: Document) -> None:
    try:
        blob = marshal.dumps((doc.data, doc.positions))
    except ValueError:  # an unusual scalar type: just parse this file every time
        return
    with contextlib.suppress(OSError):
        file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        entries = os.listdir(file.parent)
        if len(entries) >= _CACHE_MAX_FILES:  # keep the newest half
            dated = sorted(entries, key=lambda n: _mtime(file.parent / n))
            for name in dated[: len(dated) // 2]:
                with contextlib.suppress(OSError):
                    (file.parent / name).unlink()
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, file)  # atomic: concurrent readers see the whole file or none
        except OSError:
            Path(tmp).unlink(missing_ok=True)


def _mtime(p: Path) -> float:
    try:
        return p.stat().st_mtime
    except OSError:
        return 0.0


def parse_text(text: str, path: str, *, cache: bool = True) -> Document:
    """Parse YAML (JSON is YAML too, but gets json's stricter parser for clearer messages).

    With ``cache`` (the default), a text parsed cleanly before is read back from the cache."""
    file = _cache_file(text, path) if cache else None
    if file is not None:
        cached = _cache_read(file, path)
        if cached is not None:
            return cached
    doc = _parse(text, path)
    if file is not None:
        _cache_write(file, doc)
    return doc


def _parse(text: str, path: str) -> Document:
    from ruamel.yaml.constructor import DuplicateKeyError
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.reader import ReaderError

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
    except ReaderError as exc:  # a control character: YAML refuses it before parsing
        at = max(0, min(int(exc.position), len(text)))
        line, col = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        raise InputError(Location(path, line, col),
                         f"invalid YAML: character U+{code:04X} is not allowed (write it escaped in a quoted string)") from None
    positions: dict[PathKey, tuple[int, int]] = {(): (1, 1)}
    return Document(path, _plain(node, (), positions), positions)


def load(path: str | Path, *, cache: bool = True) -> Document:
    """Read and parse a YAML or JSON file (see :func:`parse_text` for ``cache``)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(Location(str(path)), "file not found") from None
    except IsADirectoryError:
        raise InputError(Location(str(path)), "is a directory; expected a YAML or JSON file") from None
    except UnicodeDecodeError as exc:
        raise InputError(Location(str(path)), f"not UTF-8 text ({exc.reason})") from None
    return parse_text(text, str(path), cache=cache)
