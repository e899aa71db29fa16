"""`antitrust explain`: proof trees down to the deal file's lines and the seeds/ locators, near
misses, and the CLI's exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from antitrust.cli import app
from antitrust.evaluate import evaluate
from antitrust.explain import Explanation, ProofNode, explain, locate_deal_path, render_text
from antitrust.loading import load_deal
from antitrust.rulebook import Rulebook
from antitrust.yamlio import load

ROOT = Path(__file__).resolve().parent.parent
CASE = Path("cases/meta-scale-ai.yaml")
TOOLING = ROOT / "tests" / "data" / "tooling"


@pytest.fixture(autouse=True)
def in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def line_of(path: Path, text: str) -> int:
    """1-based line of the first line of ``path`` containing ``text``."""
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


@pytest.fixture(scope="module")
def meta(rulebook: Rulebook) -> tuple[object, Path]:
    return evaluate(load_deal(ROOT / CASE), rulebook), CASE


def _walk(nodes: list[ProofNode]) -> list[ProofNode]:
    out = []
    for n in nodes:
        out.append(n)
        for c in n.checks:
            out += _walk(c.because)
    return out


def test_german_verdict_goes_down_to_the_seeds(meta: tuple[object, Path]) -> None:
    ev, case = meta
    e = explain(ev, case, "DE")  # type: ignore[arg-type]
    assert e.subject == "verdict DE"
    assert e.headline.startswith("Germany: filing undetermined")
    nodes = _walk(e.proofs)
    rules = {n.rule_id for n in nodes}
    assert "DE-GWB35-1A-TRANSACTION-VALUE" in rules
    assert "DE-GWB37-CAPITAL-25" in rules  # the derived de_concentration, explained by the rule behind it
    capital = next(n for n in nodes if n.rule_id == "DE-GWB37-CAPITAL-25" and not n.see_above)
    equity = next(c for c in capital.checks if c.fact == "stake.equity_after")
    assert (equity.truth, equity.value) == ("true", "49%")
    assert equity.threshold is not None and equity.threshold.param == "de.gwb37.capital_low"
    origin = equity.origins[0]
    assert origin.path == "stakes[0].equity_after"
    assert origin.location == f"{CASE}:{line_of(ROOT / CASE, 'equity_after:')}:5"
    source = origin.sources[0]
    assert source.ref == "de-news-meta-scale-bet#p7"
    seeds = ROOT / "seeds" / "de-news-meta-scale-bet.yaml"
    assert source.location == f"seeds/de-news-meta-scale-bet.yaml:{line_of(seeds, 'locator: p7') + 1}:5"
    assert "49% stake without voting rights" in (source.statement or "")


def test_undetermined_parts_are_marked_unknown(meta: tuple[object, Path]) -> None:
    ev, case = meta
    e = explain(ev, case, "DE")  # type: ignore[arg-type]
    checks = {c.condition: c for n in e.proofs for c in n.checks}
    active = checks["de.target_active"]
    assert (active.truth, active.value) == ("unknown", "unknown")
    assert active.origins[0].note is not None
    assert any(n.startswith("Would be decided by de.target_active") for n in e.notes)


def test_us_near_miss_says_the_securities_are_non_voting(meta: tuple[object, Path]) -> None:
    ev, case = meta
    e = explain(ev, case, "US")  # type: ignore[arg-type]
    assert e.proofs[0].rule_id == "US-HSR-NONVOTING"
    assert e.near_misses is not None
    miss = next(m for m in e.near_misses if m.rule_id == "US-HSR-VOTING-ACQUISITION")
    assert any(x.startswith("US-HSR-SOT-ABOVE-CAP") for x in miss.enables)
    part = miss.misses[0]
    assert part.comparison == "stake.voting_acquired > 0"
    assert part.value == "0%"
    assert "share class non voting" in part.on
    statements = [s.statement or "" for o in part.origins for s in o.sources]
    assert any("without voting rights" in s for s in statements)
    text = render_text(e)
    assert "Rules that came close (within 10% of a threshold):" in text
    assert "✗ stake.voting_acquired > 0" in text


def test_a_rule_that_did_not_fire_is_explained_down_to_its_producers(meta: tuple[object, Path]) -> None:
    ev, case = meta
    e = explain(ev, case, "US-HSR-SOT-ABOVE-CAP")  # type: ignore[arg-type]
    assert "did not fire" in e.headline
    root = e.proofs[0]
    assert root.status == "does not fire"
    missing = [c for c in root.checks if c.fact is None and c.truth == "false"]
    assert missing, "the HSR rule needs a derived fact that no rule established"
    producers = {n.rule_id: n for c in missing for n in c.because}
    voting = producers["US-HSR-VOTING-ACQUISITION"]
    assert voting.status == "does not fire"
    failed = [(c.condition, c.value) for c in voting.checks if c.truth == "false"]
    assert ("stake.voting_acquired > 0", "0%") in failed
    assert any(c.truth == "true" for c in root.checks), "the size of the deal is not what is missing"


def test_findings_and_theories_by_name(meta: tuple[object, Path]) -> None:
    ev, case = meta
    finding = explain(ev, case, "US-CLAYTON-7")  # type: ignore[arg-type]
    assert finding.subject == "finding US-CLAYTON-7"
    assert finding.proofs[0].status == "holds"
    theory = explain(ev, case, "structuring")  # type: ignore[arg-type]
    assert theory.subject == "theory structuring"
    assert theory.proofs and all(p.status == "holds" for p in theory.proofs)


def test_everything_at_once_has_a_section_per_verdict(meta: tuple[object, Path]) -> None:
    ev, case = meta
    e = explain(ev, case, None, near_misses=False)  # type: ignore[arg-type]
    subjects = [s.subject for s in e.sections]
    assert subjects[:5] == ["verdict US", "verdict EU", "verdict DE", "verdict AT", "verdict UK"]
    assert all(s.near_misses is None for s in e.sections)


def test_a_derived_fact_used_twice_is_shown_once(meta: tuple[object, Path]) -> None:
    ev, case = meta
    e = explain(ev, case, "DE")  # type: ignore[arg-type]
    capital = [n for n in _walk(e.proofs) if n.rule_id == "DE-GWB37-CAPITAL-25"]
    assert [n.see_above for n in capital] == [False] + [True] * (len(capital) - 1)


@pytest.mark.parametrize(("path", "text"), [
    ("stakes[0].voting_after", "voting_after:"),
    ("parties[1].turnover[DE]", "jurisdiction: DE"),
    ("parties[0].domestic_activity", None),
    ("transaction.consideration", "consideration:"),
])
def test_provenance_paths_are_found_in_the_deal_file(path: str, text: str | None) -> None:
    doc = load(ROOT / CASE)
    loc = locate_deal_path(doc, path)
    if text is None:
        assert loc is None  # not written in the file
        return
    assert loc is not None
    line = (ROOT / CASE).read_text(encoding="utf-8").splitlines()[loc.line - 1]
    assert text.split(":")[0] in line or "amount" in line


def test_cli_text_and_json(meta: tuple[object, Path]) -> None:
    runner = CliRunner()
    text = runner.invoke(app, ["explain", str(CASE), "DE"])
    assert text.exit_code == 0, text.stderr
    assert text.stdout.startswith("Explanation for cases/meta-scale-ai.yaml (law as of 2025-06-13)\n")
    assert "seeds/de-news-meta-scale-bet.yaml:" in text.stdout
    data = json.loads(runner.invoke(app, ["explain", str(CASE), "de", "--format", "json"]).stdout)
    assert data["subject"] == "verdict DE"
    assert Explanation.__dataclass_fields__.keys() == data.keys()


def test_cli_rejects_an_unknown_subject_with_a_suggestion() -> None:
    result = CliRunner().invoke(app, ["explain", str(CASE), "US-HSR-NONVOTNG"])
    assert result.exit_code == 2
    assert result.stderr.startswith("US-HSR-NONVOTNG: nothing to explain by that name; did you mean 'US-HSR-NONVOTING'?")
    assert result.stdout == ""


def test_cli_rejects_a_broken_deal() -> None:
    result = CliRunner().invoke(app, ["explain", "tests/broken/deals/unknown_field.yaml", "US"])
    assert result.exit_code == 2
    assert result.stderr.startswith("tests/broken/deals/unknown_field.yaml:12:28: unknown field")


def test_cli_with_another_rulebook(tmp_path: Path) -> None:
    deal = tmp_path / "deal.yaml"
    deal.write_text(
        "schema_version: 1\nid: t\ntitle: Test\nparties:\n  - {id: a, name: A, role: acquirer}\n"
        "  - {id: t, name: T, role: target}\n"
        "transaction: {types: [share_acquisition], closing: 2025-06-13, consideration: 95m EUR}\n"
        "stakes:\n  - {holder: a, issuer: t, equity_after: 30, voting_after: 30, share_class: voting}\n",
        encoding="utf-8")
    result = CliRunner().invoke(app, ["explain", str(deal), "US", "--rules", str(TOOLING)])
    assert result.exit_code == 0, result.stderr
    # EUR 95m is 5% below the EUR 100m test threshold: T-BIG is a near miss.
    assert "• T-BIG: A large acquisition of voting shares" in result.stdout
    assert "deal.consideration_eur = EUR 95m is EUR 5m below the EUR 100m threshold (t.value)" in result.stdout
    narrow = CliRunner().invoke(app, ["explain", str(deal), "US", "--rules", str(TOOLING), "--band", "0.01"])
    assert "Rules that came close: none within 1% of a threshold" in narrow.stdout
