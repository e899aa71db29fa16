"""The rulebook's own tests, and what every rule and parameter must carry.

Each test a rule declares runs as its own pytest case (id ``RULE-ID/test name``). Beyond that,
every rule needs a test where it fires and one where it does not, a legal basis with a citation and
a URL, and every dated parameter value a citation, a URL and a date.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from antitrust.rulebook import Rulebook, load_rulebook
from antitrust.ruletests import RuleTestResult, coverage, run_rule_tests

from .conftest import ROOT

_BOOK = load_rulebook(ROOT / "rules")
TEST_IDS = [f"{rule.id}/{test.name}" for rule in _BOOK.rules for test in rule.spec.tests]
_URL = re.compile(r"^https?://[^\s/]+\.[^\s/]+")


@pytest.fixture(scope="module")
def results(rulebook: Rulebook) -> dict[str, RuleTestResult]:
    out: dict[str, RuleTestResult] = {}
    for r in run_rule_tests(rulebook):
        assert r.rule_id is not None
        out[f"{r.rule_id}/{r.name}"] = r
    return out


def test_rule_test_names_are_unique() -> None:
    assert len(TEST_IDS) == len(set(TEST_IDS)), "two tests of one rule share a name"


@pytest.mark.parametrize("test_id", TEST_IDS)
def test_rule(test_id: str, results: dict[str, RuleTestResult]) -> None:
    r = results[test_id]
    assert r.error is None, r.error
    assert r.actual == r.expect, f"{test_id}: expected {r.expect}, got {r.actual} (rules that fired: {', '.join(r.fired_rules)})"


def test_every_rule_fires_in_some_test(rulebook: Rulebook, results: dict[str, RuleTestResult]) -> None:
    covered, never = coverage(rulebook, list(results.values()))
    assert covered == 100.0, f"rules that never fire in any test: {never}"


def test_every_rule_has_a_firing_and_a_non_firing_test(rulebook: Rulebook) -> None:
    missing = []
    for rule in rulebook.rules:
        expects = {t.expect for t in rule.spec.tests}
        if not {"fires", "does_not_fire"} <= expects:
            missing.append(f"{rule.id} ({', '.join(sorted(expects)) or 'no tests'})")
    assert not missing, "rules without both a firing and a non-firing test: " + "; ".join(missing)


def test_every_rule_cites_its_legal_basis(rulebook: Rulebook) -> None:
    for rule in rulebook.rules:
        basis = rule.spec.basis
        assert basis.citation.strip(), rule.id
        assert _URL.match(basis.url), f"{rule.id}: {basis.url!r} is not a URL"
        assert basis.status in {"verified", "secondary", "unverified"}, rule.id


def test_every_parameter_value_is_dated_and_cited(rulebook: Rulebook) -> None:
    for name, p in rulebook.parameters.items():
        assert p.title.strip(), name
        for v in p.values:
            where = f"{name} from {v.from_}"
            assert isinstance(v.from_, date), where
            assert v.citation.strip(), where
            assert _URL.match(v.url), f"{where}: {v.url!r} is not a URL"
            if v.until is not None:
                assert v.until >= v.from_, where


def test_unconfirmed_values_are_marked_so(rulebook: Rulebook) -> None:
    """A value left empty because it was not confirmed must not claim to be verified."""
    for name, p in rulebook.parameters.items():
        for v in p.values:
            if v.value is None:
                assert v.status == "unverified", f"{name} from {v.from_} has no value but status {v.status}"


def test_2026_hsr_fee_tiers_without_a_confirmed_fee_are_inactive(rulebook: Rulebook) -> None:
    from antitrust.compiler import compile_rulebook

    compiled = compile_rulebook(rulebook, date(2026, 6, 1))
    assert {"US-HSR-FEE-BAND-3", "US-HSR-FEE-BAND-4", "US-HSR-FEE-BAND-5"} <= set(compiled.inactive)
    assert "US-HSR-FEE-BAND-6" not in compiled.inactive
    assert all("no confirmed value" in compiled.inactive[f"US-HSR-FEE-BAND-{n}"] for n in (3, 4, 5))


def test_the_rulebook_stays_within_the_engines_fan_out(rulebook: Rulebook) -> None:
    from antitrust.compiler import FANOUT_LIMIT, compile_rulebook

    for at in (date(2014, 10, 6), date(2021, 7, 21), date(2025, 6, 13), date(2026, 11, 23)):
        compiled = compile_rulebook(rulebook, at)
        worst = max(compiled.fanout.values())
        assert worst <= FANOUT_LIMIT, f"{at}: {worst} compiled rules match one kind of fact"
