"""The command line: ``antitrust evaluate``, ``check`` and ``schema``; feature commands (``rules
check|test|docs``, ``explain``, ...) live in antitrust/commands/.

Exit codes (documented in the README):
    0  done (and, with --fail-on, the level was not reached)
    1  the --fail-on level was reached
    2  bad input: a deal, rule or parameter file is malformed or invalid
    3  the engine failed (a bug: please report it)
Reports go to stdout (or --output); diagnostics go to stderr, one line per problem.
"""

from __future__ import annotations

import copy
import gc
import json
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from antitrust.bundled import RULES_HELP, STRICT_HELP, choose_rules
from antitrust.errors import AntitrustError, EngineError, InputError, InputErrors, Location
from antitrust.fileio import same_file, write_text_atomic

EXIT_OK, EXIT_FAIL_ON, EXIT_BAD_INPUT, EXIT_ENGINE = 0, 1, 2, 3

app = typer.Typer(
    name="antitrust",
    help="Merger-control risk engine: where a deal must be notified, who can still reach it, and which theories of harm it raises.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,  # deal facts are confidential: never print locals
    add_completion=False,
)
rules_app = typer.Typer(help="Tools for rule authors.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


class Format(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"


class DetailLevel(StrEnum):
    brief = "brief"
    full = "full"


class Level(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class SchemaName(StrEnum):
    deal = "deal"
    rules = "rules"
    parameters = "parameters"
    report = "report"
    regimes = "regimes"


def _fail(errors: list[InputError], code: int = EXIT_BAD_INPUT) -> None:
    for e in errors:
        typer.echo(str(e), err=True)
    raise typer.Exit(code)


def _input_errors(exc: InputError | InputErrors) -> list[InputError]:
    return exc.errors if isinstance(exc, InputErrors) else [exc]


def _write(text: str, output: Path | None, protected: list[Path]) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    target = output.resolve()
    for p in protected:
        if same_file(p, output):
            _fail([InputError(Location(str(output)), "refusing to overwrite an input file; choose another --output")])
    try:
        write_text_atomic(target, text)
    except OSError as exc:
        _fail([InputError(Location(str(output)), f"cannot write: {exc.strerror or exc}")])


def _parse_date(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def report_level(report: object) -> int:
    """0 none/low, 1 medium, 2 high: the highest held theory band, a mandatory filing counting as high
    and an undetermined one as medium."""
    from antitrust.report import Report

    assert isinstance(report, Report)
    level = 0
    for t in report.theories:
        if not t.undetermined and t.band in {"medium", "high"}:
            level = max(level, 1 if t.band == "medium" else 2)
        elif t.band == "low":
            level = max(level, 0)
    for j in report.jurisdictions:
        if j.filing == "mandatory":
            level = 2
        elif j.filing == "undetermined":
            level = max(level, 1)
    return level


@app.command()
def evaluate(
    deals: Annotated[list[Path], typer.Argument(help="Deal files (YAML or JSON).", show_default=False)],
    rules: Annotated[Path | None, typer.Option("--rules", help=RULES_HELP, show_default=False)] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Report format.")] = Format.text,
    detail: Annotated[DetailLevel, typer.Option("--detail", help="brief: one page; full: everything, reorganised (HTML is always full).")] = DetailLevel.brief,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    as_of: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Apply the law in force on this date (default: the deal's closing, signing or announcement date).")] = None,
    today: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Date deadlines (call-in and review periods) are counted to and parameter review dates checked against (default: today).")] = None,
    fail_on: Annotated[Level | None, typer.Option(help="Exit 1 if a risk band (or filing) reaches this level.")] = None,
    audit_log: Annotated[Path | None, typer.Option("--audit-log", help="Append one JSON line per decision to this file (input hash, rulebook hash, versions, verdicts).", show_default=False)] = None,
    strict: Annotated[bool, typer.Option("--strict", help=STRICT_HELP)] = False,
) -> None:
    """Evaluate deal files and print a reasoned risk report."""
    _evaluate(deals, rules, fmt, detail, output, as_of, today, fail_on, audit_log, strict)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Look for reference cycles every 100,000 allocations instead of 700 while a one-shot command
    runs, and leave what is still alive at its end out of later passes (``gc.freeze``).

    Importing the package's models, loading the rulebook and evaluating allocate hundreds of
    thousands of small containers that reference counting frees; the default collections took
    31-47 ms of a cold ``antitrust evaluate``. Raising the thresholds alone moved that cost to
    one collection of everything young when they were restored (47 ms, measured with
    ``gc.callbacks``); freezing first makes that collection, and the one at interpreter exit,
    find nothing to walk. The thresholds are restored afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.freeze()
        gc.set_threshold(*before)


def _evaluate(deals: list[Path], rules: Path | None, fmt: Format, detail: DetailLevel, output: Path | None,
              as_of: datetime | None, today: datetime | None, fail_on: Level | None, audit_log: Path | None,
              strict: bool) -> None:
    from antitrust.api import _decide, _load, load_rules
    from antitrust.audit import AuditLog
    from antitrust.render import RENDERERS

    log = AuditLog(audit_log) if audit_log is not None else None
    try:
        loaded = [_load(d, verify_sources=True) for d in deals]  # cheap: bad deals fail fast
        book = load_rules(rules)
        reports = [_decide(d, book, as_of=_parse_date(as_of), today=_parse_date(today), audit_log=log,
                           via="cli evaluate", strict=strict) for d in loaded]
    except (InputError, InputErrors) as exc:
        _fail(_input_errors(exc))
        return
    except EngineError as exc:
        typer.echo(f"engine error: {exc}", err=True)
        raise typer.Exit(EXIT_ENGINE) from None
    except OSError as exc:  # the audit log cannot be written
        _fail([InputError(Location(str(audit_log)), f"cannot append to the audit log: {exc.strerror or exc}")])
        return
    if fmt is Format.json and len(reports) > 1:
        text = "[\n" + ",\n".join(RENDERERS["json"](r).rstrip("\n") for r in reports) + "\n]\n"
    elif fmt is Format.text:
        color = output is None and sys.stdout.isatty()
        text = "\n".join(RENDERERS["text"](r, detail.value, color=color) for r in reports)
    else:
        level = "full" if fmt is Format.html else detail.value
        text = "\n".join(RENDERERS[fmt.value](r, level) for r in reports)
    protected = [*deals, *choose_rules(rules).files, *([audit_log] if audit_log is not None else [])]
    _write(text, output, protected)
    if fail_on is not None:
        threshold = {"low": 0, "medium": 1, "high": 2}[fail_on.value]
        if any(report_level(r) >= threshold and (threshold > 0 or report_level(r) >= 0) for r in reports):
            raise typer.Exit(EXIT_FAIL_ON)


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="Deal files, rule files or rule folders.", show_default=False)],
    rules: Annotated[Path | None, typer.Option("--rules", help="Rulebook to check deal files' names against (default: the bundled one).", show_default=False)] = None,
) -> None:
    """Validate deal and rule files without evaluating anything (exit 2 on any error).

    Rule files and folders get the full static analysis of `antitrust rules check` (its warnings
    are printed but do not fail); deal files are validated, with their sources checked against seeds/."""
    from antitrust.checker import check_rulebook
    from antitrust.loading import load_deal

    failed = False
    errors: list[InputError] = []
    rule_paths = [p for p in paths if p.is_dir() or _is_rule_file(p)]
    if rule_paths:
        result = check_rulebook(rule_paths)
        for d in result.errors + result.warnings:
            typer.echo(str(d), err=True)
        failed = bool(result.errors)
        if result.book is not None and not failed:
            names = ", ".join(str(p) for p in rule_paths)
            typer.echo(f"{names}: rulebook OK ({len(result.book.rules)} rules, {len(result.book.parameters)} "
                       f"parameters, {len(result.warnings)} warnings)", err=True)
    for p in paths:
        if p in rule_paths:
            continue
        try:
            load_deal(p, verify_sources=True)
            typer.echo(f"{p}: deal OK", err=True)
        except (InputError, InputErrors) as exc:
            errors += _input_errors(exc)
    if errors or failed:
        _fail(errors)


def _is_rule_file(p: Path) -> bool:
    from antitrust.yamlio import load

    try:
        data = load(p).data
    except InputError:
        return False
    return isinstance(data, dict) and ("rules" in data or "parameters" in data)


@app.command()
def schema(
    name: Annotated[SchemaName, typer.Argument(help="Which schema.")],
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Print the JSON Schema of deal files, rule files, parameter files, reports or regimes files."""
    from antitrust.schemas import schema_for

    _write(json.dumps(schema_for(name.value), indent=2, ensure_ascii=False) + "\n", output, [])


def _register_feature_commands() -> None:
    from antitrust.commands import register_all

    register_all(app, rules_app)


_register_feature_commands()


@app.callback()
def _options(
    debug: Annotated[bool, typer.Option("--debug", help="On an internal error, print the traceback (also ANTITRUST_DEBUG=1).")] = False,
) -> None:
    """Merger-control risk engine: where a deal must be notified, who can still reach it, and which theories of harm it raises."""
    # --debug is taken out of the arguments by main() wherever it stands; this declares it for --help.


def _app_for(args: list[str]) -> typer.Typer:
    """``app`` with only the command ``args`` starts with registered: typer reads the signature
    and annotations of every command it registers each time the program starts, about 30 ms for
    all of them. The whole app for anything else (no command, ``--help``, a group, a typo)."""
    from typer.main import get_command_name

    for info in app.registered_commands:
        name = info.name or (get_command_name(info.callback.__name__) if info.callback else None)
        if args and name == args[0]:
            lean = copy.copy(app)
            lean.registered_commands = [info]
            lean.registered_groups = []
            return lean
    return app


#: Commands that run as long as their input or their clients last: they keep the collector's
#: defaults (see _fewer_collections), and `screen` settles its own heap (antitrust.screening).
_LONG_RUNNING = frozenset({"serve", "screen"})


def main(argv: list[str] | None = None) -> None:
    """The ``antitrust`` command. A crash is never mistaken for a finding: an internal error
    exits 3 with one line and a hint to report it (``--debug`` shows the traceback), never 1."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("ANTITRUST_DEBUG", "").strip() not in {"", "0", "off", "no"}
    args = [a for a in args if a != "--debug"]
    try:
        with nullcontext() if args[:1] and args[0] in _LONG_RUNNING else _fewer_collections():
            _app_for(args)(args=args, prog_name="antitrust", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except BaseException as exc:  # noqa: BLE001 - the last line of defence: classify, never leak
        if debug:
            traceback.print_exc()
        what = "error" if isinstance(exc, AntitrustError) else "internal error"
        first = str(exc).splitlines()[0][:300] if str(exc) else ""
        typer.echo(f"{what}: {type(exc).__name__}{': ' + first if first else ''}"
                   + ("" if debug else "; this is a bug in antitrust, please report it "
                      "(run again with --debug for the traceback)"), err=True)
        sys.exit(EXIT_ENGINE)
