"""Deals as CSV rows: dotted column names (``parties.0.turnover.0.amount``) build the nested deal.

Used by :mod:`antitrust.screening` for ``*.csv`` inputs (see docs/screening.md).
"""

from __future__ import annotations

import itertools
import json
from typing import Any


def check_columns(header: list[str]) -> list[str]:
    """Problems with a CSV header: empty or repeated names, and a name used both as a value and
    as a group of nested fields (``parties.0`` beside ``parties.0.id``)."""
    problems = []
    seen: set[str] = set()
    for i, name in enumerate(header, start=1):
        if not name:
            problems.append(f"column {i} has no name")
            continue
        if name in seen:
            problems.append(f"column {name!r} appears twice")
        if any(not part for part in name.split(".")):
            problems.append(f"column {name!r}: empty part in a dotted name")
        seen.add(name)
    for name in seen:
        if any(other.startswith(name + ".") for other in seen):
            problems.append(f"column {name!r} is also the prefix of nested columns ({name}.…)")
    return sorted(set(problems))


def _cell(text: str) -> Any:
    """A cell's value: JSON when it starts with [ or {, otherwise the text itself (pydantic reads
    numbers, yes/no and dates from text); an empty cell is absent."""
    value = text.strip()
    if value[:1] in {"[", "{"}:
        return json.loads(value)
    return value


def nest_row(header: list[str], cells: list[str]) -> dict[str, Any]:
    """Build a deal dict from a CSV row: ``parties.0.turnover.1.amount`` -> nested dicts and lists.

    A numeric part is a list index; lists are filled in index order and may not have gaps."""
    if len(cells) > len(header):
        raise ValueError(f"the row has {len(cells)} cells but the header names {len(header)} columns")
    root: dict[str, Any] = {}
    for name, raw in zip(header, cells, strict=False):
        if not raw.strip():
            continue
        try:
            value = _cell(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"column {name!r}: invalid JSON in the cell ({exc.msg})") from None
        parts: list[str | int] = [int(p) if p.isdigit() else p for p in name.split(".")]
        node: Any = root
        for here, nxt in itertools.pairwise(parts):
            node = _child(node, here, isinstance(nxt, int), name)
        _put(node, parts[-1], value, name)
    out: dict[str, Any] = _close_lists(root, "")
    if "schema_version" not in out:
        out["schema_version"] = 1  # the layout is version 1; the column may be left out
    elif isinstance(out["schema_version"], str) and out["schema_version"].isdigit():
        out["schema_version"] = int(out["schema_version"])
    return out


class _Sparse(dict[int, Any]):
    """A list being filled from columns in any order (``parties.1.id`` before ``parties.0.id``)."""


def _child(node: Any, key: str | int, want_list: bool, column: str) -> Any:
    _check_key(node, key, column)
    existing = node.get(key)
    if existing is None:
        existing = node[key] = _Sparse() if want_list else {}
    elif isinstance(existing, _Sparse) != want_list or not isinstance(existing, dict):
        raise ValueError(f"column {column!r}: {key!r} is used both as a list and as a group of fields")
    return existing


def _put(node: Any, key: str | int, value: Any, column: str) -> None:
    _check_key(node, key, column)
    node[key] = value


def _check_key(node: Any, key: str | int, column: str) -> None:
    in_list, position = isinstance(node, _Sparse), isinstance(key, int)
    if in_list and not position:
        raise ValueError(f"column {column!r}: {key!r} where a list position (0, 1, ...) is expected")
    if position and not in_list:
        raise ValueError(f"column {column!r}: {key} is a list position where a field name is expected")


def _close_lists(node: Any, path: str) -> Any:
    """Turn every sparse list into a plain list, checking its positions run 0, 1, 2, ..."""
    if isinstance(node, _Sparse):
        positions = sorted(node)
        if positions != list(range(len(positions))):
            missing = next(i for i in range(len(positions) + 1) if i not in node)
            raise ValueError(f"{path}: list positions must run 0, 1, 2, ...; position {missing} is missing")
        return [_close_lists(node[i], f"{path}.{i}") for i in positions]
    if isinstance(node, dict):
        return {k: _close_lists(v, f"{path}.{k}" if path else str(k)) for k, v in node.items()}
    return node
