"""Information requests: each missing fact once, the verdicts it would decide, its alternatives.

Built from the facts the undetermined findings of a report need. A fact the deal file does not
state is asked for once, by where it stands in the deal file, however many rules wait on it;
a figure the rules combine ("the parties' combined Austrian turnover") is asked for party by
party. The alternatives say what each answer leads to ("above EUR 17.5m → §35(1) GWB").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from antitrust.report import Finding, InfoRequest, Needed, Report

#: Country and region names for the figure paths (turnover[XX], domestic_activity.XX).
REGION_NAMES = {
    "WORLD": "the world", "EU": "the EU", "EEA": "the EEA", "US": "the United States", "DE": "Germany",
    "AT": "Austria", "UK": "the United Kingdom", "IT": "Italy", "IE": "Ireland", "DK": "Denmark",
    "SE": "Sweden", "JP": "Japan", "KR": "Korea", "FR": "France", "NL": "the Netherlands",
}
_OPS = {">": "above", ">=": "at least", "<": "below", "<=": "at most", "==": "equal to", "!=": "not"}
_ROUTE_WORDS = {"call_in": "call-in", "post_closing_challenge": "challenge", "own_initiative": "own-initiative review"}
_PARTY = re.compile(r"^parties\[(\d+)\]\.?(.*)$")
_TEST = re.compile(r"^(>=|<=|==|!=|>|<)\s*(.+?)(?:\s+\([a-z0-9_.]+\))?$")


def short_citation(finding: Finding) -> str:
    """The first citation of a finding's legal basis, without amendments and asides: '§35(1a) GWB'."""
    text = finding.basis.citation.split(";")[0]
    text = re.split(r" as amended\b|, final subparagraph", text)[0]
    text = re.sub(r"\s*\([^()]*[a-z]{3,}[^()]*\)", "", text)  # '(hybrid threshold)', not '(1a)'
    return text.strip(" ,") or finding.basis.citation


def condition_words(test: str) -> str:
    """'> EUR 50m (de.gwb35.domestic_one)' -> 'above EUR 50m'; 'yes' stays 'yes'."""
    m = _TEST.match(test.strip())
    if not m:
        return {"must be known": "once known", "not True": "no", "not False": "yes"}.get(test, test)
    return f"{_OPS[m.group(1)]} {m.group(2)}"


def _words(field: str) -> str:
    return field.replace("_", " ").strip()


def question_for(path: str, parties: Sequence[str]) -> str:
    """Where a fact stands in the deal file, in words: 'Scale AI, Inc.'s turnover in Germany'."""
    m = _PARTY.match(path)
    if not m:
        return _words(path.replace(".", " ").replace("[", " ").replace("]", ""))
    index, rest = int(m.group(1)), m.group(2)
    name = parties[index] if index < len(parties) else f"party {index + 1}"
    turnover = re.match(r"^turnover\[(\w+)\]$", rest)
    if turnover:
        return f"{name}'s turnover in {REGION_NAMES.get(turnover.group(1), turnover.group(1))}"
    active = re.match(r"^domestic_activity\.(\w+)$", rest)
    if active:
        return f"whether {name} is active in {REGION_NAMES.get(active.group(1), active.group(1))}"
    if rest == "uk_share_of_supply":
        return f"{name}'s share of supply in the United Kingdom"
    return f"{name}: {_words(rest.replace('.', ' '))}"


def _qualifier(fact: str) -> str:
    """For a figure the rules combine from several parties: whose figure the test is on."""
    field = fact.split(".", 1)[-1]
    if field.startswith("smaller_party"):
        return "each party's "
    if field.startswith("combined"):
        return "combined "
    return ""


def _labels(report: Report) -> tuple[dict[str, tuple[int, str]], dict[str, str]]:
    """Finding id -> (priority, label) of what it decides: 0 a verdict still open, 1 a route or an
    undetermined theory band, 2 anything else."""
    out: dict[str, tuple[int, str]] = {}
    for j in report.jurisdictions:
        verdict_ids = set(j.decided_by) | {n.finding for n in j.needed}
        route_ids = {r.finding: _ROUTE_WORDS.get(r.route, r.route.replace("_", " ")) for r in j.reach}
        for fid in j.findings:
            if fid in route_ids and fid not in verdict_ids:
                out[fid] = (1, f"{j.code} {route_ids[fid]}")
            elif j.filing == "undetermined":
                out[fid] = (0, f"{j.code} filing")
            else:
                out.setdefault(fid, (2, j.code))
    titles = {}
    for t in report.theories:
        titles[t.theory] = t.title
        open_band = t.undetermined or t.could_reach is not None
        for fid in t.findings:
            out.setdefault(fid, (1 if open_band else 2, t.title))
    return out, titles


def build_info_requests(report: Report, parties: Sequence[str]) -> list[InfoRequest]:
    """Each unknown fact the report's undetermined findings need, once, most decisive first.

    ``parties`` are the deal's party names in deal-file order (paths say ``parties[1]``)."""
    by_id = {f.id: f for f in report.findings}
    labels, _titles = _labels(report)
    known = {u.path for f in report.findings for u in f.facts if u.known}
    asks: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    rank: dict[tuple[str, str], int] = {}
    decides: dict[str, dict[str, int]] = defaultdict(dict)
    fact_of: dict[str, str] = {}
    waiting: dict[str, set[str]] = defaultdict(set)
    for f in report.findings:
        for n in f.needed:
            for path in _paths(n, known):
                fact_of.setdefault(path, n.fact)
                waiting[path].add(f.id)
                source = by_id.get(n.finding, f)
                answer = f"{_qualifier(n.fact)}{condition_words(n.test)}"
                target = f"{short_citation(source)}"
                if target not in asks[path][answer]:
                    asks[path][answer].append(target)
                best = min((labels[x][0] for x in (f.id, n.finding) if x in labels), default=2)
                rank[(path, answer)] = min(best, rank.get((path, answer), 2))
                for fid in (f.id, n.finding):
                    if fid in labels:
                        priority, label = labels[fid]
                        decides[path][label] = min(priority, decides[path].get(label, 2))
    requests = []
    for path, answers in asks.items():
        ranked = sorted(decides[path].items(), key=lambda kv: (kv[1], kv[0]))
        top = min((p for _l, p in ranked), default=2)
        # Labels and answers that decide nothing still open give way to those that do.
        ranked = [(label, p) for label, p in ranked if p < 2 or top == 2]
        answers = {a: t for a, t in answers.items() if rank.get((path, a), 2) < 2 or top == 2}
        requests.append((
            min((p for _l, p in ranked), default=3),
            -len(waiting[path]),
            InfoRequest(
                fact=fact_of[path], path=path, question=question_for(path, parties),
                decides=[label for label, _p in ranked],
                alternatives=[f"{answer} → {', '.join(targets)}" for answer, targets in sorted(answers.items())],
            ),
        ))
    requests.sort(key=lambda r: (r[0], r[1], r[2].question))
    return [r[2] for r in requests]


def _paths(n: Needed, known: set[str]) -> list[str]:
    """The deal-file places of a needed fact; for a combined figure, the parts not already known."""
    parts = [p.strip() for p in n.path.split(" + ")]
    if len(parts) == 1:
        return parts
    unknown = [p for p in parts if p not in known]
    return unknown or parts
