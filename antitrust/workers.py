"""A pool of worker processes that evaluate deals for the HTTP service.

The engine is not thread-safe and holds the GIL while it runs, so threads would evaluate one deal
at a time. Each worker process loads the rulebook once (at start) and then serves requests; the
pool spreads concurrent requests over every core. Reloading builds a new pool for the new
rulebook and lets the old one finish what it has already accepted before its processes exit,
so no request in flight is dropped.

What crosses the process boundary is plain data: the request's text and options in, the rendered
body, the audit record, or the list of input problems out.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from antitrust.errors import EngineError, InputError, InputErrors

#: One input problem as the service reports it (the CLI's line, and its parts).
Problem = dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """What a worker returns: a body to send, or the problems that stopped it."""

    status: int
    body: str = ""
    media_type: str = "application/json"
    problems: list[Problem] = field(default_factory=list)
    audit: dict[str, Any] | None = None
    title: str = ""


# -- inside a worker process -------------------------------------------------------------------
_rules: Any = None


def _init_worker(rules_dir: str | None) -> None:
    from antitrust.api import load_rules

    global _rules
    _rules = load_rules(rules_dir)


def problems_of(exc: InputError | InputErrors) -> list[Problem]:
    errors = exc.errors if isinstance(exc, InputErrors) else [exc]
    return [{"message": e.message, "location": str(e.location), "path": e.location.path,
             "line": e.location.line or None, "column": (e.location.col or 1) if e.location.line else None,
             "field": e.field, "detail": str(e)} for e in errors]


def _guarded(job: Callable[[], Outcome]) -> Outcome:
    try:
        return job()
    except (InputError, InputErrors) as exc:
        return Outcome(422, problems=problems_of(exc), title="The deal or the request is invalid")
    except EngineError as exc:
        return Outcome(500, problems=[{"message": f"engine error: {exc}", "detail": f"engine error: {exc}"}],
                       title="The engine failed")


def evaluate_job(text: str, name: str, fmt: str, as_of: date | None, today: date | None,
                 strict: bool = False) -> Outcome:
    def job() -> Outcome:
        from antitrust.api import _decide, _parse_text, render_report
        from antitrust.audit import decision_record

        started = time.perf_counter()
        loaded = _parse_text(text, name)
        report = _decide(loaded, _rules, as_of=as_of, today=today, audit_log=None, via="http", strict=strict)
        body = render_report(report, fmt)
        record = decision_record(report, duration_s=time.perf_counter() - started, via="POST /v1/evaluate",
                                 today=today)
        return Outcome(200, body, MEDIA_TYPES[fmt], audit=record)

    return _guarded(job)


def what_if_job(text: str, name: str, changes: Any, as_of: date | None, today: date | None,
                strict: bool = False) -> Outcome:
    def job() -> Outcome:
        from antitrust.api import _parse_text, what_if

        loaded = _parse_text(text, name)
        result = what_if(loaded.deal, changes, _rules, as_of=as_of, today=today, strict=strict)
        return Outcome(200, result.model_dump_json(indent=2) + "\n")

    return _guarded(job)


def explain_job(text: str, name: str, subject: str | None, as_of: date | None, today: date | None,
                band: float, near_misses: bool) -> Outcome:
    def job() -> Outcome:
        import json

        from antitrust.api import _explain, _parse_text

        loaded = _parse_text(text, name)
        result = _explain(loaded, subject, _rules, as_of=as_of, today=today, band=band, near_misses=near_misses)
        return Outcome(200, json.dumps(result.as_dict(), indent=2, ensure_ascii=False) + "\n")

    return _guarded(job)


def _ping() -> str:
    return str(_rules.hash)


#: The media type of each report format.
MEDIA_TYPES = {"json": "application/json", "markdown": "text/markdown; charset=utf-8",
               "text": "text/plain; charset=utf-8", "html": "text/html; charset=utf-8"}


# -- in the server process ---------------------------------------------------------------------
class WorkerPool:
    """Worker processes that hold one rulebook; ``swap`` replaces them without dropping work."""

    def __init__(self, rules_dir: str | None, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._lock = threading.RLock()  # a done callback may run at once, in the submitting thread
        self._rules_dir = rules_dir
        #: Jobs submitted and not yet done, with the pool each went to.
        self._running: dict[Future[Any], ProcessPoolExecutor] = {}
        self._pool = self._start(rules_dir)

    def _start(self, rules_dir: str | None) -> ProcessPoolExecutor:
        # spawn: the server process runs threads (asyncio, uvicorn); forking it is unsafe.
        pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init_worker, initargs=(rules_dir,))
        # Start every worker now and wait until each has loaded the rulebook, so the first
        # requests do not pay for it (and a broken rulebook fails here, not on a request).
        futures = [pool.submit(_ping) for _ in range(self.workers)]
        for f in futures:
            f.result()
        return pool

    async def run(self, fn: Callable[..., Outcome], *args: Any, timeout: float | None = None) -> Outcome:
        """``fn(*args)`` in a worker. Past ``timeout`` seconds the answer is a 504 and the worker
        is recycled: a job stuck in the engine's C code cannot be interrupted, only killed."""
        with self._lock:  # submitted under the lock: never to a pool that swap() is shutting down
            pool = self._pool
            future: Future[Outcome] | None
            try:
                future = pool.submit(fn, *args)
            except BrokenProcessPool:
                future = None
            if future is not None:
                self._running[future] = pool
                future.add_done_callback(self._finished)
        try:
            if future is None:
                raise BrokenProcessPool
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
        except TimeoutError:
            await asyncio.to_thread(self._recycle, pool, future, timeout or 0.0)
            message = (f"the request took longer than {timeout:g} s and was stopped; "
                       "its worker process was restarted")
            return Outcome(504, problems=[{"message": message, "detail": message}], title="The request took too long")
        except BrokenProcessPool:
            # A worker died (killed, out of memory, a crash in the engine's C code): start a
            # fresh pool for the next requests and report this one as an engine failure.
            await asyncio.to_thread(self._replace_broken, pool)
            message = "a worker process stopped while evaluating; the workers were restarted"
            return Outcome(500, problems=[{"message": message, "detail": f"engine error: {message}"}],
                           title="The engine failed")

    def _replace_broken(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:  # the first request to notice restarts it, once
                self._pool = self._start(self._rules_dir)
        broken.shutdown(wait=False, cancel_futures=True)

    def _finished(self, future: Future[Any]) -> None:
        with self._lock:
            self._running.pop(future, None)

    def _recycle(self, stuck: ProcessPoolExecutor, job: Future[Any] | None, grace: float) -> None:
        """New work goes to a fresh pool at once; the old pool's other jobs get ``grace`` seconds
        to finish, then its processes (the stuck one among them) are killed."""
        with self._lock:
            if self._pool is stuck:
                self._pool = self._start(self._rules_dir)
            others = [f for f, pool in self._running.items() if pool is stuck and f is not job]
        processes = list(getattr(stuck, "_processes", {}).values())
        stuck.shutdown(wait=False, cancel_futures=False)

        def reap() -> None:
            wait(others, timeout=grace)
            for process in processes:
                process.kill()
            for process in processes:
                process.join(timeout=10)  # reap it: no zombie left behind

        threading.Thread(target=reap, name="antitrust-reap", daemon=True).start()

    def swap(self, rules_dir: str | None) -> None:
        """Start a pool for ``rules_dir``, send new work there, and let the old pool finish."""
        fresh = self._start(rules_dir)
        with self._lock:
            old, self._pool = self._pool, fresh
            self._rules_dir = rules_dir
        old.shutdown(wait=False, cancel_futures=False)

    def close(self) -> None:
        with self._lock:
            self._pool.shutdown(wait=True, cancel_futures=True)
