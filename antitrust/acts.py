"""Authority acts as engine facts: each jurisdiction's figures fact says what its authority did.

A stated act is a fact like any other. Rules read it (``uk.called_in``, ``de.thresholds_met_stated``)
to conclude routes and verdicts from what an authority actually did, and the gun-jumping rules read
``notified``: yes when a notification is stated, no when the deal file says none was made, unknown
otherwise. An act that is not stated did not happen as far as the rules can tell (no), except a
notification, which stays unknown: a deal file that is silent about filings says nothing.
"""

from __future__ import annotations

from typing import Any

from antitrust.deal import Deal
from antitrust.factbase import Provenance

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


def act_fields(deal: Deal, code: str) -> tuple[dict[str, Any], dict[str, Provenance]]:
    """The act fields of jurisdiction ``code``'s figures fact, and their provenance."""
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
    return fields, provs


def _prov(hits: list[tuple[int, Any]], display: str) -> Provenance:
    if not hits:
        return Provenance(path="authority_acts", display=display)
    dated = [f"{a.act} {a.on.isoformat()}" if a.on else a.act for _i, a in hits]
    return Provenance(
        path=" + ".join(f"authority_acts[{i}]" for i, _a in hits),
        display=f"{display} ({', '.join(dated)})",
        sources=tuple(dict.fromkeys(str(a.source) for _i, a in hits if a.source is not None)),
    )
