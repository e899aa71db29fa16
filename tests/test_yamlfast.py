"""The libyaml fast path reads exactly what ruamel reads: the same data, types and positions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antitrust import yamlio
from antitrust.yamlfast import fast_parse

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(p for d in ("cases", "rules", "seeds", "tests") for p in (ROOT / d).rglob("*")
               if p.suffix in {".yaml", ".yml", ".json"} and p.is_file())


def ruamel(text: str, path: str) -> yamlio.Document | None:
    """What the ruamel path alone makes of ``text`` (None: it refuses it)."""
    try:
        return yamlio._parse_ruamel(text, path)
    except yamlio.InputError:
        return None


def agree(text: str, path: str) -> bool:
    """True when the fast path took ``text``; it must then agree with ruamel in every detail."""
    fast = fast_parse(text, path)
    if fast is None:
        return False
    slow = ruamel(text, path)
    assert slow is not None, f"{path}: the fast path read what ruamel refuses"
    assert repr(fast[0]) == repr(slow.data)  # repr: 1 and 1.0 and True differ
    assert fast[1] == slow.positions
    return True


def test_the_repository_files_read_the_same_and_deals_and_rules_take_the_fast_path() -> None:
    taken = set()
    for f in FILES:
        text = f.read_text(encoding="utf-8", errors="replace").removeprefix("\ufeff")
        if agree(text, str(f)):
            taken.add(f)
    assert len(FILES) > 100
    assert {f for f in FILES if f.is_relative_to(ROOT / "cases") or f.is_relative_to(ROOT / "rules")} <= taken


@pytest.mark.parametrize(("text", "value"), [
    ("a: yes", "yes"), ("a: 0o17", 15), ("a: 0x1F", 31), ("a: 1_000", 1000), ("a: 014", 14), ("a: 1e3", 1000.0),
    ("a: .inf", float("inf")), ("a: 2025-02-30", "2025-02-30"), ("a: ~", None), ("a: 'x'", "x"),
    ("a: |\n  x\n  y\n", "x\ny\n"), ("a: >-\n  x\n  y\n", "x y"), ('{"a": 1}', 1), ("a: 12:30", "12:30"),
])
def test_values_mean_what_yaml_1_2_says(text: str, value: Any) -> None:
    fast = fast_parse(text, "t.yaml")
    assert fast is not None and fast[0] == {"a": value}
    assert agree(text, "t.yaml")


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n", "a: !!str 1\n", "%YAML 1.1\n---\na: yes\n", "a: 1\na: 2\n", "? [a]\n: 1\n",
    "a: 1\n---\nb: 2\n", "a: \"\\u0000\"\n", "a: x\x85y\n", "", "a: [", "- [",
])
def test_what_the_fast_path_does_not_read_the_same_goes_to_ruamel(text: str) -> None:
    assert fast_parse(text, "t.yaml") is None


def test_nesting_near_the_limit_goes_to_ruamel_for_its_message() -> None:
    deep = "a: " + "[" * (yamlio.MAX_DEPTH + 1) + "]" * (yamlio.MAX_DEPTH + 1) + "\n"
    assert fast_parse(deep, "t.yaml") is None
    with pytest.raises(yamlio.InputError, match="nested too deeply"):
        yamlio.parse_text(deep, "t.yaml", cache=False)


_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12),
    st.sampled_from(["yes", "no", "on", "0o17", "0x1F", "1_000", "014", "2025-01-01", "12:30", ".inf", "-.nan",
                     "~", "null", "'", '"', "#", ": ", "- x", "[a]", "{b: 1}", "a\nb", " x ", "é", "\t"]),
)
_DATA = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(data=_DATA, style=st.sampled_from(["block", "flow", "json", "json-compact"]))
def test_generated_documents_read_the_same(data: Any, style: str) -> None:
    from io import StringIO

    from ruamel.yaml import YAML

    if style.startswith("json"):
        text = json.dumps(data, indent=None if style == "json-compact" else 2,
                          separators=(",", ":") if style == "json-compact" else None)
    else:
        out = StringIO()
        y = YAML(typ="safe", pure=True)
        y.default_flow_style = style == "flow"
        y.dump(data, out)
        text = out.getvalue()
    agree(text, "t.json" if style.startswith("json") else "t.yaml")


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from([*"{}[]:,-&*!|>'\"# \n\t\\abc019.eE+?%", "é", "\x85"]), max_size=60))
def test_arbitrary_text_reads_the_same_or_goes_to_ruamel(text: str) -> None:
    agree(text, "t.yaml")
