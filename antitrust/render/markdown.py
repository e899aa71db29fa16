"""Markdown report, from a Jinja2 template shipped with the package."""

from __future__ import annotations

from functools import cache

import jinja2

from antitrust.render.common import margin_text, merge_margins, threshold_source
from antitrust.report import Report


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("antitrust", "render"),
        autoescape=False,  # Markdown, not HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("report.md.j2")


def render_markdown(report: Report) -> str:
    by_id = {f.id: f for f in report.findings}
    return _template().render(r=report, by_id=by_id, margins=merge_margins(report),
                                source=threshold_source, margin=margin_text)
