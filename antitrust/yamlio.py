"""Read YAML or JSON into plain Python data while remembering where each value stands.

Users edit deal and rule files by hand, so every error must point at a line and column.
ruamel.yaml keeps positions on its round-trip nodes; we convert to plain dicts and lists and
keep a side table from the path of each value (a tuple of keys and indices) to its position.

Plain files are read through libyaml with ruamel's value rules (:mod:`antitrust.yamlfast`);
anything else, and every message about a bad file, comes from ruamel's round-trip parser, which
is pure Python and slow (about 6 microseconds a byte). A file that parsed cleanly is kept in a
small cache keyed by a hash of its text (:mod:`antitrust.parsecache`): the next run reads the
data and positions back instead of parsing again. Files with errors are never cached, so every
message still comes from the parser.

Limits (every file, checked before or while parsing, each a one-line error with its position):
the size of the file (``$ANTITRUST_MAX_INPUT_BYTES``, default 2 MiB), how deeply collections
nest (64 levels), how many values the document holds once aliases are expanded (200,000),
control characters (NUL, C0 other than tab and newlines, C1, lone surrogates) and numbers with
more digits than any figure needs (300).
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from antitrust import parsecache
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


#: Default largest input file, in bytes (``$ANTITRUST_MAX_INPUT_BYTES`` overrides it).
DEFAULT_MAX_INPUT_BYTES = 2 * 1024 * 1024
#: How deeply mappings and sequences may nest (a deal file needs about 6 levels).
MAX_DEPTH = 64
#: How many values a document may hold once YAML aliases are expanded.
MAX_NODES = 200_000
#: The most digits a number may have (10^300 is already past any turnover on earth).
MAX_DIGITS = 300
#: Characters no input may contain (as the YAML reader's set, plus lone surrogates).
_FORBIDDEN = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
_LONG_NUMBER = re.compile(f"[0-9]{{{MAX_DIGITS + 1},}}")


def max_input_bytes() -> int:
    """The largest input accepted, from ``$ANTITRUST_MAX_INPUT_BYTES`` (bytes) or the default."""
    raw = os.environ.get("ANTITRUST_MAX_INPUT_BYTES", "").strip()
    try:
        value = int(raw) if raw else DEFAULT_MAX_INPUT_BYTES
    except ValueError:
        return DEFAULT_MAX_INPUT_BYTES
    return value if value > 0 else DEFAULT_MAX_INPUT_BYTES


def _size_error(path: str, size: int) -> InputError:
    limit = max_input_bytes()
    return InputError(Location(path), f"input is {size:,} bytes, over the limit of {limit:,} "
                      "(set ANTITRUST_MAX_INPUT_BYTES to raise it)")


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _character_name(ch: str) -> str:
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate U+{code:04X}"
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"control character U+{code:04X}"
    return f"character U+{code:04X}"


def check_text(text: str, path: str) -> None:
    """Refuse characters no input may hold and numbers too long to be figures, with their position."""
    bad = _FORBIDDEN.search(text)
    if bad is not None:
        line, col = _line_col(text, bad.start())
        raise InputError(Location(path, line, col), f"{_character_name(bad.group())} is not allowed in input "
                         "files; remove it")
    long = _LONG_NUMBER.search(text)
    if long is not None:
        line, col = _line_col(text, long.start())
        raise InputError(Location(path, line, col), f"a number with {len(long.group()):,} digits; numbers may "
                         f"have at most {MAX_DIGITS} digits")


def check_data(data: Any, where: Location) -> None:
    """Refuse parsed data (JSON read without this module) that nests too deeply or holds text no
    input may hold; raises :class:`~antitrust.errors.DealFileError` at ``where``."""
    from antitrust.errors import DealFileError

    stack: list[tuple[Any, int]] = [(data, 0)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if depth > MAX_DEPTH or seen > MAX_NODES:
            raise DealFileError(where, f"nested too deeply; at most {MAX_DEPTH} levels are allowed" if depth > MAX_DEPTH
                                else f"more than {MAX_NODES:,} values")
        if isinstance(node, dict):
            stack += [(k, depth + 1) for k in node]
            stack += [(v, depth + 1) for v in node.values()]
        elif isinstance(node, list):
            stack += [(v, depth + 1) for v in node]
        elif isinstance(node, str):
            bad = _FORBIDDEN.search(node)
            if bad is not None:
                raise DealFileError(where, f"{_character_name(bad.group())} is not allowed in text, even as an escape")
        elif isinstance(node, float) and not math.isfinite(node):
            raise DealFileError(where, f"{node} is not a finite number")


def _json_too_deep(text: str) -> int:
    """The offset where JSON ``text`` first nests deeper than :data:`MAX_DEPTH` (0 if it never does)."""
    depth, in_string, escaped = 0, False, False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return i
        elif ch in "]}":
            depth -= 1
    return 0


#: Where a YAML scalar may start: a quote or a bracket after one of these is syntax, not text.
_NODE_START = frozenset(" \t\n\r[{,:-?")


def _deep_flow_at(text: str) -> int:
    """The offset of the first ``[`` or ``{`` that opens more than :data:`MAX_DEPTH` nested flow
    collections in YAML ``text``, or -1: a linear hint, not a verdict.

    ruamel's scanner is quadratic on a run of flow brackets (each one may start a simple key, and
    every pending key is re-checked on every token), so 20 KB of ``[[[[`` took a second or more
    before the parser reached the depth limit. Quotes that start a scalar and comments are skipped;
    anything this scan gets wrong only costs one parse of a short prefix (see :func:`_load`)."""
    depth, i, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        prev = text[i - 1] if i else "\n"
        if ch == "#" and prev in " \t\n\r":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if ch in "'\"" and prev in _NODE_START:
            j = i + 1
            while j < n:
                if ch == '"' and text[j] == "\\":
                    j += 2
                    continue
                if text[j] == ch:
                    if ch == "'" and text[j + 1:j + 2] == "'":  # '' is a quote inside '...'
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
            continue
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return i
        elif ch in "]}":
            depth = max(0, depth - 1)
        i += 1
    return -1


def _load(text: str) -> Any:
    """ruamel's round-trip nodes for ``text``; flow nesting past the limit fails fast."""
    from ruamel.yaml.composer import MaxDepthExceededError
    from ruamel.yaml.error import YAMLError

    cut = _deep_flow_at(text)
    if cut >= 0:
        # The parser stops at the bracket past the limit whatever follows it: parse up to there.
        try:
            _yaml().load(text[: cut + 1])
        except MaxDepthExceededError:
            raise
        except (YAMLError, ValueError, OverflowError, RecursionError):
            pass  # the prefix fails for another reason: the whole text decides below
    return _yaml().load(text)


def _yaml() -> YAML:
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import RoundTripConstructor

    class Constructor(RoundTripConstructor):
        """Dates stay text: the models parse them, so 2025-02-30 or month 13 is a message with a
        position, not an exception from the date type."""

    Constructor.add_constructor("tag:yaml.org,2002:timestamp",
                                lambda self, node: self.construct_scalar(node))

    yaml = YAML(typ="rt")
    yaml.Constructor = Constructor
    yaml.allow_duplicate_keys = False
    yaml.max_depth = MAX_DEPTH
    return yaml


class _Budget:
    """Counts the values produced while converting, so alias expansion cannot explode."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.left = MAX_NODES

    def spend(self, positions: dict[PathKey, tuple[int, int]], where: PathKey) -> None:
        self.left -= 1
        if self.left < 0:
            line, col = _nearest(positions, where)
            raise InputError(Location(self.path, line, col), f"the document holds more than {MAX_NODES:,} values "
                             "once its aliases are expanded; expand fewer aliases or split the file")


def _nearest(positions: dict[PathKey, tuple[int, int]], where: PathKey) -> tuple[int, int]:
    key = where
    while key and key not in positions:
        key = key[:-1]
    return positions.get(key, (1, 1))


def _scalar_text(node: str, path: PathKey, positions: dict[PathKey, tuple[int, int]], budget: _Budget) -> str:
    bad = _FORBIDDEN.search(node)
    if bad is not None:  # escapes in quoted strings ("\u0000", "\ud800") get here
        line, col = _nearest(positions, path)
        raise InputError(Location(budget.path, line, col), f"{_character_name(bad.group())} is not allowed "
                         "in text, even as an escape")
    return str(node)


def _plain(node: Any, path: PathKey, positions: dict[PathKey, tuple[int, int]], budget: _Budget) -> Any:
    """Convert ruamel nodes to dicts, lists and scalars, recording positions on the way."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    budget.spend(positions, path)
    if isinstance(node, CommentedMap):
        out: dict[str, Any] = {}
        for key, value in node.items():
            k = _scalar_text(str(key), path, positions, budget)
            try:
                line, col = node.lc.value(key)
            except (KeyError, TypeError):
                line, col = node.lc.line, node.lc.col
            # The key's own position is the most useful place to point at.
            kline, kcol = node.lc.key(key)
            positions[(*path, k)] = (kline + 1, kcol + 1)
            del line, col
            out[k] = _plain(value, (*path, k), positions, budget)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, value in enumerate(node):
            try:
                line, col = node.lc.item(i)
                positions[(*path, i)] = (line + 1, col + 1)
            except (KeyError, TypeError, IndexError):
                pass
            items.append(_plain(value, (*path, i), positions, budget))
        return items
    return _leaf(node, path, positions, budget)


def _leaf(node: Any, path: PathKey, positions: dict[PathKey, tuple[int, int]], budget: _Budget) -> Any:
    """A constructed scalar as plain data (shared with :mod:`antitrust.yamlfast`)."""
    if hasattr(node, "isoformat"):
        # Dates stay ISO strings: pydantic parses them, with a clear message when invalid.
        return node.isoformat()
    if type(node).__name__ in {"ScalarFloat", "ScalarInt", "ScalarBoolean"}:
        return bool(node) if type(node).__name__ == "ScalarBoolean" else (
            float(node) if type(node).__name__ == "ScalarFloat" else int(node)
        )
    if isinstance(node, str):
        return _scalar_text(node, path, positions, budget)
    return node


def parse_text(text: str, path: str, *, cache: bool = True) -> Document:
    """Parse YAML (JSON is YAML too, but gets json's stricter parser for clearer messages).

    With ``cache`` (the default), a text parsed cleanly before is read back from the cache. Only
    a text that passed :func:`check_text` is ever cached, so a hit (same text, same version) skips
    that scan, which costs more than reading the entry."""
    if len(text) > max_input_bytes() or len(text.encode("utf-8", "surrogatepass")) > max_input_bytes():
        raise _size_error(path, len(text.encode("utf-8", "surrogatepass")))
    file = parsecache.cache_file(text, path) if cache else None
    if file is not None:
        cached = parsecache.read(file, text, MAX_DEPTH)
        if cached is not None:
            return Document(path, *cached)
    check_text(text, path)
    doc = _parse(text, path)
    if file is not None:
        parsecache.write(file, (doc.data, doc.positions), text)
    return doc


def _parse(text: str, path: str) -> Document:
    if path.endswith(".json"):
        # json's own parser gives the clearer message for malformed JSON; valid JSON is then
        # read by the YAML parser (JSON is YAML) to keep line and column of every value.
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                Location(path, exc.lineno, exc.colno), f"invalid JSON: {exc.msg}"
            ) from None
        except RecursionError:
            line, col = _line_col(text, _json_too_deep(text))
            raise InputError(Location(path, line, col),
                             f"nested too deeply; at most {MAX_DEPTH} levels are allowed") from None
    from antitrust.yamlfast import fast_parse

    fast = fast_parse(text, path)
    if fast is not None:
        return Document(path, *fast)
    return _parse_ruamel(text, path)


def _parse_ruamel(text: str, path: str) -> Document:
    """The reference reading of any text, and every message about a bad one."""
    from ruamel.yaml.composer import MaxDepthExceededError
    from ruamel.yaml.constructor import DuplicateKeyError
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    try:
        node = _load(text)
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        raise InputError(
            Location(path, mark.line + 1, mark.column + 1) if mark else Location(path),
            f"duplicate key: {exc.problem}; each key may appear once in a mapping",
        ) from None
    except MaxDepthExceededError as exc:
        mark = exc.problem_mark
        where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        raise InputError(where, f"nested too deeply; at most {MAX_DEPTH} levels are allowed") from None
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
    except YAMLError as exc:  # errors without a position (reader problems the checks above missed)
        raise InputError(Location(path), f"invalid YAML: {str(exc).splitlines()[0]}") from None
    except (ValueError, OverflowError) as exc:  # a scalar the constructor cannot convert
        raise InputError(Location(path), f"invalid value: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise InputError(Location(path), f"nested too deeply; at most {MAX_DEPTH} levels are allowed") from None
    size = _expanded_size(node, {})
    if size > MAX_NODES:  # counted without expanding: an alias bomb is refused at once
        raise InputError(Location(path, 1, 1), f"the document holds {size:,} values once its aliases are expanded, "
                         f"more than {MAX_NODES:,}; expand fewer aliases or split the file")
    positions: dict[PathKey, tuple[int, int]] = {(): (1, 1)}
    return Document(path, _plain(node, (), positions, _Budget(path)), positions)


def _expanded_size(node: Any, memo: dict[int, int]) -> int:
    """How many values ``node`` holds with every alias expanded, counting each shared node once
    per use but visiting it once (linear in the text, however large the expansion)."""
    if not isinstance(node, dict | list):
        return 1
    known = memo.get(id(node))
    if known is not None:
        return known
    children = node.values() if isinstance(node, dict) else node
    total = 1 + sum(_expanded_size(child, memo) for child in children)
    memo[id(node)] = total
    return total


def load(path: str | Path, *, cache: bool = True) -> Document:
    """Read and parse a YAML or JSON file (see :func:`parse_text` for ``cache``)."""
    p = Path(path)
    try:
        with p.open("rb") as fh:  # pipes and devices too, but never more than the limit
            raw = fh.read(max_input_bytes() + 1)
        if len(raw) > max_input_bytes():
            raise _size_error(str(path), max(len(raw), _size_of(p)))
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise InputError(Location(str(path)), "file not found") from None
    except IsADirectoryError:
        raise InputError(Location(str(path)), "is a directory; expected a YAML or JSON file") from None
    except PermissionError:
        raise InputError(Location(str(path)), "permission denied") from None
    except UnicodeDecodeError as exc:
        raise InputError(Location(str(path)), f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise InputError(Location(str(path)), f"cannot read: {exc.strerror or exc}") from None
    return parse_text(text.removeprefix("\ufeff"), str(path), cache=cache)


def _size_of(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:
        return 0
