"""Staged transactions: each dated step evaluated under its own law, with the position built so far.

A deal file may state ``steps`` (a 2019, a 2023 and a 2025 investment) that add up to its stakes.
The report of the deal is the cumulative position, under the law of its closing. Each step becomes
a deal of its own: closing on the step's date, the step's consideration, and for each holding the
equity and votes before and after that step. It is evaluated under the law of that date and
counted to the same 'today', so a step that was notifiable under the law of its day shows up even
when the thresholds have since changed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from antitrust.deal import Deal, Step
from antitrust.evaluate import Evaluation, evaluate
from antitrust.report import StepReport


def step_deal(deal: Deal, k: int) -> Deal:
    """Step ``k`` of ``deal`` as a deal of its own."""
    step = deal.steps[k]
    data: dict[str, Any] = deal.model_dump(mode="json", exclude_none=True)
    data["steps"] = []
    data["id"] = f"{deal.id}.step{k + 1}"
    data["title"] = f"{deal.title} — step {k + 1}: {step.label}"
    tx = data["transaction"]
    tx.pop("signed", None)
    tx.pop("announced", None)
    tx["closing"] = step.on.model_dump(mode="json", exclude_none=True)
    if step.consideration is not None:
        tx["consideration"] = step.consideration.model_dump(mode="json", exclude_none=True)
    else:
        tx.pop("consideration", None)
    last = step.on.span[1] or step.on.span[0]
    data["authority_acts"] = [a.model_dump(mode="json", exclude_none=True) for a in deal.authority_acts
                              if a.on is not None and last is not None and a.on <= last]
    for i, stake in enumerate(deal.stakes):
        pair = (stake.holder, stake.issuer)
        for what in ("equity", "voting"):
            # Left out, what was held before the first step is 0 (the steps add up from it, see check_steps).
            held = getattr(stake, f"{what}_before")
            before = _sum([0.0 if held is None else held] + [getattr(a, what) for st in deal.steps[:k]
                                                               for a in st.acquired if (a.holder, a.issuer) == pair])
            now = [getattr(a, what) for a in step.acquired if (a.holder, a.issuer) == pair]
            after = _sum([before, *now]) if before is not None else None
            data["stakes"][i][f"{what}_before"] = before if before is not None else "unknown"
            data["stakes"][i][f"{what}_after"] = after if after is not None else "unknown"
        cls = next((a.share_class for a in step.acquired if (a.holder, a.issuer) == pair and a.share_class), None)
        if cls is not None:
            data["stakes"][i]["share_class"] = cls.model_dump(mode="json", exclude_none=True)
    return Deal.model_validate(data)


def _sum(parts: list[Any]) -> float | None:
    total = 0.0
    for p in parts:
        if isinstance(p, float | int):
            total += p
        elif p is None or not p.known:
            return None
        else:
            total += p.value or 0.0
    return total


def _position(deal: Deal, step_as_deal: Deal) -> list[str]:
    names = {p.id: p.name for p in deal.parties}
    out = []
    for s in step_as_deal.stakes:
        def pct(f: Any) -> str:
            if f is None:
                return "0% (not stated)"
            return f"{f.value:g}%" if f.known else "unknown"
        out.append(f"{names[s.holder]} in {names[s.issuer]}: equity {pct(s.equity_before)} → {pct(s.equity_after)}, "
                   f"votes {pct(s.voting_before)} → {pct(s.voting_after)}")
    return out


def step_reports(ev: Evaluation, today: date) -> list[StepReport]:
    """Each step of ``ev``'s deal under its own law (empty for a deal without steps)."""
    from antitrust.reporting import build_report

    deal = ev.deal
    out = []
    for k, step in enumerate(deal.steps):
        d = step_deal(deal, k)
        sub = evaluate(d, ev.compiled.rulebook, today=today, strict=ev.strict)
        report = build_report(sub, today, near_miss_band=None)
        out.append(StepReport(
            label=step.label,
            on=step.on.display,
            as_of=sub.as_of,
            position=_position(deal, d),
            verdicts={j.code: j.filing for j in report.jurisdictions},
            headlines=[j.headline for j in report.jurisdictions
                       if j.filing in {"mandatory", "undetermined", "voluntary"} or j.exposure],
            warnings=list(sub.warnings),
        ))
    return out


__all__ = ["Step", "step_deal", "step_reports"]
