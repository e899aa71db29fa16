"""Terminal report with rich. Fixed width and no colour when not writing to a terminal."""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from antitrust.render.common import merge_margins, threshold_source
from antitrust.report import Report

_FILING_STYLE = {"mandatory": "bold red", "undetermined": "bold yellow", "voluntary": "yellow",
                 "not_required": "green"}
_BAND_STYLE = {"high": "bold red", "medium": "yellow", "low": "green", "none": "dim"}


def _route_status(status: str, until: object) -> str:
    if status == "expired":
        return f" (expired on {until})" if until else " (expired)"
    return " (possible)" if status == "possible" else ""


def render_text(report: Report, *, width: int = 110, color: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, color_system="standard" if color else None,
                      no_color=not color, highlight=False, emoji=False)
    m = report.meta
    console.print(Text(f"Merger-control risk report: {m.deal_title}", style="bold"))
    console.print(f"deal {m.deal_id} | law as of {m.as_of} | rulebook {m.rulebook_hash[:12]} | "
                  f"antitrust {m.tool_version} | review dates checked on {m.checked_on}")
    console.print()
    console.print(Panel(Group(*(Text("• " + s) for s in report.summary)), title="Summary", title_align="left"))
    for w in report.warnings:
        console.print(Text(f"warning: {w}", style="yellow"))

    by_id = {f.id: f for f in report.findings}
    table = Table(title="Jurisdictions", title_justify="left", show_lines=True, expand=True)
    table.add_column("", width=4)
    table.add_column("filing", width=14)
    table.add_column("why", ratio=3)
    table.add_column("still reachable by / would be decided by", ratio=2)
    for j in report.jurisdictions:
        why = "\n".join(f"{fid}: {by_id[fid].reason}" for fid in j.decided_by) or "no filing test is met"
        extra = [f"{r.route.replace('_', ' ')}{_route_status(r.status, r.until)} [{r.finding}]" for r in j.reach]
        extra += [f"{w.status}: {w.text}" for w in j.windows]
        extra += [f"{x.kind.replace('_', ' ')} ({x.status}): {x.text}" for x in j.exposure]
        extra += [f"{n.fact} {n.test} [{n.finding}]" for n in j.needed]
        filing = j.filing.replace("_", " ") + (", suspensory" if j.suspensory else "")
        table.add_row(j.code, Text(filing, style=_FILING_STYLE[j.filing]), why, "\n".join(extra))
    console.print(table)

    theories = Table(title="Theories of harm", title_justify="left", expand=True)
    theories.add_column("theory", ratio=2)
    theories.add_column("band", width=22)
    theories.add_column("confidence", width=10)
    theories.add_column("findings", ratio=3)
    for t in report.theories:
        band = t.band + (" (undetermined)" if t.undetermined else "")
        theories.add_row(t.title, Text(band, style=_BAND_STYLE[t.band]), t.confidence, ", ".join(t.findings))
    console.print(theories)

    merged = merge_margins(report)
    if merged:
        console.print(Text("Margins to thresholds (closest first)", style="bold"))
        for mg, ids in merged:
            console.print(f"  {mg.text}")
            console.print(Text(f"      [{', '.join(ids)}; {threshold_source(mg)}]", style="dim"))
        console.print()
    if report.near_misses:
        console.print(Text(f"Near misses (within {report.meta.near_miss_band:.0%} of a threshold)", style="bold"))
        for nm in report.near_misses:
            console.print(f"  {nm.rule_id}: would conclude {nm.would_conclude}")
            for mg in nm.failing:
                console.print(f"    missed: {mg.text} ({mg.path})")
            if nm.unknown:
                console.print(f"    still open: {', '.join(nm.unknown)}")
        console.print()

    console.print(Text("Findings", style="bold"))
    for f in report.findings:
        console.print(Text(f"{f.id}  {f.title}", style="bold"))
        console.print(f"  {f.conclusion} | {f.status} | confidence {f.confidence}")
        console.print(f"  {f.reason}")
        console.print(f"  law: {f.basis.citation} <{f.basis.url}>" + ("" if f.basis.status == "verified" else f" ({f.basis.status})"))
        for u in f.facts:
            src = f"; source {', '.join(u.sources)}" if u.sources else ""
            console.print(f"  fact: {u.name} = {u.value} ({u.path}{src})")
        for p in f.parameters:
            console.print(f"  param: {p.name} = {p.value} from {p.effective_from} ({p.status})")
        if f.derived:
            console.print(f"  derives: {f.derived}")
        if f.because:
            console.print(f"  because of: {', '.join(f.because)}")
        for n in f.needed:
            console.print(f"  needs: {n.fact} {n.test} ({n.path})")
        for mg in f.margins:
            console.print(f"  margin: {mg.text}")
    if report.conversions:
        console.print()
        console.print(Text("Currency conversions", style="bold"))
        for c in report.conversions:
            console.print(f"  {c.what}: {c.original} → {c.result} at {c.rate}")
    return buffer.getvalue()

