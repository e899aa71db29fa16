"""The analyses of ``antitrust rules check`` whose errors every load of a rulebook must enforce.

``rules check`` and ``evaluate`` (and ``screen``, ``explain``, the API) must agree: a rulebook the
checker rejects never evaluates. Loading runs the checker's error-level analyses that are cheap
on a sound rulebook (they only compute positions when they find something): cycles among derived
facts, reason templates naming no parameter, parameter dates that overlap or end before they
start, values that do not fit their unit (a percentage above 100, a zero or negative exchange
rate), placeholder citations and thresholds compared across currencies with no exchange rate.
Warnings stay with ``rules check``.
"""

from __future__ import annotations

from datetime import date

from antitrust import expr as ex
from antitrust.errors import RulebookError
from antitrust.rulebook import Rulebook


def blocking_errors(book: Rulebook) -> list[RulebookError]:
    """The errors ``rules check`` would report on ``book`` among the analyses above."""
    from antitrust.checker import _Checker
    from antitrust.paramcheck import _unit_of

    checker = _Checker(book, date.today())
    checker.cycles()
    checker.templates()
    fields_of: dict[str, set[str | None]] = {}
    for r in book.rules:
        for a in ex.atoms(r.condition):
            if isinstance(a, ex.Compare) and isinstance(a.right, ex.Param):
                fields_of.setdefault(a.right.name, set()).add(_unit_of(a.left, book))
    for name, p in sorted(book.parameters.items()):
        checker.value_ranges(name, p)
        checker.value_fit(name, p)
        checker.citations(name, p)
        for unit in sorted(u for u in fields_of.get(name, set()) if u):
            checker.exchange_rate(name, p, unit)
    return [RulebookError(d.location, d.message) for d in checker.out if d.severity == "error"]
