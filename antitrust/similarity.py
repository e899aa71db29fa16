"""How alike two deals are: the similarity function behind the nearest precedents.

A deal is reduced to a :class:`Profile` of six features, each compared on its own scale from 0
(nothing in common) to 1 (the same):

* **structure**: the kind of transaction (share purchase, asset purchase, licence, hire, joint
  venture, partnership) and the kind of stake (whole company, control, minority, non-voting or
  convertible shares); the Jaccard index of the two sets of tags;
* **stake**: the equity and the votes the acquirer ends up with; one minus the mean absolute
  difference in percentage points over 100 (a deal without a stake holds 0% of both);
* **people**: whether people move, who (the founder, executives, staff, most of the staff), whether someone keeps
  a board seat at the target, whether the hire comes with a licence; Jaccard index;
* **overlaps**: horizontal overlap, vertical links, supply to the acquirer's rivals, access to data,
  complementary or conglomerate links, an emerging rival, a dominant party; Jaccard index;
* **sector**: the words of the parties' sectors (acquirer's and target's), Jaccard index;
* **size**: the consideration and the parties' worldwide turnover, compared on a log scale: the
  same order of magnitude scores high, three orders of magnitude apart score 0; the mean over the
  figures both deals state (converted to euros at the rulebook's annual average rates where the
  currencies differ).

Two empty sets of tags are alike (neither deal moves people: score 1). A feature either deal
cannot state (an unknown stake, no sector, no figure in common) is left out, and the weights of the
features that remain are scaled to add up to 1. The similarity is the weighted mean, so it lies in
[0, 1], it is symmetric, and a deal is at least as similar to a copy of itself as to any other deal
(every feature of a copy scores 1).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from antitrust.deal import Deal, Fact

T = TypeVar("T")
#: The weight of each feature (they add up to 1).
WEIGHTS: dict[str, float] = {
    "structure": 0.25,
    "stake": 0.15,
    "people": 0.15,
    "overlaps": 0.20,
    "sector": 0.10,
    "size": 0.15,
}
#: A feature scoring at least this much is named among what makes two deals similar.
ALIKE = 0.5
#: Orders of magnitude at which two amounts have nothing in common.
SIZE_SPAN = 3.0
#: Amounts below this floor (in their currency) count as the floor: a start-up without revenue.
SIZE_FLOOR = 1e6
_STOP = {"and", "the", "of", "for", "in", "on", "to", "with", "services", "products"}
_WORD = re.compile(r"[a-z0-9]+")

#: Converts (amount, currency, year) into euros, or None where it cannot.
ToEur = Callable[[float, str, "int | None"], "float | None"]


@dataclass(frozen=True)
class Amount:
    amount: float
    currency: str
    year: int | None


@dataclass(frozen=True)
class Profile:
    """What the similarity compares, read from a deal file."""

    deal_id: str
    title: str
    structure: frozenset[str]
    equity: float | None
    votes: float | None
    people: frozenset[str]
    overlaps: frozenset[str]
    sector: frozenset[str]
    sizes: dict[str, Amount] = field(default_factory=dict)
    #: The stake in words, e.g. "49% of the capital, 0% of the votes".
    stake_text: str = ""


@dataclass(frozen=True)
class Part:
    """One feature's score, with the words that say what the two deals share."""

    feature: str
    score: float
    weight: float
    words: str


@dataclass(frozen=True)
class Similarity:
    score: float
    parts: tuple[Part, ...]

    def why(self, limit: int = 4) -> list[str]:
        """What makes the deals similar: the features at or above :data:`ALIKE`, heaviest first."""
        alike = sorted((p for p in self.parts if p.score >= ALIKE and p.words),
                       key=lambda p: (-p.score * p.weight, p.feature))
        return [f"{p.feature}: {p.words}" for p in alike[:limit]]


def _value(fact: Fact[T] | None) -> T | None:
    return fact.value if fact is not None and fact.known else None


def _true(fact: Fact[bool] | None) -> bool:
    return _value(fact) is True


def _estimate(fact: Fact[float]) -> tuple[float | None, str]:
    """A percentage and how it reads: the value, else the middle of its bounds ('at most 50%')."""
    if fact.known and fact.value is not None:
        return fact.value, f"{fact.value:g}%"
    lo, hi = fact.at_least, fact.at_most
    if lo is None and hi is None:
        return None, ""
    low, high = lo if lo is not None else 0.0, hi if hi is not None else 100.0
    words = (f"{low:g}-{high:g}%" if lo is not None and hi is not None
             else f"at least {low:g}%" if lo is not None else f"at most {high:g}%")
    return (low + high) / 2, words


def _stake(deal: Deal) -> tuple[float | None, float | None, set[str], str]:
    """(equity, votes, stake tags, stake in words) of the acquirers' largest stake in a target."""
    acquirers = {p.id for p in deal.parties if p.role == "acquirer"}
    targets = {p.id for p in deal.parties if p.role == "target"}
    stakes = [s for s in deal.stakes if s.holder in acquirers and s.issuer in targets]
    if not stakes:
        return 0.0, 0.0, {"no control acquired"}, "no shares"
    tags: set[str] = set()
    equities = [_estimate(s.equity_after) for s in stakes]
    votes = [_estimate(s.voting_after) for s in stakes]
    equity, equity_words = max(equities, key=lambda e: e[0] or 0.0)
    vote, vote_words = max(votes, key=lambda v: v[0] or 0.0)
    if any(e is None for e, _w in equities):
        equity, equity_words = None, ""
    if any(v is None for v, _w in votes):
        vote, vote_words = None, ""
    for s in stakes:
        share_class = _value(s.share_class)
        if share_class == "non_voting" or (_value(s.voting_after) == 0 and (_value(s.equity_after) or 0) > 0):
            tags.add("non-voting shares")
        if share_class == "convertible":
            tags.add("convertible shares")
    if equity is not None and equity >= 100:
        tags.add("whole company")
    elif (equity is not None and equity > 50) or (vote is not None and vote > 50):
        tags.add("controlling stake")
    elif vote is not None or equity is not None:
        tags.add("no control acquired")
    words = ", ".join(w for w in (f"{equity_words} of the capital" if equity_words else "",
                                  f"{vote_words} of the votes" if vote_words else "") if w)
    return equity, vote, tags, words


_TYPES = {"share_acquisition": "share purchase", "asset_acquisition": "asset purchase", "licence": "licence",
          "hiring": "hire", "joint_venture": "joint venture", "partnership": "partnership"}


def _structure(deal: Deal, stake_tags: set[str]) -> frozenset[str]:
    tags = {_TYPES[t] for t in deal.transaction.types} | stake_tags
    if deal.licences:
        tags.add("licence")
    if deal.people or deal.workforce:
        tags.add("hire")
    return frozenset(tags)


def _people(deal: Deal) -> frozenset[str]:
    tags: set[str] = set()
    for p in deal.people:
        tags.add({"founder": "the founder moves", "executive": "executives move", "senior": "executives move",
                  "staff": "staff move"}[p.seniority])
        if _true(p.keeps_board_seat):
            tags.add("keeps a board seat at the target")
    for w in deal.workforce:
        moved, headcount = _value(w.employees_moved), _value(w.target_headcount)
        share: float | None = _value(w.share_moved)
        if share is None and w.share_moved is not None:
            share = w.share_moved.at_least
        if isinstance(moved, int) and isinstance(headcount, int) and headcount > 0:
            share = max(share or 0, 100 * moved / headcount)
        if (isinstance(moved, int) and moved > 1) or (w.employees_moved.at_least or 0) > 1 or share:
            tags.add("staff move")
        if share is not None and share >= 50:
            tags.add("most of the staff moves")
        if _true(w.with_licence):
            tags.add("hire with a licence")
    if tags:
        tags.add("people move")
    return frozenset(tags)


def _overlaps(deal: Deal) -> frozenset[str]:
    roles = {p.id: p.role for p in deal.parties}
    sides = {"acquirer", "target"}
    rivals = {p.id for p in deal.parties
              if p.role == "other" and (_true(p.competes_with_acquirer) or _true(p.competes_with_target))}
    tags: set[str] = set()
    for p in deal.parties:
        if p.role == "target" and (_true(p.competes_with_acquirer) or _true(p.competes_with_target)):
            tags.add("horizontal")
        if p.role == "target" and _true(p.emerging_rival):
            tags.add("emerging rival")
        if p.role in sides and _true(p.dominant):
            tags.add("a dominant party")
    for m in deal.markets:
        present = {roles.get(s.party) for s in m.shares}
        if sides <= present and _value(m.overlap_size) != "none":
            tags.add("horizontal")
        if any(_true(s.dominant) for s in m.shares if roles.get(s.party) in sides):
            tags.add("a dominant party")
    for link in deal.supply:
        ends = {roles.get(link.supplier), roles.get(link.customer)}
        if ends == sides:
            tags.add("vertical")
        if roles.get(link.supplier) in sides and link.customer in rivals:
            tags.update({"vertical", "a party supplies the other's rivals"})
        elif roles.get(link.supplier) in sides or roles.get(link.customer) in sides:
            tags.add("vertical")
    if deal.data_access:
        tags.add("access to data")
    for c in deal.complements:
        tags.add(f"{c.kind} products")
    return frozenset(tags)


def _words(texts: Iterable[str]) -> set[str]:
    out = set()
    for text in texts:
        for w in _WORD.findall(text.lower()):
            if w in _STOP or len(w) < 2:
                continue
            out.add(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w)
    return out


def _sizes(deal: Deal) -> dict[str, Amount]:
    year = None
    for d in (deal.transaction.closing, deal.transaction.signed, deal.transaction.announced):
        if d is not None and (d.span[0] or d.span[1]) is not None:
            year = (d.span[0] or d.span[1]).year  # type: ignore[union-attr]
            break
    sizes: dict[str, Amount] = {}
    consideration = _value(deal.transaction.consideration)
    if consideration is not None:
        sizes["consideration"] = Amount(consideration.amount, consideration.currency, year)
    for role in ("acquirer", "target"):
        for p in deal.parties:
            if p.role != role or f"{role} turnover" in sizes:
                continue
            for t in p.turnover:
                money = _value(t.amount)
                if t.jurisdiction == "WORLD" and money is not None:
                    sizes[f"{role} turnover"] = Amount(money.amount, money.currency, t.year or year)
    return sizes


def profile(deal: Deal) -> Profile:
    """The features of a deal that the similarity compares."""
    equity, votes, stake_tags, stake_text = _stake(deal)
    sectors = [s for p in deal.parties if p.role in {"acquirer", "target"} for s in p.sectors]
    return Profile(
        deal_id=deal.id, title=deal.title, structure=_structure(deal, stake_tags), equity=equity, votes=votes,
        people=_people(deal), overlaps=_overlaps(deal), sector=frozenset(_words(sectors)), sizes=_sizes(deal),
        stake_text=stake_text,
    )


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return 1.0 if not a and not b else len(a & b) / len(a | b)


def _shared(a: frozenset[str], b: frozenset[str]) -> str:
    """The tags both deals have, in words ('' where they share none: nothing to name)."""
    common = sorted(a & b)
    return ("both " + ", ".join(common)) if common else ""


def _log_score(x: float, y: float) -> float:
    gap = abs(math.log10(max(x, SIZE_FLOOR)) - math.log10(max(y, SIZE_FLOOR)))
    return max(0.0, 1.0 - gap / SIZE_SPAN)


def _size(a: Profile, b: Profile, to_eur: ToEur | None) -> tuple[float, str] | None:
    scores: list[tuple[float, str]] = []
    for name in sorted(set(a.sizes) & set(b.sizes)):
        x, y = a.sizes[name], b.sizes[name]
        if x.currency == y.currency:
            ex, ey = x.amount, y.amount
        elif to_eur is not None:
            cx, cy = to_eur(x.amount, x.currency, x.year), to_eur(y.amount, y.currency, y.year)
            if cx is None or cy is None:
                continue
            ex, ey = cx, cy
        else:
            continue
        scores.append((_log_score(ex, ey), name))
    if not scores:
        return None
    score = sum(s for s, _n in scores) / len(scores)
    alike = [n for s, n in scores if s >= ALIKE]
    return score, ("similar " + ", ".join(alike)) if alike else ""


def similarity(a: Profile, b: Profile, to_eur: ToEur | None = None) -> Similarity:
    """How alike two deals are, from 0 to 1, feature by feature (see the module's documentation)."""
    parts: list[tuple[str, float, str]] = [
        ("structure", _jaccard(a.structure, b.structure), _shared(a.structure, b.structure)),
        ("people", _jaccard(a.people, b.people), _shared(a.people, b.people)),
        ("overlaps", _jaccard(a.overlaps, b.overlaps), _shared(a.overlaps, b.overlaps)),
    ]
    if a.equity is not None and b.equity is not None:
        gaps = [abs(a.equity - b.equity)]
        if a.votes is not None and b.votes is not None:
            gaps.append(abs(a.votes - b.votes))
        words = f"{a.stake_text} against {b.stake_text}" if a.stake_text != b.stake_text else f"both {a.stake_text}"
        parts.append(("stake", 1.0 - sum(gaps) / (100.0 * len(gaps)), words))
    if a.sector and b.sector:
        common = sorted(a.sector & b.sector)
        parts.append(("sector", _jaccard(a.sector, b.sector), ("both in " + ", ".join(common)) if common else ""))
    size = _size(a, b, to_eur)
    if size is not None:
        parts.append(("size", size[0], size[1]))
    total = sum(WEIGHTS[name] for name, _s, _w in parts)
    out = tuple(Part(name, score, WEIGHTS[name] / total, words) for name, score, words in parts)
    value = sum(p.score * p.weight for p in out)
    # Rounded, so that sums of the same scores in another order compare equal.
    return Similarity(round(min(1.0, max(0.0, value)), 6), out)
