"""``antitrust explain DEAL [FINDING_OR_VERDICT]``: the proof tree of a conclusion.

Exit codes: 0 explained; 2 bad input (the deal, a rule file, or the name of what to explain);
3 the engine failed.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from antitrust.bundled import RULES_HELP, rules_path


class ExplainFormat(StrEnum):
    text = "text"
    json = "json"


def explain_command(
    deal: Annotated[Path, typer.Argument(help="Deal file (YAML or JSON).", show_default=False)],
    subject: Annotated[str | None, typer.Argument(
        help="What to explain: a jurisdiction (US, EU, DE, ...), a finding id from the report "
             "(e.g. DE-GWB35-1-TURNOVER or TOH-CSI-BOARD-CHANNEL#2), a theory of harm, or a rule id. "
             "Default: every verdict and band.", show_default=False)] = None,
    rules: Annotated[Path | None, typer.Option("--rules", help=RULES_HELP, show_default=False)] = None,
    fmt: Annotated[ExplainFormat, typer.Option("--format", "-f", help="text or json.")] = ExplainFormat.text,
    as_of: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Apply the law in force on this "
                                                   "date (default: the deal's own date).")] = None,
    band: Annotated[float, typer.Option(min=0.0, help="How close counts as a near miss, as a share of the threshold.")] = 0.10,
    near_misses: Annotated[bool, typer.Option("--near-misses/--no-near-misses",
                                              help="List the rules that came close.")] = True,
) -> None:
    """Explain a verdict, band or finding: the rule that concluded it, the facts and derived facts it used
    (values, deal-file lines, seeds/ sources), recursively; and the rules that came close."""
    from antitrust.errors import EngineError, InputError, InputErrors
    from antitrust.evaluate import evaluate
    from antitrust.explain import explain, render_text
    from antitrust.loading import load_deal
    from antitrust.rulebook import load_rulebook

    try:
        book = load_rulebook(rules_path(rules))
        loaded = load_deal(deal, verify_sources=True)
        ev = evaluate(loaded, book, as_of=as_of.date() if as_of else None)
        result = explain(ev, deal, subject, band=band, near_misses=near_misses)
    except (InputError, InputErrors) as exc:
        for e in exc.errors if isinstance(exc, InputErrors) else [exc]:
            typer.echo(str(e), err=True)
        raise typer.Exit(2) from None
    except EngineError as exc:
        typer.echo(f"engine error: {exc}", err=True)
        raise typer.Exit(3) from None
    if fmt is ExplainFormat.json:
        typer.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        typer.echo(render_text(result), nl=False)


def register(app: typer.Typer, rules_app: typer.Typer) -> None:
    app.command("explain")(explain_command)
    del rules_app
