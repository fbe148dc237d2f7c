"""Decimal text: always plain notation (never an exponent), whatever the value's form."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customs.domain.money import decimal_text


@pytest.mark.parametrize(("value", "text"), [
    ("12.50", "12.50"), ("1E+2", "100"), ("1e-7", "0.0000001"), ("0.000001", "0.000001"),
    ("-0", "-0"), ("0E-10", "0.0000000000"), ("5E3", "5000"), ("-3.140", "-3.140")])
def test_plain_notation(value: str, text: str) -> None:
    assert decimal_text(Decimal(value)) == text


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_same_as_fixed_point_format(value: Decimal) -> None:
    assert decimal_text(value) == format(value, "f")
