"""Dated parameters: thresholds and rates with the date each value is in force from.

A new year's HSR threshold is one more entry under ``values``; evaluation picks the value in
force on the deal's relevant date (or ``--as-of``).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from antitrust.money import CURRENCIES

Status = Literal["verified", "secondary", "unverified"]
UNITS = (*CURRENCIES, "percent", "count", "days", "working_days", "months", "hhi", "rate")


class ParamValue(BaseModel):
    # defer_build: a model's validator is built when first used, not at import (start-up time).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, populate_by_name=True)

    from_: date = Field(alias="from", description="Date the value takes effect.")
    until: date | None = Field(
        None,
        description="Last day the value is in force, when the law sets an end (a lapsed or repealed "
        "threshold). Without it a value applies until the next value's 'from'.",
    )
    #: None records that the value changed on this date but no confirmed figure was found.
    value: float | None = Field(allow_inf_nan=False, le=1e18, ge=-1e18)
    citation: str = Field(min_length=3)
    url: str = Field(pattern=r"^https?://")
    status: Status
    note: str | None = None


class Parameter(BaseModel):
    # defer_build: a model's validator is built when first used, not at import (start-up time).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
    title: str
    unit: str
    review_by: date | None = Field(None, description="Re-check the value by this date.")
    values: list[ParamValue] = Field(min_length=1)

    @model_validator(mode="after")
    def _checks(self) -> Parameter:
        if self.unit not in UNITS:
            raise ValueError(f"unit {self.unit!r} is not one of {', '.join(UNITS)}")
        dates = [v.from_ for v in self.values]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise ValueError("values must be in increasing order of 'from', each date once")
        return self

    def at(self, when: date) -> ParamValue | None:
        """The value in force on ``when`` (None before the first effective date)."""
        current = None
        for v in self.values:
            if v.from_ <= when:
                current = v
        if current is not None and current.until is not None and current.until < when:
            return None  # the value lapsed and no later value has started yet
        return current

    @property
    def is_currency(self) -> bool:
        return self.unit in CURRENCIES


class ParameterFile(BaseModel):
    # defer_build: a model's validator is built when first used, not at import (start-up time).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    parameters: list[Parameter]


def format_value(value: float, unit: str) -> str:
    """Human form of a parameter value: ``€400m``, ``25%``, ``1,800``."""
    from antitrust.money import format_money

    if unit in CURRENCIES:
        return format_money(value, unit)
    if unit == "percent":
        return f"{value:g}%"
    if unit in {"days", "working_days", "months"}:
        return f"{value:g} {unit.replace('_', ' ')}"
    return f"{value:,.6g}"
