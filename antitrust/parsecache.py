"""The parse cache: a file that parsed cleanly is kept as :mod:`marshal` data keyed by its text.

Reading a rulebook through ruamel costs about 6 microseconds a byte; an entry here is read back in a
fraction of that. The cache is only ever an optimisation: any problem reading or writing it falls
back to parsing. Entries are keyed by a hash of the text, the parser format, the tool's version
and Python's, name the text they came from, are checked for shape when read, and live in a folder
only the user can read (0700); a folder others could write is never read. Where: ``$ANTITRUST_CACHE_DIR``
(``off`` disables it), else ``$XDG_CACHE_HOME/antitrust`` or ``~/.cache/antitrust``.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

#: (data, positions): the plain data of a document and the (line, column) of each value's path.
Entry = tuple[Any, dict[tuple[str | int, ...], tuple[int, int]]]

_CACHE_FORMAT = b"antitrust-yamlio-2"
_CACHE_MAX_FILES = 512


def cache_dir() -> Path | None:
    """Where parsed files are cached (None: caching is off)."""
    env = os.environ.get("ANTITRUST_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in {"", "0", "off", "no", "none"} else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "antitrust"


def cache_file(text: str, path: str) -> Path | None:
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


def valid_data(data: object, max_depth: int) -> bool:
    """Plain data only: dicts with str keys, lists, str, bool, int, float and None, nested at most
    max_depth levels. A loop over an explicit stack (it runs on every cache hit)."""
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
        if depth >= max_depth and children:
            return False  # a value below the deepest level allowed
        for child in children:
            ck = type(child)
            if ck is dict or ck is list:
                stack.append((child, depth + 1))
            elif ck not in scalars:
                return False
    return True


def read(file: Path, text: str, max_depth: int) -> Entry | None:
    """The entry for ``text`` in ``file``, or None when there is none that can be trusted."""
    if not _private_folder(file.parent):
        return None
    try:
        entry = marshal.loads(file.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    # The entry names the text it came from: a file copied under another key is not used.
    if (not isinstance(entry, tuple) or len(entry) != 3 or entry[0] != _text_digest(text)
            or not _valid_positions(entry[2]) or not valid_data(entry[1], max_depth)):
        return None
    return entry[1], entry[2]


def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def write(file: Path, entry: Entry, text: str) -> None:
    """Store ``entry`` for ``text`` atomically; never fails (a problem only skips the cache)."""
    try:
        blob = marshal.dumps((_text_digest(text), entry[0], entry[1]))
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
