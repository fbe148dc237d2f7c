"""Corrections in the domain: the one move a correction makes, when a parcel awaits one, the
registration number's text, and the change codes a correction declares."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from customs.domain.corrections import (
    RegistrationNumber,
    awaits_correction,
    item_changes,
    parcel_changes,
)
from customs.domain.lifecycle import ParcelStatus as S
from customs.domain.lifecycle import can_move, reachable, sources
from customs.domain.model import Address, Item, Parcel, Recipient, Seller
from customs.domain.money import Money

ITEM = Item("Phone case", "3926909709", "CN", Decimal(1), "PCE", Decimal("0.1"),
            Money(Decimal("12.50"), "EUR"))
PARCEL = Parcel("CDEK-1", "CDEK", Seller("Shop", "CN", "https://shop.example.cn"),
                Recipient("Ivan", Address("Lenina 1", "Moscow", "101000", "RU")),
                Decimal("0.5"), Money(Decimal("12.50"), "EUR"), (ITEM,))


def test_only_a_correction_moves_a_held_parcel_back_to_declared():
    assert not can_move(S.HELD, S.DECLARED)
    assert can_move(S.HELD, S.DECLARED, correction=True)
    assert not can_move(S.ACKNOWLEDGED, S.DECLARED, correction=True)
    assert sources(S.DECLARED) == (S.VALIDATED,)
    assert sources(S.DECLARED, correction=True) == (S.HELD, S.VALIDATED)
    assert not reachable(S.HELD, S.DECLARED)  # no authority decision waits for it


def test_a_parcel_awaits_a_correction_while_held_with_a_request_open():
    assert awaits_correction(S.HELD, True)
    assert not awaits_correction(S.HELD, False)  # held for an inspection (FTS 92)
    assert not awaits_correction(S.DECLARED, True)


def test_the_registration_number_is_written_as_the_fts_writes_it():
    number = RegistrationNumber("10005020", date(2026, 11, 23), "0001234")
    assert str(number) == "10005020/231126/0001234"
    assert RegistrationNumber.parse(str(number)) == number


def test_change_codes_say_what_changed():
    described = replace(PARCEL, items=(replace(ITEM, description="Phone case, permit 7"),))
    assert "".join(parcel_changes("1", PARCEL, described).letters()) == "1100001"
    recoded = replace(PARCEL, items=(replace(ITEM, hs_code="3926909200"),))
    assert "".join(parcel_changes("2", PARCEL, recoded).letters()) == "2101010"
    heavier = replace(PARCEL, gross_weight=Decimal("0.6"))
    assert "".join(parcel_changes("1", PARCEL, heavier).letters()) == "1110000"
    dearer = replace(PARCEL, declared_value=Money(Decimal("13.00"), "EUR"))
    assert "".join(parcel_changes("1", PARCEL, dearer).letters()) == "1100110"
    assert not parcel_changes("1", PARCEL, PARCEL).any
    assert "".join(item_changes("1", None, ITEM).letters()) == "1111110"  # a new item
