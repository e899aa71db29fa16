"""Where a deal value stands in its deal file, and the seeds/ digest statement it was taken from."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from antitrust.errors import InputError, Location
from antitrust.explanation import SourceRef
from antitrust.yamlio import Document, load

_TOKEN = re.compile(r"([^.\[\]]+)|\[([^\]]+)\]")


def locate_deal_path(doc: Document, path: str) -> Location | None:
    """The position of a provenance path such as ``parties[1].turnover[DE]`` in the deal file."""
    keys: list[str | int] = []
    node: Any = doc.data
    for name, index in _TOKEN.findall(path.strip()):
        if name:
            if not isinstance(node, dict) or name not in node:
                return None
            keys.append(name)
            node = node[name]
            continue
        if not isinstance(node, list):
            return None
        if index.isdigit() and int(index) < len(node):
            keys.append(int(index))
            node = node[int(index)]
            continue
        hit = next((i for i, item in enumerate(node) if isinstance(item, dict)
                    and index in {str(item.get("jurisdiction", "")).upper(), str(item.get("id", ""))}), None)
        if hit is None:
            return None
        keys.append(hit)
        node = node[hit]
    if isinstance(node, dict) and "amount" in node:  # a turnover entry: point at its amount
        keys.append("amount")
    if not keys:
        return None
    return doc.locate(tuple(keys))


@cache
def _digests(seeds: Path) -> dict[str, tuple[str, Document]]:
    out: dict[str, tuple[str, Document]] = {}
    for f in sorted(seeds.glob("*.y*ml")):
        try:
            doc = load(f)
        except InputError:  # a broken digest only loses its locations here (check reports it)
            doc = None
        if doc is not None and isinstance(doc.data, dict) and "id" in doc.data:
            out[str(doc.data["id"])] = (str(f), doc)
    return out


def locate_source(ref: str, seeds: Path | None) -> SourceRef:
    """The digest file, line and statement a ``digest-id#locator`` source points at."""
    if seeds is None:
        return SourceRef(ref)
    doc_id, _, locator = ref.partition("#")
    found = _digests(seeds).get(doc_id)
    if found is None:
        return SourceRef(ref)
    path, doc = found
    rel = relative_path(path)
    if not locator:
        return SourceRef(ref, str(Location(rel, *doc.positions.get((), (1, 1)))))
    for i, item in enumerate(doc.data.get("facts") or []):
        if isinstance(item, dict) and str(item.get("locator")) == locator:
            where = doc.locate(("facts", i, "statement") if "statement" in item else ("facts", i))
            statement = item.get("statement")
            return SourceRef(ref, str(Location(rel, where.line, where.col)),
                             " ".join(str(statement).split()) if statement else None)
    return SourceRef(ref, rel)


def relative_path(path: str | Path) -> str:
    p = Path(path)
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(p)
