"""A seeded generator of realistic synthetic deals for benchmarks and screening tests.

Each deal is a plain dict in the deal-file format (what ``json.loads`` of one JSONL line gives).
The mix is chosen to reach the rulebook's branches: turnovers on both sides of the filing
thresholds in several jurisdictions and currencies, some unknown or only bounded; share
acquisitions with and without votes (non-voting and convertible classes), board seats, vetoes
and information rights; founders and staff who move; exclusive licences; supply links to the
acquirer's rivals; and markets with shares that give overlaps and concentration.

The same ``seed`` always gives the same deals (``random.Random`` is deterministic), so a
benchmark run can be repeated and two screening runs compared line by line.

    python benchmarks/synth.py 10000 --seed 7 > deals.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

#: Jurisdictions a turnover may be given for (the engine keeps figures for these).
JURISDICTIONS = ("EU", "US", "DE", "AT", "UK", "IT", "IE", "DK", "SE", "JP", "KR", "FR", "NL")
#: Where a company of each kind mostly reports in.
CURRENCY_OF = {"EU": "EUR", "DE": "EUR", "AT": "EUR", "IT": "EUR", "IE": "EUR", "FR": "EUR", "NL": "EUR",
               "US": "USD", "UK": "GBP", "DK": "DKK", "SE": "SEK", "JP": "JPY", "KR": "KRW"}
#: Rough units per EUR, only to make amounts in other currencies plausible (not a rate the
#: engine uses: it converts with the dated FX parameters).
_SCALE = {"EUR": 1.0, "USD": 1.1, "GBP": 0.85, "DKK": 7.46, "SEK": 11.2, "JPY": 160.0, "KRW": 1450.0}
SECTORS = ("cloud software", "semiconductors", "pharmaceuticals", "medical devices", "retail", "payments",
           "AI models", "data labelling", "logistics", "telecoms", "media", "energy", "chemicals")
NAMES = ("Alder", "Birch", "Cedar", "Dune", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper",
         "Kestrel", "Lumen", "Meridian", "Nimbus", "Orchid", "Pioneer", "Quartz", "Raven", "Summit",
         "Tundra", "Umber", "Vertex", "Willow", "Xenon", "Yarrow", "Zephyr")
SUFFIX = ("Inc.", "AG", "GmbH", "plc", "S.A.", "B.V.", "Ltd", "K.K.", "AB", "A/S")


def _money(rng: random.Random, eur: float, currency: str) -> str:
    amount = eur * _SCALE[currency]
    if amount >= 1e9:
        return f"{amount / 1e9:.2f}bn {currency}"
    if amount >= 1e6:
        return f"{amount / 1e6:.1f}m {currency}"
    return f"{max(amount, 1000.0) / 1e3:.0f}k {currency}"


def _log_uniform(rng: random.Random, lo: float, hi: float) -> float:
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def _maybe_unknown(rng: random.Random, value: Any, p_unknown: float = 0.1,
                   bound: Any = None) -> Any:
    """A fact: the value (sometimes with a source), 'unknown', or an at_least bound."""
    r = rng.random()
    if r < p_unknown:
        return "unknown"
    if bound is not None and r < p_unknown * 1.5:
        return {"at_least": bound}
    if r > 0.8:
        return {"value": value, "source": f"synthetic-register#p{rng.randint(1, 40)}",
                "confidence": rng.choice(("high", "high", "medium", "low"))}
    return value


def _party(rng: random.Random, pid: str, role: str, size_eur: float, used: set[str]) -> dict[str, Any]:
    name = rng.choice(NAMES)
    while name in used:
        name = rng.choice(NAMES) + " " + rng.choice(NAMES)
    used.add(name)
    party: dict[str, Any] = {"id": pid, "name": f"{name} {rng.choice(SUFFIX)}", "role": role}
    if role in {"acquirer", "target"}:
        party["corporate_form"] = rng.choice(("corporation", "corporation", "llc", "partnership", "other"))
        party["sectors"] = rng.sample(SECTORS, rng.randint(1, 2))
        home = rng.choice(JURISDICTIONS)
        world_ccy = rng.choice((CURRENCY_OF[home], "EUR", "USD"))
        turnover = [{"jurisdiction": "WORLD", "year": rng.choice((2022, 2023, 2024)),
                     "amount": _maybe_unknown(rng, _money(rng, size_eur, world_ccy), 0.08,
                                              _money(rng, size_eur / 3, world_ccy))}]
        for jur in rng.sample(JURISDICTIONS, rng.randint(1, 6)):
            share = rng.choice((0.0005, 0.005, 0.02, 0.05, 0.1, 0.3, 0.6))
            turnover.append({"jurisdiction": jur,
                             "amount": _maybe_unknown(rng, _money(rng, size_eur * share, CURRENCY_OF[jur]), 0.2,
                                                      _money(rng, size_eur * share / 2, CURRENCY_OF[jur]))})
        party["turnover"] = turnover
        if rng.random() < 0.3:
            party["assets"] = _money(rng, size_eur * rng.uniform(0.5, 3), world_ccy)
        activity = {}
        for jur in rng.sample(("DE", "AT", "UK", "EU", "US", "IT", "IE", "DK", "SE", "JP", "KR", "FR", "NL"),
                              rng.randint(0, 4)):
            activity[jur] = _maybe_unknown(rng, rng.random() < 0.6, 0.3)
        if activity:
            party["domestic_activity"] = activity
        if role == "acquirer" and rng.random() < 0.15:
            party["eu_gatekeeper"] = True
        if rng.random() < 0.1:
            party["uk_sms"] = _maybe_unknown(rng, rng.random() < 0.3, 0.2)
        if rng.random() < 0.3:
            party["uk_share_of_supply"] = _maybe_unknown(rng, round(rng.uniform(1, 60), 1), 0.4)
        if rng.random() < 0.2:
            party["dominant"] = _maybe_unknown(rng, rng.random() < 0.4, 0.3)
        if role == "target" and rng.random() < 0.5:
            party["competes_with_acquirer"] = _maybe_unknown(rng, rng.random() < 0.5, 0.3)
    else:
        party["competes_with_acquirer"] = _maybe_unknown(rng, rng.random() < 0.7, 0.15)
    return party


def _day(rng: random.Random) -> date:
    return date(2019, 1, 1) + timedelta(days=rng.randint(0, 365 * 7))


def deal(rng: random.Random, index: int) -> dict[str, Any]:
    """One synthetic deal (a plain dict in the deal-file format)."""
    used: set[str] = set()
    big = _log_uniform(rng, 5e6, 3e11)
    small = _log_uniform(rng, 1e5, big)
    parties = [_party(rng, "acq", "acquirer", big, used), _party(rng, "tgt", "target", small, used)]
    if rng.random() < 0.25:
        parties.append(_party(rng, "seller", "seller", 0, used))
    rivals = [f"rival{i}" for i in range(rng.choice((0, 0, 1, 2, 3)))]
    parties += [_party(rng, r, "other", 0, used) for r in rivals]

    types = set(rng.sample(("share_acquisition", "share_acquisition", "asset_acquisition", "licence",
                            "hiring", "joint_venture", "partnership"), rng.randint(1, 2)))
    closing = _day(rng)
    tx: dict[str, Any] = {"types": sorted(types)}
    if rng.random() < 0.7:
        tx["announced"] = (closing - timedelta(days=rng.randint(20, 200))).isoformat()
    if rng.random() < 0.5:
        tx["signed"] = (closing - timedelta(days=rng.randint(1, 60))).isoformat()
    if rng.random() < 0.8:
        tx["closing"] = _maybe_unknown(rng, closing.isoformat(), 0.1)
    value = small * rng.uniform(0.5, 40)
    ccy = rng.choice(("EUR", "USD", "USD", "GBP", "JPY"))
    if rng.random() < 0.85:
        tx["consideration"] = _maybe_unknown(rng, _money(rng, value, ccy), 0.1, _money(rng, value / 2, ccy))
    if rng.random() < 0.4:
        tx["target_valuation"] = _money(rng, value * rng.uniform(1, 3), ccy)
    if rng.random() < 0.2:
        tx["payout_to_holders"] = _maybe_unknown(rng, rng.random() < 0.5, 0.2)
    if rng.random() < 0.05:
        tx["structured_to_avoid_review"] = True

    d: dict[str, Any] = {"schema_version": 1, "id": f"synth-{index:07d}",
                         "title": f"{parties[0]['name']} / {parties[1]['name']}",
                         "parties": parties, "transaction": tx}

    if "share_acquisition" in types or "joint_venture" in types or rng.random() < 0.1:
        before = rng.choice((0, 0, 0, 5, 10, 20, 30))
        after = min(100, before + rng.choice((5, 10, 15, 20, 24.9, 25, 30, 49, 50, 51, 75, 100)))
        cls = rng.choice(("voting", "voting", "voting", "non_voting", "convertible", "mixed"))
        votes = after if cls == "voting" else (0 if cls in {"non_voting", "convertible"} else after / 2)
        stake: dict[str, Any] = {"holder": "acq", "issuer": "tgt",
                                 "equity_before": before, "equity_after": _maybe_unknown(rng, after, 0.05),
                                 "voting_before": before if cls == "voting" else 0,
                                 "voting_after": _maybe_unknown(rng, votes, 0.05),
                                 "share_class": _maybe_unknown(rng, cls, 0.05)}
        if cls == "convertible":
            stake["conversion"] = {"into": rng.choice(("voting", "non_voting"))}
        if rng.random() < 0.3:
            stake["solely_for_investment"] = _maybe_unknown(rng, rng.random() < 0.5, 0.4)
        d["stakes"] = [stake]
        if rng.random() < 0.6:
            size = rng.choice((5, 7, 9, 11))
            gov: dict[str, Any] = {"holder": "acq", "issuer": "tgt",
                                   "board_seats": _maybe_unknown(rng, rng.randint(0, size // 2 + 1), 0.1),
                                   "board_size": size,
                                   "board_observers": rng.choice((0, 0, 1)),
                                   "vetoes": _maybe_unknown(rng, sorted(rng.sample(
                                       ("budget", "business_plan", "senior_management", "major_investments", "other"),
                                       rng.choice((0, 0, 1, 2, 3)))), 0.1)}
            if rng.random() < 0.5:
                gov["information_rights"] = _maybe_unknown(rng, rng.random() < 0.5, 0.2)
            if rng.random() < 0.2:
                gov["exclusivity"] = rng.random() < 0.5
            d["governance"] = [gov]

    if "hiring" in types or rng.random() < 0.15:
        d["people"] = [{"person": f"Person {index}-{i}", "from_party": "tgt", "to_party": "acq",
                        "seniority": rng.choice(("founder", "executive", "senior", "staff")),
                        **({"keeps_board_seat": _maybe_unknown(rng, rng.random() < 0.3, 0.3)}
                           if rng.random() < 0.5 else {})}
                       for i in range(rng.randint(1, 3))]
        if rng.random() < 0.6:
            head = rng.choice((20, 80, 300, 1500))
            d["workforce"] = [{"from_party": "tgt", "to_party": "acq",
                               "employees_moved": _maybe_unknown(rng, rng.randint(1, head), 0.2, 1),
                               "target_headcount": head,
                               "with_licence": _maybe_unknown(rng, rng.random() < 0.5, 0.2),
                               **({"with_waiver": True} if rng.random() < 0.3 else {}),
                               **({"target_pivots_or_winds_down": _maybe_unknown(rng, rng.random() < 0.5, 0.3)}
                                  if rng.random() < 0.4 else {})}]

    if "licence" in types or rng.random() < 0.1:
        d["licences"] = [{"licensor": "tgt", "licensee": "acq", "exclusive": _maybe_unknown(rng, rng.random() < 0.5, 0.2)}]

    if rivals and rng.random() < 0.7:
        d["supply"] = [{"supplier": "tgt", "customer": r, "product": "inputs",
                        **({"share_of_supplier_revenue": _maybe_unknown(rng, round(rng.uniform(1, 40), 1), 0.2)}
                           if rng.random() < 0.7 else {}),
                        **({"input_importance": _maybe_unknown(rng, rng.choice(("low", "medium", "high")), 0.2)}
                           if rng.random() < 0.6 else {}),
                        **({"alternatives_available": rng.random() < 0.4} if rng.random() < 0.4 else {})}
                       for r in rivals]

    if rng.random() < 0.5:
        markets = []
        for m in range(rng.randint(1, 2)):
            a, t = rng.choice((0, 5, 10, 20, 35)), rng.choice((0, 2, 5, 10, 20))
            shares = [{"party": "acq", "share": a}, {"party": "tgt", "share": _maybe_unknown(rng, t, 0.1)}]
            left = 100 - a - t
            for r in rivals:
                cut = round(rng.uniform(0, left), 1)
                shares.append({"party": r, "share": cut})
                left -= cut
            markets.append({"id": f"m{m}", "name": rng.choice(SECTORS), "geography": rng.choice(("WORLD", "EU", "UK", "DE", "US")),
                            "shares": shares})
        d["markets"] = markets
    return d


def deals(n: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    """``n`` deals from ``seed`` (deal i depends only on seed and i)."""
    for i in range(n):
        yield deal(random.Random(f"{seed}:{i}"), i)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    out = sys.stdout
    for d in deals(args.n, args.seed):
        out.write(json.dumps(d, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
