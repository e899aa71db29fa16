"""Deal files: shorthand, explicit unknowns, bounds, strictness and cross-references."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antitrust.deal import Fact
from antitrust.errors import DealFileError, InputErrors
from antitrust.loading import load_deal, parse_deal

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = """\
schema_version: 1
id: d
title: Minimal deal
parties:
  - {id: a, name: A, role: acquirer}
  - {id: t, name: T, role: target}
transaction: {types: [share_acquisition]}
"""


def test_fact_shorthand_and_unknowns() -> None:
    assert Fact[float].model_validate(49).value == 49
    assert Fact[float].model_validate("unknown").unknown
    bounded = Fact[float].model_validate({"at_least": 10})
    assert bounded.unknown and bounded.at_least == 10
    sourced = Fact[float].model_validate({"value": 49, "source": "doc#p7"})
    assert sourced.source is not None and (sourced.source.doc, sourced.source.locator) == ("doc", "p7")


def test_a_fact_cannot_be_both_known_and_unknown() -> None:
    with pytest.raises(ValueError, match="either given a value or marked unknown"):
        Fact[float].model_validate({"value": 1, "unknown": True})


def test_seed_case_loads_with_its_sources_checked() -> None:
    deal = load_deal(ROOT / "cases" / "meta-scale-ai.yaml", verify_sources=True)
    stake = deal.stakes[0]
    assert (stake.equity_after.value, stake.voting_after.value, stake.share_class.value) == (49, 0, "non_voting")
    assert deal.transaction.consideration is not None
    assert deal.transaction.consideration.alternatives, "the seeds' 14.8bn and the later 14.3bn are both recorded"


def _error(text: str) -> str:
    with pytest.raises((DealFileError, InputErrors)) as info:
        parse_deal(text, "deal.yaml")
    return str(info.value)


def test_unknown_field_names_line_and_suggestion() -> None:
    message = _error(MINIMAL + "stakes:\n  - {holder: a, issuer: t, equity_aftr: 5, voting_after: 0, share_class: voting}\n")
    assert "deal.yaml:9:" in message
    assert "did you mean 'equity_after'?" in message


def test_wrong_type_and_missing_field() -> None:
    message = _error(MINIMAL.replace("role: target", "role: buyer"))
    assert "deal.yaml:6:" in message and "parties.1.role" in message and "'target'" in message
    assert "missing required field 'title'" in _error(MINIMAL.replace("title: Minimal deal\n", ""))


def test_references_to_unknown_parties_are_errors() -> None:
    message = _error(MINIMAL + "stakes:\n  - {holder: aa, issuer: t, equity_after: 5, voting_after: 0, share_class: voting}\n")
    assert message == "deal.yaml:9:6: stakes.0.holder: no party has id 'aa'; did you mean 'a'?"


def test_malformed_yaml_points_at_the_line() -> None:
    message = _error(MINIMAL + "stakes: [\n")
    assert message.startswith("deal.yaml:") and "invalid YAML" in message


def test_wrong_schema_version() -> None:
    assert "unsupported schema_version 2" in _error(MINIMAL.replace("schema_version: 1", "schema_version: 2"))


def _data(text: str) -> dict[str, Any]:
    from ruamel.yaml import YAML

    return dict(YAML(typ="safe").load(text))


def test_json_deal_files_are_accepted() -> None:
    deal = parse_deal(json.dumps(_data(MINIMAL)), "deal.json")
    assert deal.id == "d"


@settings(deadline=None)  # no wall-clock limit in tests: the machine may be busy
@given(st.dictionaries(st.text(min_size=1, max_size=8), st.integers(), max_size=3))
def test_unexpected_top_level_keys_are_rejected_never_crash(extra: dict[str, int]) -> None:
    data = {**_data(MINIMAL), **{f"x_{k}": v for k, v in extra.items()}}
    text = json.dumps(data)
    if extra:
        with pytest.raises((DealFileError, InputErrors)):
            parse_deal(text, "deal.json")
    else:
        assert parse_deal(text, "deal.json").id == "d"
