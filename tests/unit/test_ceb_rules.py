"""The cn-ceb rules in the domain: the GACC's returnStatus codes on our lifecycle, and the
regime's limits per buyer (dated amounts from the duty rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from customs.adapters.reference.files import load_duty_rules
from customs.domain.buyer_limits import check_limits, key_of, spent
from customs.domain.decisions import CEB_DECISION_STATUS, Decision
from customs.domain.lifecycle import ParcelStatus as S
from customs.domain.lifecycle import can_move
from customs.domain.model import (
    Address,
    Item,
    Parcel,
    ParcelOutcome,
    PersonalId,
    Recipient,
    Seller,
)
from customs.domain.money import Money

RULE = load_duty_rules().in_force("CN", date(2026, 11, 23))


def ceb(code: str) -> Decision:
    return Decision("d", "t", f"CEB:{code}")


@pytest.mark.parametrize(("code", "current", "steps"), [
    ("800", S.ACKNOWLEDGED, (S.RELEASED,)), ("899", S.ACKNOWLEDGED, (S.RELEASED,)),
    ("100", S.SUBMITTED, (S.REFUSED,)), ("300", S.ACKNOWLEDGED, (S.HELD,)),
    ("500", S.HELD, (S.HELD,)), ("501", S.ACKNOWLEDGED, (S.HELD,)),
    ("700", S.HELD, (S.REFUSED, S.RETURNED)), ("700", S.REFUSED, (S.RETURNED,)),
    ("120", S.ACKNOWLEDGED, ()), ("399", S.HELD, ()), ("2", S.SUBMITTED, ()),
])
def test_each_return_status_has_its_place_on_the_lifecycle(code, current, steps):
    decision = ceb(code)
    assert decision.known and decision.steps(current) == steps
    assert all(can_move(a, b) for a, b in zip((current, *steps), steps, strict=False))


def test_a_code_the_definition_does_not_list_is_unknown():
    assert not ceb("-1").known and not ceb("600").known
    assert set(CEB_DECISION_STATUS) >= {f"CEB:{c}" for c in (
        "1", "2", "3", "4", "100", "120", "300", "399", "500", "501", "502", "503", "599",
        "700", "800", "899")}


def buyer_parcel(value: str, number: str = "110101199001010000",
                 currency: str = "CNY") -> ParcelOutcome:
    item = Item("Honey", "0409000000", "RU", Decimal(1), "PCE", Decimal(1),
                Money(Decimal(value), currency))
    parcel = Parcel("RR1", "CHINAPOST", Seller("S", "RU", "https://s.example.ru"),
                    Recipient("B", Address("L", "C", "100000", "CN"),
                              personal_id=PersonalId("national-id", number)),
                    Decimal(2), Money(Decimal(value), currency), (item,))
    return ParcelOutcome(1, "RR1", 1, parcel)


TO_CNY = {"CNY": Decimal(1), "EUR": Decimal("7.8")}


def cny(money: Money, currency: str) -> Decimal | None:
    rate = TO_CNY.get(money.currency)
    return None if rate is None else money.amount * rate


def test_the_limits_are_dated_data_of_the_duty_rules():
    assert RULE is not None and RULE.id == "cn-9610"
    assert (RULE.transaction_limit, RULE.annual_limit, RULE.currency) == (
        Decimal(5000), Decimal(26000), "CNY")


def test_a_parcel_over_the_transaction_limit_is_rejected_in_the_rules_currency():
    over, within, euros, unknown = (buyer_parcel("5000.01"), buyer_parcel("5000"),
                                    buyer_parcel("650", currency="EUR"),
                                    buyer_parcel("9999", currency="USD"))
    check_limits([over, within, euros, unknown], RULE, cny, {})
    assert [v.code for v in over.violations] == ["BUYER_TRANSACTION_LIMIT"]
    assert [v.code for v in euros.violations] == ["BUYER_TRANSACTION_LIMIT"]  # CNY 5,070
    assert within.violations == [] and unknown.violations == []  # no rate: not checked


def test_the_annual_limit_counts_earlier_parcels_and_the_manifests_own_in_order():
    key = key_of("national-id", "1101 0119 9001 010000")
    earlier = spent([(key, Money(Decimal(20000), "CNY")), ("other", Money(Decimal(1), "XXX"))],
                    "CNY", cny)
    assert earlier == {key: Decimal(20000)}
    first, second, other = (buyer_parcel("4000"), buyer_parcel("4000"),
                            buyer_parcel("4000", number="110101199001010011"))
    check_limits([first, second, other], RULE, cny, earlier)
    assert (first.violations, other.violations) == ([], [])
    assert [v.code for v in second.violations] == ["BUYER_ANNUAL_LIMIT"]
    assert "28000.00 CNY" in second.violations[0].message
