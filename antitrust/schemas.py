"""JSON Schemas for deal files, rule files, parameter files and reports, from the pydantic models.

The committed copies under schemas/ (kept current by tests/test_schemas.py) let an editor with a
YAML language server validate and complete files as they are typed; rule and case files carry a
``# yaml-language-server: $schema=...`` line pointing there. Regenerate them with::

    for n in deal rules parameters report regimes; do antitrust schema $n -o schemas/$n.schema.json; done

Deal files accept shorthand the models read with "before" validators (``49`` for
``{value: 49}``, ``unknown``, ``"14.8bn USD"``, ``"digest#p3"``); pydantic's schema shows only
the long form, so the deal schema is widened here to accept exactly those shorthands too.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import BaseModel

from antitrust.deal import Deal
from antitrust.params import ParameterFile
from antitrust.regimes import RegimeFile
from antitrust.report import Report
from antitrust.rulespec import RuleFile

_MODELS: dict[str, type[BaseModel]] = {"deal": Deal, "rules": RuleFile, "parameters": ParameterFile, "report": Report,
                                       "regimes": RegimeFile}
NAMES = tuple(_MODELS)

#: Money as text, in the JSON Schema (ECMA-262) dialect of antitrust.money's pattern.
MONEY_PATTERN = r"^\s*([A-Z]{3}|[€$£¥₩])?\s*[0-9][0-9,_]*(\.[0-9]+)?\s*(k|m|mn|bn|b|tn)?\s*([A-Z]{3})?\s*$"
#: A date given only to the month or the year (antitrust.datefacts.period).
PERIOD_PATTERN = r"^\s*[0-9]{4}(-[0-9]{1,2})?\s*$"
WHEN_HELP = (
    "Condition in the rule language: fact.field comparisons (==, !=, <, <=, >, >=, in, not in) "
    "with values or param.<name>, bare names of derived facts or yes/no fields, joined with and, "
    "or, not and parentheses. See docs/rule-language.md."
)


def schema_for(name: str) -> dict[str, Any]:
    model = _MODELS[name]
    mode: Literal["validation", "serialization"] = "serialization" if name == "report" else "validation"
    schema = model.model_json_schema(mode=mode, by_alias=True)
    if name == "deal":
        _accept_shorthand(schema)
    if name == "rules":
        _describe_rules(schema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://antitrust.invalid/schemas/{name}.schema.json"
    return schema


def _accept_shorthand(schema: dict[str, Any]) -> None:
    defs: dict[str, Any] = schema.get("$defs", {})
    for key, definition in list(defs.items()):
        if key.startswith("Fact_") and definition.get("type") == "object":
            value = definition["properties"]["value"]
            plain = [v for v in value.get("anyOf", [value]) if v != {"type": "null"}]
            defs[key] = {
                "title": definition.get("title", key),
                "description": "A value; 'unknown' (or null); or {value | unknown: true, at_least, at_most, "
                               "source, confidence, alternatives, note}.",
                "anyOf": [definition, {"const": "unknown"}, {"type": "null"}, *plain],
            }
    if "DateFact" in defs:
        definition = defs["DateFact"]
        value = definition.get("properties", {}).get("value", {})
        if "anyOf" in value:
            value["anyOf"].insert(1, {"type": "string", "pattern": PERIOD_PATTERN})
        defs["DateFact"] = {
            "title": "DateFact",
            "description": "A date (YYYY-MM-DD); a month (YYYY-MM) or a year (YYYY), read as any day of it; "
                           "'unknown' (or null); or {value | unknown: true, at_least, at_most, source, ...} "
                           "for a range.",
            "anyOf": [definition, {"const": "unknown"}, {"type": "null"}, {"type": "string", "format": "date"},
                      {"type": "string", "pattern": PERIOD_PATTERN}, {"type": "integer", "minimum": 1000,
                                                                       "maximum": 9999}],
        }
    if "Money" in defs:
        money = defs["Money"]
        defs["Money"] = {
            "title": "Money",
            "description": "An amount with its currency: '14.8bn USD', 'EUR 400m', '€17.5m', or {amount, currency}.",
            "anyOf": [money, {"type": "string", "pattern": MONEY_PATTERN}],
        }
    if "Source" in defs:
        source = defs["Source"]
        defs["Source"] = {
            "title": "Source",
            "description": "A seeds/ digest and locator: 'digest-id#p3', or {doc, locator, note}.",
            "anyOf": [source, {"type": "string", "pattern": r"^[^#\s]+(#\S.*)?$"}],
        }


def _describe_rules(schema: dict[str, Any]) -> None:
    rule = schema.get("$defs", {}).get("Rule")
    if rule and "when" in rule.get("properties", {}):
        when = copy.deepcopy(rule["properties"]["when"])
        when["description"] = WHEN_HELP
        rule["properties"]["when"] = when
