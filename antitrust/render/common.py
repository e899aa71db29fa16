"""Helpers shared by the renderers."""

from __future__ import annotations

from antitrust.report import Margin, Report


def merge_margins(report: Report) -> list[tuple[Margin, list[str]]]:
    """Each fact-and-comparison once, with the findings that use it, closest to its line first."""
    merged: dict[tuple[str, str], tuple[Margin, list[str]]] = {}
    for f in report.findings:
        for m in f.margins:
            key = (m.fact_id, m.comparison)
            if key not in merged:
                merged[key] = (m, [])
            if f.id not in merged[key][1]:
                merged[key][1].append(f.id)
    return sorted(merged.values(), key=lambda x: (x[0].relative is None, abs(x[0].relative or 0.0), x[0].fact))


def threshold_source(m: Margin) -> str:
    """Where a margin's line comes from: the dated parameter and its citation, or the rule itself."""
    t = m.threshold
    if not t.param:
        return "line set in the rule"
    text = f"{t.param} = {t.original} in force from {t.effective_from}, {t.citation} ({t.status})"
    if t.conversion:
        text += f"; converted from {t.conversion}"
    return text


def margin_text(m: Margin) -> str:
    """The signed difference, with the ratio or relative distance: '+EUR 12.7bn (×32.7)', '-1 point'."""
    sign = "+" if m.difference > 0 else "-" if m.difference < 0 else "±"
    text = f"{sign}{m.difference_display}"
    if m.ratio is not None and m.ratio > 0 and (m.ratio >= 2 or m.ratio <= 0.5) and m.threshold.unit != "percent":
        text += f" (×{m.ratio:.3g})"
    elif m.relative is not None and m.difference != 0 and m.threshold.unit != "percent":
        text += f" ({m.relative:+.1%})"
    return text
