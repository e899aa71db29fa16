"""Work done once per shared object of the compiled rules.

Parameter epochs share their compiled rules and conditions: a rule that reads no parameter
changed between two epochs is one object in both (see :mod:`antitrust.compiler`). What is worked
out from such an object alone (the fields a condition names, the predicate telling a match known
true, the figures a rule reads) is the same in every epoch, so it is kept with the object rather
than worked out again for each ruleset that holds it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
V = TypeVar("V")


class PerObject(Generic[T, V]):
    """``make(obj)`` worked out once per object. Keyed by identity; each entry holds its object,
    so an identity is never reused while its entry exists. At most ``limit`` entries (then it
    starts again empty): a long-running process that reloads rule files does not grow for ever."""

    def __init__(self, make: Callable[[T], V], limit: int = 50_000) -> None:
        self._make = make
        self._limit = limit
        self._entries: dict[int, tuple[T, V]] = {}
        self._lock = threading.Lock()

    def __call__(self, obj: T) -> V:
        entry = self._entries.get(id(obj))
        if entry is not None and entry[0] is obj:
            return entry[1]
        value = self._make(obj)
        with self._lock:
            if len(self._entries) >= self._limit:
                self._entries.clear()
            self._entries[id(obj)] = (obj, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
