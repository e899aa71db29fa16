"""Writing output files safely: never half-written, with ordinary permissions."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _default_mode() -> int:
    # mkstemp creates files readable by their owner only; a report should get the mode any new
    # file gets (0666 less the umask). Reading the umask means setting it, so set it back at once.
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename, so a
    crash or Ctrl-C leaves either the old file or the whole new one.

    Only a regular file (or a new one) is ever replaced: a device or a pipe (``/dev/stdout``,
    ``/dev/full``, a FIFO) is written to directly, never swapped for a file of the same name."""
    if path.exists() and not path.is_file():
        if path.is_dir():
            raise IsADirectoryError(21, "is a directory", str(path))
        with path.open("w", encoding="utf-8") as fh:
            fh.write(text)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, _default_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: by identity (device and inode, so a hard link or another
    spelling counts), or by resolved path when one does not exist yet."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False
