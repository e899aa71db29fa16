"""The detail view, arranged from a report: findings grouped per rule with their counterparts,
margins only where they decide something or sit near their line, each conversion once, and the
undetermined alternatives grouped under the question they answer."""

from __future__ import annotations

from antitrust.render.common import merge_margins, threshold_source
from antitrust.report import Finding, Margin, Report
from antitrust.views import Detail, DetailMargin, Question, RuleGroup

#: A margin is shown when it decides something, or when the value is within this share of its line.
NEAR = 0.25


def _decisive_ids(report: Report) -> set[str]:
    """Findings that settle a verdict, a route or a band, and every finding they rest on."""
    by_id = {f.id: f for f in report.findings}
    todo = [fid for j in report.jurisdictions for fid in (*j.decided_by, *(r.finding for r in j.reach))]
    for t in report.theories:
        todo += [fid for fid in t.findings if fid in by_id and by_id[fid].status == "holds"
                 and not t.undetermined and f"{t.band} risk" in by_id[fid].conclusion]
    seen: set[str] = set()
    while todo:
        fid = todo.pop()
        if fid in seen or fid not in by_id:
            continue
        seen.add(fid)
        todo += by_id[fid].because
    return seen


def _times(ratio: float) -> str:
    if ratio >= 100:
        return f"{ratio:,.0f} times the line"
    return f"{ratio:.1f} times the line"


def margin_words(m: Margin) -> str:
    """'deal.consideration_eur = EUR 13.1bn, test > EUR 400m (de.gwb35.transaction_value): met, 32.7 times the line'."""
    line = m.threshold.display + (f" ({m.threshold.param})" if m.threshold.param else "")
    met = {True: "met", False: "not met", None: "open"}[m.holds]
    if m.threshold.unit == "percent":
        points = abs(m.difference)
        distance = "exactly at the line" if points == 0 else (
            f"{points:g} point{'s' if points != 1 else ''} {'above' if m.difference > 0 else 'below'}")
    elif m.ratio is not None and m.ratio >= 2:
        distance = _times(m.ratio)
    elif m.ratio is not None and 0 < m.ratio <= 0.5:
        distance = f"{1 / m.ratio:.1f} times below the line"
    elif m.relative is not None:
        distance = "exactly at the line" if m.relative == 0 else (
            f"{abs(m.relative):.0%} {'above' if m.relative > 0 else 'below'} the line")
    else:
        distance = m.difference_display
    return f"{m.fact} = {m.value_display}, test {m.op} {line}: {met}, {distance}"


def _margins(report: Report) -> tuple[list[DetailMargin], int]:
    decisive = _decisive_ids(report)
    out, left = [], 0
    for m, ids in merge_margins(report):
        is_decisive = m.holds is not None and any(i in decisive for i in ids)
        near = m.relative is not None and abs(m.relative) <= NEAR
        if m.threshold.value == 0 or not (is_decisive or near):
            left += 1
            continue
        out.append(DetailMargin(fact=m.fact, text=margin_words(m), decisive=is_decisive, findings=ids,
                                source=threshold_source(m)))
    return out, left


def _counterparts(findings: list[Finding]) -> tuple[list[str], list[str]]:
    """(what differs between the findings of one rule, facts common to all of them)."""
    if len(findings) == 1:
        common = [_fact_text(u) for u in findings[0].facts if u.known]
        return [], common
    values: dict[str, list[str]] = {}
    for f in findings:
        for u in f.facts:
            values.setdefault(u.name, []).append(u.value)
    differing = [n for n, vs in values.items() if len(set(vs)) > 1 or len(vs) < len(findings)]
    counterparts = []
    for f in findings:
        text = ", ".join(u.value for u in f.facts if u.name in differing and u.known)
        if text and text not in counterparts:
            counterparts.append(text)
    first = findings[0]
    common = [_fact_text(u) for u in first.facts if u.known and u.name not in differing]
    if len(counterparts) < len(findings):
        counterparts = _reason_differences([f.reason for f in findings])
    return counterparts, common


def _reason_differences(reasons: list[str]) -> list[str]:
    """The words that differ between reasons written from one template ('Google LLC', 'OpenAI')."""
    distinct = list(dict.fromkeys(reasons))
    if len(distinct) < 2:
        return []
    words = [r.split(" ") for r in distinct]
    prefix = 0
    while all(len(w) > prefix for w in words) and len({w[prefix] for w in words}) == 1:
        prefix += 1
    suffix = 0
    while all(len(w) - prefix > suffix for w in words) and len({w[-1 - suffix] for w in words}) == 1:
        suffix += 1
    middles = [" ".join(w[prefix:len(w) - suffix]).strip(" ,;:") for w in words]
    return middles if all(middles) and all(len(m) <= 80 for m in middles) else []


def _fact_text(u: object) -> str:
    from antitrust.report import FactUse

    assert isinstance(u, FactUse)
    src = f"; source {', '.join(u.sources)}" if u.sources else ""
    conf = "" if u.confidence == "high" else f"; confidence {u.confidence}"
    return f"{u.name} = {u.value} ({u.path}{src}{conf})"


def _groups(report: Report) -> list[RuleGroup]:
    per_rule: dict[str, list[Finding]] = {}
    for f in report.findings:
        per_rule.setdefault(f.rule_id, []).append(f)
    out = []
    for rule_id, fs in per_rule.items():
        counterparts, common = _counterparts(fs)
        first = fs[0]
        out.append(RuleGroup(
            rule_id=rule_id, title=first.title, jurisdiction=first.jurisdiction, theory=first.theory,
            statuses=[f.status for f in fs], conclusion=first.conclusion,
            citation=first.basis.citation, url=first.basis.url, basis_status=first.basis.status,
            findings=[f.id for f in fs], counterparts=counterparts,
            reasons=list(dict.fromkeys(f.reason for f in fs)) if not counterparts else [first.reason],
            facts=common, because=sorted({b for f in fs for b in f.because}),
        ))
    return out


def _conversions(report: Report) -> list[str]:
    seen: dict[tuple[str, str, str], list[str]] = {}
    for c in report.conversions:
        seen.setdefault((c.original, c.result, c.rate), []).append(c.what)
    return [f"{original} → {result} at {rate} ({', '.join(dict.fromkeys(whats))})"
            for (original, result, rate), whats in seen.items()]


def build_detail(report: Report) -> Detail:
    margins, left = _margins(report)
    return Detail(
        groups=_groups(report),
        margins=margins,
        margins_left_out=left,
        questions=[Question(question=r.question, path=r.path, alternatives=r.alternatives)
                   for r in report.info_requests],
        conversions=_conversions(report),
    )
