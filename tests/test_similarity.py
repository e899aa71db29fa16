"""The similarity behind the nearest precedents (antitrust/similarity.py): bounded in [0, 1],
symmetric, a deal at least as similar to its copy as to anything else, and each feature read
from the deal file as documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from antitrust.deal import Deal
from antitrust.loading import load_deal
from antitrust.similarity import WEIGHTS, Amount, Profile, profile, similarity

ROOT = Path(__file__).resolve().parent.parent
CASES = [load_deal(p) for p in sorted((ROOT / "cases").glob("*.yaml"))]
TAGS = ["share purchase", "hire", "licence", "minority stake", "non-voting shares", "whole company",
        "horizontal", "vertical", "the founder moves", "access to data", "ai", "software", "cloud"]

tags = st.frozensets(st.sampled_from(TAGS), max_size=6)
pct = st.none() | st.floats(0, 100, allow_nan=False)
amounts = st.dictionaries(
    st.sampled_from(["consideration", "acquirer turnover", "target turnover"]),
    st.builds(Amount, st.floats(0, 1e13, allow_nan=False), st.sampled_from(["USD", "EUR", "GBP"]),
              st.none() | st.integers(2000, 2025)),
    max_size=3)
profiles = st.builds(Profile, deal_id=st.just("x"), title=st.just("x"), structure=tags, equity=pct, votes=pct,
                     people=tags, overlaps=tags, sector=tags, sizes=amounts, stake_text=st.just(""))


def to_eur(amount: float, currency: str, year: int | None) -> float | None:
    del year
    return {"EUR": amount, "USD": amount / 1.1, "GBP": amount * 1.2}.get(currency)


@settings(max_examples=200, deadline=None)
@given(profiles, profiles)
def test_similarity_is_bounded_and_symmetric(a: Profile, b: Profile) -> None:
    ab, ba = similarity(a, b, to_eur), similarity(b, a, to_eur)
    assert 0.0 <= ab.score <= 1.0
    assert ab.score == ba.score
    assert {p.feature: p.score for p in ab.parts} == {p.feature: p.score for p in ba.parts}


@settings(max_examples=200, deadline=None)
@given(profiles, profiles)
def test_a_deal_is_most_similar_to_its_copy(a: Profile, b: Profile) -> None:
    copy = Profile(**{**a.__dict__, "deal_id": "copy"})
    assert similarity(a, copy, to_eur).score == 1.0
    assert similarity(a, copy, to_eur).score >= similarity(a, b, to_eur).score


def test_every_case_is_most_similar_to_its_copy() -> None:
    for deal in CASES:
        copy = profile(deal.model_copy(update={"id": "copy"}))
        mine = profile(deal)
        assert similarity(mine, copy).score == 1.0
        assert all(similarity(mine, profile(other)).score < 1.0 for other in CASES if other.id != deal.id), deal.id


def test_weights_add_up_to_one_and_cover_every_feature() -> None:
    assert abs(sum(WEIGHTS.values()) - 1.0) < 1e-9
    a = profile(CASES[0])
    assert {p.feature for p in similarity(a, a).parts} == set(WEIGHTS)


def _deal(**extra: Any) -> Deal:
    base: dict[str, Any] = {
        "schema_version": 1, "id": "d", "title": "D", "transaction": {"types": ["share_acquisition"]},
        "parties": [{"id": "a", "name": "A", "role": "acquirer", "sectors": ["cloud computing"]},
                    {"id": "t", "name": "T", "role": "target", "sectors": ["foundation models"]},
                    {"id": "r", "name": "R", "role": "other", "competes_with_acquirer": True}],
    }
    return Deal.model_validate({**base, **extra})


def test_features_read_from_the_deal_file() -> None:
    minority = profile(_deal(
        stakes=[{"holder": "a", "issuer": "t", "equity_after": 49, "voting_after": 0, "share_class": "non_voting"}],
        people=[{"person": "P", "from_party": "t", "to_party": "a", "seniority": "founder",
                 "keeps_board_seat": True}],
        supply=[{"supplier": "t", "customer": "r"}],
        data_access=[{"party": "a", "about": "t"}],
        complements=[{"a": "a", "b": "t", "kind": "conglomerate"}],
    ))
    assert minority.structure == {"share purchase", "hire", "no control acquired", "non-voting shares"}
    assert (minority.equity, minority.votes) == (49, 0)
    assert minority.people == {"people move", "the founder moves", "keeps a board seat at the target"}
    assert minority.overlaps == {"vertical", "a party supplies the other's rivals", "access to data",
                                 "conglomerate products"}
    assert minority.sector == {"cloud", "computing", "foundation", "model"}
    hire = profile(_deal(transaction={"types": ["licence", "hiring"]},
                         workforce=[{"from_party": "t", "to_party": "a", "share_moved": {"at_least": 70},
                                     "with_licence": True}]))
    assert hire.structure == {"licence", "hire", "no control acquired"}
    assert (hire.equity, hire.votes) == (0, 0)
    assert hire.people == {"people move", "staff move", "most of the staff moves", "hire with a licence"}


def test_bounds_stand_for_the_middle_of_their_range() -> None:
    p = profile(_deal(stakes=[{"holder": "a", "issuer": "t", "equity_after": {"at_most": 50},
                               "voting_after": 0, "share_class": "non_voting"}]))
    assert p.equity == 25 and p.stake_text == "at most 50% of the capital, 0% of the votes"


def test_unknown_features_are_left_out_and_the_weights_rescaled() -> None:
    a = profile(_deal(stakes=[{"holder": "a", "issuer": "t", "equity_after": "unknown", "voting_after": "unknown",
                               "share_class": "voting"}]))
    b = profile(_deal())
    parts = {p.feature: p for p in similarity(a, b).parts}
    assert "stake" not in parts and "size" not in parts
    assert abs(sum(p.weight for p in parts.values()) - 1.0) < 1e-9


def test_size_compares_orders_of_magnitude() -> None:
    def sized(value: str) -> Profile:
        return profile(_deal(transaction={"types": ["share_acquisition"], "consideration": value}))

    same = similarity(sized("10bn USD"), sized("12bn USD"))
    far = similarity(sized("10bn USD"), sized("10m USD"))
    size = {p.feature: p.score for p in same.parts}["size"]
    assert size > 0.9 and {p.feature: p.score for p in far.parts}["size"] == 0.0
    assert "size: similar consideration" in same.why()
    # Different currencies compare only through a converter.
    assert "size" not in {p.feature for p in similarity(sized("10bn USD"), sized("10bn EUR")).parts}
    assert "size" in {p.feature for p in similarity(sized("10bn USD"), sized("10bn EUR"), to_eur).parts}


def test_why_names_what_the_deals_share_heaviest_first() -> None:
    a = profile(next(d for d in CASES if d.id == "broadcom-vmware"))
    b = profile(next(d for d in CASES if d.id == "salesforce-slack"))
    why = similarity(a, b).why()
    assert why[0] == "structure: both share purchase, whole company"
    assert "overlaps: both a party supplies the other's rivals, vertical" in why
