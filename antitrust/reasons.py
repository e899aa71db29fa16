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


#: Where literal text stops: a brace (a reference, or a doubled brace standing for one).
_BRACE = re.compile(r"[{}]")


@lru_cache(maxsize=4096)
def parse(template: str) -> tuple[Piece, ...]:
    """Literal text and references, in order; raises :class:`TemplateError` outside the grammar.

    Cached per template (the result is immutable): loading a rulebook and checking it read the
    same templates several times, and a report renders each of them again."""
    out: list[Piece] = []
    text: list[str] = []
    i, n = 0, len(template)
    while i < n:
        brace = _BRACE.search(template, i)
        if brace is None:
            text.append(template[i:])
            break
        j = brace.start()
        if j > i:
            text.append(template[i:j])
        if template[j] == "}":
            if template.startswith("}}", j):
                text.append("}")
                i = j + 2
                continue
            raise TemplateError("a single '}' outside a reference; write '}}' for a brace", j)
        if template.startswith("{{", j):
            text.append("{")
            i = j + 2
            continue
        end = template.find("}", j + 1)
        if end < 0:
            raise TemplateError("'{' without a closing '}'", j)
        inner = template[j + 1:end]
        if not _NAME.fullmatch(inner):
            raise TemplateError(f"{{{inner}}} is not a reference: write a fact's field ({{stake.equity_after}}) "
                                "or a parameter ({param.name}); no formatting, indexing or other attributes", j)
        if text:
            out.append("".join(text))
            text = []
        out.append(Reference(inner, j))
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
