"""Engine facts for economic interests that are not shares: a profit participation, a revenue
share, a tracking or phantom interest (``economic_interests`` in the deal file). They carry no
votes and are not shares, so the share-based tests (§37(1) Nr. 3 GWB, §7(1) Z 3 KartG, HSR voting
securities) do not count them; rules read them where the law looks at influence instead."""

from __future__ import annotations

from typing import TYPE_CHECKING

from antitrust.factbase import Provenance
from antitrust.facts import _fact_interval

if TYPE_CHECKING:
    from antitrust.facts import _Builder


def economic_interests(self: _Builder) -> None:
    for i, e in enumerate(self.deal.economic_interests):
        base = f"economic_interests[{i}]"
        fact = self.add("economic_interest", {
            "holder": e.holder,
            "issuer": e.issuer,
            "holder_role": self.roles[e.holder],
            "issuer_role": self.roles[e.issuer],
            "kind": e.kind.value if e.kind.known else None,
            "profit_share": _fact_interval(e.profit_share, 0, 100),
        })
        self.note(fact, "holder", Provenance(f"{base}.holder", e.holder))
        self.note(fact, "issuer", Provenance(f"{base}.issuer", e.issuer))
        self.note(fact, "kind", self.fact_prov(e.kind, f"{base}.kind"))
        self.note(fact, "profit_share", self.fact_prov(e.profit_share, f"{base}.profit_share", "%"))
