"""What-if: one deal evaluated as given and as changed, and what differs between the two."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

from pydantic import Field

from antitrust.deal import Deal
from antitrust.evaluate import Evaluation, evaluate
from antitrust.report import Report
from antitrust.reporting import build_report
from antitrust.rulebook import Rulebook
from antitrust.verdicts import jurisdiction_verdict, theory_band
from antitrust.whatif.paths import Assignment, FrozenModel, WhatIfError, apply_changes


class Scenario(FrozenModel):
    as_of: date
    changes: list[Assignment]


class VerdictRow(FrozenModel):
    code: str
    name: str
    before: str
    after: str
    changed: bool
    decided_before: list[str] = Field(description="Rules that settle the verdict as given.")
    decided_after: list[str] = Field(description="Rules that settle the verdict as changed.")


class BandRow(FrozenModel):
    theory: str
    title: str
    before: str
    after: str
    changed: bool
    decided_before: list[str]
    decided_after: list[str]


class FindingChange(FrozenModel):
    rule_id: str
    title: str
    status: Literal["holds", "undetermined"]
    conclusion: str
    reason: str


class ParamChange(FrozenModel):
    """A parameter whose value in force differs between the two dates."""

    name: str
    before: str
    after: str
    before_from: date | None
    after_from: date | None
    citation: str | None = Field(description="Citation of the value in force as changed.")


class WhatIf(FrozenModel):
    deal_id: str
    deal_title: str
    base: Scenario
    changed: Scenario
    verdicts: list[VerdictRow]
    bands: list[BandRow]
    appeared: list[FindingChange]
    disappeared: list[FindingChange]
    parameters: list[ParamChange] = Field(default_factory=list,
                                          description="Parameters in force with different values (when the dates differ).")


def _verdict_text(filing: str, suspensory: bool) -> str:
    return filing.replace("_", " ") + (", suspensory" if suspensory and filing == "mandatory" else "")


def compare(ev0: Evaluation, before: Report, ev1: Evaluation, after: Report, base: Scenario,
            changed: Scenario) -> WhatIf:
    """What differs between two evaluations (and their reports) of a deal: verdicts, bands, findings."""
    jb = {j.code: j for j in before.jurisdictions}
    ja = {j.code: j for j in after.jurisdictions}
    verdicts = []
    for code in list(dict.fromkeys([*jb, *ja])):
        b, a = jb.get(code), ja.get(code)
        tb = _verdict_text(b.filing, b.suspensory) if b else "no rules in force"
        ta = _verdict_text(a.filing, a.suspensory) if a else "no rules in force"
        verdicts.append(VerdictRow(
            code=code, name=ev0.compiled.rulebook.regime(code).name, before=tb, after=ta, changed=tb != ta,
            decided_before=deciding_rules(ev0, code) if b else [],
            decided_after=deciding_rules(ev1, code) if a else [],
        ))
    tb_ = {t.theory: t for t in before.theories}
    ta_ = {t.theory: t for t in after.theories}
    bands = []
    for theory in list(dict.fromkeys([*tb_, *ta_])):
        b2, a2 = tb_.get(theory), ta_.get(theory)
        sb = (b2.band + (" (undetermined)" if b2.undetermined else "")) if b2 else "none"
        sa = (a2.band + (" (undetermined)" if a2.undetermined else "")) if a2 else "none"
        bands.append(BandRow(
            theory=theory, title=ev0.compiled.rulebook.theory_title(theory), before=sb, after=sa, changed=sb != sa,
            decided_before=deciding_rules(ev0, f"theory:{theory}") if b2 else [],
            decided_after=deciding_rules(ev1, f"theory:{theory}") if a2 else [],
        ))

    def bag(r: Report) -> Counter[tuple[str, str]]:
        return Counter((f.rule_id, f.status) for f in r.findings)

    def pick(r: Report, keys: Counter[tuple[str, str]]) -> list[FindingChange]:
        out = []
        for f in r.findings:
            k = (f.rule_id, f.status)
            if keys[k] > 0:
                keys[k] -= 1
                out.append(FindingChange(rule_id=f.rule_id, title=f.title, status=f.status,
                                         conclusion=f.conclusion, reason=f.reason))
        return out

    pb = {p.name: p for p in before.parameters}
    pa = {p.name: p for p in after.parameters}
    params = []
    for name in sorted({*pb, *pa}):
        x, y = pb.get(name), pa.get(name)
        if x is not None and y is not None and (x.value, x.effective_from) == (y.value, y.effective_from):
            continue
        params.append(ParamChange(
            name=name, before=x.value if x else "not in force", after=y.value if y else "not in force",
            before_from=x.effective_from if x else None, after_from=y.effective_from if y else None,
            citation=y.citation if y else None,
        ))
    return WhatIf(
        deal_id=after.meta.deal_id, deal_title=after.meta.deal_title, base=base, changed=changed,
        verdicts=verdicts, bands=bands,
        appeared=pick(after, bag(after) - bag(before)),
        disappeared=pick(before, bag(before) - bag(after)),
        parameters=params,
    )


def what_if(deal: Deal, book: Rulebook, sets: Sequence[tuple[str, Any]], as_of: date | None = None,
            today: date | None = None, strict: bool = False) -> WhatIf:
    """Evaluate ``deal`` as given (under its own date) and as changed by ``sets`` (under ``as_of``,
    or the changed deal's own date), and say what changed (``strict``: presumptions off)."""
    if not sets and as_of is None:
        raise WhatIfError("what-if", "nothing to compare: give --set PATH=VALUE, --as-of DATE, or both")
    changed_deal, assignments = apply_changes(deal, sets) if sets else (deal, [])
    ev0 = evaluate(deal, book, today=today, strict=strict)
    r0 = build_report(ev0, today, near_miss_band=None)
    ev1 = evaluate(changed_deal, book, as_of=as_of, today=today, strict=strict)
    r1 = build_report(ev1, today, near_miss_band=None)
    return compare(ev0, r0, ev1, r1, Scenario(as_of=ev0.as_of, changes=[]),
                   Scenario(as_of=ev1.as_of, changes=assignments))


def deciding_rules(ev: Evaluation, key: str) -> list[str]:
    if key.startswith("theory:"):
        ids = theory_band(ev, key[7:])[2]
    else:
        ids = jurisdiction_verdict(ev, key)[1]
    return sorted(dict.fromkeys(ev.firings[i].rule_id for i in ids))
