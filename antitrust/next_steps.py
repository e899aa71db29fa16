"""Next steps, derived from a report's verdicts, routes, windows, exposure and open facts.

A closed deal leads with its exposure (a filing that may have been due, a review that can still
come); only a deal that has not closed is told to wait for clearance. Nothing here adds a
conclusion: each step points at something the report already holds.
"""

from __future__ import annotations

from datetime import date

from antitrust.report import JurisdictionReport, Report

_MAX_STEPS = 7


def _names(js: list[JurisdictionReport]) -> str:
    names = [j.name for j in js]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def build_next_steps(report: Report, closing: date | None, notified: frozenset[str] = frozenset()) -> list[str]:
    """The steps, most urgent first. ``closing`` is the deal's closing date, if stated; ``notified``
    the jurisdictions the deal file says were notified (or cleared the deal), which need no filing."""
    today = report.meta.checked_on
    closed = closing is not None and closing <= today
    steps: list[str] = []
    for j in report.jurisdictions:
        for e in j.exposure:
            if e.status == "expired":
                continue
            cite = f", {e.citations[0]}" if e.citations else ""
            steps.append(f"Assess the exposure in {j.name}: {e.kind.replace('_', '-')}{cite}; notify if a filing was due.")
    mandatory = [j for j in report.jurisdictions if j.filing == "mandatory" and j.code not in notified]
    undetermined = [j for j in report.jurisdictions if j.filing == "undetermined"]
    if mandatory:
        if closed:
            steps.append(f"File in {_names(mandatory)} without delay: the deal closed on {closing} and a filing "
                         "is required there.")
        else:
            suspensory = [j for j in mandatory if j.suspensory]
            steps.append(f"Prepare the filing in {_names(mandatory)}"
                         + (f"; do not close before clearance in {_names(suspensory)} (suspensory)." if suspensory
                            else "."))
    if undetermined:
        asks = len(report.info_requests)
        facts = f"the {asks} facts listed under information requests" if asks else "the missing figures"
        if closed:
            steps.append(f"Obtain {facts} to settle whether a filing was due in {_names(undetermined)}; "
                         f"the deal closed on {closing}, so a filing found due is already late.")
        else:
            steps.append(f"Obtain {facts} to settle whether a filing is due in {_names(undetermined)} "
                         "before closing.")
    voluntary = [j for j in report.jurisdictions if j.filing == "voluntary"]
    if voluntary:
        steps.append(f"Decide whether to notify {_names(voluntary)} voluntarily or brief the authority: "
                     "the regime does not oblige a filing, but the authority can review the deal on its own.")
    for j in report.jurisdictions:
        for w in j.windows:
            if w.status == "open":
                steps.append(f"Track the {j.name} window: {w.text}.")
    held = [t for t in report.theories if t.band == "high" and not t.undetermined]
    reachable = [j for j in report.jurisdictions if any(r.status == "holds" for r in j.reach)]
    if held and reachable:
        titles = ", ".join(t.title.lower() for t in held)
        steps.append(f"Prepare the substantive case on {titles}: authorities in {_names(reachable)} can still "
                     "act on the deal.")
    presumed = {p.id for j in report.jurisdictions for p in j.presumptions}
    if presumed:
        steps.append(f"Confirm the {len(presumed)} assumption(s) the verdicts rely on (listed per jurisdiction).")
    return steps[:_MAX_STEPS]
