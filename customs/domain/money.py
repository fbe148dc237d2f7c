"""Money as Decimal made from strings, quantized per currency; never float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

import iso4217


@cache
def currency_exponent(code: str) -> int | None:
    """Minor-unit digits of an ISO 4217 currency, or None when the code is not a currency."""
    try:
        exponent = iso4217.Currency(code).exponent
    except ValueError:
        return None
    return 2 if exponent is None else exponent


def is_currency(code: str) -> bool:
    return currency_exponent(code) is not None


def parse_decimal(text: str) -> Decimal:
    """Parse an XSD decimal lexical form; raises ValueError (never returns a float)."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal: {text!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not a finite decimal: {text!r}")
    return value


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: str | Decimal, currency: str) -> Money:
        value = amount if isinstance(amount, Decimal) else parse_decimal(amount)
        return cls(value, currency)

    def quantized(self) -> Money:
        exponent = currency_exponent(self.currency)
        digits = 2 if exponent is None else exponent
        step = Decimal(1).scaleb(-digits)
        return Money(self.amount.quantize(step, rounding=ROUND_HALF_UP), self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def decimal_text(value: Decimal) -> str:
    """Canonical text for storage and JSON: plain notation, no exponent. (`str` is the same
    text whenever it has no exponent, at a third of the cost of `format`.)"""
    text = str(value)
    return format(value, "f") if "E" in text else text
