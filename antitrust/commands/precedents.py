"""``antitrust precedents DEAL``: every decided case ranked by similarity to the deal.

Exit codes: 0 ranked; 2 bad input (the deal, a case file, the case or rules folder).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from antitrust.bundled import RULES_HELP, rules_path

if TYPE_CHECKING:
    from antitrust.report import PrecedentMatch


class PrecedentsFormat(StrEnum):
    text = "text"
    json = "json"


def render_ranking(deal_title: str, folder: Path, ranking: list[PrecedentMatch]) -> str:
    """The ranking as text: each case with its similarity, outcome, reasons and feature scores."""
    from antitrust.render.brief_text import wrap

    lines = [*wrap(f"Precedents for {deal_title}", ""), f"{len(ranking)} decided cases in {folder}, most similar first.", ""]
    for i, m in enumerate(ranking, 1):
        lines += wrap(f"{i}. {m.title}", "", "   ")
        lines += wrap(f"{m.similarity:.0%} similar; outcome {m.outcome_band}: {m.outcome}", "   ", "     ")
        for w in m.why:
            lines += wrap(w, "   - ", "     ")
        scores = ", ".join(f"{k} {v:.2f}" for k, v in m.scores.items())
        lines += wrap(f"scores: {scores}", "   ", "     ")
        lines.append("")
    return "\n".join(lines)


def precedents_command(
    deal: Annotated[Path, typer.Argument(help="Deal file (YAML or JSON).", show_default=False)],
    cases: Annotated[Path | None, typer.Option("--cases", help="Folder of decided cases (deal files with "
                                               "actual_outcomes; default: the cases bundled with antitrust).",
                                               show_default=False)] = None,
    rules: Annotated[Path | None, typer.Option("--rules", help=RULES_HELP + " Its exchange rates compare "
                                               "amounts in different currencies.", show_default=False)] = None,
    fmt: Annotated[PrecedentsFormat, typer.Option("--format", "-f", help="text or json.")] = PrecedentsFormat.text,
) -> None:
    """Rank the decided cases by similarity to DEAL (structure, stake and votes, people moves, overlaps,
    sector, size), each with what the authorities did and what makes it similar. The deal itself is
    left out of its own ranking."""
    from antitrust.bundled import bundled_cases_dir
    from antitrust.errors import InputError, InputErrors, Location
    from antitrust.loading import load_deal
    from antitrust.precedents import euro_converter, load_library, rank
    from antitrust.rulebook import load_rulebook

    try:
        folder = cases if cases is not None else bundled_cases_dir()
        if folder is None:
            raise InputError(Location("--cases"), "no case folder is installed with antitrust; pass --cases DIR")
        if not folder.is_dir():
            raise InputError(Location(str(folder)), "not a folder of deal files; pass --cases DIR")
        loaded = load_deal(deal, verify_sources=True)
        library = load_library(folder)
        book = load_rulebook(rules_path(rules))
        ranking = rank(loaded, library, euro_converter(book.parameters))
    except (InputError, InputErrors) as exc:
        for e in exc.errors if isinstance(exc, InputErrors) else [exc]:
            typer.echo(str(e), err=True)
        raise typer.Exit(2) from None
    if fmt is PrecedentsFormat.json:
        out = {"deal_id": loaded.id, "cases": str(folder),
               "ranking": [m.model_dump(mode="json") for m in ranking]}
        typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        typer.echo(render_ranking(loaded.title, folder, ranking))


def register(app: typer.Typer, rules_app: typer.Typer) -> None:
    app.command("precedents")(precedents_command)
    del rules_app
