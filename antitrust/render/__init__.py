"""Renderers: each turns the same :class:`~antitrust.report.Report` into one output format.

Each renderer's module is imported on first use: the text renderer needs rich, the Markdown
renderer jinja2, and a command prints one format (start-up time matters for the CLI)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from antitrust.report import Report


def render_text(report: Report) -> str:
    from antitrust.render.text import render_text as render

    return render(report)


def render_json(report: Report) -> str:
    from antitrust.render.json import render_json as render

    return render(report)


def render_markdown(report: Report) -> str:
    from antitrust.render.markdown import render_markdown as render

    return render(report)


RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}

__all__ = ["RENDERERS", "render_json", "render_markdown", "render_text"]
