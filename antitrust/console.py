"""The ``antitrust`` command as a process: ``antitrust ...`` and ``python -m antitrust ...``.

A command-line run starts a fresh interpreter for one job, so it skips what only a long-lived
embedding needs: pydantic's plugin discovery, which scans the metadata of every installed
distribution when the first model class is built (40 to 60 ms of a 0.7 s run). It is switched off
only here, before any model is defined, and only when the user has not set
``PYDANTIC_DISABLE_PLUGINS`` themselves (set it to an empty value to load plugins). Importing
:mod:`antitrust` as a library changes nothing.
"""

from __future__ import annotations

import os


def main() -> None:
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from antitrust.cli import main as cli_main

    cli_main()
