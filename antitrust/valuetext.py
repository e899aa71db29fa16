"""Values and sentences as a reason reads them: '49%', 'USD 14.8bn', 'an unknown share (...)', and
an undetermined verdict's opening ("Possibly notifiable, depending on facts not stated: ...")."""

from __future__ import annotations

from typing import Any

from antitrust.margins import number_text
from antitrust.vocabulary import FACT_TYPES


def display(fact: str, field: str, value: Any) -> str:
    """A fact field's value as a person reads it: 'USD 14.8bn', '49%', 'unknown'."""
    spec = FACT_TYPES.get(fact, {}).get(field)
    unit = spec.unit if spec else None
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        lo, hi = value.get("lo"), value.get("hi")
        if lo is not None and lo == hi:
            return number_text(lo, unit)
        if lo not in (None, 0) and hi is not None:
            return f"between {number_text(lo, unit)} and {number_text(hi, unit)}"
        if lo not in (None, 0):
            return f"unknown (at least {number_text(lo, unit)})"
        if hi is not None and not (unit == "percent" and hi == 100):
            return f"unknown (at most {number_text(hi, unit)})"
        return "unknown"
    return str(value).replace("_", " ")


def in_sentence(fact: str, field: str, value: Any) -> str:
    """A value as it reads inside a reason: an unknown value says what is unknown ('an unknown
    share', 'at least 5%'), never a bare 'unknown' in the middle of a sentence."""
    text = display(fact, field, value)
    if text.startswith("unknown (") and text.endswith(")"):
        return text[len("unknown ("):-1]
    if text != "unknown":
        return text
    spec = FACT_TYPES.get(fact, {}).get(field)
    unit = spec.unit if spec else None
    noun = ("share" if unit == "percent" else "number" if unit == "count" else "amount" if unit else "value")
    return f"an unknown {noun} ({_field_words(field)} not stated)"


def _field_words(field: str) -> str:
    """A field's name as words, without the unit its name carries: 'combined turnover', not
    'combined turnover eur'."""
    for unit in ("_eur", "_gbp", "_usd", "_jpy", "_krw", "_dkk", "_sek", "_pct"):
        if field.endswith(unit):
            field = field[: -len(unit)]
            break
    return field.replace("_", " ")



#: Words that open a rule's reason as an ordinary sentence, so it can run on after a colon.
COMMON_OPENERS = frozenset({"The", "A", "An", "In", "Combined", "No", "Most", "Closed", "With", "Not",
                             "Before", "Through", "Only", "Neither", "Closing", "Each", "One", "Both"})


def run_on(sentence: str) -> str:
    """``sentence`` continuing another: its first letter lower-cased when it opens with a common
    word (never a name: "Meta's stake" keeps its capital)."""
    first = sentence.split(" ", 1)[0]
    return sentence[0].lower() + sentence[1:] if first in COMMON_OPENERS else sentence


#: How an undetermined verdict's reason opens, by the verdict its deciding rule would give.
OPEN_DIRECTION = {
    "mandatory": "Possibly notifiable",
    "voluntary": "Possibly reviewable",
    "not_required": "Possibly not required",
}
