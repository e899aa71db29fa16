"""What an explanation holds: proof nodes, the checks of their conditions, where values came from.

:mod:`antitrust.explain` builds these from an evaluation; :mod:`antitrust.render.explanation`
prints them as text; the API and ``--format json`` return them as data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: How far below or above a threshold a near miss may be (passed to antitrust.margins).
DEFAULT_BAND = 0.10


@dataclass(frozen=True)
class SourceRef:
    """A seeds/ digest fact a deal value was taken from."""

    ref: str
    location: str | None = None
    statement: str | None = None


@dataclass(frozen=True)
class Origin:
    """Where a value stands in the deal file, and what it was taken from."""

    path: str
    location: str | None
    sources: list[SourceRef]
    confidence: str
    note: str | None = None
    alternatives: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Threshold:
    value: str
    param: str | None = None
    effective_from: str | None = None
    citation: str | None = None
    url: str | None = None
    status: str | None = None
    conversion: str | None = None


@dataclass
class Check:
    """One part of a rule's condition, as tested on the facts the rule matched."""

    condition: str
    truth: str  # "true", "false", "unknown"
    fact: str | None = None
    value: str | None = None
    threshold: Threshold | None = None
    origins: list[Origin] = field(default_factory=list)
    #: For a derived fact: the findings that established it.
    derived: str | None = None
    because: list[ProofNode] = field(default_factory=list)


@dataclass
class ProofNode:
    """A finding: the rule that concluded something, and why."""

    finding: str
    rule_id: str
    title: str
    status: str  # "holds", "undetermined", or "does not fire" (explaining a rule that did not)
    conclusion: str
    reason: str
    basis: str
    basis_url: str
    rule_location: str
    condition: str
    checks: list[Check] = field(default_factory=list)
    #: Set when this finding was already explained higher up in the same tree.
    see_above: bool = False


@dataclass
class Miss:
    """One comparison a near miss failed, with where its value came from."""

    comparison: str
    text: str
    fact: str
    value: str
    threshold: Threshold
    on: str  # the engine fact it was tested on, described by its names and categories
    origins: list[Origin] = field(default_factory=list)


@dataclass
class NearMissOut:
    """A rule that did not fire, although only comparisons close to their thresholds failed."""

    rule_id: str
    title: str
    rule_location: str
    would_conclude: str
    #: Rules that need the fact this rule would derive, with what they conclude.
    enables: list[str]
    gap: float
    text: str
    misses: list[Miss] = field(default_factory=list)
    still_open: list[str] = field(default_factory=list)


@dataclass
class Explanation:
    deal: str
    deal_file: str
    as_of: str
    subject: str  # "verdict DE", "finding X", "theory y", "all"
    headline: str
    proofs: list[ProofNode] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: None when near misses were not asked for.
    near_misses: list[NearMissOut] | None = None
    band: float = DEFAULT_BAND
    sections: list[Explanation] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

