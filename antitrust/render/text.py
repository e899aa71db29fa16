"""The report as plain text: the brief, or (``full``) the brief followed by everything, reorganised.

Plain string building (no layout engine): a whole report renders in a few milliseconds. Colour
(ANSI) only when asked for, i.e. when writing to a terminal."""

from __future__ import annotations

from antitrust.render.brief_text import brief_lines, paint, wrap
from antitrust.report import Report

_RULE = "─" * 100


def _section(title: str, color: bool) -> list[str]:
    return ["", _RULE, f"\x1b[1m{title}\x1b[0m" if color else title]


def _jurisdictions(r: Report, color: bool) -> list[str]:
    by_id = {f.id: f for f in r.findings}
    lines = _section("JURISDICTIONS", color)
    for j in r.jurisdictions:
        verdict = j.filing.replace("_", " ") + (", suspensory" if j.suspensory else "")
        regime = f"; {j.regime}" if j.regime else ""
        basis = "" if j.basis_status == "verified" else f"; law {j.basis_status}"
        lines += ["", *wrap(f"{j.name} ({j.code}): {paint(verdict, j.filing, color)}{regime}{basis}", "")]
        for fid in j.decided_by:
            if fid in by_id:
                lines += wrap(f"{fid}: {by_id[fid].reason}", "  decided by ", "    ")
        if not j.decided_by and j.reason:
            lines += wrap(j.reason, "  why: ", "    ")
        for route in j.reach:
            until = f", until {route.until}" if route.until else ""
            reason = by_id[route.finding].reason if route.finding in by_id else ""
            lines += wrap(f"{route.route.replace('_', ' ')} ({route.status}{until}) [{route.finding}]: {reason}",
                          "  reachable by ", "    ")
        for w in j.windows:
            lines += wrap(f"{w.text} ({w.length} from {w.starts_on or 'its start'}; {w.basis})", "  window: ", "    ")
        for e in j.exposure:
            consequences = f" Consequences: {'; '.join(e.consequences)}." if e.consequences else ""
            cites = f" ({'; '.join(e.citations)})" if e.citations else ""
            lines += wrap(f"{e.kind.replace('_', ' ')} ({e.status}): {e.text}{cites}.{consequences}",
                          "  exposure: ", "    ")
        for p in j.presumptions:
            where = f" [{p.path}]" if p.path else ""
            lines += wrap(f"{p.statement}{where}: {p.why}" + (f" ({p.citation})" if p.citation else ""),
                          "  assumed, please confirm: ", "    ")
        for n in j.needed:
            lines += wrap(f"{n.fact} {n.test} ({n.path}) [{n.finding}]", "  would be decided by ", "    ")
    return lines


def _steps(r: Report, color: bool) -> list[str]:
    if not r.steps:
        return []
    lines = _section("STEPS (EACH UNDER ITS OWN LAW; THE REPORT ABOVE IS THE CUMULATIVE POSITION)", color)
    for st in r.steps:
        lines += ["", *wrap(f"{st.label} ({st.on}, law of {st.as_of})", "")]
        for text in [*st.position, *st.headlines, *(f"warning: {w}" for w in st.warnings)]:
            lines += wrap(text, "  - ", "    ")
    return lines


def _theories(r: Report, color: bool) -> list[str]:
    lines = _section("THEORIES OF HARM", color)
    for t in r.theories:
        band = t.band + (" (undetermined)" if t.undetermined else "")
        lines += ["", *wrap(f"{t.title}: {paint(band, t.band, color)}, confidence {t.confidence}", "")]
        for e in t.evidence:
            lines += wrap(f"{e.step} ({e.status}): {e.text}" + (f" [{', '.join(e.findings)}]" if e.findings else ""),
                          "  ", "    ")
        if t.could_reach:
            ifs = "; ".join(f"{n.fact} {n.test}" for n in t.could_reach_if)
            lines += wrap(f"could reach {t.could_reach}" + (f" if {ifs}" if ifs else ""), "  ", "    ")
        if t.checked:
            lines += wrap("checked and not found: " + "; ".join(t.checked), "  ", "    ")
        if t.findings:
            lines += wrap("findings: " + ", ".join(t.findings), "  ", "    ")
    if r.overall is not None:
        lines += ["", *wrap(f"Overall risk {r.overall.band}: " + "; ".join(r.overall.reasons), "")]
    return lines


def _groups(r: Report, color: bool) -> list[str]:
    assert r.detail is not None
    lines = _section("FINDINGS, PER RULE", color)
    for g in r.detail.groups:
        statuses = sorted(set(g.statuses))
        count = f" ({len(g.findings)} findings)" if len(g.findings) > 1 else ""
        lines += ["", *wrap(f"{g.rule_id}{count}: {g.title}", "")]
        lines += wrap(f"{g.conclusion} | {'/'.join(statuses)}", "  ", "    ")
        for reason in g.reasons:
            lines += wrap(reason, "  ", "    ")
        if g.counterparts:
            lines += wrap("; ".join(g.counterparts), "  for each of: ", "    ")
        status = "" if g.basis_status == "verified" else f" ({g.basis_status})"
        lines += wrap(f"{g.citation} <{g.url}>{status}", "  law: ", "    ")
        for fact in g.facts:
            lines += wrap(fact, "  fact: ", "    ")
        if g.because:
            lines += wrap(", ".join(g.because), "  because of: ", "    ")
    return lines


def _rest(r: Report, color: bool) -> list[str]:
    assert r.detail is not None
    d = r.detail
    lines: list[str] = []
    if d.margins:
        lines += _section("MARGINS THAT DECIDE SOMETHING OR SIT WITHIN 25% OF THEIR LINE", color)
        for m in d.margins:
            lines += wrap(m.text + ("" if not m.decisive else " [decisive]"), "  ", "    ")
            lines += wrap(f"{', '.join(m.findings)}; {m.source}", "      ", "      ")
        if d.margins_left_out:
            lines.append(f"  ({d.margins_left_out} margins far from their line and deciding nothing left out; "
                         "JSON has them all)")
    if r.near_misses:
        lines += _section(f"NEAR MISSES (WITHIN {r.meta.near_miss_band:.0%} OF A THRESHOLD)", color)
        for nm in r.near_misses:
            lines += wrap(f"{nm.rule_id}: would conclude {nm.would_conclude}", "  ", "    ")
            for mg in nm.failing:
                lines += wrap(f"missed: {mg.text} ({mg.path})", "    ", "      ")
            if nm.unknown:
                lines += wrap(f"still open: {', '.join(nm.unknown)}", "    ", "      ")
    if d.questions:
        lines += _section("OPEN QUESTIONS AND THE ALTERNATIVES THEY DECIDE", color)
        for q in d.questions:
            lines += wrap(f"{q.question} ({q.path})", "  ", "    ")
            for a in q.alternatives:
                lines += wrap(a, "    - ", "      ")
    if r.precedents:
        lines += _section("NEAREST PRECEDENTS: WHAT MAKES THEM SIMILAR", color)
        for p in r.precedents:
            lines += wrap(f"{p.title}: {p.similarity:.0%} similar; outcome {p.outcome_band} ({p.outcome})", "  ", "    ")
            for w in p.why:
                lines += wrap(w, "    - ", "      ")
    if d.conversions:
        lines += _section("CURRENCY CONVERSIONS", color)
        for c in d.conversions:
            lines += wrap(c, "  ", "    ")
    if r.warnings:
        lines += _section("WARNINGS", color)
        for w in r.warnings:
            lines += wrap(w, "  ", "    ")
    if r.meta.rules_inactive:
        lines += _section(f"RULES NOT IN FORCE ON {r.meta.as_of}", color)
        for rid, why in r.meta.rules_inactive.items():
            lines += wrap(f"{rid}: {why}", "  ", "    ")
    meta = r.meta
    lines += ["", *wrap(f"deal {meta.deal_id} | rulebook {meta.rulebook_hash[:12]} ({meta.rules_loaded} rules) | "
                        f"antitrust {meta.tool_version} | report schema {meta.report_schema_version}", "")]
    return lines


def render_text(report: Report, detail: str = "brief", *, color: bool = False) -> str:
    assert report.brief is not None and report.detail is not None, "call antitrust.render.with_views first"
    lines = brief_lines(report.brief, color=color)
    if detail == "full":
        lines += _jurisdictions(report, color) + _steps(report, color) + _theories(report, color)
        lines += _groups(report, color)
        lines += _rest(report, color)
    return "\n".join(lines) + "\n"
