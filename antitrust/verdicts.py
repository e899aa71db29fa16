"""The filing verdict per regime and the band per theory of harm, read from an evaluation's firings.

"Not required" is a finding, never a default: a regime is not_required only when a rule with a
``not_required`` verdict holds (no concentration, every applicable threshold failed on known
figures, an exemption). When no rule decides, the verdict is "undetermined"; when the rulebook
models none of the regime's filing law on the law date, it is "not_assessed".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from antitrust import ruletables
from antitrust.compiler import CompiledAtom
from antitrust.evaluate import Evaluation
from antitrust.rulespec import Risk, Verdict
from antitrust.truth import atom_truth
from antitrust.vocabulary import FACT_TYPES

#: (verdict kind, firing status, outcome), in order of precedence. A held mandatory verdict wins;
#: next a held "not required" (an exemption or negative finding that holds settles the filing
#: even when a threshold test is undetermined); then an undetermined mandatory verdict, a held
#: voluntary one, an undetermined voluntary one, an undetermined "not required".
_PRECEDENCE = (
    ("mandatory", "yes", "mandatory"), ("not_required", "yes", "not_required"),
    ("mandatory", "maybe", "undetermined"), ("voluntary", "yes", "voluntary"),
    ("voluntary", "maybe", "undetermined"), ("not_required", "maybe", "undetermined"),
)


@dataclass(frozen=True)
class Decision:
    """One regime's verdict: the outcome, the firings that settle it, and why."""

    filing: str
    firings: tuple[int, ...]
    suspensory: bool
    #: For not_assessed: the first date the rulebook models the regime's law (None if never).
    modelled_from: date | None = None


def regimes(ev: Evaluation) -> list[str]:
    """The regimes a report gives a verdict for, in declaration order: every regime some rule of
    the rulebook belongs to (in force on the law date or not, so that a regime whose law is not
    modelled for the date shows as not assessed rather than vanishing)."""
    return ruletables.regimes(ev.compiled.rulebook)


def modelled_from(ev: Evaluation, code: str) -> date | None:
    """The first date on which the rulebook models the regime's filing law."""
    book = ev.compiled.rulebook
    regime = book.regime(code)
    starts = [v.from_ for n, p in book.parameters.items() if n.startswith(regime.param_prefixes)
              for v in p.values if v.value is not None]
    first = min(starts) if starts else None
    if regime.since is not None:
        first = max(first, regime.since) if first is not None else regime.since
    return first


def decide(ev: Evaluation, code: str) -> Decision:
    """The filing verdict of one regime (see the module docstring)."""
    return _settle(ev, code, _verdict_firings(ev).get(code, []))


def decide_all(ev: Evaluation) -> dict[str, Decision]:
    """The filing verdict of every regime of :func:`regimes`, in its order, reading the firings once."""
    by_code = _verdict_firings(ev)
    return {code: _settle(ev, code, by_code.get(code, [])) for code in regimes(ev)}


def _verdict_firings(ev: Evaluation) -> dict[str | None, list[tuple[int, Verdict]]]:
    """Every verdict-giving firing (index, verdict), by regime, in firing order."""
    table = ruletables.verdict_rules(ev.compiled)
    by_code: dict[str | None, list[tuple[int, Verdict]]] = {}
    for i, f in enumerate(ev.firings):
        jv = table.get(f.rule_id)
        if jv is not None:
            by_code.setdefault(jv[0], []).append((i, jv[1]))
    return by_code


def _settle(ev: Evaluation, code: str, verdicts: list[tuple[int, Verdict]]) -> Decision:
    """One regime's verdict from its verdict-giving firings (index, verdict), in firing order."""
    book = ev.compiled.rulebook
    if not ruletables.modelled_on(book, code, ev.as_of):
        return Decision("not_assessed", (), False, modelled_from(ev, code))
    for kind, status, outcome in _PRECEDENCE:
        hits = [i for i, v in verdicts if v.filing == kind and ev.firings[i].status == status]
        if hits:
            return Decision(outcome, tuple(hits), any(v.suspensory for i, v in verdicts if i in hits))
    return Decision("undetermined", (), False)


def jurisdiction_verdict(ev: Evaluation, code: str) -> tuple[str, list[int], bool]:
    """(filing verdict, indices of the firings that settle it, suspensory) for one regime."""
    d = decide(ev, code)
    return d.filing, list(d.firings), d.suspensory


def open_negative_tests(ev: Evaluation, code: str) -> list[tuple[str, dict[str, Any], CompiledAtom]]:
    """For an undetermined regime: the unknown deal facts that stop a "not required" rule of that
    regime from holding, as (rule id, fact, atom). Only facts none of whose other conditions fail
    are named: these are the facts whose value would settle the verdict."""
    out: list[tuple[str, dict[str, Any], CompiledAtom]] = []
    for rule_id, crule in sorted(ev.compiled.rules.items()):
        spec = crule.rule.spec
        if spec.jurisdiction != code or spec.verdict is None or spec.verdict.filing != "not_required":
            continue
        for fact_type in crule.patterns:
            if fact_type not in FACT_TYPES:
                continue
            atoms = [a for a in crule.atoms if a.fact == fact_type and a.field is not None]
            for fact in ev.flat.facts:
                if fact.get("t") != fact_type:
                    continue
                truths = [atom_truth(a, fact) for a in atoms]
                if False in truths:
                    continue
                out += [(rule_id, fact, a) for a, t in zip(atoms, truths, strict=True) if t is None]
    return out


def active_theories(ev: Evaluation) -> list[str]:
    """Theories of harm with at least one rule in force, in declaration order."""
    return ruletables.active_theories(ev.compiled)


def theory_band(ev: Evaluation, theory: str) -> tuple[str, bool, list[int]]:
    """(band the facts establish or 'none', False (a band never rests on unknown facts), indices of the
    firings that set the band, or of those that could raise it when no band holds)."""
    from antitrust.theory_report import could_reach, held_band

    banded = banded_firings(ev).get(theory, [])
    band, ids = held_band(ev, theory, banded)
    _reach, reach_ids = could_reach(ev, theory, banded)
    return band, False, ids or reach_ids


def banded_firings(ev: Evaluation) -> dict[str | None, list[tuple[int, Risk]]]:
    """Every band-giving firing (index, risk), by theory, reading the firings once."""
    table = ruletables.band_rules(ev.compiled)
    by_theory: dict[str | None, list[tuple[int, Risk]]] = {}
    for i, f in enumerate(ev.firings):
        tr = table.get(f.rule_id)
        if tr is not None:
            by_theory.setdefault(tr[0], []).append((i, tr[1]))
    return by_theory


def theory_bands(ev: Evaluation) -> dict[str, tuple[str, bool, list[int]]]:
    """:func:`theory_band` of every theory of :func:`active_theories`, in its order, reading the
    firings once."""
    from antitrust.theory_report import could_reach, held_band

    by_theory = banded_firings(ev)
    out = {}
    for theory in active_theories(ev):
        banded = by_theory.get(theory, [])
        band, ids = held_band(ev, theory, banded)
        reach_ids = could_reach(ev, theory, banded)[1]
        out[theory] = (band, False, ids or reach_ids)
    return out


def outcomes(ev: Evaluation) -> dict[str, str]:
    """Every verdict and band of an evaluation, cheaply (no report): {"DE": "undetermined",
    "US": "mandatory, suspensory", "theory:acqui_hire": "medium", "theory:x": "high (undetermined)"}."""
    out: dict[str, str] = {}
    for code, d in decide_all(ev).items():
        out[code] = d.filing + (", suspensory" if d.suspensory and d.filing == "mandatory" else "")
    from antitrust.theory_report import could_reach, held_band

    by_theory = banded_firings(ev)
    for theory in active_theories(ev):
        banded = by_theory.get(theory, [])
        band = held_band(ev, theory, banded)[0]
        reach = could_reach(ev, theory, banded)[0]
        out[f"theory:{theory}"] = band + (f" (could reach {reach})" if reach else "")
    return out
