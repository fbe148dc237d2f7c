"""Duty and tax estimates at intake: dated duty rules (data, never constants) and dated rates.

An estimate says what the destination's authority will most likely charge for one parcel, so the
marketplace can collect it at checkout. It is never a silent zero: a parcel whose rule needs an
exchange rate that was not loaded gets `RATES_MISSING`, a destination without a rule in the data
gets `NO_RULE`, and a rule whose charge depends on data we do not hold (full tariff rates) gets
`NOT_ESTIMABLE`, each with its reason.

Rounding (docs/duty.md): values are converted with the full precision of the loaded rates and
the charge is computed exactly; only the final amount is rounded, half up, to the minor unit of
the settlement currency, as the FTS rounds customs payments (to the kopeck) and as the EU and
GACC round (to the cent / fen).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from customs.domain.money import Money, currency_exponent, decimal_text

ZERO = Decimal(0)


class Method(StrEnum):
    EXCESS = "excess"  # rate × (value − threshold), at least per_kg × (weight − weight threshold)
    WHOLE = "whole"  # rate × whole value, at least per_kg × whole weight, above the thresholds
    PER_SUBHEADING = "per-subheading"  # flat amount per distinct 6-digit HS subheading
    FREE_UP_TO = "free-up-to"  # nothing up to the threshold; above it, tariff rates we lack
    TARIFF = "tariff"  # always tariff rates we do not hold: not estimable
    RATE_UP_TO = "rate-up-to"  # rate × whole value up to the threshold; above, not estimable


class EstimateStatus(StrEnum):
    ESTIMATED = "ESTIMATED"
    RATES_MISSING = "RATES_MISSING"
    NO_RULE = "NO_RULE"
    NOT_ESTIMABLE = "NOT_ESTIMABLE"


@dataclass(frozen=True, slots=True)
class DutyRule:
    id: str
    countries: frozenset[str]
    valid_from: date
    valid_to: date | None
    method: Method
    currency: str  # the currency the rule's amounts are written in (EUR, CNY, ...)
    settlement_currency: str  # what the authority charges in (RUB, EUR, ...)
    source: str = ""
    value_threshold: Decimal | None = None
    weight_threshold: Decimal | None = None  # kg
    rate: Decimal = ZERO
    min_per_kg: Decimal = ZERO
    flat_amount: Decimal = ZERO
    # The regime's limits per buyer, in `currency` (China 9610: per transaction, per year).
    transaction_limit: Decimal | None = None
    annual_limit: Decimal | None = None

    def applies(self, country: str, day: date) -> bool:
        if country not in self.countries or day < self.valid_from:
            return False
        return self.valid_to is None or day <= self.valid_to

    @property
    def period(self) -> str:
        until = self.valid_to.isoformat() if self.valid_to else ""
        return f"{self.valid_from.isoformat()}..{until}"


@dataclass(frozen=True, slots=True)
class DutyRules:
    rules: tuple[DutyRule, ...]
    _by_country: dict[str, tuple[DutyRule, ...]] = field(
        init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        """Each country's rules, newest first (looked up for every parcel of a manifest)."""
        by_country: dict[str, list[DutyRule]] = {}
        for rule in self.rules:
            for country in rule.countries:
                by_country.setdefault(country, []).append(rule)
        object.__setattr__(self, "_by_country", {
            c: tuple(sorted(r, key=lambda rule: rule.valid_from, reverse=True))
            for c, r in by_country.items()})

    def in_force(self, country: str, day: date) -> DutyRule | None:
        """The rule with the latest start among those that apply on `day`."""
        for rule in self._by_country.get(country, ()):
            if rule.applies(country, day):
                return rule
        return None


@dataclass(frozen=True, slots=True)
class Rate:
    """On `day`, one unit of `currency` was worth `rate` units of `base`."""

    day: date
    currency: str
    base: str
    rate: Decimal


@dataclass
class RateTable:
    """Dated rates; a conversion uses the latest rate on or before the day, at most `max_age`
    old, directly, inverted, or across one common base (e.g. USD → RUB → EUR as the CBR does)."""

    rates: Iterable[Rate] = ()
    max_age: timedelta = timedelta(days=7)
    _by_pair: dict[tuple[str, str], list[Rate]] = field(init=False, default_factory=dict)
    _factors: dict[tuple[str, str, date], tuple[Decimal, list[Rate]] | None] = field(
        init=False, default_factory=dict)

    def __post_init__(self) -> None:
        for rate in self.rates:
            self._by_pair.setdefault((rate.currency, rate.base), []).append(rate)
        for found in self._by_pair.values():
            found.sort(key=lambda r: r.day)

    def _direct(self, src: str, dst: str, day: date) -> tuple[Decimal, list[Rate]] | None:
        for (cur, base), invert in (((src, dst), False), ((dst, src), True)):
            usable = [r for r in self._by_pair.get((cur, base), [])
                      if day - self.max_age <= r.day <= day]
            if usable:
                rate = usable[-1]
                return (1 / rate.rate if invert else rate.rate), [rate]
        return None

    def factor(self, src: str, dst: str, day: date) -> tuple[Decimal, list[Rate]] | None:
        """Multiply an amount in `src` by the factor to get `dst`; None when no rate is known."""
        key = (src, dst, day)
        if key not in self._factors:  # one lookup per pair and day, not per parcel
            self._factors[key] = self._factor(src, dst, day)
        return self._factors[key]

    def _factor(self, src: str, dst: str, day: date) -> tuple[Decimal, list[Rate]] | None:
        if src == dst:
            return Decimal(1), []
        direct = self._direct(src, dst, day)
        if direct is not None:
            return direct
        pivots = sorted({b for (_, b) in self._by_pair} | {c for (c, _) in self._by_pair})
        for pivot in pivots:
            first, second = self._direct(src, pivot, day), self._direct(pivot, dst, day)
            if first is not None and second is not None:
                return first[0] * second[0], first[1] + second[1]
        return None


@dataclass(frozen=True, slots=True)
class Estimate:
    status: EstimateStatus
    reason: str
    rule_id: str | None = None
    period: str | None = None
    amount: Money | None = None  # in the settlement currency, rounded
    basis: Mapping[str, str] = field(default_factory=dict)

    def to_document(self) -> dict[str, object]:
        return {
            "status": self.status.value, "reason": self.reason, "rule": self.rule_id,
            "period": self.period,
            "amount": None if self.amount is None else decimal_text(self.amount.amount),
            "currency": None if self.amount is None else self.amount.currency,
            "basis": dict(self.basis),
        }


def round_as_authority(amount: Decimal, currency: str) -> Money:
    digits = currency_exponent(currency)
    step = Decimal(1).scaleb(-(2 if digits is None else digits))
    return Money(amount.quantize(step, rounding=ROUND_HALF_UP), currency)
