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
    crash or Ctrl-C leaves either the old file or the whole new one."""
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
