"""Numbers as the engine receives them: the fast paths give exactly what the general rule gives."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antitrust.factbase import engine_number


def reference(x: float) -> float | int:
    """The general rule: integral values as ints, others rounded to 6 places, and no exponent form
    (durable_rules rejects '1e-05' and '2e+16')."""
    if math.isnan(x) or math.isinf(x):
        raise ValueError("not a finite number")
    if float(x).is_integer() and abs(x) < 2**53:
        return int(x)
    rounded = round(x, 6)
    if "e" in repr(rounded):
        return round(x) if abs(x) >= 1 else 0
    return rounded


@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**60), 2**60))
def test_fast_paths_agree_with_the_general_rule(x: float) -> None:
    got, want = engine_number(x), reference(x)
    assert got == want and type(got) is type(want) and repr(got) == repr(want)


@pytest.mark.parametrize("x", [1e-4, 9.99999e-5, 1.00000049e-4, 123.4567891, 999999999999999.9, 1e15 + 0.5, -0.00012,
                               2.0**53, 1e16 + 2.0, 0.5e-6, -3.0])
def test_boundaries(x: float) -> None:
    assert repr(engine_number(x)) == repr(reference(x))
    assert "e" not in repr(engine_number(x))


@pytest.mark.parametrize("x", [math.nan, math.inf, -math.inf])
def test_not_finite_is_refused(x: float) -> None:
    with pytest.raises(ValueError, match="not a finite number"):
        engine_number(x)
