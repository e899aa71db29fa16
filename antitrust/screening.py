"""Screen many deals: read them as a stream, evaluate them in parallel, write one JSON line each.

Inputs (read by :mod:`antitrust.screen_inputs`; see docs/screening.md):

* JSONL (``*.jsonl``, ``*.ndjson``): one deal per line, as in a JSON deal file;
* CSV (``*.csv``): one deal per row, nested facts named by dotted column names
  (``parties.0.turnover.0.amount``);
* a directory: every deal file under it (``*.yaml``, ``*.yml``, ``*.json``), in name order;
* a single deal file (``*.yaml``, ``*.yml``, ``*.json``).

Each deal becomes one record (one JSON line): its verdict per jurisdiction, its risk band per
theory of harm and the rules that fired. A deal that cannot be read or validated becomes an
error record with its file, row and message, and the batch goes on. Records are written in input
order as whole lines and flushed, so an interrupted run leaves a valid file that ``resume`` can
continue: a deal is identified by its input (``source``) and ``row``.

Workers are separate processes. Each loads the rulebook once in its initializer and compiles it
once per parameter epoch; the reader hands them chunks of raw lines or rows, and a bounded
window of chunks in flight keeps memory flat however long the input is. A line or row that
repeats one its worker already screened gets the same record without being evaluated again
(:class:`Repeats`; ``--no-reuse`` turns it off).
"""

from __future__ import annotations

import gc
import json
import os
import signal
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from antitrust.csvdeals import nest_row
from antitrust.errors import EngineError, InputError, InputErrors, Location
from antitrust.screen_inputs import Item, Key

RECORD_VERSION = 1
#: Deals per task sent to a worker, at least: large enough to amortise the inter-process hop.
CHUNK = 32
#: Deals per task at most: a worker settles its heap once per chunk (see settle_heap), and larger
#: chunks mean fewer hops, while every worker of a small batch should still get several chunks.
CHUNK_MAX = 128
#: Chunks in flight per worker: bounds memory whatever the input's size.
WINDOW_PER_WORKER = 4
#: Distinct deals whose records a worker keeps for repeats of their input, at most (the least
#: recently used go first), and the longest input kept: memory stays flat on any input.
REPEATS_KEPT = 1024
REPEAT_INPUT_MAX = 65_536

#: What the summary needs of one record: (status, error kind, (jurisdiction, filing) pairs,
#: (theory, band) pairs, rules that held).
Summary = tuple[str, str | None, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...], tuple[str, ...]]


def dumps_line(record: dict[str, Any]) -> str:
    """One record as a JSON line that can always be written: text that cannot be encoded (a lone
    surrogate, a file name that is not UTF-8) is escaped rather than lost."""
    line = json.dumps(record, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(record, ensure_ascii=True)
    return line


# -- evaluating (in workers) ----------------------------------------------------------------------

@dataclass
class _Worker:
    book: Any
    as_of: date | None
    today: date
    #: Presumptions and defaults off (--strict).
    strict: bool = False
    #: This process is the batch's own (a pool worker, or the command line's): it collects cycles
    #: once per chunk, and what it keeps for the whole batch is left out of those collections
    #: (see :func:`settle_heap`).
    own_process: bool = False
    #: Records of deals already evaluated, by their input, for repeats (see :class:`Repeats`);
    #: None: every deal is evaluated (``--no-reuse``).
    repeats: Repeats | None = None


class Repeats:
    """Records kept for deals whose input repeats an earlier one exactly.

    A deal's record (apart from where it stands: ``source`` and ``row``) depends only on its
    input and on what is fixed for the whole batch: the rulebook, ``as_of``, ``today`` and
    ``strict``. So a JSONL line or CSV row (under the same header) that repeats one already
    screened by this worker gets that deal's record without being evaluated again. Only records
    of deals that were screened without error are kept (an error names its own row), and deal
    files are not (a file is read in the worker, so its path says nothing of its content)."""

    def __init__(self, size: int = REPEATS_KEPT) -> None:
        self.size = size
        self.records: dict[Any, tuple[dict[str, Any], Summary]] = {}

    @staticmethod
    def key(item: Item) -> Any:
        """What a deal's record depends on in ``item``; None for an item that is not kept."""
        if item.kind == "json":
            return item.payload if len(item.payload) <= REPEAT_INPUT_MAX else None
        if item.kind == "csv":
            header, cells, _line = item.payload
            if sum(map(len, cells)) > REPEAT_INPUT_MAX:
                return None
            return (tuple(header), tuple(cells))
        return None

    def get(self, key: Any) -> tuple[dict[str, Any], Summary] | None:
        kept = self.records.pop(key, None)
        if kept is not None:
            self.records[key] = kept  # now the most recently used
        return kept

    def keep(self, key: Any, record: dict[str, Any], summary: Summary) -> None:
        if len(self.records) >= self.size:
            del self.records[next(iter(self.records))]
        self.records[key] = (record, summary)


_worker: _Worker | None = None
#: A rulebook loaded by the parent before the pool starts (inherited by forked workers).
_preloaded: dict[str, Any] = {}


def init_worker(rules: str, as_of: date | None, today: date, quiet_interrupts: bool = True,
                strict: bool = False, own_process: bool = True, reuse: bool = True) -> None:
    """Pool initializer: load the rulebook once (and compile it once for a fixed ``as_of``).
    ``reuse``: a deal whose input repeats one already screened gets its record without being
    evaluated again (see :class:`Repeats`). ``own_process``: the process exists for this batch (a pool worker), so it turns the automatic
    cycle collection off and settles its heap after loading and after each chunk instead (see
    :func:`settle_heap`)."""
    global _worker
    if quiet_interrupts:
        # Ctrl-C goes to the whole process group; the parent alone decides what to do with it.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    from antitrust.evaluate import compiled_for
    from antitrust.rulebook import load_rulebook

    book = _preloaded.get(rules) or load_rulebook(rules)
    if as_of is not None:
        compiled_for(book, as_of)
    _worker = _Worker(book, as_of, today, strict, own_process, Repeats() if reuse else None)
    if own_process:
        gc.disable()
        settle_heap()


def screen_chunk(items: list[Item]) -> list[tuple[str, Summary]]:
    """Screen a chunk of deals in a worker: (JSON line, what the summary needs) for each."""
    assert _worker is not None, "init_worker was not called"
    return screen_items(items, _worker)


def screen_items(items: list[Item], w: _Worker) -> list[tuple[str, Summary]]:
    """:func:`screen_item` of each item, in input order; a batch's own process then settles its
    heap (see :func:`settle_heap`)."""
    out = [screen_item(item, w) for item in items]
    if w.own_process:
        settle_heap()
    return out


def settle_heap() -> None:
    """Collect what is garbage now, then leave every object still alive out of the cycle
    collector's future passes (``gc.freeze``).

    A batch's own process runs with the automatic collection off and settles its heap after
    loading the rulebook and after each chunk instead. Automatic collections ran all the time (a
    deal allocates thousands of small containers) and kept walking the rulebook and the compiled
    rulesets, which live for the whole batch: about a tenth of a screened deal's CPU time, in
    cache misses more than instructions. A deal leaves no garbage in reference cycles (reference
    counting frees it all), and whatever a chunk leaves is collected at its end; frozen objects
    are still freed by reference counting when nothing refers to them. It changes no result. It
    acts on the whole process, so it is done only in processes that belong to the batch, never
    in a program that embeds the screen."""
    gc.collect()
    gc.freeze()


def screen_item(item: Item, w: _Worker) -> tuple[str, Summary]:
    """One deal's record (a JSON line) and (status, kind, verdicts, bands, rules held): the item
    parsed and validated (the same checks as ``evaluate``), then evaluated; a deal that fails
    either way gets its error record, and the batch goes on. A deal whose input repeats one this
    worker screened without error gets the same record at its own place (see :class:`Repeats`)."""
    from antitrust.evaluate import evaluate
    from antitrust.loading import validate_deal_document

    base: dict[str, Any] = {"source": item.source, "row": item.row}
    deal_id: str | None = None
    if item.kind == "error":
        return _error(base, None, "input", [str(item.payload)])
    repeats = w.repeats
    key = None if repeats is None else repeats.key(item)
    if repeats is not None and key is not None:
        kept = repeats.get(key)
        if kept is not None:
            return dumps_line({**base, **kept[0]}), kept[1]
    try:
        doc = _parsed(item)
        if isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str):
            deal_id = doc.data["id"]
        deal = validate_deal_document(doc)
        ev = evaluate(deal, w.book, as_of=w.as_of, today=w.today, strict=w.strict)
        record, summary = _result(ev)
    except Exception as exc:  # noqa: BLE001 - recorded as input or engine error by _failed
        return _failed(item, base, deal_id, exc)
    if repeats is not None and key is not None:
        repeats.keep(key, record, summary)
    return dumps_line({**base, **record}), summary


def _failed(item: Item, base: dict[str, Any], deal_id: str | None, exc: Exception) -> tuple[str, Summary]:
    """The error record of a deal that could not be read or evaluated."""
    if isinstance(exc, InputError | InputErrors):
        errors = exc.errors if isinstance(exc, InputErrors) else [exc]
        return _error(base, deal_id, "input", [str(e) for e in errors])
    if isinstance(exc, EngineError):
        return _error(base, deal_id, "engine", [f"{_where(item)}: engine error: {exc}"])
    return _error(base, deal_id, "engine", [f"{_where(item)}: internal error: {exc!r}"])


def _where(item: Item) -> str:
    return f"{item.source}:{item.row}" if item.row else item.source


def _error(base: dict[str, Any], deal_id: str | None, kind: str, errors: list[str]) -> tuple[str, Summary]:
    record = {**base, "id": deal_id, "status": "error", "error_kind": kind, "errors": errors}
    return dumps_line(record), ("error", kind, (), (), ())


def _parsed(item: Item) -> Any:
    """Parse one item into a Document (data and positions); InputError carries file:row:col."""
    from antitrust.errors import DealFileError
    from antitrust.jsonlines import check_line
    from antitrust.yamlio import Document, check_data, load

    if item.kind == "file":
        try:
            return load(item.payload, cache=False)
        except InputError as exc:
            raise DealFileError(exc.location, exc.message) from None
    if item.kind == "json":
        try:
            data = json.loads(item.payload)
        except json.JSONDecodeError as exc:
            raise DealFileError(Location(item.source, item.row, exc.colno), f"invalid JSON: {exc.msg}") from None
        except RecursionError:
            raise DealFileError(Location(item.source, item.row, 1), "nested too deeply") from None
        # Every field of a one-line deal points at its line.
        check_line(data, item.payload, Location(item.source, item.row, 1))
        return Document(item.source, data, {(): (item.row, 1)})
    header, cells, line = item.payload
    try:
        data = nest_row(header, cells)
    except RecursionError:
        raise DealFileError(Location(item.source, line, 1), f"row {item.row}: nested too deeply") from None
    except ValueError as exc:
        raise DealFileError(Location(item.source, line, 1), f"row {item.row}: {exc}") from None
    check_data(data, Location(item.source, line, 1))
    return Document(item.source, data, {(): (line, 1)})


def _result(ev: Any) -> tuple[dict[str, Any], Summary]:
    from antitrust.reliance import SETTLED, Reliance
    from antitrust.verdicts import decide_all, theory_bands

    jurisdictions: dict[str, Any] = {}
    firings = ev.firings
    reliance = None
    for code, d in decide_all(ev).items():
        jurisdictions[code] = entry = {
            "filing": d.filing,
            "suspensory": bool(d.suspensory and d.filing == "mandatory"),
            "decided_by": sorted({firings[i].rule_id for i in d.firings}),
        }
        if ev.flat.presumed and d.filing in SETTLED:
            # A settled verdict that rests on a presumption or a default says so, as the report does.
            if reliance is None:
                reliance = Reliance(ev)
            assumed = sorted({a.id for i in d.firings for a in reliance.of(i)})
            if assumed:
                entry["assumed"] = assumed
    theories: dict[str, Any] = {}
    for theory, (band, undetermined, _ids) in theory_bands(ev).items():
        theories[theory] = {"band": band, "undetermined": undetermined}
    held_set = {f.rule_id for f in firings if f.status == "yes"}
    held = sorted(held_set)
    maybe = sorted({f.rule_id for f in firings if f.status == "maybe"} - held_set)
    record = {
        "id": ev.deal.id,
        "status": "ok",
        "as_of": ev.as_of.isoformat(),
        "jurisdictions": jurisdictions,
        "theories": theories,
        "findings": held,
        "undetermined": maybe,
    }
    summary: Summary = (
        "ok", None,
        tuple((c, j["filing"]) for c, j in jurisdictions.items()),
        tuple((t, v["band"] + (" (undetermined)" if v["undetermined"] else "")) for t, v in theories.items()),
        tuple(held),
    )
    return record, summary


# -- the batch ------------------------------------------------------------------------------------

@dataclass
class Tally:
    """Counts for the summary: every record in the output (on resume, ``previous`` of them come
    from earlier runs), and the deals skipped because they were already there."""

    ok: int = 0
    errors: int = 0
    input_errors: int = 0
    engine_errors: int = 0
    skipped: int = 0
    previous: int = 0
    #: Worker processes that died during the batch (each restarted; the batch exits 3).
    worker_deaths: int = 0
    filings: Counter[tuple[str, str]] = field(default_factory=Counter)
    bands: Counter[tuple[str, str]] = field(default_factory=Counter)
    findings: Counter[str] = field(default_factory=Counter)
    first_errors: list[str] = field(default_factory=list)

    @property
    def screened(self) -> int:
        return self.ok + self.errors

    def add(self, s: Summary, line: str | None = None) -> None:
        status, kind, filings, bands, held = s
        if status == "ok":
            self.ok += 1
            self.filings.update(filings)
            self.bands.update(bands)
            self.findings.update(held)
            return
        self.errors += 1
        if kind == "engine":
            self.engine_errors += 1
        else:
            self.input_errors += 1
        if line is not None and len(self.first_errors) < 5:
            errors = json.loads(line).get("errors") or ["?"]
            self.first_errors.append(str(errors[0]))

    def as_dict(self, elapsed: float) -> dict[str, Any]:
        jurisdictions: dict[str, dict[str, int]] = {}
        for (code, filing), n in sorted(self.filings.items()):
            jurisdictions.setdefault(code, {})[filing] = n
        theories: dict[str, dict[str, int]] = {}
        for (theory, band), n in sorted(self.bands.items()):
            theories.setdefault(theory, {})[band] = n
        return {
            "record_version": RECORD_VERSION,
            "deals": self.screened,
            "ok": self.ok,
            "failed": self.errors,
            "input_errors": self.input_errors,
            "engine_errors": self.engine_errors,
            "worker_deaths": self.worker_deaths,
            "skipped_already_in_output": self.skipped,
            "from_previous_runs": self.previous,
            "elapsed_seconds": round(elapsed, 3),
            "jurisdictions": jurisdictions,
            "theories": theories,
            "top_findings": [{"rule": r, "deals": n} for r, n in
                             sorted(self.findings.items(), key=lambda x: (-x[1], x[0]))[:20]],
        }


def summary_of_record(record: dict[str, Any]) -> Summary:
    """The summary tuple of a record read back from an output file (for --resume)."""
    if record.get("status") != "ok":
        return ("error", str(record.get("error_kind", "input")), (), (), ())
    return (
        "ok", None,
        tuple((c, j["filing"]) for c, j in record.get("jurisdictions", {}).items()),
        tuple((t, v["band"] + (" (undetermined)" if v.get("undetermined") else ""))
              for t, v in record.get("theories", {}).items()),
        tuple(record.get("findings", [])),
    )


def read_done(output: Path, tally: Tally) -> set[Key]:
    """Keys of the deals already in ``output``, counting them into ``tally``. A last line cut
    short (by a crash mid-write) is dropped from the file, so appending continues cleanly."""
    done: set[Key] = set()
    if not output.exists():
        return done
    good_end = 0
    with output.open("rb") as fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break
            try:
                record = json.loads(raw)
                key = (str(record["source"]), int(record["row"]))
            except (ValueError, KeyError, TypeError):
                break
            if key not in done:
                done.add(key)
                tally.add(summary_of_record(record))
                tally.previous += 1
            good_end += len(raw)
    if good_end != output.stat().st_size:
        with output.open("r+b") as fh:
            fh.truncate(good_end)
    return done


def chunk_size_for(total: int | None, workers: int) -> int:
    """Deals per chunk for a batch of ``total`` deals (None: not known) on ``workers`` processes:
    as large as CHUNK_MAX allows while every worker still gets its window of chunks, so that a
    small batch is still shared out; CHUNK when the size is not known."""
    if total is None:
        return CHUNK
    if workers <= 1:
        return CHUNK_MAX
    return max(CHUNK, min(CHUNK_MAX, total // (workers * WINDOW_PER_WORKER)))


def chunked(items: Iterator[Item], size: int) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def start_method() -> str:
    """'fork' where it is safe (Linux, no other thread yet: workers inherit the loaded rulebook
    and start at once); otherwise a fresh interpreter per worker, which loads the rulebook."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "forkserver" if sys.platform.startswith("linux") else "spawn"


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def run_batch(
    items: Iterator[Item],
    rules: str,
    write: Callable[[str], None],
    *,
    workers: int,
    as_of: date | None,
    today: date,
    tally: Tally,
    on_progress: Callable[[Tally], None] | None = None,
    on_start: Callable[[], None] | None = None,
    chunk_size: int | None = None,
    strict: bool = False,
    total: int | None = None,
    own_process: bool = False,
    reuse: bool = True,
) -> None:
    """Screen ``items`` and ``write`` each record line, in input order.

    With one worker the deals are screened in this process; otherwise in a pool of processes
    fed through a bounded window of chunks (so memory stays flat on any input size). ``total``:
    how many deals ``items`` holds, when known (it sets the chunk size, see :func:`chunk_size_for`).
    ``own_process``: this process runs the batch and nothing else (the command line), so with one
    worker it may settle its heap as a pool worker does (see :func:`settle_heap`). ``reuse``: a
    deal whose input repeats an earlier one exactly is not evaluated again (see :class:`Repeats`);
    False evaluates every deal, with the same output."""
    if chunk_size is None:
        chunk_size = chunk_size_for(total, workers)
    if workers <= 1:
        collecting = gc.isenabled()
        try:
            init_worker(rules, as_of, today, quiet_interrupts=False, strict=strict, own_process=own_process,
                        reuse=reuse)
            assert _worker is not None
            if on_start:
                on_start()
            for chunk in chunked(items, chunk_size):
                for line, summary in screen_items(chunk, _worker):
                    write(line)
                    tally.add(summary, line if summary[0] == "error" else None)
                if on_progress:
                    on_progress(tally)
        finally:
            if collecting:
                gc.enable()
        return
    from antitrust.workerpool import run_in_pool

    def emit(results: list[tuple[str, Summary]]) -> None:
        for line, summary in results:
            write(line)
            tally.add(summary, line if summary[0] == "error" else None)
        if on_progress:
            on_progress(tally)

    run_in_pool(chunked(items, chunk_size), emit, workers=workers, rules=rules, as_of=as_of, today=today,
                tally=tally, on_start=on_start, window=max(2, workers * WINDOW_PER_WORKER), strict=strict,
                reuse=reuse)


def preload(rules: str, book: Any) -> None:
    """Hand an already loaded rulebook to the workers forked after this call."""
    _preloaded[rules] = book
