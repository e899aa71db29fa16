"""Read YAML or JSON into plain Python data while remembering where each value stands.

Users edit deal and rule files by hand, so every error must point at a line and column.
ruamel.yaml keeps positions on its round-trip nodes; we convert to plain dicts and lists and
keep a side table from the path of each value (a tuple of keys and indices) to its position.

Plain files are read through libyaml with ruamel's value rules (:mod:`antitrust.yamlfast`);
anything else, and every message about a bad file, comes from ruamel's round-trip parser, which
is pure Python and slow (about 6 microseconds a byte). A file that parsed cleanly is kept in a
small cache keyed by a hash of its text: the next run reads the data and positions back with
:mod:`marshal` instead of parsing again. Files with errors are never cached,
so every message still comes from the parser. The cache lives in ``$ANTITRUST_CACHE_DIR`` (set
it to ``off`` to disable), else ``$XDG_CACHE_HOME/antitrust`` or ``~/.cache/antitrust``; it is
only ever an optimisation: any problem reading or writing it falls back to parsing. Entries are
keyed by a hash of the text, the parser format and the tool's version, checked for shape when
read, and kept in a folder only the user can read (0700); a folder others can write is not used.

Limits (every file, checked before or while parsing, each a one-line error with its position):
the size of the file (``$ANTITRUST_MAX_INPUT_BYTES``, default 2 MiB), how deeply collections
nest (64 levels), how many values the document holds once aliases are expanded (200,000),
control characters (NUL, C0 other than tab and newlines, C1, lone surrogates) and numbers with
more digits than any figure needs (300).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import math
import os
import re
import stat
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


_CACHE_FORMAT = b"antitrust-yamlio-2"
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
    digest = hashlib.sha256(_CACHE_FORMAT + _tool_version().encode() + b"\0" + sys.version.encode() + b"\0"
                            + path.endswith(".json").to_bytes(1, "big")
                            + text.encode("utf-8", "surrogatepass")).hexdigest()
    return where / "parsed" / f"{digest}.marshal"


def _tool_version() -> str:
    from antitrust import __version__

    return str(__version__)


def _private_folder(folder: Path) -> bool:
    """True when ``folder`` and its parent are ours and nobody else can write them (0700 for the
    cache's own folders): an entry someone else could plant or change is never read."""
    try:
        for f in (folder.parent, folder):
            st = f.lstat()
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
                return False
    except OSError:
        return False
    return True


def _valid_positions(raw: object) -> bool:
    """Every key a tuple of str/int path parts, every value a (line, column) pair of positive ints.

    Written as plain loops: a rulebook has tens of thousands of positions, and this runs on every
    cache hit."""
    if not isinstance(raw, dict):
        return False
    for k, v in raw.items():
        if type(k) is not tuple or type(v) is not tuple or len(v) != 2:
            return False
        line, col = v
        if type(line) is not int or type(col) is not int or line <= 0 or col <= 0:
            return False
        for part in k:
            kind = type(part)
            if kind is not str and kind is not int:
                return False
    return True


_SCALARS = frozenset({str, bool, int, float, type(None)})


def _valid_data(data: object) -> bool:
    """Plain data only: dicts with str keys, lists, str, bool, int, float and None, nested at most
    MAX_DEPTH levels. A loop over an explicit stack (it runs on every cache hit)."""
    stack: list[tuple[object, int]] = [(data, 0)]
    scalars = _SCALARS
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            if any(type(k) is not str for k in node):
                return False
            children: Iterable[object] = node.values()
        elif isinstance(node, list):
            children = node
        elif type(node) in scalars:
            continue
        else:
            return False
        if depth >= MAX_DEPTH and children:
            return False  # a value below the deepest level allowed
        for child in children:
            ck = type(child)
            if ck is dict or ck is list:
                stack.append((child, depth + 1))
            elif ck not in scalars:
                return False
    return True


def _cache_read(file: Path, path: str, text: str) -> Document | None:
    if not _private_folder(file.parent):
        return None
    try:
        entry = marshal.loads(file.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    # The entry names the text it came from: a file copied under another key is not used.
    if (not isinstance(entry, tuple) or len(entry) != 3 or entry[0] != _text_digest(text)
            or not _valid_positions(entry[2]) or not _valid_data(entry[1])):
        return None
    return Document(path, entry[1], entry[2])


def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _cache_write(file: Path, doc: Document, text: str) -> None:
    try:
        blob = marshal.dumps((_text_digest(text), doc.data, doc.positions))
    except ValueError:  # an unusual scalar type: just parse this file every time
        return
    with contextlib.suppress(OSError):
        for folder in (file.parent.parent, file.parent):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            _tighten(folder)
        if not _private_folder(file.parent):
            return
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


def _tighten(folder: Path) -> None:
    """Make a cache folder of ours private (0700). A folder made by an older version, or under a
    lax umask, would otherwise fail :func:`_private_folder` for good and silently turn the cache
    off. Only a folder nobody else could write is tightened: one that others own or could write
    may hold planted entries, so it is left alone (and so never read)."""
    with contextlib.suppress(OSError):
        st = folder.lstat()
        if (stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and st.st_mode & 0o077
                and not st.st_mode & 0o022):
            folder.chmod(0o700)


def _mtime(p: Path) -> float:
    try:
        return p.stat().st_mtime
    except OSError:
        return 0.0


def parse_text(text: str, path: str, *, cache: bool = True) -> Document:
    """Parse YAML (JSON is YAML too, but gets json's stricter parser for clearer messages).

    With ``cache`` (the default), a text parsed cleanly before is read back from the cache. Only
    a text that passed :func:`check_text` is ever cached, so a hit (same text, same version) skips
    that scan, which costs more than reading the entry."""
    if len(text) > max_input_bytes() or len(text.encode("utf-8", "surrogatepass")) > max_input_bytes():
        raise _size_error(path, len(text.encode("utf-8", "surrogatepass")))
    file = _cache_file(text, path) if cache else None
    if file is not None:
        cached = _cache_read(file, path, text)
        if cached is not None:
            return cached
    check_text(text, path)
    doc = _parse(text, path)
    if file is not None:
        _cache_write(file, doc, text)
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
