"""antitrust: a merger-control risk engine.

Deal files and analyst-written rule files go in; a reasoned report comes out, with every
conclusion traced to the rule, the law and the sourced facts behind it.
"""

from __future__ import annotations

import sys

__version__ = "0.1.0"

if not ((3, 11) <= sys.version_info[:2] <= (3, 12)):  # pragma: no cover - checked at import
    raise ImportError(
        f"antitrust needs Python 3.11 or 3.12 (this is {sys.version.split()[0]}): its inference engine, "
        "durable-rules 2.0.28, fails to import on 3.13 and later."
    )
