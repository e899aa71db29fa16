"""One self-contained HTML page: inline CSS, no scripts, no fonts or images from anywhere.

Every string from a deal or rule file goes through Jinja2's autoescape; nothing is marked safe."""

from __future__ import annotations

from functools import cache

import jinja2

from antitrust.report import Finding, Report
from antitrust.templating import environment


@cache
def _template() -> jinja2.Template:
    return environment("render", autoescape=True).get_template("report.html.j2")


def _overview(report: Report) -> list[tuple[str, list[str]]]:
    """Jurisdictions x theories: for each jurisdiction, the band of each theory among its findings'
    theories is not a thing the rules state, so the grid shows where each theory's findings sit:
    a theory's band under every jurisdiction that can still act on the deal (routes that hold or
    may hold, or a filing that is or may be due)."""
    rows = []
    for j in report.jurisdictions:
        can_act = j.filing in {"mandatory", "voluntary", "undetermined"} or any(
            r.status != "expired" for r in j.reach)
        cells = [(t.band + ("?" if t.undetermined else "")) if can_act and t.band != "none" else "–"
                 for t in report.theories]
        rows.append((j.code, cells))
    return rows


def _tree(report: Report) -> dict[str, list[str]]:
    """Finding id -> the findings it rests on (its proof tree, one level at a time)."""
    return {f.id: list(f.because) for f in report.findings}


def render_html(report: Report, detail: str = "full") -> str:
    assert report.brief is not None and report.detail is not None, "call antitrust.render.with_views first"
    by_id: dict[str, Finding] = {f.id: f for f in report.findings}
    return _template().render(r=report, b=report.brief, d=report.detail, by_id=by_id,
                              overview=_overview(report), tree=_tree(report), full=detail == "full")
