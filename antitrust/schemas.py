"""JSON Schemas for deal files, rule files, parameter files and reports, from the pydantic models."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from antitrust.deal import Deal
from antitrust.params import ParameterFile
from antitrust.report import Report
from antitrust.rulespec import RuleFile

_MODELS: dict[str, type[BaseModel]] = {"deal": Deal, "rules": RuleFile, "parameters": ParameterFile, "report": Report}


def schema_for(name: str) -> dict[str, Any]:
    model = _MODELS[name]
    mode: Literal["validation", "serialization"] = "serialization" if name == "report" else "validation"
    schema: dict[str, Any] = model.model_json_schema(mode=mode, by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://antitrust.invalid/schemas/{name}.schema.json"
    return schema
