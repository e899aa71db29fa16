"""``antitrust what-if``, ``antitrust sweep`` and ``antitrust flips``: counterfactual analysis.

PATH syntax (the deal file's own field paths, as the report prints them)::

    stakes[0].voting_after   stakes.0.voting_after   parties[scale].turnover[DE]
    parties[id=scale].competes_with_acquirer   parties[1].domestic_activity.DE

VALUE is read as YAML (49, true, non_voting, "EUR 20m", unknown, [a, b], {value: 49, source: x}).
A bad path or a value of the wrong type is one line on stderr and exit code 2.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from antitrust.bundled import RULES_HELP, STRICT_HELP, rules_path

EXIT_BAD_INPUT, EXIT_ENGINE = 2, 3


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _run(job: Any) -> None:
    """Run ``job()`` (which returns the text to print), mapping errors to exit codes."""
    from antitrust.errors import EngineError, InputError, InputErrors

    try:
        text = job()
    except InputErrors as exc:
        for e in exc.errors:
            typer.echo(str(e), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except InputError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except EngineError as exc:
        typer.echo(f"engine error: {exc}", err=True)
        raise typer.Exit(EXIT_ENGINE) from None
    typer.echo(text, nl=False)


_DATE = ["%Y-%m-%d"]


def register(app: typer.Typer, rules_app: typer.Typer) -> None:
    del rules_app

    @app.command("what-if")
    def what_if_command(
        deal: Annotated[Path, typer.Argument(help="Deal file (YAML or JSON).", show_default=False)],
        set_: Annotated[list[str] | None, typer.Option(
            "--set", help="PATH=VALUE, e.g. stakes[0].voting_after=49 (repeatable).")] = None,
        as_of: Annotated[datetime | None, typer.Option(
            formats=_DATE, help="Apply the law in force on this date to the changed deal; alone, it compares "
                                "the deal under its own date and this one.")] = None,
        rules: Annotated[Path | None, typer.Option("--rules", help=RULES_HELP, show_default=False)] = None,
        fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.text,
        today: Annotated[datetime | None, typer.Option(
            formats=_DATE, help="Date deadlines are counted to and parameter review dates checked against "
                                "(default: today).")] = None,
        strict: Annotated[bool, typer.Option("--strict", help=STRICT_HELP)] = False,
    ) -> None:
        """Evaluate a deal as given and as changed, and show what changed and which rule made the difference."""

        def job() -> str:
            from antitrust.loading import load_deal
            from antitrust.render.whatif import render
            from antitrust.rulebook import load_rulebook
            from antitrust.whatif import parse_set, what_if

            sets = [parse_set(s) for s in set_ or []]
            book = load_rulebook(rules_path(rules))
            loaded = load_deal(deal, verify_sources=True)
            return render(what_if(loaded, book, sets, as_of=_day(as_of), today=_day(today), strict=strict),
                          fmt.value)

        _run(job)

    @app.command("sweep")
    def sweep_command(
        deal: Annotated[Path, typer.Argument(help="Deal file (YAML or JSON).", show_default=False)],
        vary: Annotated[str, typer.Option(
            "--vary", help="PATH=START:STOP:STEP (STOP included), e.g. stakes[0].equity_after=0:100:5 or "
                           "'parties[scale].turnover[DE]=EUR 0:EUR 40m:EUR 2.5m'.", show_default=False)],
        set_: Annotated[list[str] | None, typer.Option(
            "--set", help="PATH=VALUE applied before sweeping (repeatable).")] = None,
        as_of: Annotated[datetime | None, typer.Option(
            formats=_DATE, help="Apply the law in force on this date (default: the deal's own date).")] = None,
        rules: Annotated[Path | None, typer.Option("--rules", help=RULES_HELP, show_default=False)] = None,
        fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.text,
    ) -> None:
        """Re-evaluate across a range of one number and show verdicts and bands per value, marking flips."""

        def job() -> str:
            from antitrust.loading import load_deal
            from antitrust.render.whatif import render
            from antitrust.rulebook import load_rulebook
            from antitrust.whatif import parse_set, sweep

            sets = [parse_set(s) for s in set_ or []]
            book = load_rulebook(rules_path(rules))
            loaded = load_deal(deal, verify_sources=True)
            return render(sweep(loaded, book, vary, as_of=_day(as_of), sets=sets), fmt.value)

        _run(job)

    @app.command("flips")
    def flips_command(
        deal: Annotated[Path, typer.Argument(help="Deal file (YAML or JSON).", show_default=False)],
        jurisdiction: Annotated[str | None, typer.Option(
            help="Only this jurisdiction's verdict (e.g. DE); default: every verdict and high or medium band.")] = None,
        max_changes: Annotated[int, typer.Option(
            min=1, max=2, help="Look for single changes (1) or also pairs (2).")] = 1,
        time_limit: Annotated[float, typer.Option(
            min=0.1, help="Stop searching after this many seconds (the result says whether it finished).")] = 10.0,
        as_of: Annotated[datetime | None, typer.Option(
            formats=_DATE, help="Apply the law in force on this date (default: the deal's own date).")] = None,
        rules: Annotated[Path | None, typer.Option("--rules", help=RULES_HELP, show_default=False)] = None,
        fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.text,
    ) -> None:
        """Search the smallest changes to the deal's facts that flip each verdict and each high or medium band."""

        def job() -> str:
            from antitrust.loading import load_deal
            from antitrust.render.whatif import render
            from antitrust.rulebook import load_rulebook
            from antitrust.whatif import find_flips

            book = load_rulebook(rules_path(rules))
            loaded = load_deal(deal, verify_sources=True)
            result = find_flips(loaded, book, jurisdiction=jurisdiction, max_changes=max_changes,
                                time_limit=time_limit, as_of=_day(as_of))
            return render(result, fmt.value)

        _run(job)
