"""The brief as plain text, 100 columns; verdicts and bands in colour on a terminal only."""

from __future__ import annotations

from antitrust.views import STRICT_NOTE, Brief

WIDTH = 100
_COLOURS = {"mandatory": "1;31", "undetermined": "1;33", "voluntary": "33", "not_required": "32",
            "not_assessed": "2", "high": "1;31", "medium": "33", "low": "32"}


def paint(text: str, key: str, color: bool) -> str:
    code = _COLOURS.get(key)
    return f"\x1b[{code}m{text}\x1b[0m" if color and code else text


def wrap(text: str, indent: str, hang: str | None = None, width: int = WIDTH) -> list[str]:
    """Greedy word wrap at spaces (words longer than a line stay whole). A plain split is several
    times faster than textwrap, and a full report wraps a few thousand lines."""
    hang = indent if hang is None else hang
    if len(indent) + len(text) <= width and "\n" not in text:
        return [(indent + text).rstrip() or indent.rstrip()]
    out: list[str] = []
    line = indent
    fresh = True
    for word in text.replace("\n", " ").split(" "):
        if fresh:
            line += word
            fresh = False
        elif len(line) + 1 + len(word) <= width:
            line += " " + word
        else:
            out.append(line)
            line = hang + word
    out.append(line if not fresh else indent.rstrip())
    return out


def _heading(title: str, color: bool) -> str:
    return f"\x1b[1m{title}\x1b[0m" if color else title


def brief_lines(b: Brief, *, color: bool = False) -> list[str]:
    lines = wrap(b.deal, "")
    lines.append(f"Law as of {b.law_date} · deadlines counted to {b.today}" + (STRICT_NOTE if b.strict else ""))
    if b.overall:
        band, _, why = b.overall.partition(": ")
        lines += ["", *wrap(f"OVERALL RISK {band.upper()}" + (f": {why}" if why else ""), "", "  ")]
    lines += ["", _heading("FILING AND REVIEW", color)]
    for j in b.jurisdictions:
        codes = " ".join(j.codes)
        unverified = "" if j.basis_status == "verified" else f" [law {j.basis_status}]"
        head = f"{codes:<4} {j.verdict_text}{unverified}" + (f" — {j.reason}" if j.reason else "")
        wrapped = wrap(head, "  ", "       ")
        if color:
            wrapped[0] = wrapped[0].replace(j.verdict_text, paint(j.verdict_text, j.verdict, True), 1)
        lines += wrapped
        if j.routes:
            lines += wrap("still open: " + "; ".join(j.routes), "       ", "         ")
        if j.closed:
            lines += wrap("closed: " + "; ".join(j.closed), "       ", "         ")
        for p in j.presumptions:
            lines += wrap(f"assumed, please confirm: {p}", "       ", "         ")
    if b.exposure:
        lines += ["", _heading("EXPOSURE AFTER CLOSING", color)]
        for e in b.exposure:
            lines += wrap(e, "  - ", "    ")
    lines += ["", _heading("THEORIES OF HARM AT MEDIUM OR HIGH", color)]
    if not b.theories:
        lines.append("  none")
    for t in b.theories:
        band = f"{t.band}{'?' if t.undetermined else ''}"
        label = paint(f"{band:<7}", t.band, color)
        head = t.title + (" (undetermined)" if t.undetermined else "")
        lines += wrap(" — ".join([head, *t.evidence]), f"  {label} " if not color else "  " + label + " ",
                      "          ")
        if t.could_reach:
            lines += wrap(t.could_reach, "          ", "            ")
    if b.theories_left:
        lines += wrap("Also checked: " + "; ".join(b.theories_left) + ".", "  ", "    ")
    if b.requests:
        lines += ["", _heading("INFORMATION REQUESTS", color)]
        for i, r in enumerate(b.requests, 1):
            lines += wrap(f"{i}. {r.question[:1].upper()}{r.question[1:]} ({r.path}); decides "
                          f"{', '.join(r.decides) or 'no verdict'}", "  ", "     ")
            if r.alternatives:
                lines += wrap("; ".join(r.alternatives), "     ", "       ")
        if b.requests_more:
            lines.append(f"  … and {b.requests_more} more (--detail full)")
    if b.next_steps:
        lines += ["", _heading("NEXT STEPS", color)]
        for i, s in enumerate(b.next_steps, 1):
            lines += wrap(f"{i}. {s}", "  ", "     ")
    if b.precedents:
        lines += ["", _heading("NEAREST PRECEDENTS", color)]
        for p in b.precedents:
            lines += wrap(p, "  - ", "    ")
    tail = "Every finding, margin, source and conversion: --detail full; a whole proof tree: antitrust explain."
    if b.warnings:
        tail = f"{b.warnings} warning(s) on parameters. " + tail
    lines += ["", *wrap(tail, "")]
    return lines


def render_brief_text(b: Brief, *, color: bool = False) -> str:
    return "\n".join(brief_lines(b, color=color)) + "\n"
