"""The inputs of a screen, read as a stream: every deal in JSONL and CSV files, directories of deal
files and single deal files, one :class:`Item` at a time (see docs/screening.md). Nothing is
parsed or validated here; a worker does that with each item (:mod:`antitrust.screening`)."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from antitrust.csvdeals import check_columns
from antitrust.errors import AntitrustError

JSONL_SUFFIXES = (".jsonl", ".ndjson")
DEAL_SUFFIXES = (".yaml", ".yml", ".json")

#: (source, row): how a deal is identified in the output (row is the line number in JSONL, the
#: record number in CSV, 0 for a deal file of its own).
Key = tuple[str, int]


@dataclass(frozen=True)
class Item:
    """One deal to screen, as read: where it stands and its raw text, row or file."""

    source: str
    row: int
    kind: str  # "json" (a JSONL line), "csv" (a row: column -> cell), "file" (a deal file)
    payload: Any

    @property
    def key(self) -> Key:
        return (self.source, self.row)


class ScreenInputError(AntitrustError):
    """An input cannot be read at all (not one bad row: the file itself)."""


def input_kind(path: Path) -> str:
    """'dir', 'jsonl', 'csv' or 'file' (one deal file); raises for anything else."""
    if path.is_dir():
        return "dir"
    if not path.exists():
        raise ScreenInputError(f"{path}: file not found")
    name = path.name.lower()
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(DEAL_SUFFIXES):
        return "file"
    raise ScreenInputError(f"{path}: unknown kind of input; expected a directory, *.jsonl, *.ndjson, *.csv, "
                           "or a deal file (*.yaml, *.yml, *.json)")


def _deal_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*")
                  if p.is_file() and p.name.lower().endswith(DEAL_SUFFIXES)
                  and not p.name.lower().endswith((".tests.yaml", ".tests.yml", ".tests.json"))
                  and not any(part.startswith(".") for part in p.relative_to(directory).parts))


def read_items(paths: Iterable[Path]) -> Iterator[Item]:
    """Every deal in ``paths``, lazily: one line, row or file at a time."""
    for path in paths:
        kind = input_kind(path)
        if kind == "dir":
            for p in _deal_files(path):
                yield Item(str(p), 0, "file", str(p))
        elif kind == "file":
            yield Item(str(path), 0, "file", str(path))
        elif kind == "jsonl":
            yield from _jsonl_items(path)
        else:
            yield from _csv_items(path)


def canonical_source(source: str) -> str:
    """The resolved form of an input's name, so two spellings of one file key the same records."""
    try:
        return os.path.realpath(source)
    except (OSError, ValueError):
        return source


def _open_text(path: Path) -> Any:
    try:
        # utf-8-sig: spreadsheet programs often start a UTF-8 CSV with a byte-order mark.
        return path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ScreenInputError(f"{path}: cannot read ({exc.strerror})") from None


def _jsonl_items(path: Path) -> Iterator[Item]:
    row = 0
    with _open_text(path) as fh:
        try:
            for row, line in enumerate(fh, start=1):
                if line.strip():
                    yield Item(str(path), row, "json", line)
        except UnicodeDecodeError as exc:
            # The deals read so far are screened; the rest of the file cannot be read.
            yield Item(str(path), row + 1, "error", f"{path}:{row + 1}: not UTF-8 text ({exc.reason}); "
                       "the rest of the file was not read")


def _csv_items(path: Path) -> Iterator[Item]:
    with _open_text(path) as fh:
        try:
            number = 0
            _raise_field_limit()
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                return
            header = [h.strip() for h in header]
            problems = check_columns(header)
            if problems:
                raise ScreenInputError(f"{path}:1: " + "; ".join(problems))
            for number, cells in enumerate(reader, start=1):
                if not any(c.strip() for c in cells):
                    continue
                # The record number counts data rows (the header is row 0); the line number of
                # the row in the file is reader.line_num, which differs when cells span lines.
                yield Item(str(path), number, "csv", (header, cells, reader.line_num))
        except (UnicodeDecodeError, csv.Error) as exc:
            # The rows read so far are screened; the rest of the file cannot be read reliably.
            what = f"not UTF-8 text ({exc.reason})" if isinstance(exc, UnicodeDecodeError) else f"malformed CSV ({exc})"
            yield Item(str(path), number + 1, "error", f"{path}:{reader.line_num}: {what}; "
                       "the rest of the file was not read")


def _raise_field_limit() -> None:
    """Let a CSV cell be as large as any input may be (the csv module stops at 128 KB)."""
    from antitrust.yamlio import max_input_bytes

    csv.field_size_limit(max(csv.field_size_limit(), max_input_bytes()))


def count_items(paths: Iterable[Path]) -> int | None:
    """How many deals ``paths`` hold, for the progress bar (None when it cannot be told cheaply)."""
    total = 0
    for path in paths:
        try:
            kind = input_kind(path)
        except ScreenInputError:
            return None
        if kind == "dir":
            total += len(_deal_files(path))
        elif kind == "file":
            total += 1
        else:
            try:
                with path.open("rb") as fh:
                    lines = sum(1 for line in fh if line.strip())
            except OSError:
                return None
            total += lines - (1 if kind == "csv" and lines else 0)
    return total
