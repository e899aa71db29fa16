"""The checks :func:`~antitrust.yamlio.check_data` makes on a deal read from one JSON line, with
the strings checked on the line's text, which is cheaper than visiting every value.

A JSONL line that holds no backslash (so no escape) and no character no input may hold cannot
hold a string that :func:`check_data` refuses; what remains to check is the nesting depth, the
number of values and that every float is finite, which one walk over the containers does. Any
other line, and any line that fails, goes through :func:`check_data` itself, so every message
stays as it was.
"""

from __future__ import annotations

import math
from typing import Any

from antitrust.errors import Location
from antitrust.yamlio import _FORBIDDEN, MAX_DEPTH, MAX_NODES, check_data


def check_line(data: Any, line: str, where: Location) -> None:
    """Refuse ``data``, parsed from JSON ``line``, exactly when :func:`check_data` would."""
    if "\\" not in line and _FORBIDDEN.search(line) is None and _shape_ok(data):
        return
    check_data(data, where)


def _shape_ok(data: Any) -> bool:
    """Whether no value of ``data`` lies deeper than MAX_DEPTH, it holds at most MAX_NODES values
    (keys counted, as :func:`check_data` counts them) and every float in it is finite."""
    if type(data) is float:
        return math.isfinite(data)
    total = 1
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if type(node) is dict:
            children: Any = node.values()
            total += 2 * len(node)
        elif type(node) is list:
            children = node
            total += len(node)
        else:
            continue
        if not children:
            continue
        if depth >= MAX_DEPTH:
            return False
        for v in children:
            kind = type(v)
            if kind is dict or kind is list:
                stack.append((v, depth + 1))
            elif kind is float and not math.isfinite(v):
                return False
    return total <= MAX_NODES
