"""Rulebook checks about what the regimes' rules can conclude and when their law is modelled.

Used by ``antitrust rules check`` (antitrust/checker.py) and kept apart from it:
- a regime whose rules can never conclude "not required" leaves every deal it does not catch
  undetermined;
- a date since 2000 on which none of a regime's filing parameters is in force is judged
  "not assessed";
- a percentage compared with a constant of 1 or less looks like a fraction (0.25 for 25%).
"""

from __future__ import annotations

from datetime import date

from antitrust import expr as ex
from antitrust.errors import Location
from antitrust.rulebook import Rulebook
from antitrust.vocabulary import FACT_TYPES

#: (location, code, message): each is reported as a warning.
Finding = tuple[Location, str, str]
FIRST_YEAR = 2000


def regime_checks(book: Rulebook, today: date) -> list[Finding]:
    out: list[Finding] = []
    for code, regime in book.regimes.items():
        mine = [r for r in book.rules if r.spec.jurisdiction == code]
        if not mine:
            continue
        where = book.regime_locations.get(code)
        if where is None or where.path not in book.files:
            continue  # a regime the rules name without declaring it, or declared outside this rulebook
        if not any(r.spec.verdict is not None and r.spec.verdict.filing == "not_required" for r in mine):
            message = (f"regime {code}: no rule can conclude 'not required', so every deal its filing tests "
                       "do not catch stays undetermined; add rules for no concentration, thresholds failed "
                       "on known figures, or exemptions")
            out.append((where, "no-not-required", message))
        gaps = _gaps(book, code, today)
        if gaps:
            spans = ", ".join(f"{a.isoformat()} to {b.isoformat()}" if a != b else a.isoformat() for a, b in gaps)
            message = (f"regime {code}: no filing parameter ({', '.join(regime.param_prefixes)}) is in force on "
                       f"{spans}; deals of those dates are judged 'not assessed'")
            out.append((where, "law-not-modelled", message))
    return out


def _gaps(book: Rulebook, code: str, today: date) -> list[tuple[date, date]]:
    """Spans of half-years since 2000 (checked on 1 January and 1 July) with no law modelled."""
    regime = book.regime(code)
    missing: list[date] = []
    for year in range(FIRST_YEAR, today.year + 1):
        for month in (1, 7):
            day = date(year, month, 1)
            if day > today or (regime.since is not None and day < regime.since):
                continue
            if not regime.modelled_on(day, book.parameters):
                missing.append(day)
    spans: list[tuple[date, date]] = []
    for day in missing:
        if spans and (day.year * 12 + day.month) - (spans[-1][1].year * 12 + spans[-1][1].month) == 6:
            spans[-1] = (spans[-1][0], day)
        else:
            spans.append((day, day))
    return spans


def fraction_checks(book: Rulebook) -> list[Finding]:
    """A percentage field compared with a constant in (0, 1]: the analyst probably wrote a fraction."""
    out: list[Finding] = []
    for rule in book.rules:
        for atom in ex.atoms(rule.condition):
            if not isinstance(atom, ex.Compare) or isinstance(atom.right, ex.Param):
                continue
            spec = FACT_TYPES.get(atom.left.fact, {}).get(atom.left.field or "")
            value = atom.right.value
            if (spec is None or spec.unit != "percent" or isinstance(value, bool)
                    or not isinstance(value, int | float) or not 0 < value <= 1):
                continue
            message = (f"rule {rule.id}: {atom.left} is a percentage (49 means 49%) but is compared with "
                       f"{value:g}; write {value * 100:g} if {value:g} was meant as a fraction")
            out.append((rule.at(atom.right.col), "looks-like-fraction", message))
    return out
