"""Screening in worker processes that may die: a crash in the C engine, the OOM killer or a stray
``kill`` must never hang the batch or lose a record.

Chunks of deals go to a :class:`~concurrent.futures.ProcessPoolExecutor` through a bounded window.
When a worker dies, the executor fails every chunk in flight; those chunks are screened again one
deal at a time, each in a pool of its own, so that a deal that kills its worker again becomes an
error record (``engine``: exit 3) and every other deal gets its own record. The pool is restarted
and the batch goes on. Deaths are counted in the tally (``worker_deaths``), which also makes the
batch exit 3: a death with no deal to blame (a worker killed from outside) is still reported.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from typing import Any

#: Deaths in a row, each in a fresh pool, after which the batch stops (workers that cannot even
#: start would otherwise be restarted once per deal).
MAX_DEATHS_IN_A_ROW = 5


class _Pool:
    """A process pool that can be replaced after a worker died."""

    def __init__(self, workers: int, rules: str, as_of: date | None, today: date, strict: bool = False,
                 reuse: bool = True) -> None:
        from antitrust.screening import init_worker, start_method

        self.workers, self.init = workers, init_worker
        self.initargs = (rules, as_of, today, True, strict, True, reuse)
        self.start_method = start_method
        self.executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context(self.start_method())
        executor = ProcessPoolExecutor(self.workers, mp_context=context, initializer=self.init, initargs=self.initargs)
        executor.submit(os.getpid).result()  # start the workers now (before any other thread starts)
        return executor

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        return self.executor.submit(fn, *args)

    def restart(self) -> None:
        self.close(kill=True)
        self.executor = self._new()

    def close(self, kill: bool = False) -> None:
        if kill:
            for process in list(getattr(self.executor, "_processes", {}).values()):
                if process.is_alive():
                    process.kill()
        self.executor.shutdown(wait=True, cancel_futures=True)


def run_in_pool(chunks: Iterator[list[Any]], emit: Callable[[list[tuple[str, Any]]], None], *, workers: int,
                rules: str, as_of: date | None, today: date, tally: Any,
                on_start: Callable[[], None] | None = None, window: int = 8, strict: bool = False,
                reuse: bool = True) -> None:
    """Screen ``chunks`` in worker processes and ``emit`` each chunk's records in input order."""
    from antitrust.errors import EngineError
    from antitrust.screening import _error, _where, screen_chunk

    pool = _Pool(workers, rules, as_of, today, strict, reuse)
    if on_start:
        on_start()  # after the workers started: a progress display may start threads of its own
    pending: deque[tuple[list[Any], Future[Any]]] = deque()
    deaths_in_a_row = 0

    def one_by_one(chunk: list[Any]) -> None:
        nonlocal deaths_in_a_row
        for item in chunk:
            try:
                emit(pool.submit(screen_chunk, [item]).result())
                deaths_in_a_row = 0
            except BrokenProcessPool:
                tally.worker_deaths += 1
                deaths_in_a_row += 1
                if deaths_in_a_row >= MAX_DEATHS_IN_A_ROW:
                    raise EngineError(f"{deaths_in_a_row} worker processes died in a row, each on its first deal; "
                                      "the batch was stopped") from None
                pool.restart()
                base = {"source": item.source, "row": item.row}
                why = f"{_where(item)}: the worker screening this deal died; it was restarted and the batch went on"
                emit([_error(base, None, "engine", [why])])

    def drain_one() -> None:
        chunk, future = pending.popleft()
        try:
            emit(future.result())
            return
        except BrokenProcessPool:
            tally.worker_deaths += 1
        # Every chunk in flight was lost with the worker: screen them again, one deal at a time.
        lost = [chunk, *(c for c, _f in pending)]
        pending.clear()
        pool.restart()
        for c in lost:
            one_by_one(c)

    try:
        for chunk in chunks:
            pending.append((chunk, pool.submit(screen_chunk, chunk)))
            while len(pending) >= window:
                drain_one()
        while pending:
            drain_one()
        pool.close()
    except BaseException:
        # Interrupted (or stopped by an error): cancel the chunks not started and let the workers
        # finish the ones they are screening, whose records are dropped. Killing a worker while it
        # sends its records could leave half a message in the pool's result pipe, which the
        # executor would then wait on for ever (this process holds the pipe's other write end).
        # A second interrupt while waiting stops the workers at once.
        try:
            pool.close()
        except BaseException:
            pool.close(kill=True)
            raise
        raise
