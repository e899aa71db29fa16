"""Build a :class:`~antitrust.report.Report` from an :class:`~antitrust.evaluate.Evaluation`.

The builder only arranges what the rules concluded: verdicts, routes and bands are read from
firings; reasons are the rules' own templates filled with the matched facts' values.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, Literal

from antitrust import __version__, reasons
from antitrust.clock import route_with_window, windows
from antitrust.compiler import CompiledAtom
from antitrust.evaluate import Evaluation, Firing
from antitrust.exposure import exposures, headline_part
from antitrust.facts import Provenance
from antitrust.margins import DEFAULT_BAND, margins, near_misses, number_text
from antitrust.params import format_value
from antitrust.regimes import stale_values
from antitrust.reliance import Reliance, assuming
from antitrust.report import (
    OPEN_SEPARATOR,
    Conversion,
    FactUse,
    Finding,
    JurisdictionReport,
    LegalBasisOut,
    Margin,
    Needed,
    ParamUse,
    ReachRoute,
    Report,
    ReportMeta,
    TheoryReport,
    Window,
)
from antitrust.superseded import moot, superseded
from antitrust.valuetext import OPEN_DIRECTION, display, in_sentence, run_on
from antitrust.verdicts import (  # re-exported: callers read verdicts through this module too
    active_theories,
    decide,
    jurisdiction_verdict,
    open_negative_tests,
    outcomes,
    regimes,
    theory_band,
)
from antitrust.vocabulary import FACT_TYPES

__all__ = ["active_theories", "build_report", "display", "jurisdiction_verdict", "outcomes", "regimes",
           "theory_band"]
_LEVEL = {"high": 2, "medium": 1, "low": 0}
_STATUS_LEVEL = {"verified": "high", "secondary": "medium", "unverified": "low"}
_ROUTE_TEXT = {
    "call_in": "call-in", "referral": "referral", "post_closing_challenge": "challenge before or after closing",
    "own_initiative": "own-initiative review", "inform": "duty to inform",
}


def _lowest(levels: list[str]) -> str:
    return min(levels, key=lambda x: _LEVEL[x]) if levels else "high"


class _Builder:
    def __init__(self, ev: Evaluation, today: date, band: float | None = DEFAULT_BAND) -> None:
        self.ev = ev
        self.today = today
        #: None: leave margins and near misses out (sweeps and flip searches build many reports)
        self.band = band
        self.margins: dict[int, list[Margin]] = defaultdict(list)
        if band is not None:
            for m in margins(ev):
                assert m.firing is not None
                self.margins[m.firing].append(m)
        self.compiled = ev.compiled
        self.ids: dict[int, str] = {}
        self.findings: dict[int, Finding] = {}
        self.warnings: list[str] = []
        self.windows: dict[int, Window] = {}
        self.reliance = Reliance(ev)
        #: Undetermined firings another match of the same rule makes moot (their open derived
        #: inputs are not asked about).
        self.superseded = superseded(ev)
        #: Undetermined derivations that feed only such firings: their open facts are not asked for.
        self.moot = moot(ev, self.superseded)

    # -- findings ------------------------------------------------------------------------------
    def finding_ids(self) -> None:
        order = sorted(range(len(self.ev.firings)), key=self._sort_key)
        counts: dict[str, int] = defaultdict(int)
        for i in order:
            rid = self.ev.firings[i].rule_id
            counts[rid] += 1
            self.ids[i] = rid if counts[rid] == 1 else f"{rid}#{counts[rid]}"

    def _sort_key(self, i: int) -> tuple[Any, ...]:
        f = self.ev.firings[i]
        values = tuple(sorted((a, str(sorted((k, str(v)) for k, v in fact.items() if k not in {"id", "by"})))
                              for a, fact in f.bound.items()))
        return (f.rule_id, f.status != "yes", values)

    def prov(self, fact: dict[str, Any], field: str) -> Provenance | None:
        return self.ev.flat.provenance.get((fact["id"], field))

    def derived_firing(self, fact_id: str) -> int:
        return self.ev.derived[fact_id].firings[0]

    def build_finding(self, i: int) -> Finding:
        f = self.ev.firings[i]
        crule = self.compiled.rules[f.rule_id]
        spec = crule.rule.spec
        facts = self.fact_uses(f, crule.atoms)
        params = self.param_uses(crule.atoms)
        because = sorted({self.ids[self.derived_firing(d)] for d in f.derived_inputs})
        levels = [spec.confidence, *(u.confidence for u in facts if u.known), *(_STATUS_LEVEL[p.status] for p in params)]
        levels += [self.confidence_of(self.derived_firing(d)) for d in f.derived_inputs]
        if _STATUS_LEVEL[spec.basis.status] == "low":
            levels.append("low")
        if f.status == "maybe":
            levels.append("low")
        return Finding(
            id=self.ids[i],
            rule_id=f.rule_id,
            title=spec.title,
            jurisdiction=spec.jurisdiction,
            theory=spec.theory,
            status="holds" if f.status == "yes" else "undetermined",
            conclusion=self.conclusion(f),
            reason=self.reason(f, spec.reason),
            basis=LegalBasisOut(citation=spec.basis.citation, url=spec.basis.url, status=spec.basis.status),
            confidence=_lowest(levels),
            facts=facts,
            parameters=params,
            derived=self._derived_text(f.derived_id),
            because=because,
            needed=self.needed(i),
            margins=[m.model_copy(update={"finding": self.ids[i], "firing": None}) for m in self.margins.get(i, [])],
        )

    def confidence_of(self, i: int) -> str:
        if i not in self.findings:
            self.findings[i] = self.build_finding(i)
        return self.findings[i].confidence

    def _derived_text(self, fact_id: str | None) -> str | None:
        if fact_id is None:
            return None
        d = self.ev.derived[fact_id]
        fields = ", ".join(f"{k}={v}" for k, v in sorted(d.fields.items()))
        return f"{d.name}({fields})" if fields else d.name

    def conclusion(self, f: Firing) -> str:
        spec = self.compiled.rules[f.rule_id].rule.spec
        parts = []
        maybe = " (undetermined)" if f.status == "maybe" else ""
        if spec.verdict:
            v = spec.verdict.filing.replace("_", " ")
            parts.append(f"filing {v}{' and suspensory' if spec.verdict.suspensory else ''}{maybe}")
        if spec.reach:
            parts.append(f"can be reached by {_ROUTE_TEXT[spec.reach.route]}{maybe}")
        if spec.risk:
            parts.append(f"{self.compiled.rulebook.theory_title(spec.theory or '')}: {spec.risk.band} risk{maybe}")
        if spec.derive and not parts:
            parts.append(f"establishes {spec.derive.fact.replace('_', ' ')}{maybe}")
        return "; ".join(parts) or f"noted{maybe}"

    def fact_uses(self, f: Firing, atoms: tuple[CompiledAtom, ...]) -> list[FactUse]:
        out: dict[str, FactUse] = {}
        for atom in atoms:
            fact = f.bound.get(atom.fact)
            if fact is None or atom.field is None or atom.fact not in FACT_TYPES:
                continue
            name = f"{atom.fact}.{atom.field}"
            p = self.prov(fact, atom.field)
            value = display(atom.fact, atom.field, fact.get(atom.field))
            out[name] = FactUse(
                name=name,
                value=value,
                path=p.path if p else "(derived from the deal file)",
                sources=list(p.sources) if p else [],
                confidence=(p.confidence if p else "high"),
                known="unknown" not in value,
                note=p.note if p else None,
                alternatives=list(p.alternatives) if p else [],
            )
        return list(out.values())

    def param_uses(self, atoms: tuple[CompiledAtom, ...]) -> list[ParamUse]:
        out: dict[str, ParamUse] = {}
        for atom in atoms:
            if atom.param is None or atom.param_value is None or atom.param_value.value is None:
                continue
            v = atom.param_value
            out[atom.param] = ParamUse(
                name=atom.param,
                value=format_value(v.value, atom.param_unit or ""),  # type: ignore[arg-type]
                effective_from=v.from_,
                citation=v.citation,
                url=v.url,
                status=v.status,
                conversion=atom.conversion,
            )
        return [out[k] for k in sorted(out)]

    def needed(self, i: int, seen: set[int] | None = None) -> list[Needed]:
        seen = seen or set()
        if i in seen:
            return []
        seen.add(i)
        f = self.ev.firings[i]
        if f.status != "maybe" or i in self.moot:
            return []
        crule = self.compiled.rules[f.rule_id]
        out: list[Needed] = []
        for u in f.unknowns:
            fact = next(x for x in f.bound.values() if x["id"] == u.fact_id)
            p = self.prov(fact, u.field)
            atom = next(a for a in crule.atoms if a.fact == u.fact and a.field == u.field)
            out.append(Needed(fact=f"{u.fact}.{u.field}", path=p.path if p else "(not stated)",
                              test=self._test_text(atom), finding=self.ids[i]))
        for d in () if i in self.superseded else f.derived_inputs:
            if self.ev.derived[d].status == "maybe":
                for j in self.ev.derived[d].firings:
                    out += self.needed(j, seen)
        return list(dict.fromkeys(out))

    def needed_to_rule_out(self, code: str) -> list[Needed]:
        """Unknown facts that keep a "not required" rule of the regime from holding."""
        out = []
        for rule_id, fact, atom in open_negative_tests(self.ev, code):
            p = self.prov(fact, atom.field or "")
            out.append(Needed(fact=f"{atom.fact}.{atom.field}", path=p.path if p else "(not stated)",
                              test=self._test_text(atom), finding=f"{rule_id} (not required if it holds)"))
        return out

    def _test_text(self, atom: CompiledAtom) -> str:
        if atom.threshold is None:
            return "must be known"
        if isinstance(atom.threshold, bool):
            return f"{'yes' if atom.threshold else 'no'}" if atom.op == "==" else f"not {atom.threshold}"
        if isinstance(atom.threshold, int | float):
            spec = FACT_TYPES.get(atom.fact, {}).get(atom.field or "")
            text = f"{atom.op} {number_text(atom.threshold, spec.unit if spec else None)}"
            return text + (f" ({atom.param})" if atom.param else "")
        return f"{atom.op} {atom.threshold}"

    def reason(self, f: Firing, template: str) -> str:
        def resolve(path: tuple[str, ...]) -> str:
            if path and path[0] == "param":
                name = ".".join(path[1:])
                p = self.compiled.rulebook.parameters.get(name)
                v = p.at(self.ev.as_of) if p else None
                return format_value(v.value, p.unit) if p and v and v.value is not None else f"[{name}: no value]"
            fact_name, field = path[0], path[1] if len(path) > 1 else ""
            fact = f.bound.get(fact_name)
            if fact is None:
                return "?"
            if fact_name in FACT_TYPES:
                if field in {"holder", "issuer", "party", "customer", "supplier"}:
                    return self._party_name(fact.get(field))
                if fact.get(field) is True:
                    # A field an authority's act makes true: name the act and its date, not "yes".
                    act = self.prov(fact, field)
                    if act is not None and act.path.startswith("authority_acts"):
                        return act.display
                return in_sentence(fact_name, field, fact.get(field))
            value = fact.get(field)
            return self._party_name(value) if isinstance(value, str) else display(fact_name, field, value)

        try:
            return reasons.render(template, resolve)
        except reasons.TemplateError as exc:  # pragma: no cover - every template is parsed at load
            return f"{template} [template error: {exc}]"

    def _party_name(self, value: Any) -> str:
        if not isinstance(value, str):
            return display("", "", value)
        for p in self.ev.deal.parties:
            if p.id == value:
                return p.name
        return value

    # -- per jurisdiction and theory -----------------------------------------------------------
    def jurisdictions(self) -> list[JurisdictionReport]:
        out = []
        book = self.compiled.rulebook
        for code in regimes(self.ev):
            regime = book.regime(code)
            mine = [i for i, f in enumerate(self.ev.firings)
                    if self.compiled.rules[f.rule_id].rule.spec.jurisdiction == code]
            decision = decide(self.ev, code)
            filing, decided = decision.filing, list(decision.firings)
            needed: list[Needed] = []
            if filing == "undetermined":
                for i in decided:
                    needed += self.needed(i)
                if not decided:
                    needed += self.needed_to_rule_out(code)
            reach = [
                route_with_window(
                    ReachRoute(route=spec.reach.route, finding=self.ids[i],
                               status="holds" if self.ev.firings[i].status == "yes" else "possible"),
                    self.windows.get(i))
                for i in mine
                if (spec := self.compiled.rules[self.ev.firings[i].rule_id].rule.spec).reach is not None
            ]
            reach.sort(key=lambda r: (r.status != "holds", r.route, r.finding))
            decided_ids = sorted(self.ids[i] for i in decided)
            reason = self._verdict_reason(code, decision, decided)
            exposed = exposures(self.ev, mine, self.ids, self.reason)
            presumed = self.reliance.presumptions(decided, self.ids)
            out.append(JurisdictionReport(
                code=code,
                name=regime.name,
                filing=filing,
                suspensory=decision.suspensory and filing == "mandatory",
                headline=self._headline(code, filing, decided, reach, headline_part(exposed), assuming(presumed, filing)),
                decided_by=decided_ids,
                reach=reach,
                needed=list(dict.fromkeys(needed)),
                findings=sorted(self.ids[i] for i in mine),
                regime=regime.regime_text(),
                authority=regime.authority,
                reason=reason,
                basis_status=self._basis_status(decided),
                presumptions=presumed,
                windows=list(dict.fromkeys(self.windows[i] for i in mine if i in self.windows)),
                exposure=exposed,
            ))
        return out

    def _verdict_reason(self, code: str, decision: Any, decided: list[int]) -> str:
        """Why the verdict is what it is, in words: the deciding rule's own reason."""
        if decision.filing == "not_assessed":
            first = decision.modelled_from
            later = f"; the modelled law starts on {first.isoformat()}" if first and first > self.ev.as_of else ""
            return (f"No {self.compiled.rulebook.regime(code).name} filing law is modelled for "
                    f"{self.ev.as_of.isoformat()}{later}. The verdict is not assessed, not 'not required'.")
        if not decided:
            return ("No rule decides the filing on the stated facts: no filing test is shown to be met, and none "
                    "is shown to fail on known figures.")
        first = min(decided, key=self._support_order)
        reason = self.findings[first].reason
        if decision.filing != "undetermined":
            return reason
        # The deciding rule matched only on facts nobody stated: its reason is written for the case
        # where it holds, so say first that it does not (yet), and which way it would go.
        verdict = self.compiled.rules[self.ev.firings[first].rule_id].rule.spec.verdict
        direction = OPEN_DIRECTION.get(verdict.filing if verdict is not None else "", "Not settled")
        return f"{direction}{OPEN_SEPARATOR}{run_on(reason)}"

    def _support_order(self, i: int) -> tuple[bool, int, str]:
        """Deciding firings best supported first: one another match of its rule supersedes last,
        then by how many of the derived facts it used are still open, then by id. A full
        acquisition is explained by its majority of the votes, not by vetoes nobody stated."""
        derived = self.ev.derived
        open_inputs = sum(1 for d in self.ev.firings[i].derived_inputs if d in derived and derived[d].status == "maybe")
        return i in self.superseded, open_inputs, self.ids[i]

    def _basis_status(self, decided: list[int]) -> Literal["verified", "secondary", "unverified"]:
        """The weakest verification status among the rules a verdict rests on, through the
        derived facts they used."""
        order = {"verified": 0, "secondary": 1, "unverified": 2}
        worst: Literal["verified", "secondary", "unverified"] = "verified"
        seen: set[str] = set()
        queue = [self.ids[i] for i in decided]
        by_id = {f.id: f for f in self.findings.values()}
        while queue:
            fid = queue.pop()
            if fid in seen or fid not in by_id:
                continue
            seen.add(fid)
            finding = by_id[fid]
            if order[finding.basis.status] > order[worst]:
                worst = finding.basis.status
            queue += finding.because
        return worst

    def _headline(self, code: str, filing: str, decided: list[int], reach: list[ReachRoute],
                  exposed: str = "", assumed: str = "") -> str:
        regime = self.compiled.rulebook.regime(code)
        if filing == "not_assessed":
            return f"{regime.name}: not assessed: no law modelled for {self.ev.as_of.isoformat()}"
        text = {
            "mandatory": "filing mandatory",
            "voluntary": "jurisdiction to review; filing voluntary",
            "not_required": "no filing required",
            "undetermined": "filing undetermined",
        }[filing] + assumed
        rules = list(dict.fromkeys(sorted(self.ev.firings[i].rule_id for i in decided)))
        if filing == "not_required":
            spec = self.compiled.rules[rules[0]].rule.spec
            text += f": {spec.title[0].lower()}{spec.title[1:]} ({', '.join(rules)})"
        elif rules:
            text += f" ({', '.join(rules)})"
        else:
            text += " (no rule decides on the stated facts)"
        if exposed:
            text += f"; {exposed}"
        held = {r.route for r in reach if r.status == "holds"}
        routes = [f"{_ROUTE_TEXT[r.route]}{'' if r.status == 'holds' else ' (possible)'}"
                  for r in reach if r.status == "holds" or (r.status == "possible" and r.route not in held)]
        if routes:
            text += "; still reachable by " + ", ".join(dict.fromkeys(routes))
        alive = {r.route for r in reach if r.status != "expired"}
        lapsed: dict[str, date] = {}
        for r in reach:
            if r.status == "expired" and r.until is not None and r.route not in alive:
                lapsed[r.route] = max(r.until, lapsed.get(r.route, r.until))
        if lapsed:
            text += "; " + ", ".join(f"{_ROUTE_TEXT[k]} expired on {d.isoformat()}" for k, d in lapsed.items())
        return f"{regime.name}: {text}"

    def theories(self) -> list[TheoryReport]:
        from antitrust.theory_report import theory_report

        return [theory_report(self, theory, self.compiled.rulebook.theory_title(theory))
                for theory in active_theories(self.ev)]

    def build(self) -> Report:
        self.windows = windows(self.ev, self.today)
        self.finding_ids()
        for i in range(len(self.ev.firings)):
            self.confidence_of(i)
        jurisdictions = self.jurisdictions()
        theories = self.theories()
        params_used = [
            ParamUse(name=n, value=format_value(v.value, self.compiled.rulebook.parameters[n].unit),  # type: ignore[arg-type]
                     effective_from=v.from_, citation=v.citation, url=v.url, status=v.status)
            for n, v in sorted(self.compiled.params_used.items())
        ]
        warnings = [*self.ev.warnings, *self.warnings_for(params_used)]
        summary = [j.headline for j in jurisdictions]
        summary += [t.headline for t in theories if t.band in {"high", "medium"}]
        overall = None
        if self.compiled.rulebook.overall is not None:
            from antitrust.overall import overall_risk

            overall = overall_risk(self.compiled.rulebook.overall, jurisdictions, theories)
            summary.insert(0, f"Overall risk: {overall.band} ({overall.reasons[0]})")
        return Report(
            meta=ReportMeta(
                tool_version=__version__,
                deal_id=self.ev.deal.id,
                deal_title=self.ev.deal.title,
                as_of=self.ev.as_of,
                checked_on=self.today,
                rulebook_hash=self.compiled.rulebook.content_hash,
                rules_loaded=len(self.compiled.rulebook.rules),
                rules_inactive=dict(sorted(self.compiled.inactive.items())),
                near_miss_band=self.band if self.band is not None else DEFAULT_BAND,
                strict=self.ev.strict,
            ),
            summary=summary,
            jurisdictions=jurisdictions,
            theories=theories,
            findings=[self.findings[i] for i in sorted(self.findings, key=lambda i: self.ids[i])],
            conversions=self.conversions(),
            parameters=params_used,
            warnings=warnings,
            near_misses=near_misses(self.ev, self.band) if self.band is not None else [],
            overall=overall,
        )

    def conversions(self) -> list[Conversion]:
        seen: dict[tuple[str, str, str], Conversion] = {}
        for c in self.ev.flat.conversions:
            key = (c.what, c.original, c.result)
            seen.setdefault(key, Conversion(
                what=c.what, original=c.original,
                rate=f"{c.rate_name} = {c.rate:g} ({c.rate_label or c.rate_from.year})",
                result=c.result, status=c.status,
            ))
        return sorted(seen.values(), key=lambda c: (c.what, c.result))

    def warnings_for(self, params: list[ParamUse]) -> list[str]:
        # Only values that some finding of this deal used: the rest of the rulebook is not at issue.
        used = {p.name for f in self.findings.values() for p in f.parameters}
        out = []
        for p in params:
            if p.status == "unverified" and p.name in used:
                out.append(f"{p.name} = {p.value} is unverified; conclusions that use it rest on an unconfirmed value")
        for name in sorted(used & set(self.compiled.params_used)):
            param = self.compiled.rulebook.parameters[name]
            if param.review_by is not None and param.review_by < self.today:
                out.append(f"{name} was due for review by {param.review_by.isoformat()}; check it is still current")
        book = self.compiled.rulebook
        for regime in book.regimes.values():
            out += stale_values(regime, book.parameters, used & set(self.compiled.params_used), self.ev.as_of)
        return out




def build_report(evaluation: Evaluation, today: date | None = None, *,
                 near_miss_band: float | None = DEFAULT_BAND) -> Report:
    """Arrange an evaluation's firings into a report (``today`` checks parameter review dates).

    ``near_miss_band`` is the relative distance within which a failed comparison counts as a near
    miss (default 10%); ``None`` leaves margins and near misses out, for callers that only need
    verdicts and bands (sweeps, flip searches)."""
    day = today or evaluation.today or date.today()
    report = _Builder(evaluation, day, near_miss_band).build()
    if evaluation.deal.steps:
        from antitrust.steps import step_reports

        report = report.model_copy(update={"steps": step_reports(evaluation, day)})
    report = with_precedents(report, evaluation)
    return with_requests_and_steps(report, evaluation.deal)


def with_precedents(report: Report, evaluation: Evaluation) -> Report:
    """The report with its nearest precedents: the decided cases that ship with the package, most
    similar first (antitrust/precedents.py); none where no case folder is installed."""
    from antitrust.bundled import bundled_cases_dir
    from antitrust.precedents import TOP, euro_converter, load_library, rank

    folder = bundled_cases_dir()
    if folder is None or report.precedents:
        return report
    library = load_library(folder, strict=False)
    to_eur = euro_converter(evaluation.compiled.rulebook.parameters)
    return report.model_copy(update={"precedents": rank(evaluation.deal, library, to_eur, top=TOP)})


def with_requests_and_steps(report: Report, deal: Any) -> Report:
    """Fill the information requests and next steps (unless a rule-based builder already did)."""
    from antitrust.info_requests import build_info_requests
    from antitrust.next_steps import build_next_steps

    requests = report.info_requests or build_info_requests(report, [p.name for p in deal.parties])
    report = report.model_copy(update={"info_requests": requests})
    closing = getattr(deal.transaction.closing, "value", None)
    notified = frozenset(a.authority for a in getattr(deal, "authority_acts", []) if a.act in ("notified", "cleared"))
    steps = report.next_steps or build_next_steps(report, closing if isinstance(closing, date) else None, notified)
    return report.model_copy(update={"next_steps": steps})
