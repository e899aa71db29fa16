"""The rulebook that ships with the package, and how a command picks its rulebook.

A wheel carries a copy of the top-level ``rules/`` folder as ``antitrust/_rules`` (setup.py
copies it at build time). A source checkout or an editable install has no copy and reads the
repository's ``rules/`` beside the package. Either way the rulebook hash is the same, because it
is computed over paths relative to the rules folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from antitrust.errors import Location, RulebookError

_PACKAGE = Path(__file__).resolve().parent

#: How a report names the rulebook that ships with the package (``meta.rulebook_source``).
BUNDLED = "bundled"


def bundled_rules_dir() -> Path:
    """The folder of the bundled rulebook (the installed copy, else the checkout's ``rules/``)."""
    for candidate in (_PACKAGE / "_rules", _PACKAGE.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise RulebookError(Location(str(_PACKAGE / "_rules")),
                        "the bundled rulebook is missing from this installation; pass --rules DIR")


@dataclass(frozen=True)
class RulesChoice:
    """The rulebook a command uses: where it lies and how a report names it."""

    path: Path
    source: str  # "bundled" or the folder as given

    @property
    def files(self) -> list[Path]:
        """Every file of the rulebook (commands refuse to overwrite them with --output)."""
        if self.path.is_dir():
            return [p for p in self.path.rglob("*") if p.is_file()]
        return [self.path]


def choose_rules(option: Path | str | None) -> RulesChoice:
    """``--rules DIR`` if given, else the bundled rulebook."""
    if option is None:
        return RulesChoice(bundled_rules_dir(), BUNDLED)
    return RulesChoice(Path(option), str(option))


def rules_path(option: Path | str | None) -> Path:
    """The folder ``--rules`` names, else the bundled rulebook's."""
    return choose_rules(option).path


#: The help text of every command's ``--rules`` option.
RULES_HELP = "Rule and parameter files (folder; default: the rulebook bundled with antitrust)."
STRICT_HELP = ("Switch presumptions and the deal format's defaults off: a verdict that needs one stays "
               "undetermined and names the fact.")


def bundled_cases_dir() -> Path | None:
    """The folder of the decided cases that ship with the package (the nearest precedents): the
    installed copy ``antitrust/_cases``, else the checkout's ``cases/``; None when neither exists."""
    for candidate in (_PACKAGE / "_cases", _PACKAGE.parent / "cases"):
        if candidate.is_dir():
            return candidate
    return None
