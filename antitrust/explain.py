"""Why the engine concluded what it did: the proof tree of a verdict, band or finding.

For a conclusion (a jurisdiction's filing verdict, a theory's risk band, or one finding) the
explanation shows the rule that concluded it, every part of that rule's condition with the
value it was tested on and whether it held, the parameter it was compared with (value, date,
citation), where the value stands in the deal file (path and line) and the seeds/ digest and
locator it was taken from, and, for a derived fact, the rules that established it, recursively.
It also lists the rules that came close (see :mod:`antitrust.margins`), so an analyst sees why
something did not fire.

Nothing here decides anything: the firings and verdicts come from the engine and the report
builder; this module only re-reads them with their provenance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from antitrust.compiler import CompiledAtom
from antitrust.errors import DealFileError, InputError, Location
from antitrust.evaluate import Evaluation
from antitrust.explanation import (
    DEFAULT_BAND,
    Check,
    Explanation,
    Miss,
    NearMissOut,
    Origin,
    ProofNode,
    SourceRef,
    Threshold,
)
from antitrust.locations import locate_deal_path, locate_source, relative_path
from antitrust.params import format_value
from antitrust.render.explanation import render_text
from antitrust.report import Report
from antitrust.truth import atom_truth
from antitrust.validation import did_you_mean
from antitrust.vocabulary import FACT_TYPES
from antitrust.yamlio import Document, load

__all__ = [
    "DEFAULT_BAND",
    "Check",
    "Explanation",
    "Miss",
    "NearMissOut",
    "Origin",
    "ProofNode",
    "SourceRef",
    "Threshold",
    "explain",
    "locate_deal_path",
    "locate_source",
    "render_text",
    "resolve_subject",
]

_ROUTES = {"call_in": "call-in", "referral": "referral", "post_closing_challenge": "a challenge before or after closing",
           "own_initiative": "own-initiative review", "inform": "the duty to inform"}


# -- building the tree ----------------------------------------------------------------------------
class _Explainer:
    def __init__(self, ev: Evaluation, report: Report, ids: dict[int, str], deal_file: Path) -> None:
        from antitrust.sources import find_seeds

        self.ev = ev
        self.report = report
        self.ids = ids
        self.index = {v: k for k, v in ids.items()}
        self.findings = {f.id: f for f in report.findings}
        self.deal_file = deal_file
        try:
            self.doc: Document | None = load(deal_file)
        except InputError:  # the deal was loaded once already; positions are a bonus
            self.doc = None
        self.seeds = find_seeds(deal_file)
        #: Provenance recorded for one deal-file path on its own (to split joined provenances).
        self.by_path = {prov.path: prov for prov in ev.flat.provenance.values() if " + " not in prov.path}

    def origin(self, fact: dict[str, Any], name: str) -> list[Origin]:
        """Where a field of an engine fact came from: deal-file paths and lines, seeds/ sources."""
        prov = self.ev.flat.provenance.get((fact["id"], name))
        if prov is None:
            return []
        paths = [p.strip() for p in prov.path.split(" + ")]
        if len(paths) == 1:
            return [self._origin(paths[0], prov)]
        # A value built from several deal-file values (a sum, a difference): each part with the
        # provenance recorded for that path on its own, where there is one.
        out = []
        claimed: set[str] = set()
        for path in paths:
            part = self.by_path.get(path)
            out.append(self._origin(path, part) if part is not None else Origin(
                path, self._where(path), [], prov.confidence))
            claimed |= set(part.sources) if part is not None else set()
        rest = [s for s in prov.sources if s not in claimed]
        if rest:
            out.append(Origin("(sources of the parts above)", None, [locate_source(s, self.seeds) for s in rest],
                              prov.confidence, prov.note, list(prov.alternatives)))
        return out

    def _where(self, path: str) -> str | None:
        loc = locate_deal_path(self.doc, path) if self.doc is not None else None
        return str(Location(relative_path(self.deal_file), loc.line, loc.col)) if loc else None

    def _origin(self, path: str, prov: Any) -> Origin:
        return Origin(path, self._where(path), [locate_source(s, self.seeds) for s in prov.sources],
                      prov.confidence, prov.note, list(prov.alternatives))

    def threshold(self, atom: CompiledAtom) -> Threshold | None:
        if atom.op == "holds":
            return None
        c = atom.threshold
        spec = FACT_TYPES.get(atom.fact, {}).get(atom.field or "")
        op = f"{atom.op} "
        if c is None:
            shown = "a value in force"
        elif isinstance(c, bool):
            shown, op = ("yes" if c else "no"), ("" if atom.op == "==" else "not ")
        elif isinstance(c, int | float):
            shown = format_value(float(c), spec.unit or "") if spec and spec.unit else f"{c:g}"
        elif isinstance(c, tuple):
            shown = "[" + ", ".join(str(x) for x in c) + "]"
        else:
            shown = str(c)
        v = atom.param_value
        return Threshold(
            value=f"{op}{shown}",
            param=atom.param,
            effective_from=v.from_.isoformat() if v else None,
            citation=v.citation if v else None,
            url=v.url if v else None,
            status=v.status if v else None,
            conversion=atom.conversion,
        )

    def node(self, i: int, seen: set[int]) -> ProofNode:
        """The proof of firing ``i``; ``seen`` holds firings already shown in this explanation."""
        from antitrust import expr as ex
        from antitrust.reporting import display

        f = self.ev.firings[i]
        fid = self.ids[i]
        finding = self.findings.get(fid)
        crule = self.ev.compiled.rules[f.rule_id]
        spec = crule.rule.spec
        loc = crule.rule.location
        node = ProofNode(
            finding=fid,
            rule_id=f.rule_id,
            title=spec.title,
            status="holds" if f.status == "yes" else "undetermined",
            conclusion=finding.conclusion if finding else "",
            reason=finding.reason if finding else spec.reason,
            basis=spec.basis.citation,
            basis_url=spec.basis.url,
            rule_location=str(Location(relative_path(loc.path), loc.line, loc.col)),
            condition=ex.render(crule.rule.condition),
        )
        if i in seen:
            node.see_above = True
            return node
        seen.add(i)
        for atom in crule.atoms:
            fact = f.bound.get(atom.fact)
            truth = atom_truth(atom, fact)
            check = Check(condition=atom.text, truth={True: "true", False: "false", None: "unknown"}[truth])
            node.checks.append(check)
            if fact is None:
                continue
            if atom.field is None:  # a derived fact that must hold: who established it
                record = self.ev.derived.get(fact["id"])
                if record is not None:
                    fields = ", ".join(f"{k}={v}" for k, v in sorted(record.fields.items()))
                    check.derived = f"{record.name}({fields})" if fields else record.name
                    check.truth = "true" if record.status == "yes" else "unknown"
                    check.because = [self.node(j, seen) for j in record.firings]
                continue
            check.fact = f"{atom.fact}.{atom.field}"
            check.value = display(atom.fact, atom.field, fact.get(atom.field))
            check.threshold = self.threshold(atom)
            if atom.fact in FACT_TYPES:
                check.origins = self.origin(fact, atom.field)
        return node

    def not_fired(self, rule_id: str, seen: set[str]) -> ProofNode:
        """Why a rule did not fire: its condition on the candidate facts that came closest (most
        parts true), and for a derived fact no rule established, why its producers did not fire."""
        from antitrust import expr as ex
        from antitrust.reporting import display

        book = self.ev.compiled.rulebook
        rule = book.rule(rule_id)
        loc = rule.location
        node = ProofNode(finding=rule_id, rule_id=rule_id, title=rule.spec.title, status="does not fire",
                         conclusion="", reason="", basis=rule.spec.basis.citation,
                         basis_url=rule.spec.basis.url,
                         rule_location=str(Location(relative_path(loc.path), loc.line, loc.col)),
                         condition=ex.render(rule.condition))
        if rule_id in seen:
            node.see_above = True
            return node
        seen.add(rule_id)
        crule = self.ev.compiled.rules.get(rule_id)
        if crule is None:
            why = self.ev.compiled.inactive.get(rule_id, "not in force on this date")
            node.checks.append(Check(condition=f"in force on {self.ev.as_of}", truth="false", derived=why))
            return node
        for kind in crule.patterns:
            atoms = [a for a in crule.atoms if a.fact == kind]
            if kind in book.derived:
                records = [d for d in self.ev.derived.values() if d.name == kind]
                if records:
                    for d in records:
                        fields = ", ".join(f"{k}={v}" for k, v in sorted(d.fields.items()))
                        node.checks.append(Check(condition=kind, truth="true" if d.status == "yes" else "unknown",
                                                 derived=f"{d.name}({fields})" if fields else d.name,
                                                 because=[self.node(j, set()) for j in d.firings]))
                else:
                    node.checks.append(Check(condition=kind, truth="false", derived=None, because=[
                        self.not_fired(p, seen) for p in book.derived[kind].producers]))
                continue
            candidates = [f for f in self.ev.flat.facts if f["t"] == kind]
            if not candidates:
                node.checks.append(Check(condition=f"the deal states no {kind}", truth="false", fact=kind))
                continue

            def score(fact: dict[str, Any], _atoms: list[CompiledAtom] = atoms) -> tuple[int, int]:
                truths = [atom_truth(a, fact) for a in _atoms]
                return (sum(t is True for t in truths), -sum(t is False for t in truths))

            best = max(candidates, key=score)
            for atom in atoms:
                truth = atom_truth(atom, best)
                check = Check(condition=atom.text, truth={True: "true", False: "false", None: "unknown"}[truth])
                if atom.field is not None:
                    check.fact = f"{atom.fact}.{atom.field}"
                    check.value = display(atom.fact, atom.field, best.get(atom.field))
                    check.threshold = self.threshold(atom)
                    check.origins = self.origin(best, atom.field)
                node.checks.append(check)
        return node

    def proofs(self, finding_ids: list[str]) -> list[ProofNode]:
        seen: set[int] = set()
        return [self.node(self.index[fid], seen) for fid in finding_ids]


def _report_with_ids(ev: Evaluation, today: date) -> tuple[Report, dict[int, str]]:
    """The report, and the finding id each firing got in it (ids like RULE-ID#2 are the report's)."""
    from antitrust.reporting import _Builder

    builder = _Builder(ev, today)
    report = builder.build()
    return report, dict(builder.ids)


def resolve_subject(subject: str | None, ev: Evaluation, report: Report) -> tuple[str, str]:
    """("verdict"|"finding"|"theory"|"rule"|"all", key) for what the user asked about."""
    if not subject:
        return "all", ""
    s = subject.strip()
    ids = {f.id for f in report.findings}
    book = ev.compiled.rulebook
    codes, theories = list(book.regimes), list(book.theories)
    if s.upper() in codes:
        return "verdict", s.upper()
    if s in ids or s.upper() in ids:
        return "finding", s if s in ids else s.upper()
    theory = s.lower().replace("-", "_")
    if theory in theories:
        return "theory", theory
    if s.upper() in {r.id for r in ev.compiled.rulebook.rules}:
        return "rule", s.upper()
    choices = [*codes, *sorted(ids), *theories, *(r.id for r in ev.compiled.rulebook.rules)]
    raise DealFileError(Location(subject), f"nothing to explain by that name{did_you_mean(s, choices)}; give a "
                        f"jurisdiction ({', '.join(codes)}), a finding id from the report, a rule id, "
                        f"or a theory ({', '.join(theories)})")


@dataclass(frozen=True)
class _Base:
    deal: str
    deal_file: str
    as_of: str
    band: float


def _new(base: _Base, subject: str, headline: str, proofs: list[ProofNode] | None = None,
         sections: list[Explanation] | None = None) -> Explanation:
    return Explanation(deal=base.deal, deal_file=base.deal_file, as_of=base.as_of, subject=subject,
                       headline=headline, proofs=proofs or [], sections=sections or [], band=base.band)


def explain(ev: Evaluation, deal_file: Path, subject: str | None = None, *, today: date | None = None,
            band: float = DEFAULT_BAND, near_misses: bool = True) -> Explanation:
    """Explain ``subject``: a jurisdiction code (its filing verdict), a finding id, a theory of harm,
    or a rule id; None explains every verdict and every band above 'none'."""
    report, ids = _report_with_ids(ev, today or date.today())
    kind, key = resolve_subject(subject, ev, report)
    ex = _Explainer(ev, report, ids, deal_file)
    base = _Base(ev.deal.id, relative_path(deal_file), ev.as_of.isoformat(), band)
    if kind == "all":
        sections = [_verdict(ex, j.code, band, near_misses, base) for j in report.jurisdictions]
        sections += [_theory(ex, t.theory, base) for t in report.theories if t.band != "none"]
        return _new(base, "all", f"{ev.deal.title}: every verdict and risk band", sections=sections)
    if kind == "verdict":
        return _verdict(ex, key, band, near_misses, base)
    if kind == "theory":
        return _theory(ex, key, base)
    if kind == "rule":
        hits = sorted(f.id for f in report.findings if f.rule_id == key)
        rule = ev.compiled.rulebook.rule(key)
        if hits:
            return _new(base, f"rule {key}", f"{key}: {rule.spec.title}: {len(hits)} finding(s)", ex.proofs(hits))
        why = ev.compiled.inactive.get(key)
        out = _new(base, f"rule {key}", f"{key}: {rule.spec.title}: did not fire on this deal"
                   + (f" ({why})" if why else ""), [ex.not_fired(key, set())])
        if near_misses and rule.spec.jurisdiction:
            out.near_misses = _near_misses(ex, band, rule.spec.jurisdiction, only_rule=key)
        return out
    f = ex.findings[key]
    return _new(base, f"finding {key}", f"{key}: {f.title}: {f.conclusion}", ex.proofs([key]))


def _verdict(ex: _Explainer, code: str, band: float, near: bool, base: _Base) -> Explanation:
    j = next((x for x in ex.report.jurisdictions if x.code == code), None)
    if j is None:
        return _new(base, f"verdict {code}", f"{code}: no rule of this rulebook is in force for this "
                    f"jurisdiction on {base.as_of}")
    out = _new(base, f"verdict {code}", j.headline, ex.proofs(j.decided_by))
    if not j.decided_by:
        out.notes.append("No filing rule's condition holds or is undetermined on the stated facts. 'Not required' "
                         "is only ever concluded by a rule, so the verdict is undetermined (or not assessed "
                         "when no law is modelled for the date); the rules that came closest are listed below.")
    for r in j.reach:
        out.notes.append(f"Still reachable by {_ROUTES.get(r.route, r.route)} ({r.status}): "
                         f"antitrust explain {base.deal_file} {r.finding}")
    needed: dict[tuple[str, str, str], list[str]] = {}
    for n in j.needed:  # one line per fact and test, naming every finding it would decide
        needed.setdefault((n.fact, n.path, n.test), []).append(n.finding)
    for (fact, path, test), fids in needed.items():
        out.notes.append(f"Would be decided by {fact} ({path}) {test} [{', '.join(dict.fromkeys(fids))}]")
    if near:
        out.near_misses = _near_misses(ex, band, code)
    return out


def _theory(ex: _Explainer, theory: str, base: _Base) -> Explanation:
    t = next((x for x in ex.report.theories if x.theory == theory), None)
    if t is None:
        return _new(base, f"theory {theory}", f"{theory}: no rule of this rulebook covers this theory")
    deciding = []
    for fid in t.findings:
        f = ex.findings.get(fid)
        risk = ex.ev.compiled.rules[f.rule_id].rule.spec.risk if f else None
        if f is not None and risk is not None and risk.band == t.band and (f.status == "holds") != t.undetermined:
            deciding.append(fid)
    out = _new(base, f"theory {theory}", t.headline, ex.proofs(deciding))
    if t.band == "none":
        out.notes.append("No rule of this theory raises a band on the stated facts.")
    return out


def _near_misses(ex: _Explainer, band: float, jurisdiction: str, only_rule: str | None = None) -> list[NearMissOut]:
    """The rules of ``jurisdiction`` that came close (antitrust.margins), with where each failing
    value came from."""
    from antitrust import expr as exl
    from antitrust.margins import conclusion_of, near_misses

    book = ex.ev.compiled.rulebook
    needs: dict[str, list[str]] = {}
    for r in book.rules:
        for ref in dict.fromkeys(x.fact for x in exl.refs(r.condition)):
            if ref in book.derived:
                needs.setdefault(ref, []).append(r.id)
    out = []
    for nm in near_misses(ex.ev, band, jurisdiction):
        if only_rule is not None and nm.rule_id != only_rule:
            continue
        crule = ex.ev.compiled.rules[nm.rule_id]
        derive = crule.rule.spec.derive
        enables = [f"{rid} ({conclusion_of(book.rule(rid).spec)})"
                   for rid in (needs.get(derive.fact, []) if derive is not None else [])]
        misses = []
        for m in nm.failing:
            fact = next((x for x in ex.ev.flat.facts if x["id"] == m.fact_id), None)
            t = m.threshold
            misses.append(Miss(
                comparison=m.comparison,
                text=m.text,
                fact=m.fact,
                value=m.value_display,
                threshold=Threshold(value=f"{m.op} {t.display}", param=t.param,
                                    effective_from=t.effective_from.isoformat() if t.effective_from else None,
                                    citation=t.citation, url=t.url, status=t.status, conversion=t.conversion),
                on=_describe(fact) if fact else m.fact_id,
                origins=ex.origin(fact, m.fact.split(".", 1)[1]) if fact else [],
            ))
        loc = crule.rule.location
        out.append(NearMissOut(
            rule_id=nm.rule_id, title=nm.title, rule_location=str(Location(relative_path(loc.path), loc.line, loc.col)),
            would_conclude=nm.would_conclude, enables=enables, gap=nm.gap, text=nm.text,
            misses=misses, still_open=list(nm.unknown),
        ))
    return out


def _describe(fact: dict[str, Any]) -> str:
    """An engine fact by its names and categories: 'stake (holder meta, issuer scale, share class non voting)'."""
    kind = str(fact.get("t", ""))
    spec = FACT_TYPES.get(kind, {})
    parts = [f"{name.replace('_', ' ')} {str(fact[name]).replace('_', ' ')}" for name, s in spec.items()
             if s.kind in {"id", "category"} and name in fact]
    return f"{kind} ({', '.join(parts)})" if parts else kind
