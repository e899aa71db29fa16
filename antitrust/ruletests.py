"""Run the tests that rules declare, and the scenario files beside them.

A rule's own test is a small deal fragment and what the rule must do with it (fires,
does_not_fire, undetermined). A fragment is merged over a minimal two-party deal (acquirer
``a``, target ``t``, a share acquisition closing on 13 June 2025). Parties merge by id; other
lists replace the base list.

A scenario file (``*.tests.yaml`` beside the rule files) holds tests of the rulebook as a
whole: a fragment (or a whole deal file via ``case:``) and what must follow from it: rules that
fire or not, derived facts, filing verdicts per jurisdiction and risk bands per theory::

    tests:
      - name: 49% non-voting stake for USD 14.8bn
        deal:
          transaction: {types: [share_acquisition], closing: 2025-06-13, consideration: 14.8bn USD}
          stakes: [{holder: a, issuer: t, equity_after: 49, voting_after: 0, share_class: non_voting}]
        expect:
          fires: [US-HSR-NONVOTING]
          does_not_fire: [US-HSR-VOTING-ACQUISITION]
          derived: [us_nonvoting_stake]
          verdicts: {US: not_required}

Each failure carries a diff of what was expected and what happened, and for a rule that did
not fire as expected, which parts of its condition were false or unknown.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from antitrust.deal import Deal
from antitrust.errors import InputError, InputErrors, Location, RulebookError
from antitrust.evaluate import Evaluation, evaluate
from antitrust.rulebook import LoadedRule, Rulebook, is_scenario_file
from antitrust.rulespec import Jurisdiction, Theory

#: The date rule tests are evaluated on unless a test says otherwise (the base deal's closing).
DEFAULT_AS_OF = date(2025, 6, 13)

BASE_DEAL: dict[str, Any] = {
    "schema_version": 1,
    "id": "rule-test",
    "title": "Rule test",
    "parties": [
        {"id": "a", "name": "Acquirer", "role": "acquirer"},
        {"id": "t", "name": "Target", "role": "target"},
    ],
    "transaction": {"types": ["share_acquisition"], "closing": "2025-06-13"},
}


def merge(base: Any, fragment: Any) -> Any:
    """Deep-merge ``fragment`` over ``base`` (parties by id; other lists are replaced)."""
    if isinstance(base, dict) and isinstance(fragment, dict):
        out = dict(base)
        for key, value in fragment.items():
            if key == "parties" and isinstance(value, list) and isinstance(base.get(key), list):
                by_id = {p["id"]: p for p in base[key] if isinstance(p, dict) and "id" in p}
                merged = []
                for p in value:
                    pid = p.get("id") if isinstance(p, dict) else None
                    merged.append(merge(by_id.pop(pid), p) if pid in by_id else p)
                out[key] = list(by_id.values()) + merged
            else:
                out[key] = merge(base.get(key), value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(fragment)


@dataclass(frozen=True)
class RuleTestResult:
    """One test's outcome. ``rule_id`` is None for a scenario test (it tests the whole rulebook)."""

    rule_id: str | None
    name: str
    expect: str
    actual: str
    location: Location
    error: str | None = None
    fired_rules: tuple[str, ...] = ()
    #: What differed: "- expected" / "+ actual" lines, then "  why" lines.
    diff: tuple[str, ...] = ()
    suite: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None and self.expect == self.actual and not self.diff

    @property
    def title(self) -> str:
        return f"{self.rule_id} [{self.name}]" if self.rule_id else f"scenario [{self.name}]"


def outcome(evaluation: Evaluation, rule_id: str) -> str:
    statuses = {f.status for f in evaluation.firings_of(rule_id)}
    if "yes" in statuses:
        return "fires"
    if "maybe" in statuses:
        return "undetermined"
    return "does_not_fire"


def _fired(ev: Evaluation) -> tuple[str, ...]:
    return tuple(sorted({f.rule_id for f in ev.firings if f.status == "yes"}))


class _Locator:
    """Positions of tests in rule and scenario files, read again only for failures."""

    def __init__(self, book: Rulebook) -> None:
        self.docs: dict[str, Any] = {}
        self.index: dict[str, int] = {}
        by_file: dict[str, list[tuple[int, str]]] = {}
        for r in book.rules:
            by_file.setdefault(r.location.path, []).append((r.location.line, r.id))
        for items in by_file.values():
            for i, (_line, rid) in enumerate(sorted(items)):
                self.index.setdefault(rid, i)

    def at(self, path: str, keys: tuple[str | int, ...], fallback: Location) -> Location:
        from antitrust.yamlio import load

        if path not in self.docs:
            try:
                self.docs[path] = load(path)
            except InputError:
                self.docs[path] = None
        doc = self.docs[path]
        return doc.locate(keys) if doc is not None else fallback

    def test(self, rule: LoadedRule, j: int) -> Location:
        i = self.index.get(rule.id)
        if i is None:
            return rule.location
        return self.at(rule.location.path, ("rules", i, "tests", j, "name"), rule.location)


def run_rule_tests(book: Rulebook, rule_ids: set[str] | None = None) -> list[RuleTestResult]:
    results = []
    where = _Locator(book)
    for rule in book.rules:
        if rule_ids is not None and rule.id not in rule_ids:
            continue
        for j, test in enumerate(rule.spec.tests):
            data = merge(BASE_DEAL, test.deal)
            suite = rule.location.path
            try:
                deal = Deal.model_validate(data)
                ev = evaluate(deal, book, as_of=test.as_of or DEFAULT_AS_OF,
                              today=test.today or test.as_of or DEFAULT_AS_OF, strict=test.strict)
            except (InputError, InputErrors, ValueError) as exc:
                results.append(RuleTestResult(rule.id, test.name, test.expect, "error", where.test(rule, j),
                                              error=f"the test's deal is invalid: {_one_line(exc)}", suite=suite))
                continue
            actual = outcome(ev, rule.id)
            diff: tuple[str, ...] = ()
            location = rule.location
            if actual != test.expect:
                diff = (f"- expected: {test.expect}", f"+ actual:   {actual}", *why_not(ev, rule.id))
                location = where.test(rule, j)
            results.append(RuleTestResult(rule.id, test.name, test.expect, actual, location,
                                          fired_rules=_fired(ev), diff=diff, suite=suite))
    return results


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def why_not(ev: Evaluation, rule_id: str) -> list[str]:
    """For each kind of fact the rule matches, the parts of its condition that were not true
    on the candidate fact that came closest (most parts true)."""
    from antitrust.reporting import display
    from antitrust.truth import atom_truth

    if rule_id in ev.compiled.inactive:
        return [f"  why: the rule is not in force on {ev.as_of}: {ev.compiled.inactive[rule_id]}"]
    crule = ev.compiled.rules.get(rule_id)
    if crule is None:
        return []
    out: list[str] = []
    for kind in crule.patterns:
        atoms = [a for a in crule.atoms if a.fact == kind]
        if kind in ev.compiled.rulebook.derived:
            held = [d for d in ev.derived.values() if d.name == kind]
            if not held:
                out.append(f"  why: no rule derived {kind}")
            elif all(d.status != "yes" for d in held):
                out.append(f"  why: {kind} is only possibly true (undetermined)")
            continue
        candidates = [f for f in ev.flat.facts if f["t"] == kind]
        if not candidates:
            out.append(f"  why: the deal has no {kind} fact")
            continue

        def score(fact: dict[str, Any], _atoms: list[Any] = atoms) -> int:
            return sum(1 for a in _atoms if atom_truth(a, fact) is True)

        best = max(candidates, key=score)
        for a in atoms:
            truth = atom_truth(a, best)
            if truth is True or a.field is None:
                continue
            value = display(a.fact, a.field, best.get(a.field))
            state = "false" if truth is False else "unknown"
            out.append(f"  why: {a.text} is {state} ({a.fact}.{a.field} = {value})")
    return out


# -- scenario files -----------------------------------------------------------------------------
FilingOut = Literal["mandatory", "voluntary", "not_required", "undetermined"]
BandOut = Literal["none", "low", "medium", "high"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScenarioExpect(_Strict):
    fires: list[str] = Field(default_factory=list, description="Rules whose condition must be true.")
    does_not_fire: list[str] = Field(default_factory=list, description="Rules that must neither fire nor be undetermined.")
    undetermined: list[str] = Field(default_factory=list, description="Rules whose condition must be undetermined.")
    derived: list[str] = Field(default_factory=list, description="Derived facts that must hold.")
    not_derived: list[str] = Field(default_factory=list, description="Derived facts that must not hold.")
    verdicts: dict[Jurisdiction, FilingOut] = Field(default_factory=dict, description="Filing verdict per jurisdiction.")
    bands: dict[Theory, BandOut] = Field(default_factory=dict, description="Risk band per theory of harm.")


class Scenario(_Strict):
    name: str
    deal: dict[str, Any] = Field(default_factory=dict, description="Merged over a minimal two-party deal.")
    case: str | None = Field(None, description="A deal file instead of a fragment, relative to this file.")
    as_of: date | None = None
    expect: ScenarioExpect

    @model_validator(mode="after")
    def _one_deal(self) -> Scenario:
        if self.case and self.deal:
            raise ValueError("give either 'deal' (a fragment) or 'case' (a deal file), not both")
        return self


class ScenarioFile(_Strict):
    tests: list[Scenario]


def find_scenario_files(paths: Sequence[str | Path]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(x for x in p.rglob("*") if x.is_file() and is_scenario_file(x))
        elif is_scenario_file(p):
            out.append(p)
    return out


def load_scenarios(path: Path) -> tuple[ScenarioFile, Any]:
    from antitrust.validation import validate_document
    from antitrust.yamlio import load

    try:
        doc = load(path)
    except InputError as exc:
        raise RulebookError(exc.location, exc.message) from None
    return validate_document(ScenarioFile, doc, RulebookError), doc


def run_scenarios(book: Rulebook, files: Sequence[Path]) -> list[RuleTestResult]:
    """Run every scenario in ``files``; a malformed file raises (exit 2 in the CLI)."""
    from antitrust.loading import load_deal
    from antitrust.reporting import build_report
    from antitrust.validation import did_you_mean

    problems: list[InputError] = []
    loaded = []
    for path in files:
        try:
            loaded.append((path, *load_scenarios(path)))
        except (InputError, InputErrors) as exc:
            problems += exc.errors if isinstance(exc, InputErrors) else [exc]
    if problems:
        raise problems[0] if len(problems) == 1 else InputErrors(problems)
    results = []
    known_rules = {r.id for r in book.rules}
    for _path, sf, doc in loaded:
        for j, sc in enumerate(sf.tests):
            for key in ("fires", "does_not_fire", "undetermined", "derived", "not_derived"):
                known = known_rules if key in {"fires", "does_not_fire", "undetermined"} else set(book.derived)
                what = "rule" if key in {"fires", "does_not_fire", "undetermined"} else "derived fact"
                for k, name in enumerate(getattr(sc.expect, key)):
                    if name not in known:
                        problems.append(RulebookError(
                            doc.locate(("tests", j, "expect", key, k)),
                            f"scenario {sc.name!r}: no {what} {name!r} in the rulebook{did_you_mean(name, known)}",
                            field=f"tests.{j}.expect.{key}"))
    if problems:
        raise problems[0] if len(problems) == 1 else InputErrors(problems)
    for path, sf, doc in loaded:
        for j, sc in enumerate(sf.tests):
            where = doc.locate(("tests", j, "name"))
            try:
                deal = (load_deal(path.parent / sc.case, verify_sources=False) if sc.case
                        else Deal.model_validate(merge(BASE_DEAL, sc.deal)))
                ev = evaluate(deal, book, as_of=sc.as_of or (None if sc.case else DEFAULT_AS_OF),
                              today=sc.as_of or DEFAULT_AS_OF)
            except (InputError, InputErrors, ValueError) as exc:
                results.append(RuleTestResult(None, sc.name, "pass", "error", where, suite=str(path),
                                              error=f"the scenario's deal is invalid: {_one_line(exc)}"))
                continue
            diff: list[str] = []
            for expected, rule_ids in (("fires", sc.expect.fires), ("does_not_fire", sc.expect.does_not_fire),
                                       ("undetermined", sc.expect.undetermined)):
                for rid in rule_ids:
                    got = outcome(ev, rid)
                    if got != expected:
                        diff += [f"{rid}:", f"- expected: {expected}", f"+ actual:   {got}", *why_not(ev, rid)]
            held = {d.name for d in ev.derived.values() if d.status == "yes"}
            for name in sc.expect.derived:
                if name not in held:
                    diff += [f"derived {name}:", "- expected: holds", "+ actual:   does not hold"]
            for name in sc.expect.not_derived:
                if name in held:
                    diff += [f"derived {name}:", "- expected: does not hold", "+ actual:   holds"]
            if sc.expect.verdicts or sc.expect.bands:
                report = build_report(ev, today=ev.as_of)
                filings = {j.code: j.filing for j in report.jurisdictions}
                bands = {t.theory: t.band for t in report.theories}
                for code, want in sc.expect.verdicts.items():
                    got_filing = filings.get(code, "(no rules for this jurisdiction)")
                    if got_filing != want:
                        diff += [f"verdict {code}:", f"- expected: {want}", f"+ actual:   {got_filing}"]
                for theory, want_band in sc.expect.bands.items():
                    got_band = bands.get(theory, "(no rules for this theory)")
                    if got_band != want_band:
                        diff += [f"band {theory}:", f"- expected: {want_band}", f"+ actual:   {got_band}"]
            results.append(RuleTestResult(None, sc.name, "pass", "fail" if diff else "pass", where,
                                          fired_rules=_fired(ev), diff=tuple(diff), suite=str(path)))
    return results


def coverage(book: Rulebook, results: list[RuleTestResult]) -> tuple[float, list[str]]:
    """Share of rules that fired in at least one test (their own, another rule's, or a scenario)."""
    fired = {r for res in results for r in res.fired_rules}
    never = sorted(r.id for r in book.rules if r.id not in fired)
    total = len(book.rules)
    return (100.0 * (total - len(never)) / total if total else 100.0), never


def junit_xml(results: list[RuleTestResult], covered: float, never: list[str], min_coverage: float = 0.0) -> str:
    """The results as JUnit XML (one test suite per rule or scenario file, and one for rule
    coverage that fails below ``min_coverage``), for CI dashboards."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="antitrust rules test", tests=str(len(results)),
                      failures=str(sum(1 for r in results if not r.ok and r.error is None)),
                      errors=str(sum(1 for r in results if r.error is not None)))
    suites: dict[str, list[RuleTestResult]] = {}
    for r in results:
        suites.setdefault(r.suite or "rules", []).append(r)
    for name, items in suites.items():
        suite = ET.SubElement(root, "testsuite", name=name, tests=str(len(items)),
                              failures=str(sum(1 for r in items if not r.ok and r.error is None)),
                              errors=str(sum(1 for r in items if r.error is not None)))
        for r in items:
            case = ET.SubElement(suite, "testcase", classname=r.rule_id or "scenario", name=r.name,
                                 file=r.location.path, line=str(r.location.line))
            if r.error is not None:
                ET.SubElement(case, "error", message=r.error).text = r.error
            elif not r.ok:
                message = f"expected {r.expect}, got {r.actual}" if r.rule_id else "scenario expectations not met"
                ET.SubElement(case, "failure", message=message).text = "\n".join(r.diff)
    below = covered < min_coverage
    suite = ET.SubElement(root, "testsuite", name="rule coverage", tests="1", failures=str(int(below)), errors="0")
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="rule_coverage_percent", value=f"{covered:.1f}")
    ET.SubElement(props, "property", name="rules_never_fired", value=" ".join(never))
    case = ET.SubElement(suite, "testcase", classname="coverage", name=f"rule coverage >= {min_coverage:g}%")
    if below:
        ET.SubElement(case, "failure", message=f"rule coverage {covered:.1f}% is below {min_coverage:g}%").text = (
            "never fired in a test: " + ", ".join(never))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
