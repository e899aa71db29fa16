"""The durable_rules floor: the engine's own C calls, recorded from real evaluations and replayed.

While ``evaluate()`` runs, every call the engine adapter makes into the compiled Rete engine
(``durable_rules_engine``: assert facts, take the next action, complete it, assert a derived
fact, delete the session state) is recorded with its arguments, already encoded, and
its result. Replaying that log calls the same C functions with the same arguments in the same
order, so the engine does exactly the work it did for the real evaluations: the same rules fire
on the same facts, and the same derived facts are asserted. Nothing else runs: no flattening,
no JSON encoding or decoding in Python, no actions, no recording. What ``evaluate()`` spends
beyond that is the wrapper's cost.

A first replay checks that every action message the engine returns is identical to the one it
returned during the real evaluation (so the replay did the same work); the timed replays then
skip the comparison.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: Calls whose first result element is a state offset that later calls pass back.
_GIVES_OFFSET = {"assert_facts", "assert_fact", "retract_fact", "retract_facts"}
#: Calls that take (handle, state offset, ...).
_TAKES_OFFSET = {"start_action_for_state", "complete_and_start_action", "abandon_action"}


class Log:
    """Recorded calls, cut into segments (one per deal, or one per batch of deals)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], Any]] = []
        self.cuts: list[int] = [0]

    def cut(self) -> None:
        """End a segment (call after each deal or batch)."""
        self.cuts.append(len(self.calls))

    def segments(self) -> Iterator[list[tuple[str, tuple[Any, ...], Any]]]:
        for a, b in zip(self.cuts, self.cuts[1:], strict=False):
            yield self.calls[a:b]


class _Recording:
    """Stands in for the ``durable_rules_engine`` module: calls through and logs each call."""

    def __init__(self, real: Any, log: Log) -> None:
        self._real = real
        self._log = log
        self.error = real.error

    def __getattr__(self, name: str) -> Callable[..., Any]:
        fn = getattr(self._real, name)
        log = self._log

        def call(*args: Any) -> Any:
            result = fn(*args)
            log.calls.append((name, args, result))
            return result

        return call


@contextmanager
def recording(log: Log) -> Iterator[None]:
    """Record every engine call made by ``antitrust.engine`` inside the block."""
    from antitrust import engine

    real = engine._dre
    engine._dre = _Recording(real, log)
    try:
        yield
    finally:
        engine._dre = real


def _prepare(segment: list[tuple[str, tuple[Any, ...], Any]]) -> list[tuple[Callable[..., Any], str, tuple[Any, ...], Any]]:
    import durable_rules_engine as dre

    return [(getattr(dre, name), name, args, result) for name, args, result in segment]


def replay(segment: list[tuple[Callable[..., Any], str, tuple[Any, ...], Any]], check: bool = False) -> int:
    """Make the segment's calls again. With ``check``, compare each action message with the
    recorded one and return how many differed."""
    offsets: dict[Any, Any] = {}
    differ = 0
    for fn, name, args, result in segment:
        if name in _TAKES_OFFSET and offsets:
            args = (args[0], offsets.get(args[1], args[1]), *args[2:])
        got = fn(*args)
        if name in _GIVES_OFFSET and isinstance(got, tuple | list) and len(got) > 1:
            offsets[result[1]] = got[1]
        if check and name in {"start_action_for_state", "complete_and_start_action"}:
            want = result[1] if name == "start_action_for_state" and result else result
            have = got[1] if name == "start_action_for_state" and got else got
            differ += want != have
    return differ


def measure(log: Log, repeat: int = 3) -> dict[str, Any]:
    """CPU time of replaying each segment (fastest of ``repeat`` passes), after one checked pass."""
    segments = [_prepare(s) for s in log.segments()]
    differ = sum(replay(s, check=True) for s in segments)
    best: list[float] | None = None
    for _ in range(repeat):
        times = []
        for s in segments:
            t = time.thread_time_ns()
            replay(s)
            times.append((time.thread_time_ns() - t) / 1e6)
        best = times if best is None else [min(a, b) for a, b in zip(best, times, strict=True)]
    assert best is not None
    calls = sum(len(s) for s in segments)
    actions = sum(1 for s in segments for _fn, name, _a, r in s
                  if name in {"start_action_for_state", "complete_and_start_action"} and r)
    return {"segments_ms": best, "calls": calls, "actions": actions, "messages_differing": differ}
