"""The nearest precedents: decided cases in a folder of deal files, ranked by similarity to a deal.

A precedent is a deal file that records what authorities actually did (``actual_outcomes``, with
``in_depth_reviews`` for the reviews that went beyond a first phase). Its outcome band follows
the definition of the overall risk (rules/overall.yaml):

* high: a prohibition, an abandonment under review, an unwinding, or remedies after an in-depth
  review;
* medium: an in-depth review or a second request, or remedies in a first phase;
* low: a first-phase clearance, no review, or no jurisdiction.

The cases ship with the package like the rulebook: a wheel carries a copy of ``cases/`` as
``antitrust/_cases`` (setup.py); a checkout reads ``cases/`` beside the package. The deal being
ranked is never its own precedent (a case with the same id is left out). The similarity itself
is in :mod:`antitrust.similarity`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from antitrust.deal import Deal
from antitrust.errors import InputError, InputErrors, Location
from antitrust.fxyears import FxYears
from antitrust.params import Parameter
from antitrust.report import Level, PrecedentMatch
from antitrust.similarity import Profile, ToEur, profile, similarity

#: How many precedents a report names.
TOP = 3
#: Decisions that are high whatever the phase.
SEVERE = frozenset({"prohibited_then_cleared_restructured", "abandoned_during_review",
                    "divestiture_ordered_unwound"})
REMEDIES = frozenset({"cleared_with_remedies"})
#: An outcome that says nothing was decided yet.
UNDECIDED = frozenset({"ongoing_or_unknown"})
OUTCOME_WORDS = {
    "cleared_unconditionally": "cleared",
    "cleared_with_remedies": "cleared with remedies",
    "prohibited_then_cleared_restructured": "prohibited, then cleared as restructured",
    "abandoned_during_review": "abandoned under review",
    "divestiture_ordered_unwound": "divestiture ordered, deal unwound",
    "cleared_after_agency_lost_in_court": "cleared after the agency lost in court",
    "notifiability_declared": "declared notifiable",
    "referral_to_EC": "referred to the Commission",
    "inquiry_no_public_outcome": "inquiry, no public outcome",
    "not_notifiable": "not notifiable",
    "no_jurisdiction_found": "no jurisdiction",
    "referral_withdrawn_no_decision": "referral withdrawn",
    "decisions_withdrawn_after_court_annulment": "decisions withdrawn after the referral was annulled",
    "not_reviewed_no_public_record": "no review on record",
    "ongoing_or_unknown": "ongoing or unknown",
    "study_no_enforcement": "market study, no enforcement",
}
_LEVEL = {"low": 0, "medium": 1, "high": 2}
#: Within a band, the decisions that say most come first.
_TELLING = ("prohibited_then_cleared_restructured", "abandoned_during_review", "divestiture_ordered_unwound",
            "cleared_with_remedies", "cleared_after_agency_lost_in_court", "notifiability_declared",
            "referral_to_EC", "cleared_unconditionally", "no_jurisdiction_found", "not_notifiable",
            "referral_withdrawn_no_decision", "decisions_withdrawn_after_court_annulment",
            "inquiry_no_public_outcome", "study_no_enforcement", "not_reviewed_no_public_record",
            "ongoing_or_unknown")


def _band_of(code: str, outcome: str, deep: set[str]) -> Level:
    if outcome in SEVERE or (outcome in REMEDIES and code in deep):
        return "high"
    if code in deep or outcome in REMEDIES:
        return "medium"
    return "low"


def outcome_band(deal: Deal) -> Level:
    """The band of what the authorities did (see the module's documentation)."""
    deep = {r.authority for r in deal.in_depth_reviews}
    bands: list[Level] = ["low", *(_band_of(c, o, deep) for c, o in deal.actual_outcomes.items())]
    return max(bands, key=_LEVEL.__getitem__)


def outcome_text(deal: Deal) -> str:
    """What the authorities did, most severe first: 'EU: cleared with remedies (Phase 2); UK: cleared'."""
    stages = {r.authority: r.stage for r in deal.in_depth_reviews}
    deep = set(stages)
    def order(kv: tuple[str, str]) -> tuple[int, int, str]:
        code, outcome = kv
        telling = _TELLING.index(outcome) if outcome in _TELLING else len(_TELLING) - 1
        return -_LEVEL[_band_of(code, outcome, deep)], telling, code

    items = sorted(deal.actual_outcomes.items(), key=order)
    parts = [f"{code}: {OUTCOME_WORDS.get(o, o.replace('_', ' '))}" + (f" ({stages[code]})" if code in stages else "")
             for code, o in items]
    return "; ".join(parts) or "no outcome recorded"


def decided(deal: Deal) -> bool:
    """Whether a deal file records an outcome (a decision, or no review, for some authority)."""
    return any(o not in UNDECIDED for o in deal.actual_outcomes.values())


@dataclass(frozen=True)
class Precedent:
    deal: Deal
    profile: Profile
    band: Level
    outcome: str
    path: Path


@dataclass(frozen=True)
class Library:
    """The decided cases of one folder."""

    folder: Path
    cases: tuple[Precedent, ...]


_cache: dict[tuple[str, tuple[tuple[str, int, int], ...]], Library] = {}
_lock = threading.Lock()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in {".yaml", ".yml", ".json"} and p.is_file())


def load_library(folder: Path, *, strict: bool = True) -> Library:
    """The decided cases in ``folder`` (read once per process while the files are unchanged).

    ``strict``: an unreadable case file is an error (``antitrust precedents``); otherwise it is
    left out, so a report never fails on a precedent it does not need."""
    from antitrust.loading import load_deal

    try:
        files = _files(folder)
        stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    except OSError as exc:
        if strict:
            raise InputError(Location(str(folder)), f"cannot read the case folder: {exc.strerror or exc}") from None
        return Library(folder, ())
    key = (str(folder.resolve()), stamp)
    with _lock:
        hit = _cache.get(key)
    if hit is not None and (hit.cases or not strict):
        return hit
    cases = []
    for path in files:
        try:
            deal = load_deal(path)
        except (InputError, InputErrors):
            if strict:
                raise
            continue
        if decided(deal):
            cases.append(Precedent(deal, profile(deal), outcome_band(deal), outcome_text(deal), path))
    library = Library(folder, tuple(cases))
    with _lock:
        _cache[key] = library
    return library


def euro_converter(parameters: dict[str, Parameter]) -> ToEur:
    """Converts amounts into euros at the annual average rates of the rulebook's parameters."""
    fx = FxYears(parameters)

    def to_eur(amount: float, currency: str, year: int | None) -> float | None:
        years = fx.years(currency)
        when = year if year is not None else (years[-1] if years else 2000)
        result = fx.convert(amount, currency, "EUR", when)
        return result[0] if result is not None else None

    return to_eur


def rank(deal: Deal, library: Library, to_eur: Callable[[float, str, int | None], float | None] | None = None,
         top: int | None = None) -> list[PrecedentMatch]:
    """The library's cases, most similar to ``deal`` first (ties by case id); ``deal`` itself left out."""
    mine = profile(deal)
    scored = []
    for case in library.cases:
        if case.deal.id == deal.id:
            continue
        s = similarity(mine, case.profile, to_eur)
        scored.append(PrecedentMatch(
            case_id=case.deal.id, title=case.deal.title, similarity=round(s.score, 3), outcome=case.outcome,
            outcome_band=case.band, why=s.why() or ["little in common"],
            scores={p.feature: round(p.score, 3) for p in s.parts},
        ))
    scored.sort(key=lambda m: (-m.similarity, m.case_id))
    return scored if top is None else scored[:top]
