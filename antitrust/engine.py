"""The one module that talks to durable_rules. Everything else sees plain dicts and callbacks.

What this adapter guards against (each measured, see tests/test_engine_pitfalls.py):
- ``engine.Host`` starts background dispatcher threads that race with synchronous evaluation
  (stolen actions, error 307, segfaults): we never create a Host. The adapter drives the
  compiled Rete engine (``durable_rules_engine``) itself, in one loop: assert, take the next
  action, run it, complete it. This also skips the Host's per-action work that a synchronous
  caller does not need (a JSON copy of the session state and two clock reads per firing).
- Ruleset names are global to a host and cannot be redefined: every compiled ruleset gets a
  fresh name, and :meth:`Session.close` unloads it (freeing its C memory).
- A fact no rule matches raises ``MessageNotHandledException``: a sink rule handles every fact.
- An exception inside an action is swallowed into the session state: we check it and raise.
- An identical derived fact raises ``MessageObservedException`` inside the action: the
  evaluator de-duplicates before asserting, and we tolerate the engine's own check.
- Sessions are found by a 32-bit hash of the sid and at most 1,024 may live per ruleset:
  one fixed sid is reused, and its state is deleted after every evaluation.
- ``delete_state`` segfaults when no action ran in the session (a deal on which no rule fires):
  every evaluation asserts a start marker that a no-op rule always fires on.
- ``retract_facts`` is never called. Emptying a state by retracting a deal's facts, to reuse it
  for the next deal, walks past the end of a frame's message table in the engine
  (``deleteMessageFromFrame``): under valgrind's memcheck, 300 deals screened that way gave
  21,583 invalid or uninitialised reads, some outside any block the engine allocated, in a loop
  that also writes; deleting the state instead gave none (``benchmarks/memcheck.py``).
- Several ``$nex`` tests on different nested paths (``a.lo``, ``b.hi``) in one pattern crash the
  process (double free / segfault): interval fields enter the engine flattened, ``a__lo``, and
  are regrouped into ``{"lo": .., "hi": ..}`` before actions see them.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import json.encoder
import re
import threading
from collections.abc import Callable
from typing import Any

import durable_rules_engine as _dre

from antitrust.engineforms import (
    SEP,
    SID,
    cond_info,
    engine_names,
    form_function,
    plans,
    referenced,
    renamed,
)
from antitrust.errors import EngineError

#: Called for every firing with (durable rule name, {alias: matched fact}); returns the derived
#: facts to assert into the session. The matched facts are the very dicts given to
#: :meth:`Session.run` (or returned by an earlier call): callers must not mutate them.
OnFire = Callable[[str, dict[str, dict[str, Any]]], list[dict[str, Any]]]

_SINK = "_sink"
_START = "_start"
_START_FACT = {"t": "__start__", "id": "start"}
#: How a matched fact opens in an action message (see Session._bound).
_ID_OPEN = '{"id": "'
_names = itertools.count(1)
# Result codes of the engine's assert calls (durable/engine.py, Ruleset._handle_result).
_NOT_HANDLED, _OBSERVED, _DEFERRED = 1, 2, 3

_lock = threading.RLock()
#: ruleset name -> engine handle, for every ruleset registered by this process.
_rulesets: dict[str, int] = {}


def _sink_rule() -> dict[str, Any]:
    # Matches every fact that has a type (so none is "not handled") but never fires: its second
    # pattern waits for a fact type that never exists.
    return {"all": [{"x": {"$ex": {"t": 1}}}, {"y": {"t": "__never__"}}]}


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


def _engine_fact(fact: dict[str, Any], unrename: dict[str, str]) -> dict[str, Any]:
    """A fact as the engine holds it, back in the caller's shape and names (without the session id)."""
    return unflatten_fact({unrename.get(k, k): v for k, v in fact.items() if k != "sid"})


_EXPONENT = re.compile(r"\d[eE][+-]?\d")
_TOKEN = re.compile(r'("(?:[^"\\]|\\.)*")|(-?\d+)(\.\d+)?([eE][+-]?\d+)')


#: ``json.dumps(value, ensure_ascii=False)`` and ``json.loads(text)`` without building an encoder
#: per call or matching whitespace around a message (the engine writes none).


def _encoder() -> Callable[[Any], str]:
    """``json.dumps(value, ensure_ascii=False)``. The C encoder that ``JSONEncoder.encode`` builds
    on every call is built once here (no indent, no key sorting, and no check for circular
    references: what goes to the engine is built by this package and holds none), which gives
    the same text in about half the time."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - Python without its C accelerator
        return json.JSONEncoder(ensure_ascii=False).encode
    chunks = make(None, json.JSONEncoder().default, json.encoder.c_encode_basestring,  # type: ignore[attr-defined]
                  None, ": ", ", ", False, False, True)

    def encode(value: Any) -> str:
        return "".join(chunks(value, 0))

    return encode


_encode = _encoder()
_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # set in JSONDecoder.__init__


def _loads(message: str) -> Any:
    try:
        value, end = _scan(message, 0)
    except StopIteration:  # pragma: no cover - not JSON: let json say why
        return json.loads(message)
    if end != len(message):  # pragma: no cover - the engine writes one JSON value per message
        return json.loads(message)
    return value


def _dumps(value: Any) -> str:
    """JSON for the engine. Its parser takes an exponent only after a decimal point (``1.0e-05``,
    not Python's ``1e-05``, which fails with error 204), so such numbers get one."""
    text = _encode(value)
    # The encoder writes a float's exponent as Python's repr does, always signed ('1e-05',
    # '2e+16'): text holding neither 'e-' nor 'e+' has none (the pattern, slower, decides the rest).
    if ("e-" not in text and "e+" not in text) or _EXPONENT.search(text) is None:
        return text
    return _TOKEN.sub(lambda m: m.group(1) or f"{m.group(2)}{m.group(3) or '.0'}{m.group(4)}", text)


class Session:
    """A registered ruleset and the callback that records its firings."""

    def __init__(self, definition: dict[str, Any], base_name: str) -> None:
        self.name = f"{base_name}-{next(_names)}"
        # Actions are dispatched by name in :meth:`run`; the conditions go to the engine as JSON
        # (it never sees or changes the caller's dicts, so no copy is needed).
        rules: dict[str, Any] = {name: {k: v for k, v in body.items() if k != "run"}
                                 for name, body in definition.items()}
        #: durable rule name -> per alias of its patterns, the alias and how a fact matched under
        #: it opens in an action message (to read action messages, see _bound).
        self._openings: dict[str, tuple[tuple[str, str, int], ...]] = {
            name: tuple((alias, opening, len(opening))
                        for alias in dict.fromkeys(a for pattern in body["all"] for a in pattern)
                        for opening in [f"{_encode(alias)}:{_ID_OPEN}"])
            for name, body in rules.items() if isinstance(body.get("all"), list)}
        self._types, self._fields = referenced(rules)
        self._plans = plans(rules, self._fields) if self._fields is not None else None
        # Field names whose hashes collide go into the engine under another name (engine_names);
        # facts are renamed on the way in (engine_form) and back (_engine_fact).
        fields: set[str] = set()
        for body in rules.values():
            for pattern in body.get("all", []):
                for cond in pattern.values():
                    fields |= cond_info(cond).names
        self._rename = engine_names(fields, {a for openings in self._openings.values() for a, _o, _n in openings})
        self._unrename = {v: k for k, v in self._rename.items()}
        if self._rename:
            rules = {name: {**body, "all": [{alias: renamed(cond, self._rename) for alias, cond in pattern.items()}
                                            for pattern in body["all"]]} if "all" in body else body
                     for name, body in rules.items()}
            if self._plans is not None:
                self._plans = {t: tuple((o, i, self._rename.get(n, n)) for o, i, n in plan)
                               for t, plan in self._plans.items()}
        #: fact type -> its engine form, generated from its plan (None: no plans, see engine_form).
        self._forms = ({t: form_function(plan) for t, plan in self._plans.items()}
                       if self._plans is not None else None)
        rules[_SINK] = _sink_rule()
        rules[_START] = {"all": [{"m": {"t": _START_FACT["t"]}}]}
        with _lock:
            if self.name in _rulesets:  # pragma: no cover - names come from a process-wide counter
                raise EngineError(f"ruleset {self.name} is already registered")
            try:
                self._handle: int = _dre.create_ruleset(self.name, _dumps(rules))
            except Exception as exc:  # the engine raises its own error type with a numeric code
                raise EngineError(f"durable_rules refused the compiled ruleset {self.name}: {exc}") from exc
            _rulesets[self.name] = self._handle

    def fields_by_type(self) -> dict[str, frozenset[str]] | None:
        """Per fact type, the fields (outer names, as the caller's facts have them) the patterns on
        that type test; None when some pattern's type cannot be told (see :func:`plans`)."""
        if self._plans is None:
            return None
        return {t: frozenset(outer for outer, _inner, _name in plan) for t, plan in self._plans.items()}

    def engine_form(self, fact: dict[str, Any]) -> dict[str, Any] | None:
        """The fact as asserted: flattened, only the fields the conditions name, with the session
        id; None for a fact of a type no rule tests (see :func:`referenced`)."""
        if self._forms is not None:
            form = self._forms.get(fact.get("t"))  # type: ignore[arg-type]
            return form(fact) if form is not None else None
        types, keep = self._types, self._fields
        out: dict[str, Any]
        if types is not None and fact.get("t") not in types:
            return None
        out = {}
        rename = self._rename
        for key, value in fact.items():
            if isinstance(value, dict):
                for sub, v in value.items():
                    name = f"{key}{SEP}{sub}"
                    if keep is None or name in keep:
                        out[rename.get(name, name)] = v
            elif keep is None or key in keep:
                out[rename.get(key, key)] = value
        out["sid"] = SID
        return out

    def _assert(self, fact: dict[str, Any], known: dict[str, dict[str, Any]]) -> None:
        """Assert a derived fact from inside an action; an identical fact already there is fine."""
        known[fact["id"]] = fact
        slim = self.engine_form(fact)
        if slim is None:
            return  # no rule reads this kind of derived fact
        code = _dre.assert_fact(self._handle, _dumps(slim))[0]
        if code == _NOT_HANDLED:  # pragma: no cover - the sink rule handles every typed fact
            raise EngineError(f"a derived fact matched no rule: {fact}")
        # _OBSERVED: already in the session, derivation is idempotent.

    def _bound(self, message: str, known: dict[str, dict[str, Any]]) -> tuple[str, dict[str, dict[str, Any]]] | None:
        """(durable rule name, {alias: the caller's fact}) of an action message, read without
        decoding its JSON; None when the message is not in the expected form, and the caller
        decodes it.

        A message is ``{"<rule>":{"<alias>":{"id": "<fact id>", ...}, ...}}``: the engine frames
        the facts it matched and copies each one's text as asserted, and :meth:`engine_form`
        puts ``id`` first. The text ``{"id": "`` cannot occur inside a JSON string (its quotes
        would be escaped), and a fact as asserted is flat (no object inside it), so each
        occurrence opens a matched fact, right after its alias and a colon. A message of a known
        rule is read this way when it holds as many openings as the rule has aliases and each
        alias opens one of them (so each opens exactly one) with a fact this session knows by
        id; anything else (a fact asserted in another form, an unexpected name) is decoded."""
        if not message.startswith('{"'):
            return None
        end = message.find('"', 2)
        openings = self._openings.get(message[2:end]) if end > 0 else None
        if openings is None or not message.startswith('":{"', end):
            return None
        if message.count(_ID_OPEN, end) != len(openings):
            return None
        bound: dict[str, dict[str, Any]] = {}
        for alias, opening, width in openings:
            at = message.find(opening, end)
            if at < 0:
                return None
            at += width
            fact = known.get(message[at:message.find('"', at)])
            if fact is None:
                return None
            bound[alias] = fact
        return message[2:end], bound

    def run(self, facts: list[dict[str, Any]], on_fire: OnFire) -> None:
        """Assert ``facts`` into a new session state, run every rule to quiescence, and delete the
        state.

        ``on_fire`` receives, for each firing, the matched facts as the dicts given here (looked
        up by their ``id``): no copy is made, and nested fields are not rebuilt from the engine's
        flattened form."""
        with _lock:
            handle = self._handle
            # Facts by id, so a firing hands back the caller's own dicts. Ids must be unique.
            known: dict[str, dict[str, Any]] = {f["id"]: f for f in facts}
            offset: int | None = None
            try:
                batch = [slim for f in facts if (slim := self.engine_form(f)) is not None]
                batch.append(dict(_START_FACT, sid=SID))
                code, offset = _dre.assert_facts(handle, _dumps(batch))
                if code == _NOT_HANDLED:  # pragma: no cover - the sink prevents it
                    raise EngineError("a fact matched no rule")
                if code == _OBSERVED:
                    raise EngineError("two input facts are identical")
                if code == _DEFERRED:  # pragma: no cover - no timers or queues are used
                    raise EngineError("durable_rules deferred the assertion; the evaluation is incomplete")
                started = _dre.start_action_for_state(handle, offset)
                message: str | None = started[1] if started else None
                while message:
                    fast = self._bound(message, known)
                    if fast is not None:
                        rule_name, bound = fast
                    else:
                        action: dict[str, dict[str, Any]] = _loads(message)
                        rule_name, matched = next(iter(action.items()))
                        # For "all" rules the message maps each alias to the matched fact.
                        bound = {alias: known.get(fact.get("id")) or _engine_fact(fact, self._unrename)
                                 for alias, fact in matched.items()}
                    if rule_name != _START:
                        try:
                            derived = on_fire(rule_name, bound)
                            for fact in derived:
                                self._assert(fact, known)
                        except BaseException:
                            _dre.abandon_action(handle, offset)
                            raise
                    message = _dre.complete_and_start_action(handle, offset)
            except EngineError:
                raise
            except _dre.error as exc:
                raise EngineError(f"durable_rules failed: {exc}") from exc
            except Exception as exc:
                raise EngineError(f"a rule action failed: {exc!r}") from exc
            finally:
                if offset is not None:  # a session state exists: no fact outlives the run
                    with contextlib.suppress(_dre.error):
                        _dre.delete_state(handle, SID)

    def held_facts(self) -> list[dict[str, Any]]:
        """The facts in this ruleset's session state now, as the engine holds them (for tests and
        diagnostics): none between evaluations, since each deletes its state."""
        with _lock:
            try:
                held: list[dict[str, Any]] = _loads(_dre.get_facts(self._handle, SID))
            except _dre.error:  # no state: deleted, or never created
                return []
            return held

    def close(self) -> None:
        """Unload the ruleset and free its memory in the engine."""
        with _lock:
            handle = _rulesets.pop(self.name, None)
            if handle is not None:
                _dre.delete_ruleset(handle)


def engine_file() -> str:
    """Where the engine's compiled module was loaded from (for the audit trail's versions)."""
    return str(_dre.__file__)


def registered_rulesets() -> list[str]:
    """Names of the rulesets currently registered in this process (for tests and diagnostics)."""
    with _lock:
        return list(_rulesets)
