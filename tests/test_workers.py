"""The server's worker pool: a worker that dies costs one request, not the service."""

from __future__ import annotations

import asyncio
import os
import signal
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
