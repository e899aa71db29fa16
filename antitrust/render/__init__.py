"""Renderers: each turns the same :class:`~antitrust.report.Report` into one output format.

Every format carries the same two views: the one-page brief (``detail="brief"``, the default)
and everything reorganised (``detail="full"``). Each renderer's module is imported on first use:
start-up time matters for the CLI, and a command prints one format."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from antitrust.report import Report

DETAILS = ("brief", "full")


def with_views(report: Report) -> Report:
    """The report with its brief and detail views filled in (they are arrangements of the report)."""
    if report.brief is not None and report.detail is not None:
        return report
    from antitrust.brief import build_brief
    from antitrust.detail import build_detail

    return report.model_copy(update={"brief": report.brief or build_brief(report),
                                     "detail": report.detail or build_detail(report)})


def render_text(report: Report, detail: str = "brief", *, color: bool = False) -> str:
    """Plain text (100 columns); ``color`` adds ANSI colour to verdicts and bands for a terminal."""
    from antitrust.render.text import render_text as render

    return render(with_views(report), detail, color=color)


def render_json(report: Report, detail: str = "brief") -> str:
    """The whole report, brief and detail included, whichever ``detail`` is asked for."""
    from antitrust.render.json import render_json as render

    return render(with_views(report))


def render_markdown(report: Report, detail: str = "brief") -> str:
    from antitrust.render.markdown import render_markdown as render

    return render(with_views(report), detail)


def render_html(report: Report, detail: str = "full") -> str:
    """One self-contained page: the brief on top, the overview, then expandable details."""
    from antitrust.render.html import render_html as render

    return render(with_views(report), detail)


RENDERERS: dict[str, Callable[..., str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
    "html": render_html,
}

__all__ = ["DETAILS", "RENDERERS", "render_html", "render_json", "render_markdown", "render_text", "with_views"]
