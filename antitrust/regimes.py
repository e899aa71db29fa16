"""Regimes and theories of harm as data: the ``regimes:`` / ``theories:`` file of a rulebook.

A regime is a merger-control law the report gives a verdict for (code, name, whether filing is
mandatory, whether it is suspensory, the authority, the citation, and which dated parameters
show that its law is modelled on a date). A theory of harm has an id and a title. Rules name
them by code and id; adding France is one entry here plus rules, no code.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from antitrust.params import Parameter


class _Strict(BaseModel):
    # defer_build: a model's validator is built when first used, not at import (start-up time).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, populate_by_name=True)


class Revision(_Strict):
    """The regime's yearly revision of its thresholds, so that a value past its cycle is flagged."""

    month: int = Field(ge=1, le=12, description="Month in which the revision usually takes effect.")
    grace_days: int = Field(60, ge=0, le=366,
                            description="Days after that month's start before a missing update is flagged.")
    params: list[str] = Field(min_length=1, description="Names or name prefixes of the revised parameters.")
    citation: str = Field(min_length=3, description="The provision that requires the revision.")


class Regime(_Strict):
    code: str = Field(pattern=r"^[A-Z]{2,3}$", description="Jurisdiction code rules use, e.g. 'FR'.")
    name: str = Field(min_length=2, description="E.g. 'France'.")
    filing: Literal["mandatory", "voluntary"] = Field(
        description="Whether a deal meeting the filing test must be notified (mandatory) or may be (voluntary).")
    suspensory: bool = Field(description="Whether a notifiable deal may not close before clearance.")
    authority: str = Field(min_length=2, description="E.g. 'Autorité de la concurrence'.")
    citation: str = Field(min_length=3, description="The provisions that set up the regime.")
    url: str = Field(pattern=r"^https?://")
    since: date | None = Field(None, description="First day the modelled law applies (None: as far back as its parameters).")
    params: list[str] = Field(
        default_factory=list,
        description="Name prefixes of the parameters that carry its filing tests (default: the code in lower case). "
        "On a date none of them has a value in force, the regime is 'not assessed'.")
    revision: Revision | None = None

    @property
    def param_prefixes(self) -> tuple[str, ...]:
        return tuple(self.params) or (self.code.lower() + ".",)

    def regime_text(self) -> str:
        """'mandatory and suspensory (Bundeskartellamt)'."""
        kind = self.filing + (" and suspensory" if self.suspensory else "")
        if self.filing == "mandatory" and not self.suspensory:
            kind += ", not suspensory"
        return f"{kind} ({self.authority})"

    def modelled_on(self, when: date, parameters: dict[str, Parameter]) -> bool:
        """Whether the rulebook models this regime's filing law on ``when``."""
        if self.since is not None and when < self.since:
            return False
        mine = [p for n, p in parameters.items() if n.startswith(self.param_prefixes)]
        if not mine:
            return True  # a regime whose tests use no dated parameter (rules carry in_force dates)
        return any(p.at(when) is not None and p.at(when).value is not None for p in mine)  # type: ignore[union-attr]


def stale_values(regime: Regime, parameters: dict[str, Parameter], used: set[str], when: date) -> list[str]:
    """Warnings for the parameters ``used`` on the law date ``when`` whose value predates the
    regime's last yearly revision (due in ``revision.month``, flagged ``grace_days`` later)."""
    rev = regime.revision
    if rev is None:
        return []
    year = when.year
    while date(year, rev.month, 1) + timedelta(days=rev.grace_days) > when:
        year -= 1
    due = date(year, rev.month, 1)
    out = []
    for name in sorted(used):
        if not name.startswith(tuple(rev.params)):
            continue
        value = parameters[name].at(when)
        if value is not None and value.from_ < due - timedelta(days=rev.grace_days):
            out.append(f"{name}: the value applied is in force from {value.from_.isoformat()}, but "
                       f"{regime.name} revises it every year around {due.strftime('%B')} ({rev.citation}); "
                       f"the {due.year} revision is missing from the rulebook, so the figure may be stale")
    return out


class TheoryDecl(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=3)


class RegimeFile(_Strict):
    regimes: list[Regime] = Field(default_factory=list)
    theories: list[TheoryDecl] = Field(default_factory=list)


def implicit_regime(code: str) -> Regime:
    """A regime a rule names without a regimes file declaring it (single rule files, test folders)."""
    return Regime(code=code, name=code, filing="mandatory", suspensory=False, authority="the competent authority",
                  citation="(regime not declared in a regimes file)", url="https://example.invalid/")


def implicit_theory(theory: str) -> TheoryDecl:
    return TheoryDecl(id=theory, title=theory.replace("_", " ").capitalize())
