"""Renderers: each turns the same :class:`~antitrust.report.Report` into one output format."""

from __future__ import annotations

from collections.abc import Callable

from antitrust.render.json import render_json
from antitrust.render.markdown import render_markdown
from antitrust.render.text import render_text
from antitrust.report import Report

RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}

__all__ = ["RENDERERS", "render_json", "render_markdown", "render_text"]
