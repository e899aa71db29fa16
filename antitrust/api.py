"""The Python API: evaluate, explain and vary deals from code.

    from antitrust.api import evaluate_deal, load_rules, render_report

    rules = load_rules()                          # the bundled rulebook; load once, reuse
    report = evaluate_deal("cases/meta-scale-ai.yaml", rules)
    print(render_report(report, "markdown"))

A deal is a path to a deal file (YAML or JSON), a mapping with the same content, or a
:class:`~antitrust.deal.Deal`. Every function raises :class:`AntitrustError` or one of its
subclasses: :class:`InputError` (``.location`` with path, line and column, ``.message``,
``.field``) for bad input, :class:`InputErrors` for several at once, :class:`EngineError` when
the engine fails. Reports carry their audit fields (``meta.input_sha256``,
``meta.rulebook_source``, ``meta.versions``); ``audit_log=`` appends one record per decision.

The CLI and the HTTP service are built on these functions, so all three give the same report.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from antitrust.audit import AuditLog, canonical_json, decision_record, sha256_bytes, stamp
from antitrust.bundled import BUNDLED, choose_rules
from antitrust.deal import Deal
from antitrust.errors import (
    AntitrustError,
    EngineError,
    InputError,
    InputErrors,
    Location,
    UsageError,
)
from antitrust.report import Report
from antitrust.rulebook import Rulebook

if TYPE_CHECKING:  # imported on use: the CLI's start-up time matters
    from antitrust.explain import Explanation
    from antitrust.whatif import WhatIf

__all__ = [
    "AntitrustError",
    "AuditLog",
    "Deal",
    "DealInput",
    "EngineError",
    "InputError",
    "InputErrors",
    "Location",
    "Report",
    "Rules",
    "UsageError",
    "evaluate_deal",
    "explain_deal",
    "load_deal_input",
    "load_rules",
    "render_formats",
    "render_report",
    "what_if",
]

#: A deal: a path to a deal file, a mapping with a deal file's content, or a validated Deal.
DealInput = Deal | Mapping[str, Any] | str | os.PathLike[str]


@dataclass(frozen=True)
class Rules:
    """A loaded and checked rulebook, with where it came from. Load once, reuse for many deals."""

    book: Rulebook
    source: str  # "bundled" or the folder as given
    path: Path

    @property
    def hash(self) -> str:
        """SHA-256 over the rulebook's files (the report's ``meta.rulebook_hash``)."""
        return self.book.content_hash


_bundled: Rules | None = None
_bundled_lock = threading.Lock()


def load_rules(path: str | os.PathLike[str] | None = None) -> Rules:
    """Load and check the rulebook in ``path`` (a folder of rule and parameter files), or the
    rulebook bundled with antitrust (loaded once per process)."""
    from antitrust.rulebook import load_rulebook

    global _bundled
    if path is None:
        with _bundled_lock:
            if _bundled is None:
                choice = choose_rules(None)
                _bundled = Rules(load_rulebook(choice.path), BUNDLED, choice.path)
            return _bundled
    choice = choose_rules(Path(path))
    return Rules(load_rulebook(choice.path), choice.source, choice.path)


def _rules(rules: Rules | str | os.PathLike[str] | None) -> Rules:
    return rules if isinstance(rules, Rules) else load_rules(rules)


@dataclass(frozen=True)
class _LoadedDeal:
    deal: Deal
    sha256: str
    path: Path | None


def load_deal_input(deal: DealInput, *, verify_sources: bool = True, name: str = "<deal>") -> Deal:
    """Validate a deal given as a path, a mapping or a Deal (a Deal is returned as it is).

    For a path, ``verify_sources`` checks every ``source:`` against the nearest ``seeds/`` folder,
    as the CLI does. A mapping is validated as if it were a JSON deal file called ``name``."""
    return _load(deal, verify_sources=verify_sources, name=name).deal


def _load(deal: DealInput, *, verify_sources: bool = True, name: str = "<deal>") -> _LoadedDeal:
    from antitrust.loading import load_deal, parse_deal

    if isinstance(deal, Deal):
        return _LoadedDeal(deal, sha256_bytes(canonical_json(deal.model_dump(mode="json"))), None)
    if isinstance(deal, Mapping):
        # Validated through the same parser as files, so messages name the same fields.
        text = json.dumps(deal, indent=2, ensure_ascii=False, default=str)
        return _LoadedDeal(parse_deal(text, name), sha256_bytes(canonical_json(deal)), None)
    if isinstance(deal, str | os.PathLike):
        path = Path(deal)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(Location(str(path)), f"cannot read the deal file: {exc.strerror or exc}") from None
        return _LoadedDeal(load_deal(path, verify_sources=verify_sources), sha256_bytes(data), path)
    raise UsageError(f"a deal is a path, a mapping or a Deal, not {type(deal).__name__}")


def _parse_text(text: str, name: str) -> _LoadedDeal:
    """A deal sent as JSON or YAML text (the HTTP service): messages point into ``text``.

    The input hash is that of the canonical JSON, as for a mapping, so the same deal hashes the
    same whether it arrives as a mapping or as text in any layout."""
    from antitrust.loading import parse_deal
    from antitrust.yamlio import parse_text

    deal = parse_deal(text, name)
    return _LoadedDeal(deal, sha256_bytes(canonical_json(parse_text(text, name).data)), None)


def _decide(loaded: _LoadedDeal, rules: Rules, *, as_of: date | None, today: date | None,
            audit_log: AuditLog | str | os.PathLike[str] | None, via: str, strict: bool = False) -> Report:
    from antitrust.evaluate import evaluate
    from antitrust.reporting import build_report

    started = time.perf_counter()
    evaluation = evaluate(loaded.deal, rules.book, as_of=as_of, today=today, strict=strict)
    report = stamp(build_report(evaluation, today=today), input_sha256=loaded.sha256,
                   rulebook_source=rules.source)
    if audit_log is not None:
        log = audit_log if isinstance(audit_log, AuditLog) else AuditLog(audit_log)
        log.append(decision_record(report, duration_s=time.perf_counter() - started, via=via, today=today))
    return report


def evaluate_deal(deal: DealInput, rules: Rules | str | os.PathLike[str] | None = None, *,
                  as_of: date | None = None, today: date | None = None, verify_sources: bool = True,
                  audit_log: AuditLog | str | os.PathLike[str] | None = None, strict: bool = False) -> Report:
    """Evaluate one deal and return its report (a pydantic model; see :func:`render_report`).

    ``as_of`` applies the law in force on that date (default: the deal's closing, signing or
    announcement date); ``today`` is the date deadlines (call-in, review and referral periods)
    are counted to and parameter review dates checked against (default: today). With ``audit_log`` (a path or an :class:`AuditLog`), one JSON line is
    appended for the decision. ``strict`` switches presumptions and the deal format's defaults off
    (``meta.strict``): a verdict that needed one stays undetermined and names the fact."""
    loaded = _load(deal, verify_sources=verify_sources)
    return _decide(loaded, _rules(rules), as_of=as_of, today=today, audit_log=audit_log, via="api", strict=strict)


def render_formats() -> tuple[str, ...]:
    """The formats :func:`render_report` knows (``text``, ``json``, ``markdown``, ...)."""
    from antitrust.render import RENDERERS

    return tuple(RENDERERS)


def render_report(report: Report, format: str = "json", detail: str = "brief") -> str:
    """The report as text in one of :func:`render_formats` (JSON is the stable contract).

    ``detail`` is ``brief`` (the one-page brief) or ``full`` (everything, reorganised); JSON
    always carries both, HTML always shows both."""
    from antitrust.render import DETAILS, RENDERERS

    renderer = RENDERERS.get(format)
    if renderer is None:
        raise UsageError(f"unknown report format {format!r}; choose one of {', '.join(RENDERERS)}")
    if detail not in DETAILS:
        raise UsageError(f"unknown detail {detail!r}; choose one of {', '.join(DETAILS)}")
    return renderer(report, "full" if format == "html" else detail)


def what_if(deal: DealInput, changes: Mapping[str, Any] | Sequence[str] = (),
            rules: Rules | str | os.PathLike[str] | None = None, *, as_of: date | None = None,
            today: date | None = None, verify_sources: bool = True, strict: bool = False) -> WhatIf:
    """Evaluate a deal as given and as changed, and say what changed and which rule made the difference.

    ``changes`` maps deal paths to new values (``{"stakes[0].voting_after": 49}``; values as
    YAML would read them, e.g. ``"EUR 20m"`` or ``"unknown"``), or is a list of ``PATH=VALUE``
    strings as on the command line. ``as_of`` applies the law of that date to the changed deal;
    ``strict`` switches presumptions and defaults off for both."""
    from antitrust.whatif import parse_set
    from antitrust.whatif import what_if as run

    if isinstance(changes, Mapping):
        sets = [(str(k), v) for k, v in changes.items()]
    elif isinstance(changes, str):
        raise UsageError("changes is a mapping or a list of 'PATH=VALUE' strings, not one string")
    else:
        sets = [parse_set(s) for s in changes]
    loaded = _load(deal, verify_sources=verify_sources)
    return run(loaded.deal, _rules(rules).book, sets, as_of=as_of, today=today, strict=strict)


def explain_deal(deal: DealInput, subject: str | None = None,
                 rules: Rules | str | os.PathLike[str] | None = None, *, as_of: date | None = None,
                 today: date | None = None, band: float = 0.10, near_misses: bool = True,
                 verify_sources: bool = True) -> Explanation:
    """The proof tree of a verdict (``"DE"``), a finding id, a theory of harm or a rule id; ``None``
    explains every verdict and band. ``.as_dict()`` gives the JSON form of ``antitrust explain``."""
    loaded = _load(deal, verify_sources=verify_sources)
    return _explain(loaded, subject, _rules(rules), as_of=as_of, today=today, band=band,
                    near_misses=near_misses)


def _explain(loaded: _LoadedDeal, subject: str | None, rules: Rules, *, as_of: date | None,
             today: date | None, band: float, near_misses: bool) -> Explanation:
    from antitrust.evaluate import evaluate
    from antitrust.explain import explain

    evaluation = evaluate(loaded.deal, rules.book, as_of=as_of, today=today)
    where = loaded.path if loaded.path is not None else Path(f"<{loaded.deal.id}>")
    return explain(evaluation, where, subject, today=today, band=band, near_misses=near_misses)
