"""A fast path for reading YAML: libyaml's parser (through PyYAML), ruamel's meaning of every value.

ruamel.yaml's parser is pure Python: about 6 microseconds a byte, so 460 KB of rules took
2.8 s of CPU before any check could run, and the whole rulebook about a second. libyaml parses
the same text into events some twenty times faster. Every event is turned into data here with
ruamel's own resolver and constructor (YAML 1.2: ``yes`` is text, ``0o17`` is 15, dates stay
text), and every position is libyaml's mark of the same token, so the result is the data and the
positions that :func:`antitrust.yamlio._parse` gets from ruamel.

Only plain documents take this path. Anything else returns None and ruamel reads the text as
before, so every message about a bad file still comes from one parser: a parse error, anchors
and aliases, tags, directives, a key that is not a scalar or that repeats, a second document,
nesting near the limit, more values than the limit, a character the checks refuse, tabs, and
line separators that YAML 1.1 and 1.2 read differently. Without libyaml, nothing takes this path.
tests/test_yamlfast.py holds both paths to the same result on every file of the repository and
on generated documents.
"""

from __future__ import annotations

import importlib
import re
from functools import cache, lru_cache
from typing import Any

from antitrust.yamlio import MAX_DEPTH, MAX_NODES, PathKey, _Budget, _leaf, _scalar_text, _yaml

#: Characters that YAML 1.1 (libyaml) reads as line breaks and YAML 1.2 (ruamel) does not, and
#: tabs, whose place in indentation and around plain scalars the two parsers judge differently.
_TROUBLE = ("\x85", "\u2028", "\u2029", "\t")


#: An explicit key (``? key``): the parsers place such keys differently.
_EXPLICIT_KEY = re.compile(r"(?:^|[\s\[{,])\?(?:\s|$)")


class _Fallback(Exception):
    """The text needs ruamel: something this path does not read the same way, or an error."""


@cache
def _machinery() -> tuple[Any, Any, Any] | None:
    """(PyYAML, its libyaml loader, a function from plain-scalar text to ruamel's value)."""
    try:
        yaml = importlib.import_module("yaml")
        loader = yaml.CSafeLoader
    except (ImportError, AttributeError):
        return None
    from ruamel.yaml.nodes import ScalarNode

    ruamel = _yaml()
    resolver, constructor = ruamel.resolver, ruamel.constructor

    @lru_cache(maxsize=8192)
    def plain(value: str) -> Any:
        tag = resolver.resolve(ScalarNode, value, (True, False))
        return constructor.construct_non_recursive_object(ScalarNode(tag, value))

    return yaml, loader, plain


def fast_parse(text: str, path: str) -> tuple[Any, dict[PathKey, tuple[int, int]]] | None:
    """(data, positions) as :func:`antitrust.yamlio._parse` would give them, or None to use ruamel."""
    if any(ch in text for ch in _TROUBLE) or _EXPLICIT_KEY.search(text):
        return None
    machinery = _machinery()
    if machinery is None:
        return None
    try:
        return _read(text, path, *machinery)
    except Exception:  # noqa: BLE001 - any doubt at all: ruamel reads the text and reports
        return None


def _read(text: str, path: str, yaml: Any, loader: Any, plain: Any) -> tuple[Any, dict[PathKey, tuple[int, int]]]:
    ev = yaml.events
    positions: dict[PathKey, tuple[int, int]] = {(): (1, 1)}
    budget = _Budget(path)
    # Each open collection: [its data, its path, the key waiting for its value (mappings)].
    stack: list[list[Any]] = []
    root: list[Any] = []
    documents = 0
    values = 0
    block_from = -1  # where the last block scalar (| or >) began
    for event in yaml.parse(text, Loader=loader):
        kind = type(event)
        if block_from >= 0:
            # A '#' in or right after a block scalar: the parsers disagree on what is a comment.
            if "#" in text[block_from:event.start_mark.index]:
                raise _Fallback
            block_from = -1
        if kind is ev.StreamStartEvent or kind is ev.StreamEndEvent or kind is ev.DocumentEndEvent:
            continue
        if kind is ev.DocumentStartEvent:
            documents += 1
            if documents > 1 or event.version is not None or event.tags:
                raise _Fallback
            continue
        if kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
            frame = stack.pop()
            if frame[2] is not None:
                raise _Fallback
            continue
        if kind is ev.AliasEvent or event.anchor is not None or event.tag is not None:
            raise _Fallback
        mark = (event.start_mark.line + 1, event.start_mark.column + 1)
        top = stack[-1] if stack else None
        if top is not None and isinstance(top[0], dict) and top[2] is None:  # a key
            if kind is not ev.ScalarEvent:
                raise _Fallback
            key = _scalar(event, plain)
            if isinstance(key, dict | list):
                raise _Fallback
            k = _scalar_text(str(key), top[1], positions, budget)
            if k in top[0]:
                raise _Fallback
            top[2] = k
            positions[(*top[1], k)] = mark
            continue
        values += 1
        if values > MAX_NODES or len(stack) >= MAX_DEPTH - 2:
            raise _Fallback
        if top is None:
            where: PathKey = ()
        elif isinstance(top[0], dict):
            where = (*top[1], top[2])
        else:
            where = (*top[1], len(top[0]))
            positions[where] = mark
        budget.spend(positions, where)
        if kind is ev.ScalarEvent:
            if event.style in ("|", ">"):
                block_from = event.start_mark.index
            value = _leaf(_scalar(event, plain), where, positions, budget)
        elif kind is ev.MappingStartEvent:
            value = {}
        elif kind is ev.SequenceStartEvent:
            value = []
        else:
            raise _Fallback
        if top is None:
            root.append(value)
        elif isinstance(top[0], dict):
            top[0][top[2]] = value
            top[2] = None
        else:
            top[0].append(value)
        if isinstance(value, dict | list):
            stack.append([value, where, None])
    if documents != 1 or len(root) != 1 or stack:
        raise _Fallback
    return root[0], positions


def _scalar(event: Any, plain: Any) -> Any:
    """A scalar event's value as ruamel constructs it: plain scalars resolved by YAML 1.2 rules,
    quoted and block scalars as text."""
    if event.style in ("", None) and event.implicit[0]:
        return plain(event.value)
    return event.value
