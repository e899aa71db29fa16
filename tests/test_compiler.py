"""The compiler: golden output, dated parameters, currency conversion, and three-valued semantics
checked against the real engine."""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from antitrust.compiler import compile_rulebook
from antitrust.deal import Deal
from antitrust.errors import RulebookError
from antitrust.evaluate import clear_cache, evaluate
from antitrust.rulebook import load_rulebook

MINI = Path(__file__).parent / "data" / "mini_rules"


def test_compiled_definition_matches_golden(golden: Any) -> None:
    book = load_rulebook(MINI)
    compiled = compile_rulebook(book, date(2025, 6, 13))
    golden("compiled/mini_rules_2025.json", json.dumps(compiled.definition, indent=1, sort_keys=True) + "\n")


def test_parameters_are_taken_at_the_evaluation_date() -> None:
    book = load_rulebook(MINI)
    early, late = compile_rulebook(book, date(2025, 1, 1)), compile_rulebook(book, date(2031, 1, 1))
    assert early.params_used["mini.share"].value == 25
    assert late.params_used["mini.share"].value == 30
    assert "MINI-FUTURE" in early.inactive and "not in force on 2025-01-01" in early.inactive["MINI-FUTURE"]
    assert "MINI-FUTURE" not in late.inactive
    assert early.name != late.name, "different parameter epochs compile to different rulesets"


def test_epochs_share_the_rules_they_compile_alike_and_only_those() -> None:
    """A rule whose parameters do not change between two epochs is one object in both (memory);
    a rule whose parameter changed is compiled anew for each."""
    book = load_rulebook(MINI)
    early, late = compile_rulebook(book, date(2025, 1, 1)), compile_rulebook(book, date(2031, 1, 1))
    shared = [r for r in early.rules if r in late.rules and early.rules[r] is late.rules[r]]
    assert shared, "rules compiled alike are shared"
    for rule_id in shared:
        assert early.definition[rule_id] is late.definition[rule_id]
    changed = [r for r, c in early.rules.items()
               if r in late.rules and any(a.param == "mini.share" for a in c.atoms)]
    assert changed
    for rule_id in changed:
        assert early.rules[rule_id] is not late.rules[rule_id]
        assert early.definition[rule_id] != late.definition[rule_id]
    # A rulebook loaded again (the same files) compiles its own rules: locations stay its own.
    again = compile_rulebook(load_rulebook(MINI), date(2025, 1, 1))
    assert all(again.rules[r] is not early.rules[r] for r in again.rules)


def _epoch_starts(book: Any) -> list[date]:
    """Every date on which some parameter value starts or lapses (each opens a parameter epoch)."""
    from datetime import timedelta

    starts = {v.from_ for p in book.parameters.values() for v in p.values}
    starts |= {v.until + timedelta(days=1) for p in book.parameters.values() for v in p.values if v.until}
    return sorted(starts)


def _signature(compiled: Any) -> tuple[Any, ...]:
    return (json.dumps(compiled.definition, sort_keys=True), compiled.name, compiled.by_durable_name,
            {k: (v.durable_name, v.patterns, v.atoms, v.true_when) for k, v in compiled.rules.items()},
            compiled.params_used, compiled.inactive, compiled.fanout)


def test_a_rule_compiled_for_one_epoch_is_reused_only_where_it_compiles_alike() -> None:
    """Compiling epochs one after another reuses each rule compiled for an earlier epoch with the
    same parameter values (and exchange rates); the result is what compiling each epoch from
    nothing gives, across the bundled rulebook's most recent changes of parameters and rates."""
    from antitrust.compiler import clear_shared

    book = load_rulebook(Path(__file__).parent.parent / "rules")
    dates = [d for d in _epoch_starts(book) if d.year >= 2017][::2]
    assert len(dates) >= 12, "enough epochs to cross changes of thresholds and of exchange rates"
    clear_shared()
    reused = [_signature(compile_rulebook(book, d)) for d in dates]
    fresh = []
    for d in dates:
        clear_shared()
        fresh.append(_signature(compile_rulebook(book, d)))
    assert reused == fresh
    clear_shared()


def test_thresholds_in_other_currencies_are_converted_to_the_field_currency() -> None:
    compiled = compile_rulebook(load_rulebook(MINI), date(2025, 1, 1))
    atom = next(a for a in compiled.rules["MINI-VALUE"].atoms if a.param == "mini.value")
    assert atom.threshold == 100_000_000  # DKK 745m at 7.45 DKK per EUR
    assert atom.conversion is not None and "DKK" in atom.conversion


def test_every_pattern_carries_a_literal_type_test() -> None:
    # Without one, a pattern also matches durable_rules' own state fact and loops forever.
    compiled = compile_rulebook(load_rulebook(MINI), date(2025, 1, 1))
    for rule in compiled.definition.values():
        for pattern in rule["all"]:
            (alias, body), = pattern.items()
            assert {"t": alias} in body.get("$and", [body]), (alias, body)


def test_fanout_beyond_the_engine_limit_is_refused(tmp_path: Path) -> None:
    rules = [
        {"id": f"R-{i}", "title": "t", "jurisdiction": "DE", "basis": {"citation": "cit", "url": "https://x.org"},
         "when": f"stake.equity_after >= {i}", "reason": "a reason"}
        for i in range(70)
    ]
    (tmp_path / "r.json").write_text(json.dumps({"rules": rules}))
    with pytest.raises(RulebookError, match="at most 64 rules"):
        compile_rulebook(load_rulebook(tmp_path), date(2025, 1, 1))


# -- three-valued semantics: the engine agrees with Kleene logic over intervals --------------


def _kleene(node: Any, values: dict[str, tuple[float | None, float | None]]) -> bool | None:
    kind = node[0]
    if kind == "atom":
        _, field, op, c = node
        lo, hi = values[field]
        def ok(x: float) -> bool:
            return {">=": x >= c, ">": x > c, "<=": x <= c, "<": x < c}[op]
        if op in {">=", ">"}:
            return True if lo is not None and ok(lo) else False if hi is not None and not ok(hi) else None
        return True if hi is not None and ok(hi) else False if lo is not None and not ok(lo) else None
    if kind == "not":
        inner = _kleene(node[1], values)
        return None if inner is None else not inner
    parts = [_kleene(n, values) for n in node[1]]
    if kind == "and":
        return False if False in parts else None if None in parts else True
    return True if True in parts else None if None in parts else False


def _text(node: Any) -> str:
    if node[0] == "atom":
        return f"stake.{node[1]} {node[2]} {node[3]}"
    if node[0] == "not":
        return f"not ({_text(node[1])})"
    return f" {node[0]} ".join(f"({_text(n)})" for n in node[1])


atoms = st.tuples(st.just("atom"), st.sampled_from(["equity_after", "voting_after"]),
                  st.sampled_from([">=", ">", "<=", "<"]), st.sampled_from([10, 25, 50]))
trees = st.recursive(atoms, lambda kids: st.one_of(
    st.tuples(st.just("not"), kids),
    st.tuples(st.sampled_from(["and", "or"]), st.lists(kids, min_size=2, max_size=3)),
), max_leaves=4)
knowledge = st.sampled_from(["exact", "unknown", "at_least", "at_most"])
points = st.sampled_from([0, 10, 20, 25, 30, 49, 50, 60])


def _fact(kind: str, x: int) -> tuple[Any, tuple[float | None, float | None]]:
    if kind == "exact":
        return x, (x, x)
    if kind == "unknown":
        return "unknown", (0, 100)
    if kind == "at_least":
        return {"at_least": x}, (x, 100)
    return {"at_most": x}, (0, x)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(trees, knowledge, points, knowledge, points)
def test_engine_firing_matches_kleene_logic(tmp_path: Path, tree: Any, k1: str, x1: int, k2: str, x2: int) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    rule = {"id": "PROP", "title": "t", "jurisdiction": "DE", "basis": {"citation": "cit", "url": "https://x.org"},
            "when": _text(tree), "reason": "a reason"}
    (folder / "r.json").write_text(json.dumps({"rules": [rule]}))
    equity, equity_iv = _fact(k1, x1)
    voting, voting_iv = _fact(k2, x2)
    deal = Deal.model_validate({
        "schema_version": 1, "id": "p", "title": "p",
        "parties": [{"id": "a", "name": "A", "role": "acquirer"}, {"id": "t", "name": "T", "role": "target"}],
        "transaction": {"types": ["share_acquisition"]},
        "stakes": [{"holder": "a", "issuer": "t", "equity_after": equity, "voting_after": voting, "share_class": "voting"}],
    })
    try:
        ev = evaluate(deal, load_rulebook(folder), as_of=date(2025, 1, 1))
    finally:
        clear_cache()
    statuses = {f.status for f in ev.firings}
    got = True if "yes" in statuses else None if "maybe" in statuses else False
    expected = _kleene(tree, {"equity_after": equity_iv, "voting_after": voting_iv})
    assert got == expected, (_text(tree), equity_iv, voting_iv)


def test_content_hash_does_not_depend_on_where_the_rules_live(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "elsewhere" / "rules"
    shutil.copytree(MINI, copy)
    assert load_rulebook(copy).content_hash == load_rulebook(MINI).content_hash
    (copy / "rules.yaml").write_text((copy / "rules.yaml").read_text().replace("Test basis", "Edited basis", 1))
    assert load_rulebook(copy).content_hash != load_rulebook(MINI).content_hash
