"""Destination rules held as dated data: which rule applies to a destination on a given day."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from customs.domain.legs import LegRules


@dataclass(frozen=True, slots=True)
class DestinationRule:
    id: str
    countries: frozenset[str]
    valid_from: date
    valid_to: date | None
    source: str
    require_personal_id: bool = False
    require_product_url: bool = False
    min_hs_digits: int = 6
    ioss_required_up_to: Decimal | None = None
    ioss_threshold_currency: str = "EUR"

    def applies(self, country: str, day: date) -> bool:
        if country not in self.countries or day < self.valid_from:
            return False
        return self.valid_to is None or day <= self.valid_to


@dataclass(frozen=True, slots=True)
class DestinationRules:
    rules: tuple[DestinationRule, ...]
    # which parcels are exported at their origin first
    legs: LegRules = field(default_factory=LegRules)

    def in_force(self, country: str, day: date) -> tuple[DestinationRule, ...]:
        return tuple(rule for rule in self.rules if rule.applies(country, day))


@dataclass(frozen=True, slots=True)
class Requirements:
    """What the rules in force ask of one parcel, folded together."""

    personal_id: bool = False
    product_url: bool = False
    min_hs_digits: int = 6
    ioss_up_to: Decimal | None = None
    ioss_currency: str = "EUR"

    @classmethod
    def fold(cls, rules: Iterable[DestinationRule]) -> Requirements:
        req = cls()
        for rule in rules:
            req = cls(
                personal_id=req.personal_id or rule.require_personal_id,
                product_url=req.product_url or rule.require_product_url,
                min_hs_digits=max(req.min_hs_digits, rule.min_hs_digits),
                ioss_up_to=rule.ioss_required_up_to or req.ioss_up_to,
                ioss_currency=rule.ioss_threshold_currency
                if rule.ioss_required_up_to is not None
                else req.ioss_currency,
            )
        return req
