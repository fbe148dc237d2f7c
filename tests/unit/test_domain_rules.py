"""Every business rule, on canonical parcels built directly (no XML)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from customs.adapters.reference.files import load_destination_rules
from customs.domain.lifecycle import ParcelStatus, can_move, is_final
from customs.domain.model import (
    Address,
    Item,
    ManifestHeader,
    Parcel,
    PersonalId,
    Recipient,
    Seller,
)
from customs.domain.money import Money, currency_exponent, parse_decimal
from customs.domain.rules import RuleContext, check_parcel
from customs.domain.tracking import awb_is_valid, s10_check_digit, s10_is_valid

RULES = load_destination_rules()
TODAY = date(2026, 11, 23)


def item(**kw) -> Item:  # type: ignore[no-untyped-def]
    base = Item("Phone case", "3926909709", "CN", Decimal(1), "PCE", Decimal("0.100"),
                Money(Decimal("12.50"), "EUR"), "https://shop.example/p/1")
    return replace(base, **kw)


def a_parcel(**kw) -> Parcel:  # type: ignore[no-untyped-def]
    base = Parcel("RR123456785CN", "CDEK", Seller("Shop", "CN", "https://shop.example"),
                  Recipient("Ivan", Address("Lenina 1", "Moskva", "101000", "RU"),
                            personal_id=PersonalId("passport", "4510 123456")),
                  Decimal("0.500"), Money(Decimal("12.50"), "EUR"), (item(),))
    return replace(base, **kw)


def header(country: str = "RU") -> ManifestHeader:
    return ManifestHeader("M1", datetime(2026, 11, 23, tzinfo=UTC), country, "10005020")


def codes(parcel: Parcel, country: str = "RU", **ctx) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    context = RuleContext(today=ctx.pop("today", TODAY), rules=RULES, **ctx)
    return [(v.code, v.path) for v in check_parcel(parcel, header(country), context,
                                                   "/Manifest/Parcel[1]")]


def test_clean_parcel_has_no_violation():
    assert codes(a_parcel()) == []


def test_s10_check_digit():
    assert s10_is_valid("RR123456785CN") and not s10_is_valid("RR123456786CN")
    assert s10_check_digit("00000000") == 5  # 11 - 0 = 11 -> 5
    assert codes(a_parcel(tracking_number="RR123456786CN")) == [
        ("TRACKING_S10_CHECK_DIGIT", "/Manifest/Parcel[1]/TrackingNumber")]
    assert codes(a_parcel(tracking_number="CDEK-0001")) == []  # not S10-shaped


def test_s10_check_digit_ten_becomes_zero():
    serial = next(f"{n:08d}" for n in range(10**6)
                  if sum(int(d) * w for d, w in zip(f"{n:08d}", (8, 6, 4, 2, 3, 5, 9, 7),
                                                    strict=True)) % 11 == 1)
    assert s10_check_digit(serial) == 0


def test_awb_mod_7():
    assert awb_is_valid("784-12345675") and awb_is_valid("78412345675")
    assert not awb_is_valid("784-12345676")


def test_unknown_countries_and_mismatched_recipient():
    found = codes(a_parcel(seller=Seller("S", "QQ", "https://s"),
                           items=(item(origin_country="ZZ"),)))
    assert ("COUNTRY_UNKNOWN", "/Manifest/Parcel[1]/Seller/Country") in found
    assert ("COUNTRY_UNKNOWN", "/Manifest/Parcel[1]/Item[1]/OriginCountry") in found
    recipient = replace(a_parcel().recipient, address=Address("l", "c", "1", "KZ"))
    assert codes(a_parcel(recipient=recipient)) == [
        ("RECIPIENT_COUNTRY_MISMATCH", "/Manifest/Parcel[1]/Recipient/Address/Country")]


def test_currencies():
    bad = a_parcel(declared_value=Money(Decimal("12.50"), "XYZ"),
                   items=(item(value=Money(Decimal("12.50"), "XYZ")),))
    assert {c for c, _ in codes(bad)} == {"CURRENCY_UNKNOWN"}
    mixed = a_parcel(items=(item(value=Money(Decimal("12.50"), "USD")),))
    assert codes(mixed) == [("CURRENCY_MISMATCH", "/Manifest/Parcel[1]/Item[1]/Value/@currency")]


@pytest.mark.parametrize(("declared", "ok"), [("12.50", True), ("12.51", True), ("12.49", True),
                                              ("12.52", False), ("12.48", False)])
def test_value_tolerance_is_one_cent(declared, ok):
    found = codes(a_parcel(declared_value=Money(Decimal(declared), "EUR")))
    assert (found == []) is ok
    if not ok:
        assert found == [("VALUE_MISMATCH", "/Manifest/Parcel[1]/DeclaredValue")]


def test_net_weight_may_equal_but_not_exceed_gross():
    assert codes(a_parcel(gross_weight=Decimal("0.100"))) == []
    assert codes(a_parcel(gross_weight=Decimal("0.099"))) == [
        ("NET_WEIGHT_EXCEEDS_GROSS", "/Manifest/Parcel[1]/GrossWeight")]


def test_destination_rules_ru_personal_id_and_product_url():
    recipient = replace(a_parcel().recipient, personal_id=None)
    assert codes(a_parcel(recipient=recipient)) == [
        ("PERSONAL_ID_REQUIRED", "/Manifest/Parcel[1]/Recipient/PersonalId")]
    assert codes(a_parcel(items=(item(product_url=None),))) == [
        ("PRODUCT_URL_REQUIRED", "/Manifest/Parcel[1]/Item[1]/ProductUrl")]


def de_parcel(**kw) -> Parcel:  # type: ignore[no-untyped-def]
    recipient = Recipient("Anna", Address("Hauptstr. 1", "Berlin", "10115", "DE"))
    return a_parcel(recipient=recipient, **kw)


def test_eu_ioss_up_to_150_eur():
    assert codes(de_parcel(), "DE") == [("IOSS_REQUIRED", "/Manifest/Parcel[1]/IossNumber")]
    assert codes(de_parcel(ioss_number="IM2760000001"), "DE") == []
    expensive = de_parcel(declared_value=Money(Decimal("150.01"), "EUR"),
                          items=(item(value=Money(Decimal("150.01"), "EUR")),))
    assert codes(expensive, "DE") == []


def test_eu_ioss_in_other_currencies_needs_a_rate():
    usd = de_parcel(declared_value=Money(Decimal("20.00"), "USD"),
                    items=(item(value=Money(Decimal("20.00"), "USD")),))
    assert codes(usd, "DE") == []  # no converter: not judged

    def convert(money: Money, currency: str, _day: date) -> Money:
        return Money(money.amount / Decimal("1.08"), currency)

    assert codes(usd, "DE", convert=convert) == [
        ("IOSS_REQUIRED", "/Manifest/Parcel[1]/IossNumber")]


def test_hs_length_for_us_and_unknown_code_with_nomenclature():
    us = a_parcel(recipient=Recipient("John", Address("1 Main", "Austin", "73301", "US")),
                  items=(item(hs_code="39269097"),))
    assert codes(us, "US") == [("HS_CODE_LENGTH", "/Manifest/Parcel[1]/Item[1]/HSCode")]
    assert codes(a_parcel(), nomenclature=frozenset({"392690"})) == []
    assert codes(a_parcel(), nomenclature=frozenset({"010121"})) == [
        ("HS_CODE_UNKNOWN", "/Manifest/Parcel[1]/Item[1]/HSCode")]


def test_rules_are_dated():
    before_us_rule = date(2025, 8, 28)
    us = a_parcel(recipient=Recipient("John", Address("1 Main", "Austin", "73301", "US")),
                  items=(item(hs_code="39269097"),))
    assert codes(us, "US", today=before_us_rule) == []
    assert [r.id for r in RULES.in_force("FR", TODAY)] == ["eu-ioss-low-value"]
    assert RULES.in_force("FR", date(2021, 6, 30)) == ()


def test_money_never_floats():
    assert parse_decimal(" 12.50 ") == Decimal("12.50")
    for bad in ("NaN", "Infinity", "1,5", ""):
        with pytest.raises(ValueError):
            parse_decimal(bad)
    assert currency_exponent("JPY") == 0 and currency_exponent("KWD") == 3
    assert currency_exponent("XYZ") is None
    assert Money(Decimal("10.005"), "EUR").quantized().amount == Decimal("10.01")
    assert Money(Decimal("10.5"), "JPY").quantized().amount == Decimal("11")


def test_lifecycle_never_leaves_a_final_status():
    assert can_move(ParcelStatus.RECEIVED, ParcelStatus.VALIDATED)
    assert can_move(ParcelStatus.VALIDATED, ParcelStatus.DECLARED)
    assert not can_move(ParcelStatus.DECLARED, ParcelStatus.VALIDATED)
    for final in ParcelStatus:
        if is_final(final):
            assert not any(can_move(final, other) for other in ParcelStatus)
    assert not can_move(ParcelStatus.REFUSED, ParcelStatus.RELEASED)
