"""An explanation (see :mod:`antitrust.explain`) as plain text: a proof tree per conclusion."""

from __future__ import annotations

from antitrust.explanation import Check, Explanation, NearMissOut, Origin, ProofNode

# -- text ----------------------------------------------------------------------------------------
_MARK = {"true": "✓", "false": "✗", "unknown": "?"}


def render_text(e: Explanation) -> str:
    lines = [f"{e.headline} (law as of {e.as_of})"] if e.subject == "all" else [
        f"Explanation for {e.deal_file} (law as of {e.as_of})"]
    for s in e.sections or [e]:
        lines.append("")
        lines += _section(s)
    return "\n".join(lines).rstrip() + "\n"


def _section(e: Explanation) -> list[str]:
    lines = [e.headline, "=" * min(len(e.headline), 100)]
    for p in e.proofs:
        lines.append("")
        lines += _node(p, "")
    if e.notes:
        lines.append("")
        lines += [f"• {n}" for n in e.notes]
    if e.near_misses is not None:
        within = f"within {e.band:.0%} of a threshold"
        lines.append("")
        lines.append(f"Rules that came close ({within}):" if e.near_misses else f"Rules that came close: none {within}")
        for m in e.near_misses:
            lines += _near_miss_lines(m)
    return lines


def _node(p: ProofNode, pad: str) -> list[str]:
    head = f"{pad}{p.finding}: {p.title} [{p.status}]"
    if p.see_above:
        return [f"{head} (shown above)"]
    inner = pad + "  "
    lines = [head]
    if p.conclusion:
        lines.append(f"{inner}concludes: {p.conclusion}")
    lines.append(f"{inner}rule {p.rule_id} at {p.rule_location}; basis: {p.basis} <{p.basis_url}>")
    lines.append(f"{inner}condition: {p.condition}")
    if p.reason:
        lines.append(f"{inner}reason: {p.reason}")
    for k, c in enumerate(p.checks):
        branch, cont = ("└─ ", "   ") if k == len(p.checks) - 1 else ("├─ ", "│  ")
        lines += _check(c, inner + branch, inner + cont)
    return lines


def _check(c: Check, head: str, pad: str) -> list[str]:
    mark = _MARK[c.truth]
    if c.fact is None:  # a derived fact
        if c.truth == "false" and c.because:
            lines = [f"{head}{mark} {c.condition}: not established; the rules that would establish it:"]
        elif not c.because:
            return [f"{head}{mark} {c.condition}: " + (c.derived or "not established")]
        else:
            lines = [f"{head}{mark} {c.condition}: {c.derived} established by"]
        for n in c.because:
            lines += _node(n, pad + "  ")
        return lines
    t = c.threshold
    if c.value is None:
        return [f"{head}{mark} {c.condition}"]
    lines = [f"{head}{mark} {c.condition}  ({c.fact} = {c.value}" + (f"; needs {t.value})" if t else ")")]
    if t and t.param:
        extra = f"; {t.conversion}" if t.conversion else ""
        lines.append(f"{pad}   threshold {t.param}, in force from {t.effective_from} ({t.status}): {t.citation}{extra}")
    lines += _origin_lines(c.origins, pad + "   ")
    return lines


def _origin_lines(origins: list[Origin], pad: str) -> list[str]:
    lines = []
    for o in origins:
        if o.location:
            where = f" at {o.location}"
        elif o.path.startswith("("):
            where = ""
        else:
            where = " (not stated in the deal file; the default applies)"
        confidence = "" if o.confidence == "high" else f" (confidence {o.confidence})"
        lines.append(f"{pad}from {o.path}{where}{confidence}")
        for s in o.sources:
            loc = f" → {s.location}" if s.location else " (not found in seeds/)"
            said = f": \"{s.statement}\"" if s.statement else ""
            lines.append(f"{pad}  source {s.ref}{loc}{said}")
        if not o.sources and o.location:
            lines.append(f"{pad}  no source given" + (f"; note: {o.note}" if o.note else ""))
        elif o.note:
            lines.append(f"{pad}  note: {o.note}")
        for a in o.alternatives:
            lines.append(f"{pad}  another source says: {a}")
    return lines


def _near_miss_lines(m: NearMissOut) -> list[str]:
    lines = [f"• {m.rule_id}: {m.title} ({m.rule_location})", f"    would conclude: {m.would_conclude}"]
    if m.enables:
        lines.append(f"    which is needed by: {'; '.join(m.enables)}")
    for miss in m.misses:
        lines.append(f"    ✗ {miss.comparison}: {miss.text}")
        lines.append(f"        tested on {miss.on}")
        t = miss.threshold
        if t.param:
            lines.append(f"        threshold {t.param}, in force from {t.effective_from} ({t.status}): {t.citation}")
        lines += _origin_lines(miss.origins, "        ")
    if m.still_open:
        lines.append(f"    still open: {', '.join(m.still_open)}")
    return lines
