"""A duty quote: the estimate a basket would get as a parcel, before the parcel exists.

The amount is customs.domain.duty_estimate's, from the same inputs the parcel's estimate takes
(destination, day, the goods' total value, gross weight, HS codes; the same rules and rates),
so a quote equals the estimate of the parcel later declared with the same goods. What a quote
adds is each step written out for a checkout page: the rule in force, the conversion into the
rule's currency and the rates used, the thresholds, the charge, the conversion into the
currency the authority charges in, and the rounding.

The shipping cost is taken and shown, but is not part of the dutiable value: the parcel's
estimate is on its declared value (the goods' value), and the rules in the data are written on
it (docs/duty.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from customs.domain.duty import DutyRule, DutyRules, Estimate, Rate, RateTable
from customs.domain.duty_estimate import estimate_duty, over_thresholds
from customs.domain.money import Money, decimal_text

MAX_ITEMS = 99  # as a manifest's parcel


@dataclass(frozen=True, slots=True)
class BasketItem:
    hs_code: str
    value: Money  # the line's value (as a manifest's Item/Value), not a unit price
    quantity: Decimal
    weight: Decimal  # the line's net weight, kg


@dataclass(frozen=True, slots=True)
class Basket:
    """What a parcel would hold. Every item's value is in one currency, as in a parcel."""

    destination: str
    day: date
    items: tuple[BasketItem, ...]
    gross_weight: Decimal | None = None  # default: the items' weights
    shipping: Money | None = None

    @property
    def value(self) -> Money:
        currency = self.items[0].value.currency
        return Money(sum((i.value.amount for i in self.items), Decimal(0)), currency)

    @property
    def weight(self) -> Decimal:
        if self.gross_weight is not None:
            return self.gross_weight
        return sum((i.weight for i in self.items), Decimal(0))


@dataclass(frozen=True, slots=True)
class Quote:
    basket: Basket
    estimate: Estimate
    steps: tuple[dict[str, Any], ...]

    def to_json(self) -> dict[str, Any]:
        b, e = self.basket, self.estimate
        return {
            "destination": b.destination, "date": b.day.isoformat(),
            "goods_value": _money(b.value), "gross_weight_kg": decimal_text(b.weight),
            "shipping": None if b.shipping is None else _money(b.shipping),
            "shipping_dutiable": False,
            "status": e.status.value, "amount": None if e.amount is None else _money(e.amount),
            "steps": list(self.steps), "estimate": e.to_document()}


def _money(m: Money) -> dict[str, str]:
    return {"amount": decimal_text(m.amount), "currency": m.currency}


def quote(basket: Basket, *, rules: DutyRules, rates: RateTable) -> Quote:
    value, weight = basket.value, basket.weight
    estimate = estimate_duty(country=basket.destination, day=basket.day, value=value,
                             gross_weight=weight, hs_codes=[i.hs_code for i in basket.items],
                             rules=rules, rates=rates)
    rule = rules.in_force(basket.destination, basket.day)
    steps = () if rule is None else tuple(_steps(rule, value, weight, basket.day, rates,
                                                 estimate))
    return Quote(basket, estimate, steps)


def _steps(rule: DutyRule, value: Money, weight: Decimal, day: date, rates: RateTable,
           estimate: Estimate) -> list[dict[str, Any]]:
    """The computation of `estimate_duty`, written out (the amounts are the estimate's)."""
    steps: list[dict[str, Any]] = [{
        "step": "rule", "rule": rule.id, "period": rule.period, "method": rule.method.value,
        "rule_currency": rule.currency, "settlement_currency": rule.settlement_currency,
        "source": rule.source}]
    into_rule = rates.factor(value.currency, rule.currency, day)
    steps.append(_conversion(value.currency, rule.currency, into_rule))
    if into_rule is None:
        return steps
    converted = value.amount * into_rule[0]
    steps.append({
        "step": "thresholds", "value_in_rule_currency": decimal_text(
            converted.quantize(Decimal("0.0001"))),
        "value_threshold": _text(rule.value_threshold), "gross_weight_kg": decimal_text(weight),
        "weight_threshold_kg": _text(rule.weight_threshold),
        "over": over_thresholds(rule, converted, weight)})
    steps.append({
        "step": "charge", "rate": decimal_text(rule.rate),
        "min_per_kg": decimal_text(rule.min_per_kg),
        "flat_amount": decimal_text(rule.flat_amount),
        "formula": estimate.basis.get("formula", estimate.reason),
        "charge_in_rule_currency": estimate.basis.get("charge_in_rule_currency")})
    into_settlement = rates.factor(rule.currency, rule.settlement_currency, day)
    steps.append(_conversion(rule.currency, rule.settlement_currency, into_settlement))
    if estimate.amount is not None:
        steps.append({"step": "rounding", "rounding": "half up, once, to the currency's minor "
                      "unit", "amount": decimal_text(estimate.amount.amount),
                      "currency": estimate.amount.currency})
    return steps


def _conversion(src: str, dst: str,
                found: tuple[Decimal, list[Rate]] | None) -> dict[str, Any]:
    return {"step": "conversion", "from": src, "to": dst,
            "factor": None if found is None else decimal_text(found[0]),
            "rates": [] if found is None else _rates(found[1]),
            "missing": found is None}


def _rates(used: Sequence[Rate]) -> list[dict[str, str]]:
    return [{"date": r.day.isoformat(), "currency": r.currency, "base": r.base,
             "rate": decimal_text(r.rate)} for r in used]


def _text(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(value)
