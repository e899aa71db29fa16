"""Authority acts as engine facts: each jurisdiction's figures fact says what its authority did.

A stated act is a fact like any other. Rules read it (``uk.called_in``, ``de.thresholds_met_stated``)
to conclude routes and verdicts from what an authority actually did, and the gun-jumping rules read
``notified``: yes when a notification is stated, no when the deal file says none was made, unknown
otherwise. An act that is not stated did not happen as far as the rules can tell (no), except a
notification, which stays unknown: a deal file that is silent about filings says nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from antitrust.deal import Deal
from antitrust.factbase import Provenance

#: The last day the EU Merger Regulation applied to and in the UK: the end of the transition period
#: (Withdrawal Agreement Art. 126). A Commission procedure begun by then stays with the Commission
#: after it (Art. 92(1)), so the one-stop shop of Art. 21(3) EUMR kept the CMA out of that deal.
UK_EUMR_LAST_DAY = date(2020, 12, 31)
#: EU acts that put a whole deal before the Commission (not an Art. 22 referral, which takes it
#: away only from the member states that asked).
_EU_WHOLE_DEAL = {"notified", "cleared", "thresholds_met", "art4_5_referral"}

#: Figures-fact field -> the acts that make it true.
ACT_FIELDS = {
    "called_in": ("call_in",),
    "referral_requested": ("referral_request",),
    "referral_accepted": ("referral_accepted",),
    "art4_5_referred": ("art4_5_referral",),
    "thresholds_met_stated": ("thresholds_met",),
    "thresholds_not_met_stated": ("thresholds_not_met",),
    "review_opened": ("review_opened", "call_in"),
}


def act_fields(deal: Deal, code: str, provenance: bool = True) -> tuple[dict[str, Any], dict[str, Provenance]]:
    """The act fields of jurisdiction ``code``'s figures fact, and their provenance (left empty
    without ``provenance``)."""
    if not provenance and not deal.authority_acts:  # nothing stated: no act, notification unknown
        quick: dict[str, Any] = dict.fromkeys(ACT_FIELDS, False)
        if code == "UK":
            quick["eu_one_stop_shop"] = _uk_one_stop_shop(deal)[0]
        return quick, {}
    mine = [(i, a) for i, a in enumerate(deal.authority_acts) if a.authority == code]
    if code == "EU":  # a member state's request is a request to the Commission
        mine += [(i, a) for i, a in enumerate(deal.authority_acts)
                 if a.act == "referral_request" and a.authority != "EU"]
    fields: dict[str, Any] = {}
    provs: dict[str, Provenance] = {}
    for name, kinds in ACT_FIELDS.items():
        hits = [(i, a) for i, a in mine if a.act in kinds]
        fields[name] = bool(hits)
        provs[name] = _prov(hits, "stated" if hits else "none stated")
    notified = [(i, a) for i, a in mine if a.act in {"notified", "cleared"} and a.authority == code]
    denied = [(i, a) for i, a in mine if a.act == "not_notified" and a.authority == code]
    if notified:
        fields["notified"] = True
        provs["notified"] = _prov(notified, "yes")
    elif denied:
        fields["notified"] = False
        provs["notified"] = _prov(denied, "no")
    else:
        provs["notified"] = Provenance(path="authority_acts", display="unknown",
                                       known=False)
    if code == "UK":
        fields["eu_one_stop_shop"], provs["eu_one_stop_shop"] = _uk_one_stop_shop(deal)
    return fields, provs


def _uk_one_stop_shop(deal: Deal) -> tuple[bool | None, Provenance]:
    """Whether a Commission procedure over the whole deal began while the EUMR applied to the UK:
    yes if an EU notification, clearance, statement of a Union dimension or Art. 4(5) referral is
    dated by then; unknown if such acts are stated without a date; no otherwise."""
    eu = [(i, a) for i, a in enumerate(deal.authority_acts) if a.authority == "EU"]
    if any(a.act == "referral_accepted" for _i, a in eu):
        return False, _prov([], "no: the Commission took the deal on an Art. 22 referral")
    whole = [(i, a) for i, a in eu if a.act in _EU_WHOLE_DEAL]
    early = [(i, a) for i, a in whole if a.on is not None and a.on <= UK_EUMR_LAST_DAY]
    if early:
        return True, _prov(early, "stated")
    if any(a.on is None for _i, a in whole):
        undated = [(i, a) for i, a in whole if a.on is None]
        prov = _prov(undated, "unknown")
        return None, Provenance(path=prov.path, display=prov.display, sources=prov.sources, known=False)
    return False, _prov(whole, "no")


def act_text(acts: list[Any]) -> str:
    """The acts in words, with their dates: 'thresholds not met on 2024-04-02, call in'."""
    return ", ".join(f"{a.act.replace('_', ' ')} on {a.on.isoformat()}" if a.on else a.act.replace("_", " ")
                     for a in acts)


def _prov(hits: list[tuple[int, Any]], display: str) -> Provenance:
    if not hits:
        return Provenance(path="authority_acts", display=display)
    return Provenance(
        path=" + ".join(f"authority_acts[{i}]" for i, _a in hits),
        display=f"{display}: {act_text([a for _i, a in hits])}",
        sources=tuple(dict.fromkeys(str(a.source) for _i, a in hits if a.source is not None)),
    )
