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
        return bool(value in c)
    if atom.op == "!=":
        return bool(value != c)
    return bool(value == c)


def _holds(x: float, op: str, c: float) -> bool:
    return {">=": x >= c, ">": x > c, "<=": x <= c, "<": x < c}[op]


def _interval_truth(lo: float | None, hi: float | None, op: str, c: Any) -> bool | None:
    if op in {">=", ">", "<=", "<"}:
        # A lower bound decides ">"-type tests when it passes; an upper bound decides them when it
        # fails (and the other way round for "<"-type tests).
        deciding_true, deciding_false = (lo, hi) if op in {">=", ">"} else (hi, lo)
        if deciding_true is not None and _holds(deciding_true, op, c):
            return True
        if deciding_false is not None and not _holds(deciding_false, op, c):
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
