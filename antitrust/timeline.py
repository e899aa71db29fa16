"""The deal's dates: which date's law applies, and whether an uncertain date leaves it unclear.

The law applies as of the deal's relevant date: closing, else signing, else announcement. A date
known only to the month (or as a range) still decides: the law date is the last possible day of
the range, no later than today. Where the law changed within the range (a parameter took a new
value, or a rule came into or went out of force), the report warns and names the changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from antitrust.deal import DateFact, Deal
from antitrust.rulebook import Rulebook

#: The deal-file fields that can decide the law date, in order of precedence.
LAW_DATE_FIELDS = ("closing", "signed", "announced")


@dataclass(frozen=True)
class LawDate:
    """The date whose law applies, where it comes from, and warnings about it."""

    at: date
    source: str  # "transaction.closing", ..., or "today"
    span: tuple[date | None, date | None]
    warnings: tuple[str, ...] = ()


def date_span(f: DateFact | None) -> tuple[date | None, date | None] | None:
    """(first, last) possible day of a deal date, or None when nothing is known of it."""
    if f is None:
        return None
    first, last = f.span
    if first is None and last is None:
        return None
    return first, last


def law_date(deal: Deal, today: date, book: Rulebook | None = None) -> LawDate:
    """The law date of ``deal``; with ``book``, warns where the law changed within a date range."""
    tx = deal.transaction
    for name in LAW_DATE_FIELDS:
        f: DateFact | None = getattr(tx, name)
        span = date_span(f)
        if span is None:
            continue
        first, last = span
        if first is not None and first == last:
            return LawDate(first, f"transaction.{name}", span)
        if last is not None and last <= today:
            at = last
        else:  # the range reaches past today: today, or its first day if that is still ahead
            at = first if first is not None and first > today else today
        assert f is not None
        warnings = [f"transaction.{name} is given as {f.display}: the law of {at.isoformat()} was applied"]
        if book is not None and first is not None:
            changes = law_changes(book, first, last or max(first, today))
            if changes:
                warnings[0] += ("; the law changed within that range (" + "; ".join(changes) +
                                "), so state the exact date")
        return LawDate(at, f"transaction.{name}", span, tuple(warnings))
    return LawDate(today, "today", (None, None))


def law_changes(book: Rulebook, first: date, last: date, limit: int = 6) -> list[str]:
    """What changed in the rulebook's law after ``first`` up to ``last``: 'param X from DATE'."""
    out: list[tuple[date, str]] = []
    for name, p in sorted(book.parameters.items()):
        if name.startswith("fx."):
            continue  # exchange rates move all the time; they are not a change in the law
        for v in p.values:
            if first < v.from_ <= last:
                out.append((v.from_, f"{name} from {v.from_.isoformat()}"))
            if v.until is not None and first <= v.until < last:
                out.append((v.until, f"{name} lapsed after {v.until.isoformat()}"))
    for rule in book.rules:
        span = rule.spec.in_force
        if span is None:
            continue
        if span.from_ is not None and first < span.from_ <= last:
            out.append((span.from_, f"rule {rule.id} applies from {span.from_.isoformat()}"))
        if span.until is not None and first <= span.until < last:
            out.append((span.until, f"rule {rule.id} ceased after {span.until.isoformat()}"))
    out.sort()
    texts = [t for _d, t in out]
    if len(texts) > limit:
        texts = [*texts[:limit], f"and {len(texts) - limit} more"]
    return texts


def closed_by(deal: Deal, today: date) -> bool | None:
    """Whether the deal had closed by ``today``: None when the closing date is unknown or its range
    straddles today."""
    span = date_span(deal.transaction.closing)
    if span is None:
        return None
    first, last = span
    if last is not None and last <= today:
        return True
    if first is not None and first > today:
        return False
    return None


def whole_months(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    return months - (1 if end.day < start.day else 0)


def months_since_closing(deal: Deal, today: date) -> dict[str, float]:
    """Whole months from closing to ``today`` as an interval (empty when the closing is unknown)."""
    span = date_span(deal.transaction.closing)
    if span is None:
        return {}
    first, last = span
    out: dict[str, float] = {}
    if last is not None:
        out["lo"] = max(whole_months(last, today), 0)
    if first is not None:
        out["hi"] = max(whole_months(first, today), 0)
    return out
