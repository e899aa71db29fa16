"""Undetermined firings whose open questions cannot change a conclusion.

A rule can match the same facts twice: once through a derived fact that holds (the acquirer has
sole control by a majority of the votes) and once through one that is still open (joint control
through a veto nobody has stated). The second match concludes nothing the first does not, so the
facts it alone waits on (the vetoes) settle nothing: a report that asked for them would send the
user after answers that cannot move a verdict. Such a firing is *superseded*.
"""

from __future__ import annotations

from collections import defaultdict

from antitrust.evaluate import Evaluation, Firing


def _base_ids(f: Firing, derived: set[str]) -> tuple[tuple[str, str], ...]:
    """The facts a firing matched other than derived ones, by alias."""
    return tuple(sorted((alias, str(fact.get("id"))) for alias, fact in f.bound.items()
                        if fact.get("id") not in derived))


def superseded(ev: Evaluation) -> set[int]:
    """Indexes of the undetermined firings that rest on an open derived fact while another firing
    of the same rule matched the same deal facts through derived facts that all hold."""
    derived = set(ev.derived)
    settled: dict[tuple[str, tuple[tuple[str, str], ...]], bool] = defaultdict(bool)
    for f in ev.firings:
        if all(ev.derived[d].status == "yes" for d in f.derived_inputs if d in ev.derived):
            settled[(f.rule_id, _base_ids(f, derived))] = True
    out = set()
    for i, f in enumerate(ev.firings):
        if f.status != "maybe":
            continue
        open_inputs = [d for d in f.derived_inputs if d in ev.derived and ev.derived[d].status == "maybe"]
        if open_inputs and settled[(f.rule_id, _base_ids(f, derived))]:
            out.add(i)
    return out


def _concludes(ev: Evaluation, f: Firing) -> bool:
    """Whether a rule concludes something of its own (a verdict, route, exposure, band or a step of
    a theory), besides the fact it derives."""
    spec = ev.compiled.rules[f.rule_id].rule.spec
    return bool(spec.verdict or spec.reach or spec.exposure or spec.risk or spec.step)


def moot(ev: Evaluation, superseded_firings: set[int]) -> set[int]:
    """Undetermined derivations that conclude nothing of their own and whose open derived fact
    feeds no firing, or only superseded or moot ones: whatever the facts they wait on turn out to
    be, no conclusion changes."""
    consumers: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(ev.firings):
        for d in f.derived_inputs:
            consumers[d].append(i)
    out: set[int] = set()
    changed = True
    while changed:
        changed = False
        for i, f in enumerate(ev.firings):
            if i in out or f.status != "maybe" or f.derived_id is None:
                continue
            record = ev.derived.get(f.derived_id)
            if record is None or record.status != "maybe":
                continue
            users = consumers.get(f.derived_id, [])
            if not _concludes(ev, f) and all(u in superseded_firings or u in out for u in users):
                out.add(i)
                changed = True
    return out
