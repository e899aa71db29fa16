"""Three-valued truth of one compiled atom against one matched fact, for explanations only.

The engine decides which rules fire; this module only says, after the fact, which atom of a
fired or undetermined rule was true, false or unknown and by how much, so the report can name
the facts that would decide an undetermined verdict and show margins to thresholds.
"""

from __future__ import annotations

from typing import Any

from antitrust.compiler import CompiledAtom


def atom_truth(atom: CompiledAtom, fact: dict[str, Any] | None) -> bool | None:
    """True, False, or None (unknown) for ``atom`` on ``fact``."""
    if fact is None:
        return None
    if atom.field is None:  # derived fact holds
        return True if fact.get("status") == "yes" else None
    value = fact.get(atom.field)
    c = atom.threshold
    if value is None or c is None:
        return None
    if isinstance(value, dict):  # an interval
        lo, hi = value.get("lo"), value.get("hi")
        return _interval_truth(lo, hi, atom.op, c)
    if atom.op == "in":
        assert isinstance(c, tuple)
        return value in c
    if atom.op == "!=":
        return value != c
    return bool(value == c)


def _interval_truth(lo: float | None, hi: float | None, op: str, c: Any) -> bool | None:
    def known(x: float | None, test: Any) -> bool:
        return x is not None and bool(test(x))

    if op in {">=", ">"}:
        ok = (lambda x: x >= c) if op == ">=" else (lambda x: x > c)
        if known(lo, ok):
            return True
        if hi is not None and not ok(hi):
            return False
        return None
    if op in {"<=", "<"}:
        ok = (lambda x: x <= c) if op == "<=" else (lambda x: x < c)
        if known(hi, ok):
            return True
        if lo is not None and not ok(lo):
            return False
        return None
    eq: bool | None
    if lo is not None and hi is not None and lo == hi == c:
        eq = True
    elif (lo is not None and lo > c) or (hi is not None and hi < c):
        eq = False
    else:
        eq = None
    if op == "!=":
        return None if eq is None else not eq
    return eq


def point_value(fact: dict[str, Any] | None, field: str | None) -> float | None:
    """The exact value of a numeric field, when it is known exactly."""
    if fact is None or field is None:
        return None
    v = fact.get(field)
    if isinstance(v, dict) and "lo" in v and v.get("lo") == v.get("hi"):
        return float(v["lo"])
    return None
