"""Load deal files from disk (YAML or JSON) into validated :class:`~antitrust.deal.Deal` objects."""

from __future__ import annotations

from pathlib import Path

from antitrust.deal import Deal
from antitrust.errors import DealFileError, InputError, InputErrors
from antitrust.sources import check_sources, find_seeds
from antitrust.validation import validate_document
from antitrust.yamlio import Document, load, parse_text


def _validate(doc: Document) -> Deal:
    if not isinstance(doc.data, dict):
        raise DealFileError(doc.locate(()), "a deal file must be a mapping (schema_version, id, title, parties, ...)")
    version = doc.data.get("schema_version")
    if version is not None and version != 1:
        raise DealFileError(doc.locate(("schema_version",)),
                            f"unsupported schema_version {version!r}; this version of antitrust reads 1")
    return validate_document(Deal, doc, DealFileError)


def load_deal(path: str | Path, *, verify_sources: bool = False) -> Deal:
    """Read and validate one deal file; optionally check its sources against seeds/."""
    try:
        doc = load(path)
    except InputError as exc:
        raise DealFileError(exc.location, exc.message) from None
    deal = _validate(doc)
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
    return _validate(doc)
