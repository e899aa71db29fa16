"""How close a deal stands to each threshold: margins of numeric comparisons, and near misses.

Two questions a deal lawyer asks after "is this notifiable?":

* **Margins** -- for every numeric comparison of every rule that fired (or fired undetermined),
  how far the fact stands from the line the rule draws: the fact's value, the threshold with
  its parameter, citation, effective date and currency conversion, and the difference in the
  threshold's unit ("exceeds the EUR 400m threshold by EUR 12.7bn (×32.7)", "1 point below the
  50% line").
* **Near misses** -- rules that did *not* fire although, on some combination of the deal's
  facts, every other condition held and the comparisons that failed are within a band
  (default 10%) of their thresholds.

Both are read off an :class:`~antitrust.evaluate.Evaluation` after the fact, with the same
three-valued atom truth the report uses (:mod:`antitrust.truth`); nothing here decides a
verdict. The relative distance of a comparison is ``(value - threshold) / |threshold|``; for a
percentage line at 0 (e.g. ``voting_acquired > 0``) it is measured in points / 100.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from antitrust import expr as ex
from antitrust.compiler import CompiledAtom, CompiledRule
from antitrust.money import CURRENCIES, format_money
from antitrust.params import format_value
from antitrust.report import Margin, NearMiss, ThresholdRef
from antitrust.rulespec import Rule
from antitrust.truth import atom_truth
from antitrust.vocabulary import FACT_TYPES

if TYPE_CHECKING:
    from antitrust.evaluate import Evaluation

__all__ = ["DEFAULT_BAND", "Margin", "NearMiss", "ThresholdRef", "conclusion_of", "margin_of",
           "margins", "near_misses"]

DEFAULT_BAND = 0.10
#: Fact combinations tried per rule when looking for near misses (facts are few in practice).
MAX_COMBINATIONS = 20_000
_NUMERIC_OPS = frozenset({">", ">=", "<", "<=", "==", "!="})
_ROUTES = {
    "call_in": "call-in", "referral": "referral", "post_closing_challenge": "challenge before or after closing",
    "own_initiative": "own-initiative review", "inform": "duty to inform",
}


# -- formatting --------------------------------------------------------------------------------
def _unit(atom: CompiledAtom) -> str | None:
    spec = FACT_TYPES.get(atom.fact, {}).get(atom.field or "")
    return spec.unit if spec is not None else None


def number_text(x: float, unit: str | None) -> str:
    """A value in a field's unit: 'EUR 13.1bn', '49%', '4 months', '1,800'."""
    if unit in CURRENCIES:
        return format_money(x, unit)
    if unit == "percent":
        return f"{x:g}%"
    if unit == "months":
        return f"{x:g} month" + ("" if x == 1 else "s")
    return f"{x:,.6g}"


def _difference_text(d: float, unit: str | None) -> str:
    d = abs(d)
    if unit in CURRENCIES:
        return format_money(d, unit)
    if unit == "percent":
        return f"{d:g} point" + ("" if d == 1 else "s")
    if unit == "hhi":
        return f"{d:,.6g} HHI points"
    if unit == "months":
        return f"{d:g} month" + ("" if d == 1 else "s")
    return f"{d:,.6g}"


def conclusion_of(rule: Rule) -> str:
    """What a rule concludes when it fires, in words ('filing mandatory and suspensory')."""
    parts = []
    if rule.verdict:
        suspensory = " and suspensory" if rule.verdict.suspensory else ""
        parts.append(f"filing {rule.verdict.filing.replace('_', ' ')}{suspensory}")
    if rule.reach:
        parts.append(f"can be reached by {_ROUTES[rule.reach.route]}")
    if rule.risk:
        parts.append(f"{(rule.theory or '').replace('_', ' ')}: {rule.risk.band} risk")
    if rule.derive and not parts:
        parts.append(f"establishes {rule.derive.fact.replace('_', ' ')}")
    return "; ".join(parts) or "a finding"


# -- one comparison ----------------------------------------------------------------------------
def _threshold_ref(ev: Evaluation, atom: CompiledAtom, unit: str | None) -> ThresholdRef:
    assert isinstance(atom.threshold, int | float)
    value = float(atom.threshold)
    display = number_text(value, unit)
    pv = atom.param_value
    if atom.param is None or pv is None or pv.value is None:
        return ThresholdRef(value=value, display=display, unit=unit)
    param = ev.compiled.rulebook.parameters.get(atom.param)
    return ThresholdRef(
        value=value,
        display=display,
        unit=unit,
        param=atom.param,
        title=param.title if param is not None else None,
        original=format_value(pv.value, atom.param_unit or (param.unit if param else "")),
        effective_from=pv.from_,
        citation=pv.citation,
        url=pv.url,
        status=pv.status,
        conversion=atom.conversion,
    )


def _measure(atom: CompiledAtom, fact: dict[str, Any]) -> tuple[float, str] | None:
    """The fact's value for this comparison: exact, or the known bound that decides it."""
    v = fact.get(atom.field or "")
    if not isinstance(v, dict):
        return None
    lo, hi = v.get("lo"), v.get("hi")
    if lo is not None and lo == hi:
        return float(lo), "exact"
    truth = atom_truth(atom, fact)
    c = atom.threshold
    assert isinstance(c, int | float)
    if atom.op in {">", ">="} and truth is not None:
        return (float(lo), "at_least") if truth else (float(hi), "at_most")  # type: ignore[arg-type]
    if atom.op in {"<", "<="} and truth is not None:
        return (float(hi), "at_most") if truth else (float(lo), "at_least")  # type: ignore[arg-type]
    if atom.op in {"==", "!="}:
        if lo is not None and lo > c:
            return float(lo), "at_least"
        if hi is not None and hi < c:
            return float(hi), "at_most"
    return None


def margin_of(ev: Evaluation, crule: CompiledRule, atom: CompiledAtom, fact: dict[str, Any] | None,
              firing: int | None = None) -> Margin | None:
    """The margin of one numeric comparison on one engine fact, or None (not numeric, or unknown)."""
    if fact is None or atom.field is None or atom.fact not in FACT_TYPES or atom.op not in _NUMERIC_OPS:
        return None
    spec = FACT_TYPES[atom.fact].get(atom.field)
    c = atom.threshold
    if spec is None or spec.kind != "number" or isinstance(c, bool) or not isinstance(c, int | float):
        return None
    measured = _measure(atom, fact)
    if measured is None:
        return None
    value, bound = measured
    unit = spec.unit
    threshold = _threshold_ref(ev, atom, unit)
    diff = value - float(c)
    ratio = value / float(c) if c != 0 else None
    relative = diff / abs(float(c)) if c != 0 else (diff / 100.0 if unit == "percent" else None)
    holds = atom_truth(atom, fact)
    prov = ev.flat.provenance.get((fact["id"], atom.field))
    spec_rule = crule.rule.spec
    name = f"{atom.fact}.{atom.field}"
    qualifier = {"exact": "", "at_least": "at least ", "at_most": "at most "}[bound]
    value_display = qualifier + number_text(value, unit)
    dd = _difference_text(diff, unit)
    if bound != "exact":
        dd = f"at least {dd}"
    noun = "line" if unit == "percent" else "threshold"
    thr = f"{threshold.display} {noun}" + (f" ({atom.param})" if atom.param else "")
    if unit in CURRENCIES and diff > 0:
        core = f"exceeds the {thr} by {dd}"
    elif diff > 0:
        core = f"is {dd} above the {thr}"
    elif diff < 0:
        core = f"is {dd} below the {thr}"
    else:
        core = f"is exactly at the {thr}"
    extra = ""
    if diff != 0 and unit != "percent":
        if ratio is not None and ratio > 0 and (ratio >= 2 or ratio <= 0.5):
            extra = f" (×{ratio:.3g})"
        elif relative is not None:
            extra = f" ({abs(relative):.1%} {'above' if diff > 0 else 'below'})"
    verdict = {True: "met", False: "not met", None: "open"}[holds]
    text = f"{name} = {value_display} {core}{extra}; test {atom.op} {threshold.display}: {verdict}"
    return Margin(
        rule_id=crule.rule.id,
        firing=firing,
        jurisdiction=spec_rule.jurisdiction,
        theory=spec_rule.theory,
        comparison=atom.text,
        fact=name,
        fact_id=str(fact["id"]),
        path=prov.path if prov is not None else "(derived from the deal file)",
        value=value,
        value_display=value_display,
        bound=bound,
        op=atom.op,
        threshold=threshold,
        holds=holds,
        difference=diff,
        difference_display=dd,
        ratio=ratio,
        relative=relative,
        text=text,
    )


# -- margins of what fired ---------------------------------------------------------------------
def margins(evaluation: Evaluation) -> list[Margin]:
    """The margin of every numeric comparison in every firing (true or undetermined), in firing
    order; comparisons whose fact is unknown have no margin (they are in the report's 'needed')."""
    out: list[Margin] = []
    for index, firing in enumerate(evaluation.firings):
        crule = evaluation.compiled.rules[firing.rule_id]
        seen: set[str] = set()
        for atom in crule.atoms:
            if atom.text in seen:
                continue
            seen.add(atom.text)
            m = margin_of(evaluation, crule, atom, firing.bound.get(atom.fact), index)
            if m is not None:
                out.append(m)
    return out


# -- near misses -------------------------------------------------------------------------------
Truth = bool | None


def _kleene(e: ex.Expr, look: Callable[[ex.Atom], Truth]) -> Truth:
    if isinstance(e, ex.Compare | ex.Exists):
        return look(e)
    if isinstance(e, ex.Not):
        v = _kleene(e.item, look)
        return None if v is None else not v
    values = [_kleene(i, look) for i in e.items]
    if isinstance(e, ex.And):
        if any(v is False for v in values):
            return False
        return True if all(v is True for v in values) else None
    if any(v is True for v in values):
        return True
    return False if all(v is False for v in values) else None


def _atom_truth(atom: ex.Atom, bound: dict[str, dict[str, Any]], by_text: dict[str, CompiledAtom]) -> Truth:
    ref = atom.ref if isinstance(atom, ex.Exists) else atom.left
    fact = bound.get(ref.fact)
    if fact is None:
        return None
    if ref.field is None:  # a derived fact holds: yes, or only possibly
        return True if fact.get("status") == "yes" else None
    compiled = by_text.get(str(atom))
    return atom_truth(compiled, fact) if compiled is not None else None


def _candidates(ev: Evaluation) -> dict[str, list[dict[str, Any]]]:
    pools: dict[str, list[dict[str, Any]]] = {}
    for fact in ev.flat.facts:
        pools.setdefault(fact["t"], []).append(fact)
    for d in ev.derived.values():
        pools.setdefault(d.name, []).append({"t": d.name, "id": d.id, "status": d.status, **d.fields})
    return pools


def near_misses(evaluation: Evaluation, band: float = DEFAULT_BAND,
                jurisdiction: str | None = None) -> list[NearMiss]:
    """Rules that did not fire (or fired only undetermined) although, on some combination of
    candidate facts, every other condition held (or is unknown) and each failed comparison is
    within ``band`` of its threshold. One entry per rule and set of failed comparisons, closest
    first."""
    if band < 0:
        raise ValueError("the near-miss band must not be negative")
    fired = {f.rule_id for f in evaluation.firings if f.status == "yes"}
    pools = _candidates(evaluation)
    book = evaluation.compiled.rulebook
    code = jurisdiction.upper() if jurisdiction else None
    found: dict[tuple[str, frozenset[tuple[str, str]]], NearMiss] = {}
    for rule_id, crule in evaluation.compiled.rules.items():
        spec = crule.rule.spec
        if rule_id in fired or (code is not None and spec.jurisdiction != code):
            continue
        patterns = list(crule.patterns)
        if any(not pools.get(p) for p in patterns):
            continue
        implicit = [ex.Exists(ex.Ref(p, None, 0)) for p in patterns if p in book.derived]
        condition: ex.Expr = ex.And((crule.rule.condition, *implicit)) if implicit else crule.rule.condition
        by_text = {a.text: a for a in crule.atoms}
        combos = itertools.islice(itertools.product(*(pools[p] for p in patterns)), MAX_COMBINATIONS)
        for combo in combos:
            bound = dict(zip(patterns, combo, strict=True))
            nm = _near_miss(evaluation, crule, condition, bound, by_text, band)
            if nm is not None:
                key = (rule_id, frozenset((m.fact_id, m.comparison) for m in nm.failing))
                found.setdefault(key, nm)
    return sorted(found.values(), key=lambda n: (n.gap, n.rule_id, n.text))


def _near_miss(ev: Evaluation, crule: CompiledRule, condition: ex.Expr, bound: dict[str, dict[str, Any]],
               by_text: dict[str, CompiledAtom], band: float) -> NearMiss | None:
    atoms = list(dict.fromkeys(ex.atoms(condition), None))
    truths = {str(a): _atom_truth(a, bound, by_text) for a in atoms}
    if _kleene(condition, lambda a: truths[str(a)]) is not False:
        return None  # true or undetermined: not a miss
    close: dict[str, Margin] = {}
    for a in atoms:
        text = str(a)
        if truths[text] is not False or not isinstance(a, ex.Compare):
            continue
        compiled = by_text.get(text)
        if compiled is None:
            continue
        m = margin_of(ev, crule, compiled, bound.get(a.left.fact))
        if m is not None and m.relative is not None and abs(m.relative) <= band:
            close[text] = m
    if not close:
        return None

    def result(flipped: set[str]) -> Truth:
        return _kleene(condition, lambda a: True if str(a) in flipped else truths[str(a)])

    flipped = set(close)
    if result(flipped) is False:
        return None  # something other than a close comparison fails too
    # Keep only the comparisons that must change, dropping the farthest first.
    for text in sorted(close, key=lambda t: -abs(close[t].relative or 0.0)):
        if result(flipped - {text}) is not False:
            flipped.discard(text)
    failing = [close[t] for t in close if t in flipped]
    unknown = [t for t, v in truths.items() if v is None] if result(flipped) is None else []
    spec = crule.rule.spec
    gap = max(abs(m.relative or 0.0) for m in failing)
    would = conclusion_of(spec)
    missed = "; ".join(m.text for m in failing)
    tail = f" (still open: {', '.join(unknown)})" if unknown else ""
    return NearMiss(
        rule_id=spec.id,
        title=spec.title,
        jurisdiction=spec.jurisdiction,
        theory=spec.theory,
        would_conclude=would,
        bound={p: str(f["id"]) for p, f in bound.items()},
        failing=failing,
        unknown=unknown,
        gap=gap,
        text=f"{spec.id} ({would}) missed: {missed}{tail}",
    )
