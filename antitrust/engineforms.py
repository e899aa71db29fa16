"""How facts and conditions are shaped for the engine (no call into durable_rules here; that is
antitrust/engine.py): which fact types and fields the conditions read, the engine form of each
fact type as a generated function, field names whose 32-bit hashes collide, and predicates that
decide a compiled condition in the engine's own semantics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from antitrust.errors import EngineError
from antitrust.shared_work import PerObject

SEP = "__"  # nested field separator inside the engine: {"x": {"lo": 1}} <-> {"x__lo": 1}
SID = "s0"  # one live session per process at a time: no hash collisions, far below 1,024


def referenced(definition: dict[str, Any]) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    """The fact types and the (flattened) field names the rules' conditions can see.

    Only these need to enter the engine: a fact of a type no pattern tests is matched by the
    sink rule alone, and a field no condition names cannot change any match. A deal's facts
    carry many such fields (figures in every currency for every jurisdiction), and the engine
    parses and indexes every field it is given. Returns (None, None) when the conditions use a
    form this analysis does not cover (a type tested other than by equality, or references to
    other facts' values), so that everything is asserted as given."""
    types: set[str] = set()
    fields: set[str] = {"t", "id", "sid"}
    general = False
    for body in definition.values():
        for pattern in body.get("all", body.get("any", [])):
            for cond in pattern.values():
                info = cond_info(cond)
                types |= info.types
                fields |= info.seen
                general = general or info.general
        if set(body) - {"all", "run"}:
            general = True  # "any", priorities, counts...: keep it simple and assert everything
    if general:
        return None, None
    return frozenset(types), frozenset(fields)


@dataclass(frozen=True)
class CondInfo:
    """What the engine adapter reads of one pattern's condition (see :func:`cond_info`)."""

    #: Every field name in it (keys that are not operators), at any depth.
    names: frozenset[str]
    #: The fields :func:`referenced` counts: each name, and its part before a dot.
    seen: frozenset[str]
    #: The fact types it tests by equality.
    types: frozenset[str]
    #: It holds a form :func:`referenced` does not cover (a type tested otherwise, $m/$s/$l).
    general: bool
    #: The type it tests at its top (see :func:`plans`), or None.
    pattern_type: str | None


def _cond_info(cond: Any) -> CondInfo:
    types: set[str] = set()
    names: set[str] = set()
    general = [False]

    def walk(node: Any, parent: str) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, parent)
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            if key in {"$m", "$s", "$l"}:
                general[0] = True
            if key.startswith("$"):
                walk(value, key)
                continue
            names.add(key)
            if key == "t":
                if (parent.startswith("$") and parent not in {"$and", "$or"}) or not isinstance(value, str):
                    general[0] = True
                else:
                    types.add(value)
            walk(value, key)

    walk(cond, "")
    seen = names | {name.split(".")[0] for name in names}
    return CondInfo(frozenset(names), frozenset(seen), frozenset(types), general[0], _pattern_type(cond))


#: A condition's CondInfo, once per condition object: the rulesets of parameter epochs share the
#: compiled conditions of the rules they compile alike (see antitrust.shared_work).
cond_info: PerObject[Any, CondInfo] = PerObject(_cond_info)


#: How to build one fact type's engine form: (field, sub-field or None, name in the engine).
Plan = tuple[tuple[str, str | None, str], ...]


def plans(definition: dict[str, Any], fields: frozenset[str]) -> dict[str, Plan] | None:
    """Per fact type, the fields the patterns *on that type* name, when every pattern tests its
    type by equality at its top (as compiled rules do: ``{"$and": [{"t": "stake"}, ...]}``).

    A pattern only ever matches facts of its own type, so a fact needs only the fields of the
    patterns on its type; building the engine form from this short list is much cheaper than
    looking at every field of a fact. None when some pattern's type cannot be told this way."""
    per_type: dict[str, set[str]] = {}
    for body in definition.values():
        for pattern in body.get("all", []):
            for cond in pattern.values():
                info = cond_info(cond)
                if info.pattern_type is None:
                    return None
                per_type.setdefault(info.pattern_type, {"t", "id"}).update(info.names & fields)
    out: dict[str, Plan] = {}
    for fact_type, names in per_type.items():
        plan = []
        for name in sorted(names, key=lambda n: (n not in {"t", "id"}, n)):
            outer, sep, inner = name.partition(SEP)
            plan.append((outer, inner if sep else None, name))
        out[fact_type] = tuple(plan)
    return out


#: Generated engine forms by plan: rulesets of different parameter epochs mostly share plans.
_forms_by_plan: dict[Plan, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def form_function(plan: Plan) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The engine form of a fact of one type (see :meth:`Session.engine_form`) as a generated
    function: the plan's fields in the plan's order, each outer field read once (the plan is
    sorted, so the nested fields of one outer field are next to each other). One function per
    distinct plan in the process."""
    form = _forms_by_plan.get(plan)
    if form is None:
        form = _forms_by_plan[plan] = _generate_form(plan)
    return form


def _generate_form(plan: Plan) -> Callable[[dict[str, Any]], dict[str, Any]]:
    lines = ["def form(f):", "    out = {}"]
    current: str | None = None
    for outer, inner, name in plan:
        if outer != current:
            lines.append(f"    v = f.get({outer!r}, _A)")
            current = outer
        if inner is None:
            lines.append(f"    if v is not _A and not isinstance(v, dict): out[{name!r}] = v")
        else:
            lines.append(f"    if isinstance(v, dict) and {inner!r} in v: out[{name!r}] = v[{inner!r}]")
    lines += [f"    out['sid'] = {SID!r}", "    return out"]
    namespace: dict[str, Any] = {"_A": _ABSENT}
    exec(compile("\n".join(lines), "<engine form>", "exec"), namespace)  # noqa: S102 - source built above
    form: Callable[[dict[str, Any]], dict[str, Any]] = namespace["form"]
    return form


def _pattern_type(cond: Any) -> str | None:
    if isinstance(cond, dict):
        if isinstance(cond.get("t"), str) and len(cond) == 1:
            return str(cond["t"])
        if set(cond) == {"$and"}:
            for item in cond["$and"]:
                if isinstance(item, dict) and set(item) == {"t"} and isinstance(item["t"], str):
                    return str(item["t"])
    return None


def engine_hash(name: str) -> int:
    """The engine's 32-bit hash of a property name (FNV-1a over the UTF-8 bytes). The engine finds
    a fact's properties by this hash alone: two names with one hash read each other's values."""
    h = 0x811C9DC5
    for byte in name.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


#: Names the engine itself gives meaning to: never renamed.
_FIXED_NAMES = ("t", "id", "sid")


def engine_names(fields: set[str], others: set[str] = frozenset()) -> dict[str, str]:  # type: ignore[assignment]
    """``{field: name in the engine}`` for the fields whose hash another name already has.

    The first name of each hash (the engine's own names first, then in sorted order) keeps its
    name; each later one gets ``<name>~<n>`` with the smallest ``n`` whose hash nobody has.
    ``others`` (pattern aliases) take part in the hashes but are never renamed."""
    taken: dict[int, str] = {}
    for name in (*_FIXED_NAMES, *sorted(others)):
        taken.setdefault(engine_hash(name), name)
    out: dict[str, str] = {}
    for name in sorted(fields - set(_FIXED_NAMES)):
        h = engine_hash(name)
        if taken.setdefault(h, name) == name:
            continue
        n = 1
        while (h := engine_hash(alt := f"{name}~{n}")) in taken:
            n += 1
        taken[h] = alt
        out[name] = alt
    return out


def renamed(node: Any, names: dict[str, str]) -> Any:
    """A compiled condition with its field names (keys that are not operators) renamed."""
    if isinstance(node, list):
        return [renamed(item, names) for item in node]
    if isinstance(node, dict):
        return {(names.get(k, k) if k[0] != "$" else k): renamed(v, names) for k, v in node.items()}
    return node


_ABSENT = object()
_COMPARE = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<=", "$neq": "!="}


def condition_test(cond: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    """A Python predicate that decides a compiled condition exactly as the engine would, on a
    fact in the caller's shape (nested intervals, as given to :meth:`Session.run`).

    It is generated from the condition itself (the same dict the engine is given), in the
    engine's semantics: a field is absent when the fact lacks it (or, for a nested name
    ``x__lo``, when ``x`` is not a dict holding ``lo``), as in :meth:`Session.engine_form`; every
    comparison, ``$neq`` included, is false on an absent field; ``$ex`` / ``$nex`` test presence;
    an empty condition holds. Raises EngineError for an operator it does not know."""
    fields: dict[str, str] = {}

    def var(name: str) -> str:
        if name not in fields:
            fields[name] = f"v{len(fields)}"
        return fields[name]

    def gen(node: Any) -> str:
        if not isinstance(node, dict):
            raise EngineError(f"cannot translate condition {node!r}")
        parts = []
        for key, value in node.items():
            if key in {"$and", "$or"}:
                items = [gen(v) for v in value]
                joined = (" and " if key == "$and" else " or ").join(items)
                parts.append(f"({joined})" if items else ("True" if key == "$and" else "False"))
            elif key in {"$ex", "$nex"}:
                for name in value:
                    parts.append(f"({var(name)} is {'not ' if key == '$ex' else ''}_A)")
            elif key in _COMPARE:
                for name, c in value.items():
                    v = var(name)
                    parts.append(f"({v} is not _A and {v} {_COMPARE[key]} {c!r})")
            elif key.startswith("$"):
                raise EngineError(f"cannot translate condition operator {key}")
            else:  # equality
                v = var(key)
                parts.append(f"({v} is not _A and {v} == {value!r})")
        expr = " and ".join(parts) if parts else "True"
        return expr if len(parts) < 2 else f"({expr})"

    expr = gen(cond)
    lines = ["def test(f):"]
    for name, v in fields.items():
        outer, sep, inner = name.partition(SEP)
        if sep:
            lines.append(f"    {v} = f.get({outer!r})")
            lines.append(f"    {v} = {v}.get({inner!r}, _A) if isinstance({v}, dict) else _A")
        else:
            lines.append(f"    {v} = f.get({name!r}, _A)")
            lines.append(f"    if isinstance({v}, dict): {v} = _A")
    lines.append(f"    return bool({expr})")
    namespace: dict[str, Any] = {"_A": _ABSENT}
    exec(compile("\n".join(lines), "<condition>", "exec"), namespace)  # noqa: S102 - source built above
    test: Callable[[dict[str, Any]], bool] = namespace["test"]
    return test
