"""Use case step: the regime's limits per buyer at intake (customs.domain.buyer_limits), with
the buyers' parcels accepted earlier this calendar year read through the parcel repository."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from customs.domain.buyer_limits import check_limits, has_limits, spent
from customs.domain.duty import DutyRules, RateTable
from customs.domain.model import ManifestHeader, ParcelOutcome
from customs.domain.money import Money
from customs.services.unit_of_work import UnitOfWork


def check_buyer_limits(tenant_id: int, header: ManifestHeader, outcomes: list[ParcelOutcome],
                       now: datetime, rules: DutyRules, rates: RateTable,
                       reads: UnitOfWork) -> None:
    """The regime's limits per buyer (customs.domain.buyer_limits), with the buyers' parcels
    accepted earlier this calendar year."""
    rule = rules.in_force(header.destination_country, now.date())
    if rule is None or not has_limits(rule):
        return

    def into(money: Money, currency: str) -> Decimal | None:
        found = rates.factor(money.currency, currency, now.date())
        return None if found is None else money.amount * found[0]

    numbers = sorted({pid.value for o in outcomes if o.accepted and o.parcel is not None
                      and (pid := o.parcel.recipient.personal_id) is not None})
    earlier = []
    if numbers and rule.annual_limit is not None:
        with reads:
            earlier = reads.parcels.buyer_spending(
                tenant_id, header.destination_country, now.replace(
                    month=1, day=1, hour=0, minute=0, second=0, microsecond=0), numbers)
    check_limits(outcomes, rule, into, spent(earlier, rule.currency, into))
