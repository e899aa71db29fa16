"""Exposure on a deal that has closed: what a rule with ``exposure:`` concludes, as report entries.

A gun-jumping rule fires when the deal had closed by the report's 'today', a suspensory filing
test of its jurisdiction is or may be met, and no notification is stated. It holds when the
filing duty holds and the deal file says no notification was made; otherwise it is possible.
Its consequences are templates like reasons, so a penalty can name its dated parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from antitrust.evaluate import Evaluation, Firing
from antitrust.report import Exposure

Reason = Callable[[Firing, str], str]


def exposures(ev: Evaluation, indices: Iterable[int], ids: dict[int, str], reason: Reason) -> list[Exposure]:
    """The exposures concluded by the firings ``indices`` (one per distinct text)."""
    out: dict[tuple[str, str], Exposure] = {}
    for i in indices:
        f = ev.firings[i]
        spec = ev.compiled.rules[f.rule_id].rule.spec
        if spec.exposure is None or spec.jurisdiction is None:
            continue
        status = "holds" if f.status == "yes" else "possible"
        text = reason(f, spec.reason)
        key = (spec.exposure.kind, text)
        if key in out:
            prior = out[key]
            out[key] = prior.model_copy(update={
                "findings": [*prior.findings, ids[i]],
                "status": "holds" if "holds" in (prior.status, status) else "possible",
            })
            continue
        out[key] = Exposure(
            kind=spec.exposure.kind,
            jurisdiction=spec.jurisdiction,
            status=status,
            text=text,
            consequences=[reason(f, c) for c in spec.exposure.consequences],
            citations=list(dict.fromkeys(spec.exposure.citations or [spec.basis.citation])),
            findings=[ids[i]],
        )
    return sorted(out.values(), key=lambda x: (x.status != "holds", x.kind, x.text))


def headline_part(items: list[Exposure]) -> str:
    """'gun-jumping exposure (possible)' for the jurisdiction's headline, or ''."""
    kinds: dict[str, str] = {}
    for x in items:
        if kinds.get(x.kind) != "holds":
            kinds[x.kind] = x.status
    words = {"gun_jumping": "gun-jumping exposure", "post_closing_review": "review after closing",
             "unwinding": "exposure to unwinding"}
    return ", ".join(f"{words[k]}{'' if s == 'holds' else ' (possible)'}" for k, s in kinds.items())
