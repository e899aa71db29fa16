"""Check that every ``source:`` in a deal file names a digest in seeds/ and a locator it lists."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from antitrust.errors import DealFileError, InputError
from antitrust.validation import did_you_mean
from antitrust.yamlio import Document, load


def find_seeds(deal_path: Path) -> Path | None:
    """The nearest ``seeds/`` folder at or above the deal file's folder."""
    for folder in [deal_path.resolve().parent, *deal_path.resolve().parents]:
        if (folder / "seeds").is_dir():
            return folder / "seeds"
    return None


@cache
def _digests(seeds: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in sorted(seeds.glob("*.y*ml")):
        data = load(f).data
        if isinstance(data, dict) and "id" in data:
            out[str(data["id"])] = {str(x.get("locator")) for x in data.get("facts", []) if isinstance(x, dict)}
    return out


def check_sources(doc: Document, seeds: Path) -> list[InputError]:
    digests = _digests(seeds)
    errors: list[InputError] = []

    def walk(node: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "source" and v is not None:
                    check(v, (*path, k))
                else:
                    walk(v, (*path, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, (*path, i))

    def check(value: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(value, str):
            doc_id, _, locator = value.partition("#")
        elif isinstance(value, dict):
            doc_id, locator = str(value.get("doc", "")), str(value.get("locator") or "")
        else:
            return
        if doc_id not in digests:
            errors.append(DealFileError(doc.locate(path), f"source {doc_id!r} is not a digest in {seeds}"
                                        f"{did_you_mean(doc_id, digests)}", field=".".join(map(str, path))))
        elif locator and locator not in digests[doc_id]:
            hint = did_you_mean(locator, digests[doc_id]) or f"; it lists {', '.join(sorted(digests[doc_id])[:12])}"
            errors.append(DealFileError(doc.locate(path), f"digest {doc_id!r} has no locator {locator!r}{hint}",
                                        field=".".join(map(str, path))))

    walk(doc.data, ())
    return errors
