"""Turn pydantic validation errors into one-line messages that point into the user's file."""

from __future__ import annotations

import difflib
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from antitrust.errors import InputError, InputErrors
from antitrust.yamlio import Document

M = TypeVar("M", bound=BaseModel)


def did_you_mean(name: str, candidates: typing.Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` when a close match exists, else ``""``."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _model_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The pydantic model class that holds the field at ``loc`` (for listing allowed keys)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return current
        current = _innermost_model(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _innermost_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _innermost_model(arg)
        if found is not None:
            return found
    return None


def _clean_loc(loc: tuple[str | int, ...], data: Any, missing: bool) -> tuple[str | int, ...]:
    """Keep the parts of pydantic's ``loc`` that are real keys in the user's data.

    pydantic inserts validator and type labels ("function-before[...]", "Money", "str") into
    ``loc``; walking the data tells them apart from the user's own keys. The last part of a
    "missing" error names a field that is, by definition, not in the data.
    """
    out: list[str | int] = []
    current = data
    for i, part in enumerate(loc):
        if (isinstance(current, dict) and part in current) or (
            isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        ):
            out.append(part)
            current = current[part]  # type: ignore[index]
        elif missing and i == len(loc) - 1 and isinstance(part, str):
            out.append(part)
    return tuple(out)


def _message(model: type[BaseModel], err: Any, loc: tuple[str | int, ...]) -> str:
    dotted = ".".join(str(p) for p in loc) or "(top level)"
    kind = err["type"]
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        allowed = sorted(owner.model_fields) if owner else []
        hint = did_you_mean(str(loc[-1]), allowed)
        listing = f"; allowed here: {', '.join(allowed)}" if allowed and not hint else ""
        return f"unknown field {dotted!r}{hint}{listing}"
    if kind == "missing":
        return f"missing required field {dotted!r}"
    msg = str(err["msg"])
    msg = msg.removeprefix("Value error, ")
    if kind == "literal_error":
        msg = msg.replace("Input should be", "expected")
    elif msg.startswith("Input should be"):
        msg = "expected " + msg.removeprefix("Input should be ").rstrip(".")
    got = err.get("input")
    shown = f" (got {got!r})" if got is not None and not isinstance(got, dict | list) else ""
    return f"{dotted}: {msg}{shown}"


def validate_document(model: type[M], doc: Document, error: type[InputError]) -> M:
    """Validate ``doc.data`` against ``model``; raise every problem with its file position."""
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        seen: set[str] = set()
        problems: list[InputError] = []
        for err in exc.errors():
            loc = _clean_loc(tuple(err["loc"]), doc.data, err["type"] == "missing")
            message = _message(model, err, loc)
            if message in seen:  # a union reports the same problem once per branch
                continue
            seen.add(message)
            field = ".".join(str(p) for p in loc) or None
            problems.append(error(doc.locate(loc), message, field=field))
        if len(problems) == 1:
            raise problems[0] from None
        raise InputErrors(problems) from None
