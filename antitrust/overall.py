"""The deal's overall risk: the overall-risk table of the rule files applied to the report's
verdicts, routes and theory bands (first row whose conditions all hold)."""

from __future__ import annotations

from antitrust.report import JurisdictionReport, OverallRisk, TheoryReport
from antitrust.rulespec import OverallRow, OverallTable

_LEVEL = {"high": 2, "medium": 1, "low": 0, "none": -1}
#: Routes by which an authority itself takes a deal up (a duty to inform is not one).
_TAKING = {"call_in", "referral", "post_closing_challenge", "own_initiative"}


def _match(row: OverallRow, mandatory: list[str], reachable: list[str],
           theories: list[TheoryReport]) -> tuple[list[str], list[str]] | None:
    """(jurisdictions, theories) the row rests on, or None when a condition fails."""
    juris: list[str] = []
    if row.filing == "mandatory":
        if not mandatory:
            return None
        juris = mandatory
    if row.route == "holds":
        if not reachable:
            return None
        juris = juris or reachable
    named: list[str] = []
    if row.theory_band is not None:
        named = [t.title[:1].lower() + t.title[1:] for t in theories if _LEVEL[t.band] >= _LEVEL[row.theory_band]]
        if not named:
            return None
    return juris, named


def overall_risk(table: OverallTable, jurisdictions: list[JurisdictionReport],
                 theories: list[TheoryReport]) -> OverallRisk:
    mandatory = [j.code for j in jurisdictions if j.filing == "mandatory"]
    reachable = [j.code for j in jurisdictions if any(r.route in _TAKING and r.status == "holds" for r in j.reach)]
    substantive = [t for t in theories if t.theory in table.substantive]
    for row in table.rows:
        hit = _match(row, mandatory, reachable, substantive)
        if hit is None:
            continue
        juris, named = hit
        reason = row.reason.replace("{jurisdictions}", ", ".join(juris) or "none").replace(
            "{theories}", "; ".join(named) or "none")
        findings = sorted({f for t in substantive for f in t.findings
                           if row.theory_band is not None and _LEVEL[t.band] >= _LEVEL[row.theory_band]})
        return OverallRisk(band=row.band, reasons=[reason], findings=findings)
    raise AssertionError("the overall-risk table ends with a row without conditions")  # checked at load
