"""The clock after closing: review, call-in and referral periods counted to the report's 'today'.

The law applies as of the deal's relevant date (see timeline.py), but whether an authority can
still act is counted to today. A rule that concludes a route (``reach``) may state the route's
time limit (``reach.window``): a dated parameter in months, days or working days, running from
an event of the deal (closing, announcement, signing, a national notification). Each such route
gets a :class:`~antitrust.report.Window` that reads "open until DATE" or "expired on DATE"; an
expired route gets status ``expired``. A referral that rests only on national routes that have
all expired has expired with them.

Working days are counted Monday to Friday: public holidays are not deducted, so a period in
working days may in fact end a few days later than stated (the text says so).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from antitrust.evaluate import Evaluation
from antitrust.params import format_value
from antitrust.report import ReachRoute, Window
from antitrust.rulespec import ReachWindow, Rule
from antitrust.timeline import date_span

#: How each start event reads in a report.
EVENT_WORDS = {
    "closing": "completion",
    "announcement": "public announcement",
    "signing": "signing",
    "notification": "a national notification",
}


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months; the 31st becomes the month's last day where needed."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_working_days(day: date, n: int) -> date:
    """The ``n``-th weekday after ``day`` (Monday to Friday; public holidays not deducted)."""
    current = day
    left = n
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def period_end(start: date, length: float, unit: str) -> date:
    """The last day of a period of ``length`` ``unit`` starting on ``start``."""
    n = int(length)
    if unit == "months":
        return add_months(start, n)
    if unit == "working_days":
        return add_working_days(start, n)
    return start + timedelta(days=n)


@dataclass(frozen=True)
class _Start:
    event: str
    first: date | None
    last: date | None


def _event_dates(ev: Evaluation, event: str, state: str | None = None) -> _Start | None:
    tx = ev.deal.transaction
    field = {"closing": tx.closing, "announcement": tx.announced, "signing": tx.signed}.get(event)
    if event == "notification":
        day = notification_date(ev, state)
        return _Start(event, day, day) if day is not None else None
    span = date_span(field)
    if span is None:
        return None
    return _Start(event, span[0], span[1])


def notification_date(ev: Evaluation, state: str | None = None) -> date | None:
    """The earliest notification the deal file dates (to ``state``'s authority, if given)."""
    days = [a.on for a in ev.deal.authority_acts
            if a.act == "notified" and a.on is not None and (state is None or a.authority == state)]
    return min(days) if days else None


def window_for(ev: Evaluation, spec: Rule, window: ReachWindow, today: date, state: str | None = None) -> Window:
    """The route's period, counted to ``today`` (``state``: the member state a referral rests on,
    whose own notification starts it)."""
    param = ev.compiled.rulebook.parameters[window.param]
    value = param.at(ev.as_of)
    route = spec.reach.route if spec.reach else "call_in"
    who = window.authority[:1].upper() + window.authority[1:]
    events = " or ".join(EVENT_WORDS[e] for e in window.runs_from)
    if len(window.runs_from) > 1:
        events = f"the {window.pick} of " + events
    note = f" {window.note}" if window.note else ""
    if value is None:
        return Window(route=route, authority=window.authority, starts_on=events, length="none in force",
                      status="unknown", basis=spec.basis.citation,
                      text=f"{who}: no time limit is modelled for {ev.as_of.isoformat()} ({param.title}).{note}")
    if value.value is None:
        return Window(route=route, authority=window.authority, starts_on=events, length="not verified",
                      status="unknown", basis=value.citation,
                      text=f"{who}: the time limit ({param.title}) is not verified, so whether it "
                           f"can still act cannot be counted.{note}")
    length = format_value(value.value, param.unit)
    caveat = "" if value.status != "unverified" else " The length of the period is unverified."
    if param.unit == "working_days":
        caveat += " (Weekdays counted; public holidays would move the end a few days later.)"
    starts = [s for e in window.runs_from if (s := _event_dates(ev, e, state)) is not None]
    base: dict[str, Any] = {"route": route, "authority": window.authority, "length": length,
                            "basis": value.citation}
    if not starts:
        return Window(**base, starts_on=events, status="unknown",
                      text=f"{who} can act within {length} of {events}, which the deal file does not date.{note}")
    pick = min if window.pick == "earliest" else max
    firsts = [s.first for s in starts if s.first is not None]
    lasts = [s.last for s in starts if s.last is not None]
    first = pick(firsts) if firsts else None
    last = pick(lasts) if len(lasts) == len(starts) else None
    chosen = next(s for s in starts if (s.first == first if first is not None else s.last == last))
    started = EVENT_WORDS[chosen.event]
    if first is not None and first > today:
        return Window(**base, starts=first, starts_on=started, status="open",
                      text=f"{who} can act within {length} of {started}, which had not happened "
                           f"by {today.isoformat()}: the period has not started.{caveat}{note}")
    end_lo = period_end(first, value.value, param.unit) if first is not None else None
    end_hi = period_end(last, value.value, param.unit) if last is not None else None
    start_text = (first.isoformat() if first == last and first is not None else
                  f"between {first or '?'} and {last or '?'}")
    lead = f"{who} can act within {length} of {started} ({start_text})"
    if end_hi is not None and today > end_hi:
        return Window(**base, starts=first, starts_on=started, ends=end_hi, status="expired",
                      text=f"{lead}: expired on {end_hi.isoformat()}.{caveat}{note}")
    if end_lo is not None and today <= end_lo:
        return Window(**base, starts=first, starts_on=started, ends=end_lo, status="open",
                      text=f"{lead}: open until {end_lo.isoformat()}.{caveat}{note}")
    span = f"between {end_lo.isoformat()} and {end_hi.isoformat()}" if end_lo and end_hi else (
        f"on or after {end_lo.isoformat()}" if end_lo else "on a date that cannot be told")
    return Window(**base, starts=first, starts_on=started, ends=end_hi, status="unknown",
                  text=f"{lead}: ends {span}; state the exact date to tell whether it is still open.{caveat}{note}")


def windows(ev: Evaluation, today: date) -> dict[int, Window]:
    """firing index -> the period of the route it concludes, for every route with a time limit.

    A referral whose national routes have all expired (and that has no period of its own that
    is open) expires with the last of them."""
    rules = ev.compiled.rules
    out: dict[int, Window] = {}
    for i, f in enumerate(ev.firings):
        spec = rules[f.rule_id].rule.spec
        if spec.reach is not None and spec.reach.window is not None:
            state = f.bound.get("national_jurisdiction", {}).get("state")
            out[i] = window_for(ev, spec, spec.reach.window, today, state if isinstance(state, str) else None)
    for i, f in enumerate(ev.firings):
        spec = rules[f.rule_id].rule.spec
        if spec.reach is None or spec.reach.route != "referral" or not f.derived_inputs:
            continue
        producers = [j for d in f.derived_inputs for j in ev.derived[d].firings]
        national = [out.get(j) for j in producers]
        if not national or any(w is None or w.status != "expired" for w in national):
            continue
        own = out.get(i)
        if own is not None and own.status == "open":
            continue
        ends = max(w.ends for w in national if w is not None and w.ends is not None)
        via = ", ".join(dict.fromkeys(w.authority for w in national if w is not None))
        out[i] = Window(route="referral", authority=own.authority if own else "a member state",
                        starts_on="the national routes it rests on", length=own.length if own else "",
                        ends=ends, status="expired", basis=own.basis if own else spec.basis.citation,
                        text=f"A referral rests on national jurisdiction that has lapsed ({via}): "
                             f"expired on {ends.isoformat()}.")
    return out


def route_with_window(route: ReachRoute, window: Window | None) -> ReachRoute:
    """The route with its last day, and status ``expired`` once its period has run out."""
    if window is None:
        return route
    if window.status == "expired":
        return route.model_copy(update={"status": "expired", "until": window.ends})
    if window.status == "open" and window.ends is not None:
        return route.model_copy(update={"until": window.ends})
    return route
