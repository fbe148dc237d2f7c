"""Identifier checks: UPU S10 tracking numbers and IATA air waybills."""

from __future__ import annotations

import re

S10_SHAPE = re.compile(r"^[A-Z]{2}([0-9]{8})([0-9])([A-Z]{2})$")
AWB_SHAPE = re.compile(r"^([0-9]{3})-?([0-9]{7})([0-9])$")
TRACKING_SHAPE = re.compile(r"^[A-Z0-9-]{1,60}$")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check_digit(serial: str) -> int:
    """Check digit of an 8-digit S10 serial number (UPU S10, weights 8 6 4 2 3 5 9 7, mod 11)."""
    total = sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 10:
        return 0
    if check == 11:
        return 5
    return check


def looks_like_s10(number: str) -> bool:
    return S10_SHAPE.match(number) is not None


def s10_is_valid(number: str) -> bool:
    match = S10_SHAPE.match(number)
    if match is None:
        return False
    return s10_check_digit(match.group(1)) == int(match.group(2))


def looks_like_awb(number: str) -> bool:
    return AWB_SHAPE.match(number) is not None


def awb_is_valid(number: str) -> bool:
    """Air waybill: 3-digit airline prefix, 7-digit serial, check digit = serial mod 7."""
    match = AWB_SHAPE.match(number)
    if match is None:
        return False
    return int(match.group(2)) % 7 == int(match.group(3))
