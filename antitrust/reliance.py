"""Which presumptions and defaults a verdict relied on, read from the firings that decided it.

A firing relied on a presumed value when its rule reads that field of a fact it matched and,
for a firing that holds, the condition would no longer hold with the field unknown again (the
rule's own "known true" test, re-run on the matched facts with the presumed value taken out).
Derived facts carry reliance up the proof tree: a firing that used a derived fact relied on what
every firing producing that fact relied on.
"""

from __future__ import annotations

from collections.abc import Iterable

from antitrust.evaluate import Evaluation, known_true
from antitrust.presumptions import Applied
from antitrust.report import Presumption

_Key = tuple[str, str]  # (engine fact id, field)


def _holds_without(ev: Evaluation, i: int, removed: list[Applied]) -> bool:
    """Whether firing ``i`` would still hold with the ``removed`` presumed values unknown again."""
    f = ev.firings[i]
    crule = ev.compiled.rules[f.rule_id]
    by_fact: dict[str, list[Applied]] = {}
    for a in removed:
        by_fact.setdefault(a.fact_id, []).append(a)
    for alias, cond in crule.true_when:
        fact = f.bound[alias]
        if fact.get("id") in by_fact:
            fact = dict(fact)
            for a in by_fact[fact["id"]]:
                if a.before is None:
                    fact.pop(a.field, None)
                else:
                    fact[a.field] = a.before
        if not known_true(cond)(fact):
            return False
    return True


class Reliance:
    """Reliance of an evaluation's firings on presumed values (memoised per firing)."""

    def __init__(self, ev: Evaluation) -> None:
        self.ev = ev
        self.presumed: dict[_Key, Applied] = {(a.fact_id, a.field): a for a in ev.flat.presumed}
        self._memo: dict[int, tuple[Applied, ...]] = {}

    def of(self, i: int) -> tuple[Applied, ...]:
        """What firing ``i`` relied on, directly or through the derived facts it used (worked out
        without recursion: proof trees can be hundreds of derived facts deep)."""
        if not self.presumed:
            return ()
        stack, opened = [i], set()
        while stack:
            j = stack[-1]
            if j in self._memo:
                stack.pop()
                continue
            inputs = self._producers(j)
            waiting = [k for k in inputs if k not in self._memo and k not in opened]
            if waiting and j not in opened:
                opened.add(j)
                stack += waiting
                continue
            self._memo[j] = self._combine(j)  # producers still open (a cycle) add nothing
            stack.pop()
        return self._memo[i]

    def _producers(self, i: int) -> list[int]:
        f = self.ev.firings[i]
        out = []
        for d in f.derived_inputs:
            record = self.ev.derived[d]
            out += [j for j in record.firings if self.ev.firings[j].status == record.status]
        return out

    def _combine(self, i: int) -> tuple[Applied, ...]:
        f = self.ev.firings[i]
        crule = self.ev.compiled.rules[f.rule_id]
        read = [self.presumed[k] for a in crule.atoms if a.field is not None and a.fact in f.bound
                if (k := (f.bound[a.fact]["id"], a.field)) in self.presumed]
        read = list(dict.fromkeys(read))
        out = read
        if f.status == "yes" and read:
            out = [a for a in read if not _holds_without(self.ev, i, [a])]
            if not out and not _holds_without(self.ev, i, read):
                out = read  # several presumed values hold it up together
        for d in f.derived_inputs:
            record = self.ev.derived[d]
            made = [self._memo.get(j, ()) for j in record.firings if self.ev.firings[j].status == record.status]
            if made:
                common = set(made[0]).intersection(*made[1:])
                out += [a for a in made[0] if a in common]
        return tuple(dict.fromkeys(out))

    def presumptions(self, firings: Iterable[int], ids: dict[int, str]) -> list[Presumption]:
        """The report entries for what the given firings relied on, one per presumption and place."""
        found: dict[tuple[str, str | None], tuple[Applied, list[str]]] = {}
        for i in firings:
            for a in self.of(i):
                entry = found.setdefault((a.id, a.path), (a, []))
                entry[1].append(ids[i])
        return [Presumption(id=a.id, kind=a.kind, fact=f"{a.fact}.{a.field}", value=a.value_text,
                            statement=a.statement, why=a.why, citation=a.citation, url=a.url, path=a.path,
                            findings=sorted(set(used)))
                for (_id, _path), (a, used) in sorted(found.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))]


#: Verdicts that a presumption can settle; an undetermined one lists what it read, without "assuming".
SETTLED = frozenset({"mandatory", "voluntary", "not_required"})


def assuming(presumptions: list[Presumption], filing: str) -> str:
    """', assuming A and B' after a settled verdict (empty when nothing was presumed)."""
    if filing not in SETTLED:
        return ""
    statements = list(dict.fromkeys(p.statement for p in presumptions))
    if not statements:
        return ""
    if len(statements) == 1:
        return f", assuming {statements[0]}"
    return ", assuming " + ", ".join(statements[:-1]) + f" and {statements[-1]}"
