"""The estimate of one parcel under the duty rule in force (customs.domain.duty)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from customs.domain.duty import (
    ZERO,
    DutyRule,
    DutyRules,
    Estimate,
    EstimateStatus,
    Method,
    Rate,
    RateTable,
    round_as_authority,
)
from customs.domain.money import Money, decimal_text


def estimate_duty(*, country: str, day: date, value: Money, gross_weight: Decimal,
                  hs_codes: Sequence[str], rules: DutyRules, rates: RateTable) -> Estimate:
    rule = rules.in_force(country, day)
    if rule is None:
        return Estimate(EstimateStatus.NO_RULE,
                        f"no duty rule for {country} on {day.isoformat()} in the rule data")
    into_rule = rates.factor(value.currency, rule.currency, day)
    into_settlement = rates.factor(rule.currency, rule.settlement_currency, day)
    missing = [f"{a}->{b}" for (a, b), found in (
        ((value.currency, rule.currency), into_rule),
        ((rule.currency, rule.settlement_currency), into_settlement)) if found is None]
    if into_rule is None or into_settlement is None:
        return Estimate(EstimateStatus.RATES_MISSING,
                        f"no exchange rate {', '.join(missing)} on or before {day.isoformat()} "
                        f"(within {rates.max_age.days} days): load rates, the estimate is "
                        "made again only on request", rule.id, rule.period)
    converted = value.amount * into_rule[0]
    charge, explanation = _charge(rule, converted, gross_weight, hs_codes)
    basis = {"value": decimal_text(value.amount), "value_currency": value.currency,
             "value_in_rule_currency": decimal_text(converted.quantize(Decimal("0.0001"))),
             "rule_currency": rule.currency, "gross_weight_kg": decimal_text(gross_weight),
             "formula": explanation, "rates": "; ".join(_rate_text(r) for r in
                                                        into_rule[1] + into_settlement[1])}
    if charge is None:
        return Estimate(EstimateStatus.NOT_ESTIMABLE, explanation, rule.id, rule.period,
                        basis=basis)
    amount = round_as_authority(charge * into_settlement[0], rule.settlement_currency)
    basis["charge_in_rule_currency"] = decimal_text(charge)
    return Estimate(EstimateStatus.ESTIMATED, "estimated from the rule in force", rule.id,
                    rule.period, amount, basis)


def _rate_text(rate: Rate) -> str:
    return f"{rate.day.isoformat()} 1 {rate.currency} = {decimal_text(rate.rate)} {rate.base}"


def _over(value: Decimal, limit: Decimal | None) -> bool:
    return limit is not None and value > limit


def over_thresholds(rule: DutyRule, value: Decimal, weight: Decimal) -> bool:
    """Above the rule's value or weight threshold (both inclusive: at the threshold is not
    over), the value in the rule's currency."""
    return _over(value, rule.value_threshold) or _over(weight, rule.weight_threshold)


def _charge(rule: DutyRule, value: Decimal, weight: Decimal,
            hs_codes: Sequence[str]) -> tuple[Decimal | None, str]:
    """The charge in the rule's currency (None: not estimable), and how it was reached."""
    over = over_thresholds(rule, value, weight)
    if rule.method is Method.EXCESS:
        if not over:
            return ZERO, "within the duty-free thresholds"
        by_value = rule.rate * max(ZERO, value - (rule.value_threshold or ZERO))
        by_weight = rule.min_per_kg * max(ZERO, weight - (rule.weight_threshold or ZERO))
        return max(by_value, by_weight), (
            f"max({rule.rate} x value above {rule.value_threshold}, "
            f"{rule.min_per_kg}/kg above {rule.weight_threshold} kg)")
    if rule.method is Method.WHOLE:
        if not over:
            return ZERO, "within the duty-free thresholds"
        return max(rule.rate * value, rule.min_per_kg * weight), (
            f"max({rule.rate} x whole value, {rule.min_per_kg}/kg x whole weight)")
    if rule.method is Method.PER_SUBHEADING:
        subheadings = sorted({code[:6] for code in hs_codes})
        return rule.flat_amount * len(subheadings), (
            f"{rule.flat_amount} x {len(subheadings)} distinct HS subheadings")
    if rule.method is Method.FREE_UP_TO:
        if not over:
            return ZERO, f"value within {rule.value_threshold}: no duty"
        return None, f"value above {rule.value_threshold}: tariff rates apply (not held)"
    if rule.method is Method.RATE_UP_TO:
        if over:
            return None, f"value above {rule.value_threshold}: general trade, tariff rates apply"
        return rule.rate * value, f"{rule.rate} x whole value"
    return None, "tariff rates apply (not held in the rule data)"
