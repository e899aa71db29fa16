"""Dates in deal files (see deal.DateFact): an exact day, a month or a year, or a range of days.

A deal file often knows a date only to the month (``announced: 2024-06``). Such a date becomes a
range of days, stored as an unknown date with bounds (``at_least`` 2024-06-01, ``at_most``
2024-06-30), so it is never mistaken for a known day and never silently dropped.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_YEAR = re.compile(r"^\s*(\d{4})\s*$")


def period(text: object) -> tuple[date, date] | None:
    """The first and last day of ``'2024-06'`` or ``'2024'`` (None for anything else).

    Raises ValueError for a month outside 1-12, so a typo is not read as a full date's error."""
    if isinstance(text, int) and not isinstance(text, bool) and 1000 <= text <= 9999:
        return date(text, 1, 1), date(text, 12, 31)
    if not isinstance(text, str):
        return None
    m = _MONTH.match(text)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"month {month} is not 1-12 (write YYYY-MM-DD, or YYYY-MM for a month)")
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    y = _YEAR.match(text)
    if y:
        year = int(y.group(1))
        return date(year, 1, 1), date(year, 12, 31)
    return None


def range_text(first: date | None, last: date | None) -> str:
    """'2024-06-13', '2024-06 (month only)', 'between 2024-06-01 and 2024-09-30', 'unknown'."""
    if first is not None and first == last:
        return first.isoformat()
    if first is not None and last is not None:
        whole_month = (first.day == 1 and (last.year, last.month) == (first.year, first.month)
                       and last.day == calendar.monthrange(last.year, last.month)[1])
        if whole_month:
            return first.strftime("%Y-%m") + " (month only)"
        if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and first.year == last.year:
            return f"{first.year} (year only)"
        return f"between {first.isoformat()} and {last.isoformat()}"
    if first is not None:
        return f"on or after {first.isoformat()}"
    if last is not None:
        return f"on or before {last.isoformat()}"
    return "unknown"
