"""``antitrust rules check | test | docs``: tools for the analysts who write rules.

Exit codes:
    rules check   0 no errors (warnings allowed), 1 warnings with --strict, 2 errors
    rules test    0 all tests pass and coverage >= --min-coverage, 1 a test failed or coverage
                  is below the minimum, 2 a rule, parameter or scenario file is invalid
    rules docs    0 written, 2 the rulebook is invalid or --output is not a folder
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from antitrust.checker import CheckResult
    from antitrust.rulebook import Rulebook
    from antitrust.ruletests import RuleTestResult

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2
DEFAULT_RULES = [Path("rules")]


class CheckFormat(StrEnum):
    text = "text"
    json = "json"


class DocsFormat(StrEnum):
    markdown = "markdown"
    html = "html"
    both = "both"


def _fail(lines: list[str]) -> None:
    for line in lines:
        typer.echo(line, err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def rules_check(
    rules: Annotated[list[Path] | None, typer.Argument(help="Rule and parameter files or folders (default: rules).",
                                                       show_default=False)] = None,
    fmt: Annotated[CheckFormat, typer.Option("--format", "-f", help="text (one line per finding, on stderr) "
                                             "or json (on stdout).")] = CheckFormat.text,
    strict: Annotated[bool, typer.Option(help="Exit 1 when there are warnings.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also show notes (unused parameters, "
                                          "rules missing a firing or non-firing test).")] = False,
    today: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Date to check review_by "
                                                   "dates against (default: today).")] = None,
) -> None:
    """Check a rulebook for mistakes before anything runs: syntax, schema, names, types, units,
    derived facts, impossible or shadowed conditions, parameter dates and units, review dates, and
    the engine's fan-out limit. Findings: path:line:col: severity: message."""
    from antitrust.checker import check_rulebook

    paths = rules or DEFAULT_RULES
    result = check_rulebook(paths, today=today.date() if today else None)
    if fmt is CheckFormat.json:
        typer.echo(json.dumps(_check_json(paths, result), indent=2, ensure_ascii=False))
    else:
        shown = [d for d in result.diagnostics if verbose or d.severity != "info"]
        for d in shown:
            typer.echo(str(d), err=True)
        typer.echo(_summary(result, verbose), err=True)
    if result.errors:
        raise typer.Exit(EXIT_BAD_INPUT)
    if strict and result.warnings:
        raise typer.Exit(EXIT_FAIL)


def _summary(result: CheckResult, verbose: bool) -> str:
    c = result.counts()
    text = f"{_plural(c['errors'], 'error')}, {_plural(c['warnings'], 'warning')}"
    if c["infos"]:
        text += f", {_plural(c['infos'], 'note')}" + ("" if verbose else " (shown with --verbose)")
    if result.book is not None:
        text += f" in {_plural(len(result.book.rules), 'rule')} and {_plural(len(result.book.parameters), 'parameter')}"
    return text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _check_json(paths: list[Path], result: CheckResult) -> dict[str, Any]:
    book = result.book
    return {
        "paths": [str(p) for p in paths],
        "ok": not result.errors,
        "counts": result.counts(),
        "rules": len(book.rules) if book else None,
        "parameters": len(book.parameters) if book else None,
        "diagnostics": [d.as_dict() for d in result.diagnostics],
    }


def rules_test(
    rules: Annotated[list[Path] | None, typer.Argument(help="Rule folders or files (default: rules). "
                                                       "Scenario files (*.tests.yaml) among them are run too.",
                                                       show_default=False)] = None,
    min_coverage: Annotated[float, typer.Option(help="Fail if fewer than this % of rules fire in some test.")] = 0.0,
    junit: Annotated[Path | None, typer.Option("--junit", help="Also write the results as JUnit XML here.")] = None,
    rule: Annotated[list[str] | None, typer.Option("--rule", help="Run only this rule's own tests (repeatable); "
                                                   "coverage then counts only these rules.")] = None,
) -> None:
    """Run the tests each rule declares and the scenario files beside the rules; print a summary
    table, each failure with a diff of expected and actual, and rule coverage."""
    from antitrust.errors import InputError, InputErrors
    from antitrust.rulebook import load_rulebook
    from antitrust.ruletests import (
        coverage,
        find_scenario_files,
        junit_xml,
        run_rule_tests,
        run_scenarios,
    )

    paths = rules or DEFAULT_RULES
    try:
        book = load_rulebook(paths)
        if rule:
            unknown = sorted(set(rule) - {r.id for r in book.rules})
            if unknown:
                from antitrust.validation import did_you_mean

                _fail([f"--rule {u}: no such rule{did_you_mean(u, [r.id for r in book.rules])}" for u in unknown])
        results = run_rule_tests(book, set(rule) if rule else None)
        if not rule:
            results += run_scenarios(book, find_scenario_files(paths))
    except (InputError, InputErrors) as exc:
        _fail([str(e) for e in (exc.errors if isinstance(exc, InputErrors) else [exc])])
        return
    scope = [r for r in book.rules if not rule or r.id in rule]
    pct, never = coverage(_scoped(book, scope), results)
    _print_table(book, scope, results)
    failed = [r for r in results if not r.ok]
    for r in failed:
        typer.echo(f"{r.location}: FAIL {r.title}" + (f": {r.error}" if r.error else ""), err=True)
        for line in r.diff:
            typer.echo(f"    {line}", err=True)
    typer.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    typer.echo(f"rule coverage: {pct:.1f}% ({len(scope) - len(never)} of {len(scope)} rules fire in a test)")
    for rid in never:
        typer.echo(f"  never fires: {rid}")
    if min_coverage and pct < min_coverage:
        typer.echo(f"rule coverage {pct:.1f}% is below the minimum of {min_coverage:g}%", err=True)
    if junit is not None:
        _write_file(junit, junit_xml(results, pct, never, min_coverage), protected=paths)
    if failed or pct < min_coverage:
        raise typer.Exit(EXIT_FAIL)


def _scoped(book: Rulebook, scope: list[Any]) -> Rulebook:
    from dataclasses import replace

    return replace(book, rules=tuple(scope))


def _print_table(book: Rulebook, scope: list[Any], results: list[RuleTestResult]) -> None:
    from rich.console import Console
    from rich.table import Table

    fired = {r for res in results for r in res.fired_rules}
    table = Table(title="Rule tests", title_justify="left")
    table.add_column("file", overflow="fold")
    for name in ("tests", "passed", "failed"):
        table.add_column(name, justify="right")
    table.add_column("rules fired in a test", justify="right")
    files = sorted({r.location.path for r in scope} | {res.suite for res in results if res.rule_id is None})
    totals = [0, 0, 0]
    for path in files:
        mine = [res for res in results if res.suite == path]
        rules_here = [r for r in scope if r.location.path == path]
        ok = sum(1 for res in mine if res.ok)
        totals = [totals[0] + len(mine), totals[1] + ok, totals[2] + len(mine) - ok]
        covered = f"{sum(1 for r in rules_here if r.id in fired)}/{len(rules_here)}" if rules_here else "-"
        table.add_row(path, str(len(mine)), str(ok), str(len(mine) - ok), covered)
    covered_all = sum(1 for r in scope if r.id in fired)
    table.add_row("total", *map(str, totals), f"{covered_all}/{len(scope)}", style="bold")
    Console(width=max(100, max((len(p) for p in files), default=0) + 75), soft_wrap=True).print(table)
    del book


def _write_file(target: Path, text: str, protected: list[Path]) -> None:
    resolved = target.resolve()
    for p in protected:
        files = [x for x in p.rglob("*") if x.is_file()] if p.is_dir() else [p]
        if any(f.resolve() == resolved for f in files):
            _fail([f"{target}: refusing to overwrite an input file; choose another path"])
    if target.is_dir():
        _fail([f"{target}: is a folder; give a file name"])
    from antitrust.fileio import write_text_atomic

    write_text_atomic(resolved, text)


def rules_docs(
    rules: Annotated[list[Path] | None, typer.Argument(help="Rule and parameter files or folders (default: rules).",
                                                       show_default=False)] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write the documentation into.")] = Path(
        "docs/rules"),
    fmt: Annotated[DocsFormat, typer.Option("--format", "-f", help="Markdown, HTML, or both.")] = DocsFormat.both,
    language_doc: Annotated[Path | None, typer.Option(
        "--language-doc", help="Also bring the generated list of facts and fields in this page (e.g. "
        "docs/rule-language.md) up to date.")] = None,
) -> None:
    """Write the rulebook as documentation: one page per jurisdiction and per theory of harm, each
    rule with its title, plain-language condition, legal basis, parameters with their value
    history, and the tests that illustrate it."""
    from antitrust.docsgen import render_docs, write_docs
    from antitrust.errors import InputError, InputErrors
    from antitrust.rulebook import load_rulebook

    paths = rules or DEFAULT_RULES
    try:
        book = load_rulebook(paths)
    except (InputError, InputErrors) as exc:
        _fail([str(e) for e in (exc.errors if isinstance(exc, InputErrors) else [exc])])
        return
    if output.exists() and not output.is_dir():
        _fail([f"{output}: --output must be a folder"])
    for p in paths:
        if output.resolve() == p.resolve() or p.resolve() in output.resolve().parents:
            _fail([f"{output}: refusing to write documentation inside the rulebook ({p})"])
    formats = {"markdown": ("md",), "html": ("html",), "both": ("md", "html")}[fmt.value]
    updated = None
    if language_doc is not None:
        from antitrust.docsgen import with_vocabulary

        try:
            updated = with_vocabulary(language_doc.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            _fail([f"{language_doc}: {exc}"])
    pages = render_docs(book, formats)
    written = write_docs(pages, output)
    typer.echo(f"wrote {len(written)} files to {output}", err=True)
    if language_doc is not None and updated is not None:
        _write_file(language_doc, updated, protected=paths)
        typer.echo(f"updated the facts and fields in {language_doc}", err=True)



def register(app: typer.Typer, rules_app: typer.Typer) -> None:
    rules_app.command("check")(rules_check)
    rules_app.command("test")(rules_test)
    rules_app.command("docs")(rules_docs)
    del app
