"""Presumptions and defaults: values a verdict may rely on without the deal file stating them.

Two kinds, both applied while the deal is flattened, before its facts reach the engine, and both
recorded so that the report can say "assumed, please confirm" next to each verdict that relied
on one (see :mod:`antitrust.reliance`):

- a **presumption** is a legal element a practitioner presumes unless the facts suggest
  otherwise, such as the EUMR two-thirds rule not applying. Rule files declare them under
  ``presumptions:`` (:class:`~antitrust.rulespec.PresumptionSpec`); one applies only where the
  engine fact is unknown.
- a **default** is a value the deal format supplies for a field a deal file leaves out: no stake
  before the deal, no board seat, no observer, no veto. It applies only where the field is left
  out; a field stated as ``unknown`` stays unknown.

With ``strict`` neither applies: the fields stay unknown, so a verdict that needed one becomes
undetermined and names the fact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from antitrust import expr as ex
from antitrust.errors import InputError, Location, RulebookError
from antitrust.factbase import engine_number
from antitrust.rulespec import PresumptionSpec
from antitrust.validation import did_you_mean
from antitrust.vocabulary import FACT_TYPES

if TYPE_CHECKING:
    from antitrust.rulebook import LoadedRule

Kind = Literal["presumption", "default"]


@dataclass(frozen=True)
class Default:
    """A value the deal format fills in for a field a deal file leaves out."""

    #: The deal-file field, e.g. ``equity_before`` of a stake.
    name: str
    #: The engine fact type and the fields the default fills (vetoes fill five).
    fact: str
    fields: tuple[str, ...]
    value: Any
    value_text: str
    statement: str
    why: str

    @property
    def id(self) -> str:
        return f"default:{self.fact}.{self.name}"


_LEFT_OUT = ("The deal format reads a field left out as this value; where a verdict turns on it, "
             "state the figure (or 'unknown') in the deal file.")

#: The deal format's defaults, by (engine fact type, deal-file field).
DEFAULTS: dict[tuple[str, str], Default] = {(d.fact, d.name): d for d in (
    Default("equity_before", "stake", ("equity_before",), 0, "0%",
            "no capital held before the deal", _LEFT_OUT),
    Default("voting_before", "stake", ("voting_before",), 0, "0%",
            "no votes held before the deal", _LEFT_OUT),
    Default("board_seats", "governance", ("board_seats",), 0, "0",
            "no board seat", _LEFT_OUT),
    Default("board_observers", "governance", ("board_observers",), 0, "0",
            "no board observer", _LEFT_OUT),
    Default("vetoes", "governance",
            ("veto_budget", "veto_business_plan", "veto_senior_management", "veto_major_investments", "veto_other"),
            False, "none", "no veto rights", _LEFT_OUT),
)}


@dataclass(frozen=True, eq=False)
class Applied:
    """One presumption or default applied to one field of one engine fact (compared by identity)."""

    id: str
    kind: Kind
    fact_id: str
    fact: str
    field: str
    #: The field's value before (what it is under --strict): None or an open interval.
    before: Any
    value_text: str
    statement: str
    why: str
    #: Where the deal file would state it.
    path: str | None
    citation: str | None = None
    url: str | None = None


def engine_value(fact: str, field: str, value: Any) -> Any:
    """A presumed value as the engine holds it: numbers as an exact interval."""
    spec = FACT_TYPES[fact][field]
    if spec.kind == "number" and not isinstance(value, bool):
        v = engine_number(float(value))
        return {"lo": v, "hi": v}
    return value


def is_unknown(value: Any) -> bool:
    """Whether an engine field's value leaves it open: absent, or an interval that is not a point."""
    if value is None:
        return True
    if isinstance(value, dict):
        return not ("lo" in value and value.get("lo") == value.get("hi"))
    return False


def value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("_", " ")


class Presumer:
    """Applies the rulebook's presumptions and the deal format's defaults to engine facts."""

    def __init__(self, specs: Sequence[PresumptionSpec] = (), strict: bool = False) -> None:
        self.strict = strict
        self.by_type: dict[str, list[PresumptionSpec]] = {}
        for spec in specs:
            self.by_type.setdefault(spec.fact.split(".")[0], []).append(spec)

    def fill(self, t: str, fact_id: str, fields: dict[str, Any], unstated: Mapping[str, str]) -> list[Applied]:
        """Fill the unknown fields of one fact (in place) and say what was filled.

        ``unstated`` maps the deal-file fields the deal file left out to their paths: defaults
        apply only to those; presumptions apply to any field that is unknown."""
        if self.strict:
            return []
        out: list[Applied] = []
        for name, path in unstated.items():
            d = DEFAULTS.get((t, name))
            if d is None:
                continue
            for field in d.fields:
                if is_unknown(fields.get(field)):
                    out.append(Applied(d.id, "default", fact_id, t, field, fields.get(field), d.value_text,
                                       d.statement, d.why, path))
                    fields[field] = engine_value(t, field, d.value)
        for spec in self.by_type.get(t, ()):
            field = spec.fact.split(".", 1)[1]
            if is_unknown(fields.get(field)):
                out.append(Applied(spec.id, "presumption", fact_id, t, field, fields.get(field),
                                   value_text(spec.value), spec.statement, spec.why, spec.path,
                                   spec.basis.citation, spec.basis.url))
                fields[field] = engine_value(t, field, spec.value)
        return out


def check_value(spec: PresumptionSpec) -> str | None:
    """Why a presumption's fact or value does not fit the vocabulary (None when it does)."""
    t, _, field = spec.fact.partition(".")
    if t not in FACT_TYPES:
        return f"unknown kind of fact {t!r}{did_you_mean(t, FACT_TYPES)}; a presumption names a base fact"
    fspec = FACT_TYPES[t].get(field)
    if fspec is None:
        return f"unknown field {field!r} of {t}{did_you_mean(field, FACT_TYPES[t])}"
    v = spec.value
    if fspec.kind == "bool" and not isinstance(v, bool):
        return f"{spec.fact} is yes/no; presume true or false, not {v!r}"
    if fspec.kind == "number" and (isinstance(v, bool) or not isinstance(v, int | float)):
        return f"{spec.fact} is a number ({fspec.unit or 'plain'}); presume a number, not {v!r}"
    if fspec.kind in {"category", "id"} and not isinstance(v, str):
        return f"{spec.fact} is a {fspec.kind}; presume a quoted text value, not {v!r}"
    if fspec.kind == "category" and v not in fspec.values:
        return f"{v!r} is not a value of {spec.fact}{did_you_mean(str(v), fspec.values)}; expected one of " \
               f"{', '.join(fspec.values)}"
    if fspec.kind == "number" and fspec.unit == "percent" and not 0 <= float(v) <= 100:
        return f"{spec.fact} is a percentage from 0 to 100; {v!r} is outside"
    return None


def check_presumptions(presumed: list[tuple[PresumptionSpec, Location, Location]], rules: list[LoadedRule],
                       errors: list[InputError]) -> None:
    """A presumption names a base fact field, a value of its kind, and rules that read that field;
    ids are unique and one field is presumed at most once."""
    by_id = {r.id: r for r in rules}
    seen: dict[str, Location] = {}
    facts: dict[str, str] = {}
    for p, loc, fact_loc in presumed:
        if p.id in seen:
            errors.append(RulebookError(loc, f"presumption {p.id!r} is declared twice (first at {seen[p.id]})",
                                        field="id"))
            continue
        seen[p.id] = loc
        problem = check_value(p)
        if problem is not None:
            errors.append(RulebookError(fact_loc, f"presumption {p.id}: {problem}", field="fact"))
            continue
        if p.fact in facts:
            errors.append(RulebookError(fact_loc, f"presumption {p.id}: {p.fact} is already presumed by "
                                        f"{facts[p.fact]}; a fact is presumed once", field="fact"))
            continue
        facts[p.fact] = p.id
        fact, _, name = p.fact.partition(".")
        for rid in p.serves:
            rule = by_id.get(rid)
            if rule is None:
                errors.append(RulebookError(loc, f"presumption {p.id}: serves unknown rule {rid!r}"
                                            f"{did_you_mean(rid, by_id)}", field="serves"))
            elif not any(r.fact == fact and r.field == name for r in ex.refs(rule.condition)):
                errors.append(RulebookError(loc, f"presumption {p.id}: rule {rid} does not read {p.fact}",
                                            field="serves"))
