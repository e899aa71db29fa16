"""The audit trail: what a report rests on, stamped into its ``meta``, and one JSON line per decision.

A record names the input (its SHA-256), the rulebook (its hash and where it came from), the
versions of antitrust, durable-rules and Python, the law date and the review date, the verdicts
and bands, and how long the decision took. Records are appended to a JSON Lines file opened in
append mode and written with one ``write`` under an exclusive lock, so concurrent writers (the
server's requests, several processes) never interleave or truncate lines.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import platform
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any

from antitrust import __version__
from antitrust.report import Report

#: The durable-rules release in vendor/, with the changes vendor/README.md lists, built into
#: antitrust on every Python.
VENDORED_DURABLE = "2.0.28+vendored"
#: Bumped when a record's fields change meaning (new fields may be added without a bump).
AUDIT_RECORD_VERSION = 1


def engine_release() -> str:
    """The engine that runs: antitrust builds it from vendor/ (:data:`VENDORED_DURABLE`). An
    environment that had PyPI's durable-rules installed before may still load that copy, whose
    module has the same name; it is reported by its own version."""
    from antitrust.engine import engine_file

    try:
        dist = distribution("durable-rules")
    except PackageNotFoundError:
        return VENDORED_DURABLE
    loaded = Path(engine_file()).resolve()
    if any(Path(str(dist.locate_file(f))).resolve() == loaded for f in dist.files or ()):
        return dist.version
    return VENDORED_DURABLE


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json(data: Any) -> bytes:
    """The canonical JSON form of a deal given as data: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


@cache
def versions() -> dict[str, str]:
    """The versions a decision depends on: antitrust, durable-rules and Python."""
    return {"antitrust": __version__, "durable-rules": engine_release(),
            "python": f"{platform.python_implementation()} {platform.python_version()}"}


def stamp(report: Report, *, input_sha256: str | None, rulebook_source: str) -> Report:
    """The report with its audit fields filled: input hash, rulebook source and versions."""
    meta = report.meta.model_copy(update={
        "input_sha256": input_sha256, "rulebook_source": rulebook_source, "versions": dict(versions())})
    return report.model_copy(update={"meta": meta})


def decision_record(report: Report, *, duration_s: float, via: str, today: Any = None) -> dict[str, Any]:
    """One audit record for a report (``via``: the command or endpoint that decided)."""
    meta = report.meta
    return {
        "audit_record_version": AUDIT_RECORD_VERSION,
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "via": via,
        "deal_id": meta.deal_id,
        "input_sha256": meta.input_sha256,
        "rulebook_hash": meta.rulebook_hash,
        "rulebook_source": meta.rulebook_source,
        "versions": dict(versions()),
        "as_of": meta.as_of.isoformat(),
        "today": today.isoformat() if today is not None else None,
        "checked_on": meta.checked_on.isoformat(),
        "verdicts": {j.code: j.filing for j in report.jurisdictions},
        "bands": {t.theory: t.band for t in report.theories},
        "overall": getattr(getattr(report, "overall", None), "band", None),
        "duration_ms": round(duration_s * 1000, 3),
    }


class AuditLog:
    """An append-only JSON Lines file; safe to share between threads and processes."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def append(self, record: Mapping[str, Any]) -> None:
        line = (json.dumps(record, ensure_ascii=False, sort_keys=False, default=str) + "\n").encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            view = memoryview(line)
            while view:  # one write in practice; a short write continues under the lock
                written = os.write(fd, view)
                view = view[written:]
        finally:
            os.close(fd)  # closing releases the lock
