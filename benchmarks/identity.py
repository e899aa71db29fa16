"""Dump what evaluations produce, in a canonical form, to compare two versions of the engine.

    python benchmarks/identity.py 2000 > after.jsonl     # synthetic deals (seed 3), then the cases
    diff before.jsonl after.jsonl

One line per deal: its firings (rule, status, matched facts, unknowns, derived fact), its derived
facts, its screening record and its full JSON report. Derived facts are named by their content
rather than by their id (ids follow the order in which rules fired, which the engine does not
promise), and firings are sorted, so the dump changes only when a result changes.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import synth

TODAY = date(2026, 11, 23)


def canonical(ev: Any) -> dict[str, Any]:
    names = {i: f"{r.name}/{r.status}/{json.dumps(r.fields, sort_keys=True, default=str)}"
             for i, r in ev.derived.items()}

    def fact(f: dict[str, Any]) -> Any:
        return names.get(f.get("id"), f.get("id"))

    firings = sorted(json.dumps([f.rule_id, f.status, {a: fact(x) for a, x in sorted(f.bound.items())},
                                 sorted(names.get(i, i) for i in f.derived_inputs),
                                 sorted([u.fact_id, u.fact, u.field, u.needed] for u in f.unknowns),
                                 names.get(f.derived_id) if f.derived_id else None], sort_keys=True)
                     for f in ev.firings)
    derived = sorted(names.values())
    return {"firings": firings, "derived": derived}


def main() -> None:
    from antitrust.deal import Deal
    from antitrust.evaluate import evaluate
    from antitrust.facts import relevant_date
    from antitrust.render.json import render_json
    from antitrust.reporting import build_report
    from antitrust.rulebook import load_rulebook
    from antitrust.screening import _result
    from antitrust.yamlio import load

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    book = load_rulebook(ROOT / "rules")
    deals = [Deal.model_validate(d) for d in synth.deals(n, seed=3)]
    deals += [Deal.model_validate(load(p).data) for p in sorted((ROOT / "cases").glob("*.yaml"))]
    for i, deal in enumerate(deals):
        at = relevant_date(deal, TODAY)
        ev = evaluate(deal, book, as_of=at)
        out = canonical(ev)
        out["record"] = _result(ev)[0]
        if i % 10 == 0 or i >= n:  # the full report is slow: every tenth synthetic deal, every case
            out["report"] = render_json(build_report(ev, TODAY))
        print(json.dumps({"deal": deal.id, **out}, sort_keys=True, default=str))


if __name__ == "__main__":
    main()
