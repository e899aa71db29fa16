"""Building blocks of engine facts: provenance of a field, number intervals, joined provenance."""

from __future__ import annotations

import math
from dataclasses import dataclass

Interval = dict[str, float]


@dataclass(frozen=True)
class Provenance:
    """Where one field of one engine fact came from."""

    path: str
    display: str
    sources: tuple[str, ...] = ()
    confidence: str = "high"
    known: bool = True
    note: str | None = None
    alternatives: tuple[str, ...] = ()


_EXACT = 2**53


def engine_number(x: float) -> float | int:
    """A number durable_rules parses reliably: ints when integral, no bare exponent forms."""
    kind: type = type(x)
    if kind is float:  # the common cases, first
        if x.is_integer():
            if -_EXACT < x < _EXACT:
                return int(x)
        elif 1e-4 <= abs(x) < 1e15:
            # round() keeps it within [1e-4, 1e16), where repr never uses an exponent
            return round(x, 6)
    if kind is int and -_EXACT < x < _EXACT:
        return x
    if math.isnan(x) or math.isinf(x):
        raise ValueError("not a finite number")
    if float(x).is_integer() and abs(x) < 2**53:
        return int(x)
    rounded = round(x, 6)
    if "e" in repr(rounded):  # durable_rules rejects '1e-05' and '2e+16' (error 204)
        return round(x) if abs(x) >= 1 else 0
    return rounded


def interval(lo: float | None, hi: float | None) -> Interval:
    out: Interval = {}
    if lo is not None:
        out["lo"] = engine_number(lo)
    if hi is not None:
        out["hi"] = engine_number(hi)
    return out


def join(provs: list[Provenance]) -> Provenance:
    """Provenance of a value computed from several deal facts."""
    if not provs:
        return Provenance(path="(none stated)", display="not stated", known=False)
    if len(provs) == 1:
        return provs[0]
    order = {"high": 0, "medium": 1, "low": 2}
    return Provenance(
        path=" + ".join(p.path for p in provs),
        display=", ".join(p.display for p in provs),
        sources=tuple(dict.fromkeys(s for p in provs for s in p.sources)),
        confidence=max((p.confidence for p in provs), key=lambda c: order[c]),
        known=all(p.known for p in provs),
        note=" ".join(dict.fromkeys(p.note for p in provs if p.note)) or None,
    )
