"""Stable JSON: the pydantic model's own serialisation, keys in schema order, two-space indent."""

from __future__ import annotations

from antitrust.report import Report


def render_json(report: Report) -> str:
    return report.model_dump_json(indent=2) + "\n"
