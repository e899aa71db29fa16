"""Text, Markdown and JSON for what-if comparisons, sweeps and flip searches."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from antitrust.whatif import Flip, Flips, Sweep, WhatIf

WIDTH = 110


def _console(buffer: io.StringIO, width: int = WIDTH) -> Console:
    return Console(file=buffer, width=width, force_terminal=False, color_system=None, no_color=True,
                   highlight=False, emoji=False, markup=False)


def _words(outcome: str) -> str:
    return outcome.replace("_", " ")


def _decided(rules: list[str], outcome: str, jurisdiction: bool) -> str:
    if rules:
        return ", ".join(rules)
    if jurisdiction:
        return "no filing test is met" if outcome.startswith("not") else "no rule"
    return "no indicator"


# == what-if ===================================================================================
def whatif_text(w: WhatIf) -> str:
    buffer = io.StringIO()
    console = _console(buffer)
    console.print(Text(f"What-if: {w.deal_title}", style="bold"))
    console.print(f"as given:   law as of {w.base.as_of}")
    console.print(f"as changed: law as of {w.changed.as_of}"
                  + ("" if w.changed.changes else " (same facts)"))
    for a in w.changed.changes:
        console.print(f"  {a.path}: {a.before} → {a.after}")
    console.print()
    changed = [v for v in w.verdicts if v.changed] + [b for b in w.bands if b.changed]
    if not changed:
        console.print("No verdict or risk band changes.")
    console.print(Text("Verdicts", style="bold"))
    for v in w.verdicts:
        if v.changed:
            console.print(f"* {v.code:<3} {_words(v.before)} → {_words(v.after)}: now "
                          f"{_decided(v.decided_after, v.after, True)} "
                          f"(was {_decided(v.decided_before, v.before, True)})")
        else:
            console.print(f"  {v.code:<3} {_words(v.after)} (unchanged)")
    console.print(Text("Theories of harm", style="bold"))
    for b in w.bands:
        if b.changed:
            console.print(f"* {b.title}: {b.before} → {b.after}: now "
                          f"{_decided(b.decided_after, b.after, False)} "
                          f"(was {_decided(b.decided_before, b.before, False)})")
        else:
            console.print(f"  {b.title}: {b.after} (unchanged)")
    if w.parameters:
        console.print(Text("Parameters in force with other values", style="bold"))
        for p in w.parameters:
            console.print(f"  {p.name}: {p.before} (from {p.before_from or '-'}) → {p.after} (from {p.after_from or '-'})")
    for title, items, sign in (("Findings that appeared", w.appeared, "+"),
                               ("Findings that disappeared", w.disappeared, "-")):
        console.print(Text(f"{title} ({len(items)})", style="bold"))
        for f in items:
            console.print(f"{sign} {f.rule_id} [{f.status}] {f.conclusion}")
            console.print(f"    {f.reason}")
    return buffer.getvalue()


def whatif_markdown(w: WhatIf) -> str:
    lines = [f"# What-if: {w.deal_title}", "",
             f"- As given: law as of **{w.base.as_of}**",
             f"- As changed: law as of **{w.changed.as_of}**"]
    lines += [f"  - `{a.path}`: {a.before} → **{a.after}**" for a in w.changed.changes]
    lines += ["", "## Verdicts", "", "| | jurisdiction | as given | as changed | decided by (as changed) | was decided by |",
              "|---|---|---|---|---|---|"]
    for v in w.verdicts:
        mark = "**changed**" if v.changed else ""
        lines.append(f"| {mark} | {v.name} ({v.code}) | {_words(v.before)} | {_words(v.after)} | "
                     f"{_decided(v.decided_after, v.after, True)} | {_decided(v.decided_before, v.before, True)} |")
    lines += ["", "## Theories of harm", "", "| | theory | as given | as changed | decided by (as changed) |",
              "|---|---|---|---|---|"]
    for b in w.bands:
        mark = "**changed**" if b.changed else ""
        lines.append(f"| {mark} | {b.title} | {b.before} | {b.after} | {_decided(b.decided_after, b.after, False)} |")
    if w.parameters:
        lines += ["", "## Parameters in force with other values", "", "| parameter | as given | as changed | source |",
                  "|---|---|---|---|"]
        lines += [f"| `{p.name}` | {p.before} (from {p.before_from or '-'}) | {p.after} (from {p.after_from or '-'}) | "
                  f"{p.citation or ''} |" for p in w.parameters]
    for title, items in (("Findings that appeared", w.appeared), ("Findings that disappeared", w.disappeared)):
        lines += ["", f"## {title}", ""]
        lines += [f"- **{f.rule_id}** ({f.status}): {f.conclusion}. {f.reason}" for f in items] or ["None."]
    return "\n".join(lines) + "\n"


# == sweep =====================================================================================
def sweep_text(s: Sweep) -> str:
    buffer = io.StringIO()
    varying = [c for c in s.columns if c.key not in s.constant]
    width = max(WIDTH, 14 + 18 * len(varying))
    console = _console(buffer, width)
    first, last = s.rows[0].display, s.rows[-1].display
    console.print(Text(f"Sweep of {s.path} from {first} to {last}: {s.deal_title}", style="bold"))
    console.print(f"law as of {s.as_of}; * marks a value where the outcome changes")
    for a in s.changes:
        console.print(f"with {a.path}: {a.before} → {a.after}")
    table = Table(show_lines=False, expand=False)
    table.add_column("value", justify="right")
    for c in varying:
        table.add_column(c.label)
    for row in s.rows:
        cells = []
        for c in varying:
            text = _words(row.outcomes[c.key])
            cells.append(f"* {text}" if c.key in row.flips else text)
        table.add_row(row.display, *cells)
    console.print(table)
    flips = [r for r in s.rows if r.flips or r.appeared or r.disappeared]
    if flips:
        console.print(Text("Changes along the range", style="bold"))
    for index, row in enumerate(s.rows):
        if not (row.flips or row.appeared or row.disappeared):
            continue
        before = s.rows[index - 1]
        parts = [f"{_label(s, k)}: {_words(before.outcomes[k])} → {_words(row.outcomes[k])}" for k in row.flips]
        console.print(f"  at {row.display}: " + ("; ".join(parts) if parts else "no verdict or band changes"))
        if row.appeared:
            console.print(f"      rules now firing: {', '.join(row.appeared)}")
        if row.disappeared:
            console.print(f"      rules no longer firing: {', '.join(row.disappeared)}")
    if s.constant:
        console.print(Text("Unchanged over the range", style="bold"))
        for k, v in s.constant.items():
            console.print(f"  {_label(s, k)}: {_words(v)}")
    return buffer.getvalue()


def _label(s: Sweep, key: str) -> str:
    return next((c.label for c in s.columns if c.key == key), key)


def sweep_markdown(s: Sweep) -> str:
    varying = [c for c in s.columns if c.key not in s.constant]
    lines = [f"# Sweep of `{s.path}`: {s.deal_title}", "",
             f"Law as of {s.as_of}. **Bold** marks a value where the outcome changes.", "",
             *(f"- with `{a.path}`: {a.before} → **{a.after}**" for a in s.changes), *([""] if s.changes else []),
             "| " + " | ".join([f"`{s.path}`", *(c.label for c in varying)]) + " |",
             "|" + "---|" * (len(varying) + 1)]
    for row in s.rows:
        cells = [f"**{_words(row.outcomes[c.key])}**" if c.key in row.flips else _words(row.outcomes[c.key])
                 for c in varying]
        lines.append("| " + " | ".join([row.display, *cells]) + " |")
    changes = [r for r in s.rows if r.flips or r.appeared or r.disappeared]
    if changes:
        lines += ["", "## Changes along the range", ""]
        for row in changes:
            lines.append(f"- at **{row.display}**: " + ("; ".join(
                f"{_label(s, k)} → {_words(row.outcomes[k])}" for k in row.flips) or "no verdict or band changes"))
            if row.appeared:
                lines.append(f"  - now firing: {', '.join(row.appeared)}")
            if row.disappeared:
                lines.append(f"  - no longer firing: {', '.join(row.disappeared)}")
    if s.constant:
        lines += ["", "## Unchanged over the range", ""]
        lines += [f"- {_label(s, k)}: {_words(v)}" for k, v in s.constant.items()]
    return "\n".join(lines) + "\n"


# == flips =====================================================================================
def _flip_lines(i: int, f: Flip, jurisdiction: bool) -> list[str]:
    n = len(f.changes)
    head = f"{i}. → {_words(f.after)}" + (f" ({n} changes)" if n > 1 else "") + f"; size {f.cost:.3g}"
    out = [head]
    for c in f.changes:
        out.append(f"     {c.path}: {c.before} → {c.after}   ({c.kind}; settles {c.test})")
    out.append(f"     decided by: {_decided(f.decided_by, f.after, jurisdiction)}"
               + ("; verified by re-evaluation" if f.verified else ""))
    return out


def flips_text(r: Flips) -> str:
    buffer = io.StringIO()
    console = _console(buffer)
    console.print(Text(f"Smallest changes that flip each verdict and band: {r.deal_title}", style="bold"))
    status = "search complete" if r.complete else f"stopped at the time limit of {r.time_limit:g}s"
    console.print(f"law as of {r.as_of}; up to {r.max_changes} change(s); {r.candidates} single changes considered, "
                  f"{r.evaluations} evaluations; {status}")
    for t in r.targets:
        console.print()
        jurisdiction = not t.key.startswith("theory:")
        console.print(Text(f"{t.label}: {_words(t.outcome)} ({_decided(t.decided_by, t.outcome, jurisdiction)})",
                           style="bold"))
        if not t.flips:
            console.print("  no change found" + ("" if r.complete else " before the time limit"))
        for i, f in enumerate(t.flips, 1):
            for line in _flip_lines(i, f, jurisdiction):
                console.print("  " + line)
    return buffer.getvalue()


def flips_markdown(r: Flips) -> str:
    status = "complete" if r.complete else f"stopped at the time limit of {r.time_limit:g}s"
    lines = [f"# Smallest changes that flip each verdict and band: {r.deal_title}", "",
             (f"Law as of {r.as_of}; up to {r.max_changes} change(s); {r.candidates} single changes considered, "
              f"{r.evaluations} evaluations; search {status}. Each flip was verified by evaluating the changed deal.")]
    for t in r.targets:
        jurisdiction = not t.key.startswith("theory:")
        lines += ["", f"## {t.label}: {_words(t.outcome)}", "",
                  f"Decided by {_decided(t.decided_by, t.outcome, jurisdiction)}.", ""]
        if not t.flips:
            lines.append("No change found.")
            continue
        lines += ["| # | becomes | changes | size | decided by |", "|---|---|---|---|---|"]
        for i, f in enumerate(t.flips, 1):
            changes = "<br>".join(f"`{c.path}`: {c.before} → **{c.after}** ({c.test})" for c in f.changes)
            lines.append(f"| {i} | {_words(f.after)} | {changes} | {f.cost:.3g} | "
                         f"{_decided(f.decided_by, f.after, jurisdiction)} |")
    return "\n".join(lines) + "\n"


def render(result: WhatIf | Sweep | Flips, fmt: str) -> str:
    """Render a what-if, sweep or flips result as 'text', 'markdown' or 'json'."""
    if fmt == "json":
        return result.model_dump_json(indent=2) + "\n"
    if isinstance(result, WhatIf):
        return whatif_markdown(result) if fmt == "markdown" else whatif_text(result)
    if isinstance(result, Sweep):
        return sweep_markdown(result) if fmt == "markdown" else sweep_text(result)
    return flips_markdown(result) if fmt == "markdown" else flips_text(result)
