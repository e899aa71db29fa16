"""Lean per-jurisdiction figures: only the fields some compiled rule reads, the rest on first use.

A deal's figures facts (one per jurisdiction, see :mod:`antitrust.facts_figures`) carry each
side's turnover in three currencies, the combined and the smaller side's figure, and the
member-state statistics: most of a deal's flattening time, while a compiled ruleset reads a
few of those fields (most jurisdictions only in euros, some not at all).

:func:`figure_needs` works out, once per compiled ruleset, which fields of each figures fact
its rules can read while the deal is evaluated: the fields its engine patterns test, those its
actions test to tell true from undetermined, the fields of its atoms, those its derived facts'
templates name, and those the rulebook's presumptions fill. The flattening computes only these
(and the cheap fields it always computes) into a :class:`LeanFact`.

A :class:`LeanFact` answers a question about one of the fields it holds from itself. Any other
question (another field, its length, its items, a comparison, a copy) first completes it from
a whole flattening of the same deal (built once per deal, when first needed), so a reader that
wants more than the rules read (a report, margins, what-if, an explanation) sees exactly the
facts a whole flattening gives, in the same order: fact ids and values do not change.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Self

from antitrust import reasons
from antitrust.engineforms import SEP, cond_info
from antitrust.shared_work import PerObject
from antitrust.vocabulary import FACT_TYPES, FIGURE_JURISDICTIONS

if TYPE_CHECKING:
    from antitrust.compiler import CompiledRule, CompiledRulebook
    from antitrust.engine import Session

#: Per figures fact type, the fields (outer names) a ruleset's evaluation may read.
Needs = dict[str, frozenset[str]]

_lock = threading.RLock()


class Completion:
    """The whole facts of one deal, built from a whole flattening when first asked for (once).

    It holds no lean fact, so a deal's facts form no reference cycle and are freed with it."""

    __slots__ = ("_build", "_whole")

    def __init__(self, build: Callable[[], list[dict[str, Any]]]) -> None:
        #: Builds the deal's whole facts (the same facts, in the same order, with every field).
        self._build: Callable[[], list[dict[str, Any]]] | None = build
        self._whole: list[dict[str, Any]] | None = None

    def whole(self) -> list[dict[str, Any]]:
        whole = self._whole
        if whole is None:
            with _lock:
                if self._whole is None:
                    assert self._build is not None
                    self._whole, self._build = self._build(), None
                whole = self._whole
        return whole


class LeanFact(dict[str, Any]):
    """An engine fact holding only some of its fields (``keys``), exactly as the whole fact holds
    them (absent where the whole fact lacks them too). Reading any other field, or the fact as a
    whole, completes it first from the whole facts of its deal (see :class:`Completion`; the
    fact is the one at ``index`` there). Engine facts are read-only."""

    __slots__ = ("_complete", "_index", "_keys", "_whole")

    def __init__(self, fields: dict[str, Any], keys: frozenset[str], complete: Completion, index: int) -> None:
        super().__init__(fields)
        self._keys = keys
        #: The whole fact, once completed (its order is the whole flattening's).
        self._whole: dict[str, Any] | None = None
        self._complete = complete
        self._index = index

    @property
    def completed(self) -> bool:
        """Whether the fact holds every field (it was completed from a whole flattening)."""
        return self._whole is not None

    def whole(self) -> dict[str, Any]:
        """The fact with every field, as a whole flattening gives it."""
        w = self._whole
        if w is None:
            w = self._complete.whole()[self._index]
            if w.get("id") != dict.get(self, "id"):  # pragma: no cover - flattening is deterministic
                raise AssertionError(f"fact {self._index} has another id in the whole flattening")
            dict.update(self, w)
            self._whole = w
        return w

    # -- one field: answered here when it is one of the fields held ----------------------------
    def __getitem__(self, key: str) -> Any:
        if self._whole is None and key in self._keys:
            return dict.__getitem__(self, key)
        return self.whole()[key]

    def get(self, key: str, default: Any = None) -> Any:
        if self._whole is None and key in self._keys:
            return dict.get(self, key, default)
        return self.whole().get(key, default)

    def __contains__(self, key: object) -> bool:
        if self._whole is None and key in self._keys:
            return dict.__contains__(self, key)
        return key in self.whole()

    # -- the fact as a whole ----------------------------------------------------------------
    def __iter__(self) -> Iterator[str]:
        return iter(self.whole())

    def __len__(self) -> int:
        return len(self.whole())

    def __reversed__(self) -> Iterator[str]:
        return reversed(self.whole())

    def keys(self) -> Any:
        return self.whole().keys()

    def values(self) -> Any:
        return self.whole().values()

    def items(self) -> Any:
        return self.whole().items()

    def __eq__(self, other: object) -> bool:
        return self.whole() == (other.whole() if isinstance(other, LeanFact) else other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None

    def __repr__(self) -> str:
        return repr(self.whole())

    def __or__(self, other: Any) -> Any:
        return self.whole() | (other.whole() if isinstance(other, LeanFact) else other)

    def __ror__(self, other: Any) -> Any:
        return other | self.whole()

    def copy(self) -> dict[str, Any]:
        return dict(self.whole())

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled or deep-copied as the plain whole fact.
        return (dict, (dict(self.whole()),))

    # -- changes (engine facts are read-only; should one be changed, it is changed whole) -------
    def _changed(self, change: Callable[[dict[str, Any]], Any]) -> Any:
        whole = self.whole()
        out = change(whole)
        dict.clear(self)
        dict.update(self, whole)
        return out

    def __setitem__(self, key: str, value: Any) -> None:
        self._changed(lambda w: w.__setitem__(key, value))

    def __delitem__(self, key: str) -> None:
        self._changed(lambda w: w.__delitem__(key))

    def setdefault(self, key: str, default: Any = None) -> Any:
        return self._changed(lambda w: w.setdefault(key, default))

    def pop(self, key: str, *default: Any) -> Any:
        return self._changed(lambda w: w.pop(key, *default))

    def popitem(self) -> tuple[str, Any]:
        return self._changed(lambda w: w.popitem())  # type: ignore[no-any-return]

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._changed(lambda w: w.update(*args, **kwargs))

    def clear(self) -> None:
        self._changed(lambda w: w.clear())

    def __ior__(self, other: Any) -> Self:  # type: ignore[override]
        self.update(other)
        return self


def _template_fields(value: Any, found: list[tuple[str, str]]) -> None:
    """The (fact, field) references of a derived fact's template field."""
    if not isinstance(value, str) or ("{" not in value and "}" not in value):
        return

    def record(parts: tuple[str, ...]) -> str:
        found.append((parts[0], ".".join(parts[1:])))
        return ""

    reasons.render(value, record)


_needs: dict[str, Needs | None] = {}


def figure_needs(compiled: CompiledRulebook, session: Session) -> Needs | None:
    """Per figures fact type, the fields an evaluation with ``compiled`` may read (worked out
    once per compiled ruleset); None when the ruleset's patterns cannot be read this way, and
    every field is computed."""
    found = _needs.get(compiled.name, ...)
    if found is not ...:
        return found
    with _lock:
        needs = _work_out(compiled, session)
        _needs[compiled.name] = needs
    return needs


def clear() -> None:
    """Forget every ruleset's needs (with the compiled rulesets, see evaluate.clear_cache)."""
    with _lock:
        _needs.clear()
        _reads_of.clear()


def _work_out(compiled: CompiledRulebook, session: Session) -> Needs | None:
    by_type = session.fields_by_type()
    if by_type is None:
        return None
    figures = set(FIGURE_JURISDICTIONS)
    needs: dict[str, set[str]] = {t: set(by_type.get(t, ())) for t in figures}

    def add(fact: str, fields: frozenset[str] | set[str]) -> None:
        # A pattern is named after its fact type; any other name could be any figures fact.
        for t in ((fact,) if fact in figures else figures if fact not in FACT_TYPES else ()):
            needs[t] |= fields

    for crule in compiled.rules.values():
        for fact, fields in _reads_of(crule):
            add(fact, fields)
    for presumption in compiled.rulebook.presumptions:
        fact, _, fld = presumption.fact.partition(".")
        add(fact, {fld})
    return {t: frozenset(names) for t, names in needs.items()}


def _rule_reads(crule: CompiledRule) -> tuple[tuple[str, frozenset[str]], ...]:
    """(fact or pattern alias, outer field names) for what one compiled rule reads: the fields
    its known-true conditions name, the fields its atoms compare, and those its derived fact's
    templates copy."""
    out: list[tuple[str, frozenset[str]]] = []
    for alias, cond in crule.true_when:
        names = cond_info(cond).names
        out.append((alias, frozenset(name.partition(SEP)[0].split(".")[0] for name in names)))  # outer names
    for atom in crule.atoms:
        if atom.field is not None:
            out.append((atom.fact, frozenset((atom.field,))))
    spec = crule.rule.spec.derive
    if spec is not None:
        refs: list[tuple[str, str]] = []
        for value in spec.fields.values():
            _template_fields(value, refs)
        out.extend((fact, frozenset((fld.split(".")[0],))) for fact, fld in refs)
    return tuple(out)


#: What each compiled rule reads, once per compiled rule (shared by parameter epochs).
_reads_of: PerObject[CompiledRule, tuple[tuple[str, frozenset[str]], ...]] = PerObject(_rule_reads)
