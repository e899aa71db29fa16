"""The server's worker pool: a worker that dies costs one request, not the service."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from typing import Any

from antitrust.workers import WorkerPool, evaluate_job

from .conftest import ROOT

CASE_TEXT = (ROOT / "cases" / "meta-scale-ai.yaml").read_text(encoding="utf-8")


def _evaluate(pool: WorkerPool) -> Any:
    return asyncio.run(pool.run(evaluate_job, CASE_TEXT, "body", "json", None, None))


def test_a_dead_worker_is_replaced() -> None:
    pool = WorkerPool(str(ROOT / "rules"), workers=1)
    try:
        assert _evaluate(pool).status == 200
        for pid in list(pool._pool._processes):  # type: ignore[attr-defined]
            os.kill(pid, signal.SIGKILL)
        lost = _evaluate(pool)
        assert lost.status == 500 and "workers were restarted" in lost.problems[0]["message"]
        again = _evaluate(pool)
        assert again.status == 200 and again.audit is not None
    finally:
        pool.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_request_past_the_timeout_gets_504_and_its_worker_is_killed_and_replaced() -> None:
    pool = WorkerPool(str(ROOT / "rules"), workers=1)
    try:
        stuck = set(pool._pool._processes)  # type: ignore[attr-defined]
        # A job that never ends, as an evaluation stuck in the engine's C code would not.
        hung = asyncio.run(pool.run(time.sleep, 3600, timeout=0.5))
        assert hung.status == 504
        assert hung.problems[0]["message"] == ("the request took longer than 0.5 s and was stopped; "
                                               "its worker process was restarted")
        assert stuck.isdisjoint(pool._pool._processes)  # type: ignore[attr-defined]
        again = _evaluate(pool)  # no timeout: a loaded machine must not turn this into a 504
        assert again.status == 200 and again.audit is not None
        for _ in range(600):  # the stuck process is killed once the old pool's other jobs are done
            if not any(_alive(pid) for pid in stuck):
                break
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in stuck)
    finally:
        pool.close()
