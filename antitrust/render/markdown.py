"""Markdown report: the brief, then (``full``) everything from a Jinja2 template in the package."""

from __future__ import annotations

from functools import cache

import jinja2

from antitrust.report import Report
from antitrust.templating import environment, markdown_cell
from antitrust.views import STRICT_NOTE, Brief


@cache
def _template() -> jinja2.Template:
    return environment("render", autoescape=False).get_template("report.md.j2")  # Markdown, not HTML


def brief_markdown(b: Brief) -> str:
    lines = [f"# Merger-control risk report: {b.deal}", "",
             f"Law as of **{b.law_date}** · deadlines counted to {b.today}" + (STRICT_NOTE if b.strict else "")]
    if b.overall:
        band, _, why = b.overall.partition(": ")
        lines += ["", f"**Overall risk: {band}**" + (f". {why}" if why else "")]
    lines += ["", "## Filing and review", "", "| | verdict | why | still open |", "|---|---|---|---|"]
    for j in b.jurisdictions:
        law = "" if j.basis_status == "verified" else f" (law {j.basis_status})"
        open_ = "; ".join(j.routes) + "".join(f"<br>closed: {c}" for c in j.closed)
        open_ += "".join(f"<br>assumed, please confirm: {p}" for p in j.presumptions)
        lines.append(f"| {' '.join(j.codes)} | {markdown_cell(j.verdict_text)}{law} | {markdown_cell(j.reason)} | {markdown_cell(open_)} |")
    if b.exposure:
        lines += ["", "## Exposure after closing", "", *(f"- {e}" for e in b.exposure)]
    lines += ["", "## Theories of harm at medium or high", ""]
    for t in b.theories:
        lines.append(f"- **{t.title}: {t.band}{' (undetermined)' if t.undetermined else ''}.** "
                     + " ".join(t.evidence) + (f" *{t.could_reach}.*" if t.could_reach else ""))
    if not b.theories:
        lines.append("None.")
    if b.theories_left:
        lines += ["", "Also checked: " + "; ".join(b.theories_left) + "."]
    if b.requests:
        lines += ["", "## Information requests", ""]
        for i, r in enumerate(b.requests, 1):
            lines.append(f"{i}. **{r.question[:1].upper()}{r.question[1:]}** (`{r.path}`); decides "
                         f"{', '.join(r.decides) or 'no verdict'}. " + "; ".join(r.alternatives))
        if b.requests_more:
            lines += ["", f"… and {b.requests_more} more (full report)."]
    if b.next_steps:
        lines += ["", "## Next steps", "", *(f"{i}. {s}" for i, s in enumerate(b.next_steps, 1))]
    if b.precedents:
        lines += ["", "## Nearest precedents", "", *(f"- {p}" for p in b.precedents)]
    if b.warnings:
        lines += ["", f"{b.warnings} warning(s) on parameters (full report)."]
    return "\n".join(lines) + "\n"


def render_markdown(report: Report, detail: str = "brief") -> str:
    assert report.brief is not None and report.detail is not None, "call antitrust.render.with_views first"
    text = brief_markdown(report.brief)
    if detail == "full":
        by_id = {f.id: f for f in report.findings}
        text += "\n" + _template().render(r=report, d=report.detail, by_id=by_id)
    return text
