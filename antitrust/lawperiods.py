"""The periods over which a rulebook's law stays the same.

What a rulebook applies on a date (the value in force of each parameter, whether each dated rule
is in force, whether each regime's law is modelled yet) changes only on the first day of a
parameter value, on the day after a value lapses (``until``), on the first day and the day after
the last day of a rule's ``in_force``, and on a regime's ``since``. Between two such dates nothing
changes, so anything that depends on the date only through these (the parameter epoch, whether a
regime is modelled) can be worked out once per period instead of once per date: a screen sees
thousands of distinct dates but a few hundred periods.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from antitrust.params import Parameter
    from antitrust.rulebook import Rulebook

#: rulebook hash -> the first day of each of its periods, in order (the first is date.min).
_starts: dict[str, list[date]] = {}


def period_starts(book: Rulebook) -> list[date]:
    """The first day of each period of ``book``, in order, from ``date.min``."""
    found = _starts.get(book.content_hash)
    if found is None:
        days = {date.min}
        for parameter in book.parameters.values():
            days.update(change_days(parameter))
        for rule in book.rules:
            in_force = rule.spec.in_force
            if in_force is not None:
                if in_force.from_ is not None:
                    days.add(in_force.from_)
                if in_force.until is not None:
                    days.add(_next(in_force.until))
        for regime in book.regimes.values():
            if regime.since is not None:
                days.add(regime.since)
        found = sorted(days)
        _starts[book.content_hash] = found
    return found


def change_days(parameter: Parameter) -> Iterator[date]:
    """The days on which ``parameter``'s value in force changes: each value's first day, and the
    day after a value lapses."""
    for value in parameter.values:
        yield value.from_
        if value.until is not None:
            yield _next(value.until)


def period_start(book: Rulebook, when: date) -> date:
    """The first day of the period ``when`` falls in: every date of the period has the same law."""
    starts = period_starts(book)
    return starts[bisect_right(starts, when) - 1]


def _next(day: date) -> date:
    return day if day == date.max else day + timedelta(days=1)


def clear() -> None:
    """Forget the periods of every rulebook (with the compiled rulesets: see ``clear_cache``)."""
    _starts.clear()
