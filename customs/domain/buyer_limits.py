"""The cross-border e-commerce limits per buyer, checked at intake where the data allows
(China 9610: CNY 5,000 per transaction and CNY 26,000 a year; dated, in the duty rules).

A parcel over the per-transaction limit is rejected. A buyer is known by the kind and number of
the recipient's PersonalId; with the buyer's parcels already accepted this calendar year
(`earlier`) and those before it in the same manifest, a parcel that takes the year's sum over
the annual limit is rejected (the ones before it stay accepted). A parcel whose value cannot be
converted into the rule's currency (no exchange rate) is not checked: the rates are what the
data lacks, and the duty estimate says so."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

from customs.domain.duty import DutyRule
from customs.domain.lifecycle import ParcelStatus
from customs.domain.model import Parcel, ParcelOutcome, Violation
from customs.domain.money import Money

# A parcel in one of these was not bought through the regime: it counts for no limit.
NOT_SPENT = frozenset({ParcelStatus.REJECTED, ParcelStatus.REFUSED, ParcelStatus.RETURNED,
                       ParcelStatus.CANCELLED})
# Converts money into a currency (the day's rates); None when no rate is known.
Into = Callable[[Money, str], Decimal | None]


def key_of(kind: str, number: str) -> str:
    """One buyer, however the number was spaced or cased."""
    return f"{kind}:{''.join(number.split()).upper()}"


def buyer_key(parcel: Parcel) -> str | None:
    pid = parcel.recipient.personal_id
    return None if pid is None else key_of(pid.kind, pid.value)


def has_limits(rule: DutyRule | None) -> bool:
    return rule is not None and (rule.transaction_limit is not None or
                                 rule.annual_limit is not None)


def spent(amounts: Iterable[tuple[str, Money]], currency: str,
          into: Into) -> dict[str, Decimal]:
    """Each buyer's total in `currency` (amounts that cannot be converted are left out)."""
    totals: dict[str, Decimal] = {}
    for key, money in amounts:
        value = into(money, currency)
        if value is not None:
            totals[key] = totals.get(key, Decimal(0)) + value
    return totals


def check_limits(outcomes: Iterable[ParcelOutcome], rule: DutyRule, into: Into,
                 earlier: Mapping[str, Decimal]) -> None:
    """Adds BUYER_TRANSACTION_LIMIT / BUYER_ANNUAL_LIMIT to the accepted parcels over them."""
    running = dict(earlier)
    for outcome in outcomes:
        parcel = outcome.parcel
        if parcel is None or not outcome.accepted:
            continue
        value = into(parcel.declared_value, rule.currency)
        if value is None:
            continue
        base = f"/Manifest/Parcel[{outcome.position}]"
        limit = rule.transaction_limit
        if limit is not None and value > limit:
            outcome.violations.append(Violation(
                "BUYER_TRANSACTION_LIMIT", f"worth {value:.2f} {rule.currency}, above the "
                f"limit of {limit} {rule.currency} per transaction ({rule.id})",
                f"{base}/DeclaredValue", outcome.line, str(parcel.declared_value.amount)))
            continue
        key = buyer_key(parcel)
        if key is None or rule.annual_limit is None:
            continue
        total = running.get(key, Decimal(0)) + value
        if total > rule.annual_limit:
            outcome.violations.append(Violation(
                "BUYER_ANNUAL_LIMIT", f"the buyer's parcels this year would reach "
                f"{total:.2f} {rule.currency}, above the annual limit of {rule.annual_limit} "
                f"{rule.currency} ({rule.id})", f"{base}/Recipient/PersonalId", outcome.line))
        else:
            running[key] = total
