"""Reason templates: the text of a rule's ``reason:`` and of text fields it derives.

A template is literal text with references in braces, ``{stake.equity_after}`` or
``{param.de.gwb37.capital_low}``; ``{{`` and ``}}`` stand for braces. A reference is a dotted
name and nothing else: no format specification, no conversion (``!r``), no indexing, no
attribute beyond the name itself. Templates are parsed by this grammar when the rulebook is
loaded, on every path, and rendered by it: nothing in a template ever reaches Python's own
formatting, so no template can read an object's internals or the environment.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

#: A reference: lower-case dotted names (fact and field, or param and the parameter's name).
_NAME = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*")


class TemplateError(ValueError):
    """A template outside the grammar; ``col`` is the 0-based offset of the problem."""

    def __init__(self, message: str, col: int) -> None:
        self.col = col
        super().__init__(message)


@dataclass(frozen=True)
class Reference:
    name: str
    col: int

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.name.split("."))


Piece = str | Reference


@lru_cache(maxsize=4096)
def parse(template: str) -> tuple[Piece, ...]:
    """Literal text and references, in order; raises :class:`TemplateError` outside the grammar.

    Cached per template (the result is immutable): loading a rulebook and checking it read the
    same templates several times, and a report renders each of them again."""
    out: list[Piece] = []
    text: list[str] = []
    i, n = 0, len(template)
    while i < n:
        ch = template[i]
        if ch == "}":
            if template.startswith("}}", i):
                text.append("}")
                i += 2
                continue
            raise TemplateError("a single '}' outside a reference; write '}}' for a brace", i)
        if ch != "{":
            text.append(ch)
            i += 1
            continue
        if template.startswith("{{", i):
            text.append("{")
            i += 2
            continue
        end = template.find("}", i + 1)
        if end < 0:
            raise TemplateError("'{' without a closing '}'", i)
        inner = template[i + 1:end]
        if not _NAME.fullmatch(inner):
            raise TemplateError(f"{{{inner}}} is not a reference: write a fact's field ({{stake.equity_after}}) "
                                "or a parameter ({param.name}); no formatting, indexing or other attributes", i)
        if text:
            out.append("".join(text))
            text = []
        out.append(Reference(inner, i))
        i = end + 1
    if text:
        out.append("".join(text))
    return tuple(out)


def names(template: str) -> list[str]:
    """The references of a template (raises :class:`TemplateError` outside the grammar)."""
    return [p.name for p in parse(template) if isinstance(p, Reference)]


def render(template: str, resolve: Callable[[tuple[str, ...]], str]) -> str:
    """The template with each reference replaced by ``resolve(parts)``."""
    return "".join(p if isinstance(p, str) else str(resolve(p.parts)) for p in parse(template))
