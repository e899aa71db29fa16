"""Load deal files from disk (YAML or JSON) into validated :class:`~antitrust.deal.Deal` objects."""

from __future__ import annotations

from pathlib import Path

from antitrust.deal import Deal
from antitrust.errors import DealFileError
from antitrust.validation import validate_document
from antitrust.yamlio import Document, load, parse_text


def _check_document(doc: Document) -> None:
    if not isinstance(doc.data, dict):
        raise DealFileError(doc.locate(()), "a deal file must be a mapping with schema_version, id, parties, ...")
    version = doc.data.get("schema_version")
    if version is not None and version != 1:
        raise DealFileError(
            doc.locate(("schema_version",)),
            f"unsupported schema_version {version!r}; this version of antitrust reads 1",
        )


def load_deal(path: str | Path) -> Deal:
    """Read and validate one deal file."""
    try:
        doc = load(path)
    except DealFileError:
        raise
    except Exception as exc:
        from antitrust.errors import InputError

        if isinstance(exc, InputError):
            raise DealFileError(exc.location, exc.message) from None
        raise
    _check_document(doc)
    return validate_document(Deal, doc, DealFileError)


def parse_deal(text: str, path: str = "<deal>") -> Deal:
    """Validate a deal given as YAML or JSON text (``path`` is used in messages)."""
    doc = parse_text(text, path)
    _check_document(doc)
    return validate_document(Deal, doc, DealFileError)
