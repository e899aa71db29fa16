"""The one module that talks to durable_rules. Everything else sees plain dicts and callbacks.

What this adapter guards against (each measured, see tests/test_engine_pitfalls.py):
- ``engine.Host`` starts background dispatcher threads that race with synchronous evaluation
  (stolen actions, error 307, segfaults): :class:`_QuietHost` never starts them.
- Ruleset names are global to a host and cannot be redefined: every compiled ruleset gets a
  fresh name, and :meth:`Session.close` unloads it (freeing its C memory).
- A fact no rule matches raises ``MessageNotHandledException``: a sink rule handles every fact.
- An exception inside an action is swallowed into the session state: we check it and raise.
- An identical derived fact raises ``MessageObservedException`` inside the action: the
  evaluator de-duplicates before asserting, and we tolerate the engine's own check.
- Sessions are found by a 32-bit hash of the sid and at most 1,024 may live per ruleset:
  one fixed sid is reused, its state deleted after every evaluation.
- ``delete_state`` segfaults when no action ran in the session (a deal on which no rule fires):
  every evaluation asserts a start marker that a no-op rule always fires on.
- Several ``$nex`` tests on different nested paths (``a.lo``, ``b.hi``) in one pattern crash the
  process (double free / segfault): interval fields enter the engine flattened, ``a__lo``, and
  are regrouped into ``{"lo": .., "hi": ..}`` before actions see them.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable
from typing import Any

import durable_rules_engine
from durable import engine as _durable

from antitrust.errors import EngineError

#: Called for every firing with (durable rule name, {alias: matched fact}); returns the derived
#: facts to assert into the session.
OnFire = Callable[[str, dict[str, dict[str, Any]]], list[dict[str, Any]]]

SEP = "__"  # nested field separator inside the engine: {"x": {"lo": 1}} <-> {"x__lo": 1}
SID = "s0"  # one live session per process at a time: no hash collisions, far below 1,024
_SINK = "_sink"
_START = "_start"
_START_FACT = {"t": "__start__", "id": "start"}
_names = itertools.count(1)


class _QuietHost(_durable.Host):  # type: ignore[misc]
    """A host without the timer threads that poll rulesets in the background."""

    def _run(self) -> None:
        pass

    def unload(self, name: str) -> None:
        ruleset = self._ruleset_directory.pop(name, None)
        if ruleset is not None:
            self._ruleset_list.remove(ruleset)
            durable_rules_engine.delete_ruleset(ruleset._handle)


_host: _QuietHost | None = None
_lock = threading.RLock()


def _get_host() -> _QuietHost:
    global _host
    if _host is None:
        _host = _QuietHost()
    return _host


def _sink_rule() -> dict[str, Any]:
    # Matches every fact that has a type (so none is "not handled") but never fires: its second
    # pattern waits for a fact type that never exists.
    return {"all": [{"x": {"$ex": {"t": 1}}}, {"y": {"t": "__never__"}}], "run": _noop}


def _noop(c: Any) -> None:
    return None


def flatten_fact(fact: dict[str, Any]) -> dict[str, Any]:
    """``{"x": {"lo": 1, "hi": 2}}`` -> ``{"x__lo": 1, "x__hi": 2}`` (one level, as facts use)."""
    out: dict[str, Any] = {}
    for key, value in fact.items():
        if isinstance(value, dict):
            for sub, v in value.items():
                out[f"{key}{SEP}{sub}"] = v
        else:
            out[key] = value
    return out


def unflatten_fact(fact: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fact.items():
        if SEP in key:
            outer, _, inner = key.partition(SEP)
            out.setdefault(outer, {})[inner] = value
        else:
            out[key] = value
    return out


class Session:
    """A registered ruleset and the callback that records its firings."""

    def __init__(self, definition: dict[str, Any], base_name: str) -> None:
        self.name = f"{base_name}-{next(_names)}"
        self._on_fire: OnFire | None = None
        self._error: BaseException | None = None
        rules: dict[str, Any] = {}
        for rule_name, body in definition.items():
            rule = copy.deepcopy(body)  # register_rulesets mutates its argument
            rule["run"] = self._action(rule_name)
            rules[rule_name] = rule
        rules[_SINK] = _sink_rule()
        rules[_START] = {"all": [{"m": {"t": _START_FACT["t"]}}], "run": _noop}
        with _lock:
            try:
                _get_host().register_rulesets({self.name: rules})
            except Exception as exc:  # durable raises plain Exception and C errors with codes
                raise EngineError(f"durable_rules refused the compiled ruleset {self.name}: {exc}") from exc

    def _action(self, rule_name: str) -> Callable[[Any], None]:
        def action(c: Any) -> None:
            if self._on_fire is None:  # pragma: no cover - only during registration
                return
            try:
                # For "all" rules durable_rules keeps the matched facts by alias in c._m.
                bound = {alias: unflatten_fact(fact) for alias, fact in (c._m or {}).items()}
                for fact in self._on_fire(rule_name, bound):
                    try:
                        c.assert_fact(flatten_fact(fact))
                    except _durable.MessageObservedException:
                        pass  # already in the session: derivation is idempotent
            except BaseException as exc:
                # durable_rules would only store this in the state; keep the real exception.
                self._error = self._error or exc
                raise

        return action

    def run(self, facts: list[dict[str, Any]], on_fire: OnFire) -> None:
        """Assert ``facts`` into a fresh session and run every rule to quiescence."""
        with _lock:
            host = _get_host()
            self._on_fire, self._error = on_fire, None
            try:
                batch = [dict(flatten_fact(f), sid=SID) for f in facts]
                batch.append(dict(_START_FACT, sid=SID))
                state = host.assert_facts(self.name, batch)
                if self._error is not None:
                    raise EngineError(f"a rule action failed: {self._error!r}") from self._error
                if isinstance(state, dict) and state.get("exception"):
                    raise EngineError(f"a rule action failed inside durable_rules: {str(state['exception'])[:500]}")
                if state == 0:
                    raise EngineError("durable_rules timed out an action; the evaluation is incomplete")
            except _durable.MessageNotHandledException as exc:  # pragma: no cover - the sink prevents it
                raise EngineError(f"a fact matched no rule: {exc.message}") from exc
            except _durable.MessageObservedException as exc:
                raise EngineError(f"two input facts are identical: {exc.message}") from exc
            except durable_rules_engine.error as exc:
                raise EngineError(f"durable_rules failed: {exc}") from exc
            finally:
                self._on_fire = None
                try:
                    host.delete_state(self.name, SID)
                except Exception:  # noqa: S110 - no state was created when nothing was asserted
                    pass

    def close(self) -> None:
        """Unload the ruleset and free its memory in the engine."""
        with _lock:
            _get_host().unload(self.name)


def registered_rulesets() -> list[str]:
    """Names of the rulesets currently registered in this process (for tests and diagnostics)."""
    with _lock:
        return list(_get_host()._ruleset_directory)
