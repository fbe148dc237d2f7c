"""POST /v1/quotes: a basket's duty before the parcel exists, equal to the estimate the parcel
gets when it is later declared with the same goods (same rules, rates and rounding)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.contract import assert_conforms
from tests.manifests import item, manifest, parcel

XML = {"Content-Type": "application/xml"}
# The test clock's day is 2026-11-23. The CBR quotes every currency in roubles: EUR -> CNY and
# USD -> EUR go across RUB.
RATES = ("date,currency,base,rate\n2026-11-23,EUR,RUB,100.1234\n2026-11-20,USD,RUB,80.5\n"
         "2026-11-22,CNY,RUB,11.37\n")


@pytest.fixture
def rated(client, customs) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """An operator's key, after it loaded the day's rates."""
    ops = {"Authorization": f"Bearer {customs.access.create_api_key('ops', 'operator')[1]}"}
    loaded = client.put("/v1/rates", data=RATES, headers={**ops, "Content-Type": "text/csv"})
    assert loaded.status_code == 200, loaded.get_json()
    return ops


def _basket(country: str, lines: list[tuple[str, str, str]], currency: str,
            gross: str) -> dict[str, Any]:
    return {"destination": country, "gross_weight": gross,
            "shipping": {"amount": "7.00", "currency": currency},
            "items": [{"hs_code": hs, "value": {"amount": value, "currency": currency},
                       "quantity": "1", "weight": net} for hs, value, net in lines]}


def _parcel_xml(country: str, lines: list[tuple[str, str, str]], currency: str,
                gross: str, tracking: str) -> bytes:
    total = f"{sum(float(v) for _, v, _ in lines):.2f}"
    items = [item(hs=hs, value=value, net=net, currency=currency) for hs, value, net in lines]
    return manifest(parcel(tracking, country=country, currency=currency, value=total,
                           gross=gross, items=items, personal_id=country in ("RU", "CN"),
                           ioss="IM2760000742" if country == "DE" else None), country=country)


CASES = {  # destination, goods (HS, value, net kg), currency, gross weight
    "RU above EUR 200": ("RU", [("8518300000", "180.00", "0.300"),
                                ("3926909709", "70.00", "0.100")], "EUR", "0.500"),
    "RU in USD, within": ("RU", [("8518300000", "199.99", "0.300")], "USD", "0.400"),
    "RU over 31 kg": ("RU", [("9403600000", "150.00", "31.500")], "EUR", "32.000"),
    "DE flat per subheading": ("DE", [("8518300000", "40.00", "0.300"),
                                      ("8518309000", "20.00", "0.100"),
                                      ("3926909709", "10.00", "0.100")], "EUR", "0.600"),
    "CN 9610 in EUR": ("CN", [("8518300000", "120.00", "0.300")], "EUR", "0.400"),
    "US not estimable": ("US", [("8518300000", "30.00", "0.300")], "USD", "0.400"),
}

EXPECTED = {  # status, amount, currency: every rule kind, conversions direct and across RUB
    "RU above EUR 200": ("ESTIMATED", "1251.54", "RUB"),  # 5 % x EUR 250 x 100.1234
    "RU in USD, within": ("ESTIMATED", "0.00", "RUB"),  # USD 199.99 = EUR 160.79
    "RU over 31 kg": ("ESTIMATED", "3203.95", "RUB"),  # max(5 % x 150, 1/kg x 32) = EUR 32
    "DE flat per subheading": ("ESTIMATED", "6.00", "EUR"),  # 851830 twice, 392690
    "CN 9610 in EUR": ("ESTIMATED", "96.16", "CNY"),  # 9.1 % x EUR 120 in CNY across RUB
    "US not estimable": ("NOT_ESTIMABLE", None, None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_quote_equals_the_estimate_of_the_parcel_declared_later(client, auth, rated, case):
    country, lines, currency, gross = CASES[case]
    quoted = client.post("/v1/quotes", json=_basket(country, lines, currency, gross),
                         headers=auth)
    assert quoted.status_code == 200, quoted.get_json()
    assert_conforms(quoted, "/v1/quotes", "post")
    tracking = f"RR{abs(hash(case)) % 10**8:08d}QT"
    receipt = client.post("/v1/manifests", data=_parcel_xml(country, lines, currency, gross,
                                                            tracking),
                          headers={**auth, **XML, "Idempotency-Key": tracking}).get_json()
    assert receipt.get("accepted") == 1, receipt
    estimate = client.get(f"/v1/parcels/{tracking}", headers=auth).get_json()["duty_estimate"]
    assert quoted.get_json()["estimate"] == estimate  # status, amount, rule, every basis line
    assert quoted.get_json()["status"] == estimate["status"] == EXPECTED[case][0]
    assert (estimate["amount"], estimate["currency"]) == EXPECTED[case][1:]


def test_a_quote_shows_every_step_with_the_rates_it_used(client, auth, rated):
    country, lines, currency, gross = CASES["RU above EUR 200"]
    shown = client.post("/v1/quotes", json=_basket(country, lines, currency, gross),
                        headers=auth).get_json()
    assert shown["amount"] == {"amount": "1251.54", "currency": "RUB"}  # 5 % x 250 x 100.1234
    assert shown["goods_value"] == {"amount": "250.00", "currency": "EUR"}
    assert shown["shipping"] == {"amount": "7.00", "currency": "EUR"}
    assert shown["shipping_dutiable"] is False
    steps = {s["step"]: s for s in shown["steps"]}
    assert [s["step"] for s in shown["steps"]] == [
        "rule", "conversion", "thresholds", "charge", "conversion", "rounding"]
    assert steps["rule"]["rule"] == "eaeu-ecommerce-2026"
    assert steps["thresholds"] == {"step": "thresholds", "value_in_rule_currency": "250.0000",
                                   "value_threshold": "200", "gross_weight_kg": "0.500",
                                   "weight_threshold_kg": "31", "over": True}
    assert (steps["charge"]["rate"], steps["charge"]["min_per_kg"]) == ("0.05", "1")
    assert steps["charge"]["charge_in_rule_currency"] == "12.5000"
    settle = shown["steps"][4]
    assert (settle["from"], settle["to"], settle["factor"]) == ("EUR", "RUB", "100.1234")
    assert settle["rates"] == [{"date": "2026-11-23", "currency": "EUR", "base": "RUB",
                                "rate": "100.1234"}]
    assert steps["rounding"]["amount"] == "1251.54"


def test_a_quote_for_another_day_uses_that_days_rule(client, auth, rated):
    basket = {**_basket("RU", [("8518300000", "250.00", "0.300")], "EUR", "0.400"),
              "date": "2026-06-30"}
    shown = client.post("/v1/quotes", json=basket, headers=auth).get_json()
    assert shown["date"] == "2026-06-30" and shown["estimate"]["rule"] == "eaeu-ecommerce-2019"
    assert shown["status"] == "RATES_MISSING"  # no rate within 7 days before that day
    conversions = [s for s in shown["steps"] if s["step"] == "conversion"]
    assert [(c["from"], c["to"], c["missing"]) for c in conversions] == [
        ("EUR", "EUR", False), ("EUR", "RUB", True)]
    assert shown["amount"] is None


def test_quotes_are_for_marketplaces_and_operators(client, rated, customs):
    basket = _basket("RU", [("8518300000", "10.00", "0.100")], "EUR", "0.200")
    assert client.post("/v1/quotes", json=basket, headers=rated).status_code == 200
    for role, extra in (("courier", {"courier": "CDEK"}), ("officer", {"offices": ["10005020"]})):
        key = customs.access.create_api_key("x", role, **extra)[1]
        refused = client.post("/v1/quotes", json=basket, headers={"Authorization": f"Bearer {key}"})
        assert (refused.status_code, refused.get_json()["code"]) == (403, "FORBIDDEN_ROLE")


@pytest.mark.parametrize("change,pointer", [
    ({"destination": "XX"}, "/destination"),
    ({"items": []}, "/items"),
    ({"items": [{"hs_code": "85", "value": {"amount": "1", "currency": "EUR"},
                 "quantity": "1", "weight": "0.1"}]}, "/items/0/hs_code"),
    ({"items": [{"hs_code": "851830", "value": {"amount": 1.5, "currency": "EUR"},
                 "quantity": "1", "weight": "0.1"}]}, "/items/0/value/amount"),
    ({"items": [{"hs_code": "851830", "value": {"amount": "1", "currency": "EUR"},
                 "quantity": "0", "weight": "0.1"}]}, "/items/0/quantity"),
    ({"items": [{"hs_code": "851830", "value": {"amount": "1", "currency": "EUR"},
                 "quantity": "1", "weight": "0.1"},
                {"hs_code": "851830", "value": {"amount": "1", "currency": "USD"},
                 "quantity": "1", "weight": "0.1"}]}, "/items/1/value/currency"),
    ({"gross_weight": "0.010"}, "/gross_weight"),
    ({"date": "23.11.2026"}, "/date"),
    ({"coupon/code": "X"}, "/coupon~1code"),
    ({"items": [{"hs_code": "851830", "value": {"amount": "1", "currency": "EUR"},
                 "quantity": "1", "weight": "0.001"}] * 100}, "/items"),
])
def test_a_bad_basket_names_the_field(client, auth, change, pointer):
    basket = {**_basket("RU", [("8518300000", "10.00", "0.100")], "EUR", "0.200"), **change}
    refused = client.post("/v1/quotes", json=basket, headers=auth)
    assert refused.status_code == 400, refused.get_json()
    assert_conforms(refused, "/v1/quotes", "post")
    assert (refused.get_json()["code"], refused.get_json()["pointer"]) == ("INVALID_QUOTE",
                                                                          pointer)


def test_a_quote_is_json_only(client, auth):
    refused = client.post("/v1/quotes", data="destination=RU", headers={
        **auth, "Content-Type": "application/x-www-form-urlencoded"})
    assert (refused.status_code, refused.get_json()["code"]) == (415, "UNSUPPORTED_MEDIA_TYPE")
