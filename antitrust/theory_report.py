"""The theory-of-harm part of a report: the band the facts establish, the evidence for each step
(premise, ability, incentive, effect), the band the theory could reach and the facts that would
raise it, and for a theory without an indicator, what was checked.

The band comes from rule firings only: the highest band among a theory's rules that *hold*. A
higher band resting on unknown facts is never the headline; it is "could reach", with the facts
needed. Evidence steps come from the rules marked with a ``step`` in the rule files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from antitrust.evaluate import Evaluation
from antitrust.report import EvidenceStep, Needed, TheoryReport
from antitrust.rulespec import STEPS, Risk
from antitrust.verdicts import banded_firings

if TYPE_CHECKING:
    from antitrust.reporting import _Builder

_LEVEL = {"high": 2, "medium": 1, "low": 0}
_STEP_TEXT = {
    "premise": "premise",
    "ability": "ability",
    "incentive": "incentive",
    "effect": "likely effect",
}


def _banded(ev: Evaluation, theory: str) -> list[tuple[int, Risk]]:
    return banded_firings(ev).get(theory, [])


def held_band(ev: Evaluation, theory: str, banded: list[tuple[int, Risk]] | None = None) -> tuple[str, list[int]]:
    """(highest band among the theory's rules that hold, or 'none'; the firings that set it).
    ``banded``: the theory's banded firings, when the caller has them already."""
    if banded is None:
        banded = _banded(ev, theory)
    held = [(i, r) for i, r in banded if ev.firings[i].status == "yes"]
    if not held:
        return "none", []
    top = max(_LEVEL[r.band] for _i, r in held)
    ids = [i for i, r in held if _LEVEL[r.band] == top]
    return next(r.band for _i, r in held if _LEVEL[r.band] == top), ids


def could_reach(ev: Evaluation, theory: str,
                banded: list[tuple[int, Risk]] | None = None) -> tuple[str | None, list[int]]:
    """(a band above the held one that undetermined rules would give, or None; those firings)."""
    if banded is None:
        banded = _banded(ev, theory)
    band, _ids = held_band(ev, theory, banded)
    floor = _LEVEL.get(band, -1)
    maybe = [(i, r) for i, r in banded
             if ev.firings[i].status == "maybe" and _LEVEL[r.band] > floor]
    if not maybe:
        return None, []
    top = max(_LEVEL[r.band] for _i, r in maybe)
    ids = [i for i, r in maybe if _LEVEL[r.band] == top]
    return next(r.band for _i, r in maybe if _LEVEL[r.band] == top), ids


def _evidence(b: _Builder, theory: str) -> list[EvidenceStep]:
    ev = b.ev
    rules = ev.compiled.rules
    marked = [r.rule.spec for r in rules.values() if r.rule.spec.theory == theory and r.rule.spec.step]
    if not marked:
        return []
    out = []
    for step in STEPS:
        specs = [s for s in marked if s.step == step]
        if not specs:
            continue
        ids = {s.id for s in specs}
        fired = [i for i, f in enumerate(ev.firings) if f.rule_id in ids]
        held = [i for i in fired if ev.firings[i].status == "yes"]
        maybe = [i for i in fired if ev.firings[i].status == "maybe"]
        if held:
            reasons = list(dict.fromkeys(b.findings[i].reason for i in held))
            status, text = "holds", reasons[0] + (f" ({len(reasons) - 1} more alike.)" if len(reasons) > 1 else "")
        elif maybe:
            needed = [n for i in maybe for n in b.needed(i)]
            facts = ", ".join(dict.fromkeys(f"{n.fact} {n.test}" for n in needed)) or "facts not stated"
            status, text = "unknown", f"The {_STEP_TEXT[step]} is not established; it would need {facts}."
        else:
            status = "fails"
            text = ("Not established on the stated facts. Checked: "
                    + "; ".join(s.title.lower() for s in sorted(specs, key=lambda s: s.id)) + ".")
        out.append(EvidenceStep(step=step, status=status, text=text,
                                findings=sorted(b.ids[i] for i in held + maybe)))
    return out


def _checked(b: _Builder, theory: str) -> list[str]:
    """What a theory without an indicator looked for: its rules' titles."""
    specs = [r.rule.spec for r in b.compiled.rules.values() if r.rule.spec.theory == theory]
    return sorted(dict.fromkeys(f"{s.title} ({s.id})" for s in specs))


def theory_report(b: _Builder, theory: str, title: str) -> TheoryReport:
    ev = b.ev
    mine = [i for i, f in enumerate(ev.firings) if ev.compiled.rules[f.rule_id].rule.spec.theory == theory]
    banded = _banded(ev, theory)
    band, top_ids = held_band(ev, theory, banded)
    reach, reach_ids = could_reach(ev, theory, banded)
    needed: list[Needed] = []
    for i in reach_ids:
        needed += b.needed(i)
    needed = list(dict.fromkeys(needed))
    evidence = _evidence(b, theory)
    reach_text = ""
    if reach is not None:
        facts = ", ".join(dict.fromkeys(n.fact for n in needed)) or "unknown facts"
        reach_text = f"; could reach {reach} if {facts} turned out so"
    if band == "none":
        headline = f"{title}: no indicator on the stated facts{reach_text}"
        return TheoryReport(
            theory=theory, title=title, band="none", undetermined=False, confidence="medium",
            headline=headline, findings=sorted(b.ids[i] for i in mine), evidence=evidence,
            could_reach=reach, could_reach_if=needed,
            checked=[] if reach is not None else _checked(b, theory),
        )
    confidence = max((b.findings[i].confidence for i in top_ids), key=lambda c: _LEVEL[c])
    names = ", ".join(dict.fromkeys(sorted(b.ids[i].split("#")[0] for i in top_ids)))
    return TheoryReport(
        theory=theory, title=title, band=band, undetermined=False,
        confidence=confidence, headline=f"{title}: {band} ({names}){reach_text}",
        findings=sorted(b.ids[i] for i in mine), evidence=evidence,
        could_reach=reach, could_reach_if=needed,
    )
