"""The one-page brief, arranged from a report: verdicts with their reasons in words, what is
still open and until when, the theories that matter and why, the facts to ask for, next steps.

Rule ids stay out of the brief; the detail view and ``explain`` carry them."""

from __future__ import annotations

import re

from antitrust.info_requests import condition_words
from antitrust.reliance import assuming
from antitrust.report import (
    OPEN_SEPARATOR,
    Finding,
    JurisdictionReport,
    Needed,
    PrecedentMatch,
    ReachRoute,
    Report,
    TheoryReport,
    Window,
)
from antitrust.views import Brief, BriefJurisdiction, BriefRequest, BriefTheory

#: The brief lists this many information requests; the rest are in the detail view.
MAX_REQUESTS = 6
MIN_REQUESTS = 2
#: A brief fits on one screen: at most this many lines at 100 columns (when the deal allows).
LINE_BUDGET = 80
MAX_PRECEDENTS = 3
ROUTE_WORDS = {
    "call_in": "call-in", "referral": "referral", "post_closing_challenge": "challenge before or after closing",
    "own_initiative": "own-initiative review", "inform": "duty to inform",
}
VERDICT_WORDS = {
    "mandatory": "filing mandatory", "voluntary": "voluntary regime: jurisdiction to review",
    "not_required": "no filing required", "undetermined": "filing undetermined",
    "not_assessed": "not assessed",
}
_SENTENCE_END = re.compile(r"(?<=[a-z0-9%)\]])[.;:](?=\s+[A-Z§(])")
_MAX_REASON = 200


def first_sentence(text: str, limit: int = _MAX_REASON) -> str:
    """The first sentence of a reason (the rest is in the detail view)."""
    m = _SENTENCE_END.search(text)
    sentence = text[: m.start() + 1] if m else text
    sentence = sentence.rstrip(";:") + ("." if sentence.endswith((";", ":")) else "")
    if len(sentence) > limit:
        cut = sentence[:limit].rsplit(" ", 1)[0]
        sentence = cut.rstrip(",;") + " …"
    return sentence


def voluntary_regime(j: JurisdictionReport, by_id: dict[str, Finding]) -> bool:
    """Whether the regime of ``j`` is voluntary (never a duty to file): from its description, or
    failing that from the verdicts that decide it (``by_id``: the report's findings by id)."""
    if j.regime:
        return "voluntary" in j.regime.lower()
    verdicts = [by_id[f].conclusion for f in j.decided_by if f in by_id]
    return bool(verdicts) and all(c.startswith("filing voluntary") for c in verdicts)


def verdict_text(j: JurisdictionReport, by_id: dict[str, Finding]) -> str:
    """The verdict in words; a voluntary regime is never 'filing undetermined'."""
    if j.filing == "undetermined" and voluntary_regime(j, by_id):
        authority = f" ({j.authority})" if j.authority else ""
        return f"voluntary regime{authority}, jurisdiction not settled"
    text = VERDICT_WORDS[j.filing]
    if j.filing == "mandatory" and j.suspensory:
        text += ", suspensory"
    return text + assuming([p for p in j.presumptions if p.kind == "presumption"], j.filing)


def jurisdiction_reason(j: JurisdictionReport, by_id: dict[str, Finding]) -> str:
    if j.reason:
        opening, sep, rest = j.reason.partition(OPEN_SEPARATOR)
        if sep and j.filing == "undetermined":  # "Possibly notifiable, depending on ...: <reason>"
            return opening + sep + first_sentence(rest, _MAX_REASON - len(opening) - len(sep))
        return first_sentence(j.reason)
    reasons = list(dict.fromkeys(first_sentence(by_id[f].reason) for f in j.decided_by if f in by_id))
    if reasons:
        return reasons[0]
    if j.filing == "not_required":
        return "no filing test is met on the stated facts."
    return ""


def _window_words(w: Window) -> str:
    if w.status == "open" and w.ends:
        return f"open until {w.ends}"
    if w.status == "expired" and w.ends:
        return f"expired on {w.ends}"
    return f"{w.length} from {w.starts_on or 'its start'} (not dated)"


def route_texts(j: JurisdictionReport) -> tuple[list[str], list[str]]:
    """(routes still open, routes closed): each route once, best status first, with its window."""
    best: dict[str, tuple[int, ReachRoute]] = {}
    for r in j.reach:
        rank = {"holds": 0, "possible": 1, "expired": 2}[r.status]
        if r.route not in best or rank < best[r.route][0]:
            best[r.route] = (rank, r)
    windows: dict[str, list[Window]] = {}
    for w in j.windows:
        windows.setdefault(w.route, []).append(w)
    still, closed = [], []
    for _rank, r in sorted(best.values(), key=lambda x: x[0]):
        text = ROUTE_WORDS.get(r.route, r.route.replace("_", " "))
        mine = windows.pop(r.route, [])
        if r.status == "expired":
            first = mine[0] if mine else None
            closed.append(f"{text} expired"
                          + (f" on {r.until}" if r.until else f" ({_window_words(first)})" if first else ""))
            continue
        # The route is still open on some ground: a window that has run out belongs to another
        # ground of the same route (a lapsed national route under Art. 22, say), not to this one.
        running = next((w for w in mine if w.status != "expired"), None)
        details = ["possible"] if r.status == "possible" else []
        if r.until:
            details.append(f"open until {r.until}")
        elif running is not None:
            details.append(_window_words(running))
        still.append(text + (f" ({'; '.join(details)})" if details else ""))
    for w in (w for ws in windows.values() for w in ws):
        text = f"{w.authority} {ROUTE_WORDS.get(w.route, w.route.replace('_', ' '))}: {_window_words(w)}"
        (closed if w.status == "expired" else still).append(text)
    return still, closed


def _brief_jurisdictions(report: Report, by_id: dict[str, Finding], open_facts: dict[str, int]) -> list[BriefJurisdiction]:
    out: list[BriefJurisdiction] = []
    for j in report.jurisdictions:
        still, closed = route_texts(j)
        entry = BriefJurisdiction(
            codes=[j.code], names=[j.name], verdict=j.filing, verdict_text=verdict_text(j, by_id),
            reason=jurisdiction_reason(j, by_id), basis_status=j.basis_status, routes=still, closed=closed,
            presumptions=[_presumption_text(p.statement, p.path) for p in j.presumptions],
            open_facts=open_facts.get(j.code, 0),
        )
        previous = out[-1] if out else None
        quiet = not (entry.routes or entry.closed or entry.presumptions or entry.open_facts)
        if (previous is not None and quiet
                and not (previous.routes or previous.closed or previous.presumptions or previous.open_facts)
                and (previous.verdict, previous.reason, previous.basis_status) == (entry.verdict, entry.reason,
                                                                                  entry.basis_status)):
            out[-1] = previous.model_copy(update={"codes": [*previous.codes, j.code],
                                                  "names": [*previous.names, j.name]})
        else:
            out.append(entry)
    return out


def _presumption_text(statement: str, path: str | None) -> str:
    return statement + (f" ({path})" if path else "")


def _decisive(t: TheoryReport, by_id: dict[str, Finding]) -> list[Finding]:
    """The findings of a theory that set its band."""
    mine = [by_id[f] for f in t.findings if f in by_id]
    status = "undetermined" if t.undetermined else "holds"
    return [f for f in mine if f.status == status and f"{t.band} risk" in f.conclusion]


def _could_reach(t: TheoryReport, questions: dict[str, str]) -> str | None:
    if t.could_reach is None:
        return None
    conditions = list(dict.fromkeys(_condition(n, questions) for n in t.could_reach_if))
    return f"could reach {t.could_reach}" + (f" if {'; '.join(conditions)}" if conditions else "")


def _condition(n: Needed, questions: dict[str, str]) -> str:
    subject = questions.get(n.path, n.fact.replace("_", " ").replace(".", " "))
    return f"{subject}: {condition_words(n.test)}"


def _brief_theory(t: TheoryReport, by_id: dict[str, Finding], questions: dict[str, str]) -> BriefTheory:
    if t.evidence:
        evidence = [f"{e.step}{'' if e.status == 'holds' else f' ({e.status})'}: {first_sentence(e.text, 110)}"
                    for e in t.evidence if e.status != "fails" or e.step != "premise"]
    else:
        decisive = _decisive(t, by_id)
        evidence = [first_sentence(decisive[0].reason, 120)] if decisive else []
        alike = len({f.reason for f in decisive})
        if alike > 1:
            evidence[0] += f" ({alike} findings alike)"
    return BriefTheory(theory=t.theory, title=t.title, band=t.band, undetermined=t.undetermined,
                       evidence=evidence, could_reach=_could_reach(t, questions))


def _theories_left(theories: list[TheoryReport]) -> list[str]:
    """Theories at low or with no indicator, those that read alike grouped: 'Horizontal overlap,
    Interlocking directorates: no indicator (could reach high)' (the brief's line budget is tight)."""
    groups: dict[str, list[str]] = {}
    for t in theories:
        if t.band in {"medium", "high"}:
            continue
        verdict = (t.band if t.band != "none" else "no indicator") + (
            f" (could reach {t.could_reach})" if t.could_reach else "")
        groups.setdefault(verdict, []).append(t.title)
    return [f"{', '.join(titles)}: {verdict}" if len(titles) > 1 else f"{titles[0]} {verdict}"
            for verdict, titles in groups.items()]


def precedent_line(p: PrecedentMatch) -> str:
    """A precedent in a line: the deal, how similar, its outcome band with the weightiest decision,
    and in what it is alike (the full report gives the reasons and every decision)."""
    name = p.title.split(" — ")[0]
    decision = p.outcome.split("; ")[0]
    alike = ", ".join(w.split(":")[0] for w in p.why if ":" in w) or "little"
    return f"{name} ({p.similarity:.0%}): {p.outcome_band}, {decision}; alike in {alike}"


def build_brief(report: Report, budget: int = LINE_BUDGET) -> Brief:
    """The brief of a report, fitted to ``budget`` lines of text at 100 columns where it can be:
    information requests beyond the first two move to the detail view first."""
    from antitrust.render.brief_text import brief_lines

    brief = _build(report)
    while len(brief_lines(brief)) > budget and len(brief.requests) > MIN_REQUESTS:
        brief = brief.model_copy(update={"requests": brief.requests[:-1], "requests_more": brief.requests_more + 1})
    return brief


def _build(report: Report) -> Brief:
    by_id = {f.id: f for f in report.findings}
    open_facts: dict[str, int] = {}
    for req in report.info_requests:
        for label in req.decides:
            if label.endswith(" filing"):
                code = label.split()[0]
                open_facts[code] = open_facts.get(code, 0) + 1
    questions = {r.path: r.question for r in report.info_requests}
    m = report.meta
    overall = None
    if report.overall is not None:
        overall = f"{report.overall.band}" + (f": {'; '.join(report.overall.reasons)}" if report.overall.reasons else "")
    theories = [t for t in report.theories if t.band in {"medium", "high"}]
    left = _theories_left(report.theories)
    # The text names the provision breached; the consequences and their citations are in the full report.
    exposure = [f"{j.name} ({e.status}): {e.text}"
                for j in report.jurisdictions for e in j.exposure if e.status != "expired"]
    requests = [BriefRequest(question=r.question, path=r.path, decides=r.decides, alternatives=r.alternatives)
                for r in report.info_requests[:MAX_REQUESTS]]
    precedents = [precedent_line(p) for p in report.precedents[:MAX_PRECEDENTS]]
    return Brief(
        deal=m.deal_title,
        law_date=m.as_of,
        today=m.checked_on,
        strict=m.strict,
        overall=overall,
        jurisdictions=_brief_jurisdictions(report, by_id, open_facts),
        exposure=exposure,
        theories=[_brief_theory(t, by_id, questions) for t in theories],
        theories_left=left,
        requests=requests,
        requests_more=max(0, len(report.info_requests) - MAX_REQUESTS),
        next_steps=list(report.next_steps),
        precedents=precedents,
        warnings=len(report.warnings),
    )
