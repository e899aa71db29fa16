"""Feature commands. Each module here defines ``register(app, rules_app)`` and is found on its own,
so a new command needs no edit elsewhere. Modules must import heavy code inside their command
functions, not at module level, to keep the CLI's start-up fast."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any


def register_all(app: Any, rules_app: Any) -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app, rules_app)
