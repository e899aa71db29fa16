"""antitrust: a merger-control risk engine.

Deal files and analyst-written rule files go in; a reasoned report comes out, with every
conclusion traced to the rule, the law and the sourced facts behind it.
"""

from __future__ import annotations

import sys

__version__ = "0.1.0"

SUPPORTED_PYTHON = ((3, 11), (3, 13))


def check_python(version: tuple[int, ...]) -> None:
    """Refuse interpreters the inference engine cannot run on, with a clear message."""
    if not (SUPPORTED_PYTHON[0] <= tuple(version[:2]) <= SUPPORTED_PYTHON[1]):
        found = ".".join(str(v) for v in version[:3])
        raise ImportError(
            f"antitrust needs Python 3.11, 3.12 or 3.13 (this is {found}): its inference engine, "
            "durable-rules 2.0.28, is a C extension built and tested for these versions only."
        )


check_python((sys.version_info.major, sys.version_info.minor, sys.version_info.micro))
