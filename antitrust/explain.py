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

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from antitrust.compiler import CompiledAtom
from antitrust.errors import DealFileError, InputError, Location
from antitrust.evaluate import Evaluation
from antitrust.params import format_value
from antitrust.report import Report
from antitrust.truth import atom_truth
from antitrust.validation import did_you_mean
from antitrust.vocabulary import FACT_TYPES
from antitrust.yamlio import Document, load

_ROUTES = {"call_in": "call-in", "referral": "referral", "post_closing_challenge": "a challenge before or after closing",
           "own_initiative": "own-initiative review", "inform": "the duty to inform"}
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


# -- where things stand in the deal file and in seeds/ ----------------------------------------------
_TOKEN = re.compile(r"([^.\[\]]+)|\[([^\]]+)\]")


def locate_deal_path(doc: Document, path: str) -> Location | None:
    """The position of a provenance path such as ``parties[1].turnover[DE]`` in the deal file."""
    keys: list[str | int] = []
    node: Any = doc.data
    for name, index in _TOKEN.findall(path.strip()):
        if name:
            if not isinstance(node, dict) or name not in node:
                return None
            keys.append(name)
            node = node[name]
            continue
        if not isinstance(node, list):
            return None
        if index.isdigit() and int(index) < len(node):
            keys.append(int(index))
            node = node[int(index)]
            continue
        hit = next((i for i, item in enumerate(node) if isinstance(item, dict)
                    and index in {str(item.get("jurisdiction", "")).upper(), str(item.get("id", ""))}), None)
        if hit is None:
            return None
        keys.append(hit)
        node = node[hit]
    if isinstance(node, dict) and "amount" in node:  # a turnover entry: point at its amount
        keys.append("amount")
    if not keys:
        return None
    return doc.locate(tuple(keys))


@cache
def _digests(seeds: Path) -> dict[str, tuple[str, Document]]:
    out: dict[str, tuple[str, Document]] = {}
    for f in sorted(seeds.glob("*.y*ml")):
        try:
            doc = load(f)
        except InputError:  # a broken digest only loses its locations here (check reports it)
            doc = None
        if doc is not None and isinstance(doc.data, dict) and "id" in doc.data:
            out[str(doc.data["id"])] = (str(f), doc)
    return out


def locate_source(ref: str, seeds: Path | None) -> SourceRef:
    """The digest file, line and statement a ``digest-id#locator`` source points at."""
    if seeds is None:
        return SourceRef(ref)
    doc_id, _, locator = ref.partition("#")
    found = _digests(seeds).get(doc_id)
    if found is None:
        return SourceRef(ref)
    path, doc = found
    rel = _relative(path)
    if not locator:
        return SourceRef(ref, str(Location(rel, *doc.positions.get((), (1, 1)))))
    for i, item in enumerate(doc.data.get("facts") or []):
        if isinstance(item, dict) and str(item.get("locator")) == locator:
            where = doc.locate(("facts", i, "statement") if "statement" in item else ("facts", i))
            statement = item.get("statement")
            return SourceRef(ref, str(Location(rel, where.line, where.col)),
                             " ".join(str(statement).split()) if statement else None)
    return SourceRef(ref, rel)


def _relative(path: str | Path) -> str:
    p = Path(path)
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(p)


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
        return str(Location(_relative(self.deal_file), loc.line, loc.col)) if loc else None

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
            rule_location=str(Location(_relative(loc.path), loc.line, loc.col)),
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
                         rule_location=str(Location(_relative(loc.path), loc.line, loc.col)),
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
    base = _Base(ev.deal.id, _relative(deal_file), ev.as_of.isoformat(), band)
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
            rule_id=nm.rule_id, title=nm.title, rule_location=str(Location(_relative(loc.path), loc.line, loc.col)),
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


# -- text ----------------------------------------------------------------------------------------
_MARK = {"true": "✓", "false": "✗", "unknown": "?"}


def render_text(e: Explanation) -> str:
    lines = [f"{e.headline} (law as of {e.as_of})"] if e.subject == "all" else [
        f"Explanation for {e.deal_file} (law as of {e.as_of})"]
    for s in e.sections or [e]:
        lines.append("")
        lines += _section(s)
    return "\n".join(lines).rstrip() + "\n"


def _section(e: Explanation) -> list[str]:
    lines = [e.headline, "=" * min(len(e.headline), 100)]
    for p in e.proofs:
        lines.append("")
        lines += _node(p, "")
    if e.notes:
        lines.append("")
        lines += [f"• {n}" for n in e.notes]
    if e.near_misses is not None:
        within = f"within {e.band:.0%} of a threshold"
        lines.append("")
        lines.append(f"Rules that came close ({within}):" if e.near_misses else f"Rules that came close: none {within}")
        for m in e.near_misses:
            lines += _near_miss_lines(m)
    return lines


def _node(p: ProofNode, pad: str) -> list[str]:
    head = f"{pad}{p.finding}: {p.title} [{p.status}]"
    if p.see_above:
        return [f"{head} (shown above)"]
    inner = pad + "  "
    lines = [head]
    if p.conclusion:
        lines.append(f"{inner}concludes: {p.conclusion}")
    lines.append(f"{inner}rule {p.rule_id} at {p.rule_location}; basis: {p.basis} <{p.basis_url}>")
    lines.append(f"{inner}condition: {p.condition}")
    if p.reason:
        lines.append(f"{inner}reason: {p.reason}")
    for k, c in enumerate(p.checks):
        branch, cont = ("└─ ", "   ") if k == len(p.checks) - 1 else ("├─ ", "│  ")
        lines += _check(c, inner + branch, inner + cont)
    return lines


def _check(c: Check, head: str, pad: str) -> list[str]:
    mark = _MARK[c.truth]
    if c.fact is None:  # a derived fact
        if c.truth == "false" and c.because:
            lines = [f"{head}{mark} {c.condition}: not established; the rules that would establish it:"]
        elif not c.because:
            return [f"{head}{mark} {c.condition}: " + (c.derived or "not established")]
        else:
            lines = [f"{head}{mark} {c.condition}: {c.derived} established by"]
        for n in c.because:
            lines += _node(n, pad + "  ")
        return lines
    t = c.threshold
    if c.value is None:
        return [f"{head}{mark} {c.condition}"]
    lines = [f"{head}{mark} {c.condition}  ({c.fact} = {c.value}" + (f"; needs {t.value})" if t else ")")]
    if t and t.param:
        extra = f"; {t.conversion}" if t.conversion else ""
        lines.append(f"{pad}   threshold {t.param}, in force from {t.effective_from} ({t.status}): {t.citation}{extra}")
    lines += _origin_lines(c.origins, pad + "   ")
    return lines


def _origin_lines(origins: list[Origin], pad: str) -> list[str]:
    lines = []
    for o in origins:
        if o.location:
            where = f" at {o.location}"
        elif o.path.startswith("("):
            where = ""
        else:
            where = " (not stated in the deal file; the default applies)"
        confidence = "" if o.confidence == "high" else f" (confidence {o.confidence})"
        lines.append(f"{pad}from {o.path}{where}{confidence}")
        for s in o.sources:
            loc = f" → {s.location}" if s.location else " (not found in seeds/)"
            said = f": \"{s.statement}\"" if s.statement else ""
            lines.append(f"{pad}  source {s.ref}{loc}{said}")
        if not o.sources and o.location:
            lines.append(f"{pad}  no source given" + (f"; note: {o.note}" if o.note else ""))
        elif o.note:
            lines.append(f"{pad}  note: {o.note}")
        for a in o.alternatives:
            lines.append(f"{pad}  another source says: {a}")
    return lines


def _near_miss_lines(m: NearMissOut) -> list[str]:
    lines = [f"• {m.rule_id}: {m.title} ({m.rule_location})", f"    would conclude: {m.would_conclude}"]
    if m.enables:
        lines.append(f"    which is needed by: {'; '.join(m.enables)}")
    for miss in m.misses:
        lines.append(f"    ✗ {miss.comparison}: {miss.text}")
        lines.append(f"        tested on {miss.on}")
        t = miss.threshold
        if t.param:
            lines.append(f"        threshold {t.param}, in force from {t.effective_from} ({t.status}): {t.citation}")
        lines += _origin_lines(miss.origins, "        ")
    if m.still_open:
        lines.append(f"    still open: {', '.join(m.still_open)}")
    return lines
