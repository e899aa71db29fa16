"""Load deal files from disk (YAML or JSON) into validated :class:`~antitrust.deal.Deal` objects."""

from __future__ import annotations

from pathlib import Path

from antitrust.deal import Deal
from antitrust.errors import DealFileError, InputError, InputErrors
from antitrust.sources import check_sources, find_seeds
from antitrust.validation import did_you_mean, validate_document
from antitrust.yamlio import Document, load, parse_text

#: Fields that name a party, as (list key, field) or (list key, nested list, field).
_PARTY_REFERENCES: tuple[tuple[str, ...], ...] = (
    ("stakes", "holder"), ("stakes", "issuer"), ("governance", "holder"), ("governance", "issuer"),
    ("people", "from_party"), ("people", "to_party"), ("workforce", "from_party"), ("workforce", "to_party"),
    ("licences", "licensor"), ("licences", "licensee"), ("supply", "supplier"), ("supply", "customer"),
    ("markets", "shares", "party"), ("data_access", "party"), ("data_access", "about"), ("complements", "a"),
    ("complements", "b"), ("steps", "acquired", "holder"), ("steps", "acquired", "issuer"),
)


def _check_party_references(doc: Document) -> None:
    """Point at the exact key that names an unknown party (the model can only say 'somewhere')."""
    data = doc.data
    parties = data.get("parties")
    if not isinstance(parties, list):
        return
    ids = sorted(str(p["id"]) for p in parties if isinstance(p, dict) and "id" in p)
    problems: list[InputError] = []

    def check(value: object, path: tuple[str | int, ...]) -> None:
        if isinstance(value, str) and value not in ids:
            problems.append(DealFileError(
                doc.locate(path),
                f"{'.'.join(str(p) for p in path)}: no party has id {value!r}"
                f"{did_you_mean(value, ids) or '; parties are ' + ', '.join(ids)}",
                field=".".join(str(p) for p in path),
            ))

    for ref in _PARTY_REFERENCES:
        items = data.get(ref[0])
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            if len(ref) == 2:
                check(item.get(ref[1]), (ref[0], i, ref[1]))
            elif isinstance(item.get(ref[1]), list):
                for j, sub in enumerate(item[ref[1]]):
                    if isinstance(sub, dict):
                        check(sub.get(ref[2]), (ref[0], i, ref[1], j, ref[2]))
    if problems:
        raise problems[0] if len(problems) == 1 else InputErrors(problems)


def validate_deal_document(doc: Document) -> Deal:
    """Validate a parsed deal document: party references, schema version, then the model."""
    if not isinstance(doc.data, dict):
        raise DealFileError(doc.locate(()), "a deal file must be a mapping (schema_version, id, title, parties, ...)")
    version = doc.data.get("schema_version")
    if version is not None and version != 1:
        raise DealFileError(doc.locate(("schema_version",)),
                            f"unsupported schema_version {version!r}; this version of antitrust reads 1")
    _check_party_references(doc)
    return validate_document(Deal, doc, DealFileError)


def load_deal(path: str | Path, *, verify_sources: bool = False) -> Deal:
    """Read and validate one deal file; optionally check its sources against seeds/."""
    try:
        doc = load(path)
    except InputError as exc:
        raise DealFileError(exc.location, exc.message) from None
    deal = validate_deal_document(doc)
    if verify_sources:
        seeds = find_seeds(Path(path))
        if seeds is not None:
            problems = check_sources(doc, seeds)
            if problems:
                raise problems[0] if len(problems) == 1 else InputErrors(problems)
    return deal


def parse_deal(text: str, path: str = "<deal>") -> Deal:
    """Validate a deal given as YAML or JSON text (``path`` is only used in messages)."""
    try:
        doc = parse_text(text, path)
    except InputError as exc:
        raise DealFileError(exc.location, exc.message) from None
    return validate_deal_document(doc)
