"""JSON Schemas (schemas/*.schema.json): committed copies are current, editors' modelines point at
them, the project's own files validate against them, and the JSON report validates too.

Regenerate with:
    for n in deal rules parameters report regimes; do antitrust schema $n -o schemas/$n.schema.json; done
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from antitrust.cli import app
from antitrust.schemas import NAMES, schema_for
from antitrust.yamlio import load

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)\s*$")


def validator(name: str) -> Any:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def errors(name: str, data: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(name).iter_errors(data)]


@pytest.mark.parametrize("name", NAMES)
def test_committed_schema_is_current(name: str) -> None:
    result = CliRunner().invoke(app, ["schema", name])
    assert result.exit_code == 0
    expected = json.dumps(schema_for(name), indent=2, ensure_ascii=False) + "\n"
    assert result.stdout == expected
    committed = (SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8")
    assert committed == expected, (
        f"schemas/{name}.schema.json is out of date; run: antitrust schema {name} -o schemas/{name}.schema.json")


def _yaml_files() -> list[Path]:
    return sorted([*(ROOT / "rules").rglob("*.yaml"), *(ROOT / "cases").glob("*.yaml")])


@pytest.mark.parametrize("path", _yaml_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_files_validate_against_the_schema_their_modeline_names(path: Path) -> None:
    expected = ("deal" if path.parent.name == "cases" else "parameters" if path.parent.name == "params"
                else "regimes" if path.name == "regimes.yaml" else "rules")
    m = MODELINE.match(path.read_text(encoding="utf-8").splitlines()[0])
    if m is None:
        # Rule and case files must name their schema; parameter files may (the editor then checks them too).
        assert expected == "parameters", (
            f"{path.relative_to(ROOT)} has no '# yaml-language-server: $schema=...' first line")
    else:
        target = (path.parent / m.group(1)).resolve()
        assert target == SCHEMAS / f"{expected}.schema.json"
    assert errors(expected, load(path).data) == []


def test_the_json_report_validates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, ["evaluate", "cases/meta-scale-ai.yaml", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert errors("report", json.loads(result.stdout)) == []


@pytest.mark.parametrize(("value", "ok"), [
    ("14.8bn USD", True), ("EUR 400m", True), ("€17.5m", True), ({"amount": 1, "currency": "USD"}, True),
    ("unknown", True), ({"unknown": True, "at_least": "1bn USD"}, True), (None, True),
    ({"value": "870m USD", "source": "de-news-meta-scale-deal#p4", "confidence": "medium"}, True),
    ("a lot", False), ({"value": "1bn USD", "sauce": "x"}, False),
])
def test_deal_schema_accepts_the_shorthand_deal_files_use(value: Any, ok: bool) -> None:
    deal = {"schema_version": 1, "id": "x", "title": "x",
            "parties": [{"id": "a", "name": "A", "role": "acquirer"}, {"id": "t", "name": "T", "role": "target"}],
            "transaction": {"types": ["share_acquisition"], "consideration": value}}
    assert (errors("deal", deal) == []) == ok


def test_deal_schema_flags_what_the_loader_rejects() -> None:
    data = load(ROOT / "tests" / "broken" / "deals" / "unknown_field.yaml").data
    assert any("equity_afer" in e for e in errors("deal", data))


def test_rules_schema_describes_the_condition_language() -> None:
    schema = json.loads((SCHEMAS / "rules.schema.json").read_text(encoding="utf-8"))
    assert "docs/rule-language.md" in schema["$defs"]["Rule"]["properties"]["when"]["description"]


#: The facts that state a theory's evidence (and a precedent's review depth): each is in the deal
#: schema with a description, and has a broken-file case in tests/broken/deals/.
EVIDENCE_FIELDS = {
    "Workforce.share_moved": "share_moved_over_100.yaml",
    "MarketShare.share": "market_share_bounds_reversed.yaml",
    "Market.combined_share": "combined_share_in_words.yaml",
    "MarketShare.rank": "rank_not_whole.yaml",
    "Party.competes_with_target": "competes_with_target_not_bool.yaml",
    "MarketShare.dominant": "market_dominant_not_bool.yaml",
    "Party.users": "users_negative.yaml",
    "DataLink.about": "data_access_unknown_party.yaml",
    "ComplementLink.kind": "complement_kind.yaml",
    "Market.overlap_size": "overlap_size_value.yaml",
    "SupplyLink.confidence": "supply_confidence.yaml",
    "Market.rest_max_share": "rest_max_share_over_100.yaml",
    "Party.emerging_rival": "emerging_rival_not_bool.yaml",
    "InDepthReview.stage": "in_depth_review_without_stage.yaml",
}


@pytest.mark.parametrize("field", sorted(EVIDENCE_FIELDS))
def test_each_evidence_field_is_described_in_the_schema_and_has_a_broken_case(field: str) -> None:
    from .test_broken_files import CASES

    model, name = field.split(".")
    defs = json.loads((SCHEMAS / "deal.schema.json").read_text(encoding="utf-8"))["$defs"]
    prop = defs[model]["properties"][name]
    assert prop.get("description"), f"{field} has no description in schemas/deal.schema.json"
    broken = f"tests/broken/deals/{EVIDENCE_FIELDS[field]}"
    assert (ROOT / broken).is_file()
    assert any(path == broken and name in lines[0] for path, _cmd, _code, lines in CASES), field
