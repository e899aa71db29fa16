"""``antitrust screen INPUT...``: screen a pipeline of deals and write one JSON line per deal.

Exit codes: 0 every deal was screened; 2 bad input (some deals could not be read or validated,
and were written as error records; or an input or the rulebook cannot be read at all); 3 the
engine failed on some deal; 130 interrupted (the output holds whole records: continue with
``--resume``).
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from antitrust.bundled import RULES_HELP, STRICT_HELP, rules_path

EXIT_OK, EXIT_BAD_INPUT, EXIT_ENGINE, EXIT_INTERRUPTED = 0, 2, 3, 130
#: Seconds between progress lines when stderr is not a terminal.
PLAIN_EVERY = 5.0

FILINGS = ("mandatory", "voluntary", "undetermined", "not_required")


def screen_command(
    inputs: Annotated[list[Path], typer.Argument(
        help="JSONL files (one deal per line), CSV files (dotted column names, see docs/screening.md), "
             "directories of deal files, or deal files.", show_default=False)],
    rules: Annotated[Path | None, typer.Option("--rules", help=RULES_HELP, show_default=False)] = None,
    workers: Annotated[int | None, typer.Option("--workers", "-j", min=1,
                                                help="Worker processes (default: all cores).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write the JSON lines here (default: stdout).")] = None,
    summary: Annotated[Path | None, typer.Option("--summary", help="Also write the summary as JSON here.")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Keep --output and skip the deals already in it.")] = False,
    as_of: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Apply the law in force on this date "
                                                   "to every deal (default: each deal's own date).")] = None,
    today: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Date used for deals that state "
                                                   "no date (default: today).")] = None,
    strict: Annotated[bool, typer.Option("--strict", help=STRICT_HELP)] = False,
    reuse: Annotated[bool, typer.Option("--reuse/--no-reuse", help="A deal whose JSONL line or CSV row repeats an "
                                        "earlier one exactly gets that deal's record without a second evaluation "
                                        "(--no-reuse: evaluate every deal; the output is the same).")] = True,
) -> None:
    """Screen many deals: a verdict per jurisdiction and a band per theory of harm for each, one JSON
    line per deal, and a summary of the whole batch."""
    from antitrust.errors import InputError, InputErrors
    from antitrust.rulebook import load_rulebook
    from antitrust.screen_inputs import ScreenInputError, canonical_source, count_items, input_kind
    from antitrust.screening import Tally, default_workers, preload, read_done

    def fail(lines: list[str], code: int = EXIT_BAD_INPUT) -> None:
        for line in lines:
            typer.echo(line, err=True)
        raise typer.Exit(code)

    if resume and output is None:
        fail(["--resume needs --output: the file to continue"])
    try:
        for p in inputs:
            input_kind(p)
    except ScreenInputError as exc:
        fail([str(exc)])
    from antitrust.fileio import same_file

    # Files are compared by identity: a hard link or another spelling of an input is the input.
    if output is not None:
        if any(same_file(p, output) for p in inputs):
            fail([f"{output}: refusing to overwrite an input; choose another --output"])
        if summary is not None and same_file(summary, output):
            fail([f"{summary}: --summary and --output are the same file; choose another --summary"])
    if summary is not None and any(same_file(p, summary) for p in inputs):
        fail([f"{summary}: refusing to overwrite an input; choose another --summary"])
    try:
        rules_dir = rules_path(rules)
        book = load_rulebook(rules_dir)
    except (InputError, InputErrors) as exc:
        fail([str(e) for e in (exc.errors if isinstance(exc, InputErrors) else [exc])])
        return
    preload(str(rules_dir), book)

    tally = Tally()
    done: set[tuple[str, int]] = set()
    if resume and output is not None:
        # Keyed by the resolved input path: in.jsonl and /abs/in.jsonl are one input.
        done = {(canonical_source(src), row) for src, row in read_done(output, tally)}
    n_workers = workers or default_workers()
    total = count_items(inputs)
    fixed = as_of.date() if as_of else None
    day = today.date() if today else date.today()

    sink: IO[str]
    if output is None:
        sink = sys.stdout
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        sink = output.open("a" if resume else "w", encoding="utf-8", newline="\n")
    reporter = _Progress(total, tally)
    started = time.monotonic()
    interrupted = False
    fatal: str | None = None
    try:
        _run(inputs, str(rules_dir), sink, done, tally, reporter, n_workers, fixed, day, strict,
             None if total is None else max(0, total - len(done)), reuse)
    except KeyboardInterrupt:
        interrupted = True
    except ScreenInputError as exc:
        fatal = str(exc)
    finally:
        reporter.stop()
        sink.flush()
        if sink is not sys.stdout:
            sink.close()
    elapsed = time.monotonic() - started
    result = tally.as_dict(elapsed)
    result["workers"] = n_workers
    result["interrupted"] = interrupted
    _print_summary(result, tally)
    if summary is not None:
        _write_atomic(summary, json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    if interrupted:
        fail([(f"interrupted after {tally.screened - tally.previous} deals; the output holds whole records: "
               "run again with --resume to continue")], EXIT_INTERRUPTED)
    if fatal:
        fail([fatal])
    if tally.worker_deaths:
        typer.echo(f"{tally.worker_deaths} worker process(es) died during the batch; each was restarted and its "
                   "deals screened again (a deal that killed its worker again is an error record)", err=True)
    if tally.engine_errors or tally.worker_deaths:
        raise typer.Exit(EXIT_ENGINE)
    if tally.input_errors:
        raise typer.Exit(EXIT_BAD_INPUT)


def _run(inputs: list[Path], rules: str, sink: IO[str], done: set[tuple[str, int]], tally: Any,
         reporter: _Progress, workers: int, as_of: date | None, today: date, strict: bool = False,
         total: int | None = None, reuse: bool = True) -> None:
    from antitrust.screen_inputs import canonical_source, read_items
    from antitrust.screening import run_batch

    def items() -> Any:
        for item in read_items(inputs):
            if (canonical_source(item.source), item.row) in done:
                tally.skipped += 1
                continue
            yield item

    def write(line: str) -> None:
        sink.write(line + "\n")  # one whole line per write

    def progress(t: Any) -> None:
        sink.flush()  # everything handed back so far is on disk before the next chunk
        reporter.update()

    run_batch(items(), rules, write, workers=workers, as_of=as_of, today=today, tally=tally,
              on_progress=progress, on_start=reporter.start, strict=strict, total=total, own_process=True,
              reuse=reuse)


class _Progress:
    """A rich progress bar on a terminal; otherwise a plain line every few seconds."""

    def __init__(self, total: int | None, tally: Any) -> None:
        self.total = total
        self.tally = tally
        self.tty = sys.stderr.isatty()
        self.bar: Any = None
        self.task: Any = None
        self.started = time.monotonic()
        self.last = self.started

    def start(self) -> None:
        self.started = self.last = time.monotonic()
        if not self.tty:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("screening"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
            TextColumn("{task.fields[rate]} deals/s"), TextColumn("{task.fields[failed]} failed"),
            TimeElapsedColumn(), TimeRemainingColumn(),
            console=Console(stderr=True), transient=False,
        )
        self.task = self.bar.add_task("screen", total=self.total, completed=self._done(), rate="-", failed=0)
        self.bar.start()

    def _new(self) -> int:
        """Deals screened in this run (the tally also counts records of earlier runs)."""
        return int(self.tally.screened - self.tally.previous)

    def _done(self) -> int:
        return self._new() + int(self.tally.skipped)

    def update(self) -> None:
        now = time.monotonic()
        rate = self._new() / max(now - self.started, 1e-9)
        if self.bar is not None:
            self.bar.update(self.task, completed=self._done(), rate=f"{rate:,.0f}", failed=self.tally.errors)
        elif now - self.last >= PLAIN_EVERY:
            self.last = now
            of = f" of {self.total:,}" if self.total is not None else ""
            eta = ""
            if self.total is not None and rate > 0:
                eta = f", about {_duration(max(self.total - self._done(), 0) / rate)} left"
            sys.stderr.write(f"screen: {self._done():,}{of} deals ({rate:,.0f}/s, {self.tally.errors} failed{eta})\n")
            sys.stderr.flush()

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=self._done())
            self.bar.stop()
            self.bar = None


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def _print_summary(result: dict[str, Any], tally: Any) -> None:
    """The summary table on stderr (rich on a terminal, plain text otherwise)."""
    elapsed = result["elapsed_seconds"]
    new = tally.screened - tally.previous
    rate = new / elapsed if elapsed else 0.0
    head = (f"screened {new:,} deals in {elapsed:.1f}s ({rate:,.0f}/s, {result['workers']} workers)")
    if tally.previous:
        head += f"; the output now holds {result['deals']:,} ({tally.previous:,} from earlier runs)"
    head += f": {result['ok']:,} ok, {result['failed']:,} failed"
    if result["skipped_already_in_output"]:
        head += f"; {result['skipped_already_in_output']:,} skipped (already in the output)"
    rows = [(code, *(str(counts.get(f, 0)) for f in FILINGS)) for code, counts in result["jurisdictions"].items()]
    bands = ("high", "medium", "low", "none")
    theory_rows = []
    for theory, counts in result["theories"].items():
        cells = []
        for b in bands:
            firm, open_ = counts.get(b, 0), counts.get(f"{b} (undetermined)", 0)
            cells.append(f"{firm}" + (f" (+{open_})" if open_ else ""))
        theory_rows.append((theory, *cells))
    findings = [(f["rule"], str(f["deals"])) for f in result["top_findings"][:10]]
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.table import Table

        console = Console(stderr=True)
        console.print(head)
        for title, columns, body in (("Filing verdicts (deals)", ("jurisdiction", *FILINGS), rows),
                                     ("Risk bands (deals; +n: undetermined)", ("theory", *bands), theory_rows),
                                     ("Top findings (deals where the rule holds)", ("rule", "deals"), findings)):
            if body:
                table = Table(title=title, title_justify="left")
                for i, c in enumerate(columns):
                    table.add_column(c, no_wrap=i == 0)
                for r in body:
                    table.add_row(*r)
                console.print(table)
    else:
        out = [head]
        for title, columns, body in (("filing verdicts (deals)", ("jurisdiction", *FILINGS), rows),
                                     ("risk bands (deals; +n: undetermined)", ("theory", *bands), theory_rows),
                                     ("top findings (deals where the rule holds)", ("rule", "deals"), findings)):
            if body:
                out.append(f"{title}:")
                widths = [max(len(str(x)) for x in col) for col in zip(columns, *body, strict=False)]
                for r in (columns, *body):
                    out.append("  " + "  ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=False)).rstrip())
        sys.stderr.write("\n".join(out) + "\n")
    for line in tally.first_errors:
        sys.stderr.write(f"failed: {line}\n")
    if result["failed"] > len(tally.first_errors):
        sys.stderr.write(f"... and {result['failed'] - len(tally.first_errors)} more failed deals "
                         "(records with \"status\": \"error\" in the output)\n")
    sys.stderr.flush()


def _write_atomic(path: Path, text: str) -> None:
    from antitrust.fileio import write_text_atomic

    write_text_atomic(path, text)


def register(app: typer.Typer, rules_app: typer.Typer) -> None:
    app.command("screen")(screen_command)
    del rules_app
