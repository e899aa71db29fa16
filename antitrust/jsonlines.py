"""The checks :func:`~antitrust.yamlio.check_data` makes on a deal read from one JSON line, done
mostly on the line's text, which is much cheaper than visiting every value.

A JSONL line that holds no backslash, no character no input may hold, and no number that could
be out of range (an exponent, ``NaN``, ``Infinity``, 300 digits in a row) cannot hold a string or
a number that :func:`check_data` refuses; what remains to check is the nesting depth and the
number of values, which only needs the containers. Anything else, and any line that fails, goes
through :func:`check_data` itself, so every message stays as it was.
"""

from __future__ import annotations

import re
from typing import Any

from antitrust.errors import Location
from antitrust.yamlio import _FORBIDDEN, MAX_DEPTH, MAX_NODES, check_data

#: Text after which a value of the line might be refused: escapes (which can spell any
#: character), and number forms that can overflow to infinity or are not finite.
_UNSURE = re.compile(r"\\|NaN|Infinity|\d[eE]|\d{300}")


def check_line(data: Any, line: str, where: Location) -> None:
    """Refuse ``data``, parsed from JSON ``line``, exactly when :func:`check_data` would."""
    if _UNSURE.search(line) is None and _FORBIDDEN.search(line) is None and _shape_ok(data):
        return
    check_data(data, where)


def _shape_ok(data: Any) -> bool:
    """Whether no value of ``data`` lies deeper than MAX_DEPTH and it holds at most MAX_NODES
    values (keys counted, as :func:`check_data` counts them)."""
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
        stack += [(v, depth + 1) for v in children if type(v) is dict or type(v) is list]
    return total <= MAX_NODES
