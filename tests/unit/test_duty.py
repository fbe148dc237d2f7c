"""Duty estimates: every rule period and threshold, the weight minimum, dates, conversion."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from customs.adapters.reference.files import load_duty_rules, parse_rates
from customs.domain.duty import EstimateStatus, Rate, RateTable
from customs.domain.duty_estimate import estimate_duty
from customs.domain.errors import ReferenceDataError
from customs.domain.money import Money

RULES = load_duty_rules()
OLD = date(2026, 6, 30)  # last day of the 2019 EAEU rule
NEW = date(2026, 7, 1)  # first day of the 2026 EAEU rule


def rates_on(day: date, eur_rub: str = "100", usd_rub: str = "80") -> RateTable:
    return RateTable([Rate(day, "EUR", "RUB", Decimal(eur_rub)),
                      Rate(day, "USD", "RUB", Decimal(usd_rub))])


def ru(value: str, weight: str, day: date, currency: str = "EUR",
       rates: RateTable | None = None, hs: tuple[str, ...] = ("6109100000",)):
    return estimate_duty(country="RU", day=day, value=Money.of(value, currency),
                         gross_weight=Decimal(weight), hs_codes=hs, rules=RULES,
                         rates=rates or rates_on(day))


@pytest.mark.parametrize(("value", "weight", "rub"), [
    ("199.99", "30.999", "0.00"),  # below both thresholds
    ("200.00", "31.000", "0.00"),  # exactly at both: still duty-free (≤)
    ("200.01", "31.000", "0.15"),  # 15 % of EUR 0.01 = 0.0015 EUR = 0.15 RUB
    ("300.00", "10.000", "1500.00"),  # 15 % of EUR 100 = EUR 15
    ("100.00", "40.000", "1800.00"),  # weight alone: EUR 2 × 9 kg = EUR 18
    ("300.00", "40.000", "1800.00"),  # both over: max(EUR 15, EUR 18) = weight minimum wins
    ("400.00", "35.000", "3000.00"),  # both over: max(EUR 30, EUR 8) = value wins
    ("150.00", "31.001", "0.20"),  # 1 g over: EUR 2 × 0.001 kg = EUR 0.002 = 0.20 RUB
])
def test_eaeu_until_2026_06_30(value, weight, rub):
    estimate = ru(value, weight, OLD)
    assert estimate.status is EstimateStatus.ESTIMATED
    assert estimate.rule_id == "eaeu-ecommerce-2019"
    assert estimate.period == "2020-01-01..2026-06-30"
    assert estimate.amount == Money(Decimal(rub), "RUB")


@pytest.mark.parametrize(("value", "weight", "rub"), [
    ("199.99", "30.000", "0.00"),  # below the threshold
    ("200.00", "31.000", "0.00"),  # at it
    ("200.01", "1.000", "1000.05"),  # 5 % of the WHOLE EUR 200.01 = EUR 10.0005
    ("1000.00", "2.000", "5000.00"),  # 5 % of EUR 1000 = EUR 50 (more than EUR 1 × 2 kg)
    ("100.00", "40.000", "4000.00"),  # weight over: max(EUR 5, EUR 1 × 40 kg) = EUR 40
    ("210.00", "20.000", "2000.00"),  # max(EUR 10.50, EUR 1 × 20 kg): weight minimum wins
])
def test_eaeu_from_2026_07_01(value, weight, rub):
    estimate = ru(value, weight, NEW)
    assert estimate.status is EstimateStatus.ESTIMATED
    assert estimate.rule_id == "eaeu-ecommerce-2026"
    assert estimate.amount == Money(Decimal(rub), "RUB")


def test_the_boundary_day_chooses_the_rule():
    assert ru("300", "1", OLD).amount == Money(Decimal("1500.00"), "RUB")  # 15 % of 100
    assert ru("300", "1", NEW).amount == Money(Decimal("1500.00"), "RUB")  # 5 % of 300
    assert ru("250", "1", OLD).amount == Money(Decimal("750.00"), "RUB")  # 15 % of 50
    assert ru("250", "1", NEW).amount == Money(Decimal("1250.00"), "RUB")  # 5 % of 250
    assert ru("250", "1", OLD).rule_id != ru("250", "1", NEW).rule_id


def test_conversion_across_the_rouble_as_the_cbr_quotes():
    # USD 300 at 80 RUB/USD = 24,000 RUB = EUR 240 at 100 RUB/EUR: 15 % of EUR 40 = EUR 6
    estimate = ru("300", "1", OLD, currency="USD")
    assert estimate.amount == Money(Decimal("600.00"), "RUB")
    assert estimate.basis["value_in_rule_currency"] == "240.0000"
    assert "1 USD = 80 RUB" in estimate.basis["rates"]
    # the same value just under the threshold once converted: USD 250 = EUR 200
    assert ru("250", "1", OLD, currency="USD").amount == Money(Decimal("0.00"), "RUB")


def test_rounding_is_half_up_to_the_kopeck_on_the_final_amount_only():
    # EUR 200.03 → 15 % of 0.03 = 0.0045 EUR × 100 = 0.45 RUB exactly
    assert ru("200.03", "1", OLD).amount == Money(Decimal("0.45"), "RUB")
    # rate 91.2345: 15 % of EUR 100 = EUR 15 × 91.2345 = 1368.5175 → 1368.52
    estimate = ru("300", "1", OLD, rates=rates_on(OLD, eur_rub="91.2345"))
    assert estimate.amount == Money(Decimal("1368.52"), "RUB")


def test_missing_rates_are_said_never_a_zero():
    estimate = ru("100", "1", OLD, currency="USD", rates=RateTable([]))
    assert estimate.status is EstimateStatus.RATES_MISSING
    assert estimate.amount is None
    assert "USD->EUR" in estimate.reason and "EUR->RUB" in estimate.reason


def test_rates_older_than_the_allowed_age_are_not_used():
    stale = RateTable([Rate(OLD - timedelta(days=8), "EUR", "RUB", Decimal("100"))],
                      max_age=timedelta(days=7))
    assert ru("300", "1", OLD, rates=stale).status is EstimateStatus.RATES_MISSING
    fresh = RateTable([Rate(OLD - timedelta(days=7), "EUR", "RUB", Decimal("100"))],
                      max_age=timedelta(days=7))
    assert ru("300", "1", OLD, rates=fresh).status is EstimateStatus.ESTIMATED
    future = RateTable([Rate(OLD + timedelta(days=1), "EUR", "RUB", Decimal("100"))])
    assert ru("300", "1", OLD, rates=future).status is EstimateStatus.RATES_MISSING


def test_the_latest_rate_on_or_before_the_day_is_used():
    table = RateTable([Rate(OLD - timedelta(days=2), "EUR", "RUB", Decimal("90")),
                       Rate(OLD - timedelta(days=1), "EUR", "RUB", Decimal("100"))])
    assert ru("300", "1", OLD, rates=table).amount == Money(Decimal("1500.00"), "RUB")


def eu(value: str, day: date, hs: tuple[str, ...]):
    return estimate_duty(country="DE", day=day, value=Money.of(value, "EUR"),
                         gross_weight=Decimal("1"), hs_codes=hs, rules=RULES, rates=RateTable())


def test_eu_h7_until_2026_06_30_and_flat_per_subheading_after():
    assert eu("150.00", OLD, ("610910",)).amount == Money(Decimal("0.00"), "EUR")
    above = eu("150.01", OLD, ("610910",))
    assert above.status is EstimateStatus.NOT_ESTIMABLE and "tariff" in above.reason
    # from 2026-07-01: EUR 3 per distinct 6-digit subheading (two items share 610910)
    flat = eu("20.00", NEW, ("6109100010", "6109100090", "420212"))
    assert flat.amount == Money(Decimal("6.00"), "EUR")
    assert flat.rule_id == "eu-flat-3"


def test_us_and_china():
    us = estimate_duty(country="US", day=NEW, value=Money.of("10", "USD"),
                       gross_weight=Decimal("1"), hs_codes=("6109100012",), rules=RULES,
                       rates=RateTable())
    assert us.status is EstimateStatus.NOT_ESTIMABLE and us.amount is None
    cn = estimate_duty(country="CN", day=NEW, value=Money.of("1000", "CNY"),
                       gross_weight=Decimal("1"), hs_codes=("6109100012",), rules=RULES,
                       rates=RateTable())
    assert cn.amount == Money(Decimal("91.00"), "CNY")
    over = estimate_duty(country="CN", day=NEW, value=Money.of("5000.01", "CNY"),
                         gross_weight=Decimal("1"), hs_codes=("6109100012",), rules=RULES,
                         rates=RateTable())
    assert over.status is EstimateStatus.NOT_ESTIMABLE


def test_no_rule_is_said():
    none = estimate_duty(country="JP", day=NEW, value=Money.of("10", "JPY"),
                         gross_weight=Decimal("1"), hs_codes=(), rules=RULES, rates=RateTable())
    assert none.status is EstimateStatus.NO_RULE and none.amount is None


def test_rates_csv_is_checked():
    good = parse_rates("date,currency,base,rate\n2026-12-01,EUR,RUB,92.1234\n")
    assert good == [Rate(date(2026, 12, 1), "EUR", "RUB", Decimal("92.1234"))]
    for bad in ("date,currency,rate\n", "date,currency,base,rate\n2026-13-01,EUR,RUB,1\n",
                "date,currency,base,rate\n2026-12-01,EUR,QQQ,1\n",
                "date,currency,base,rate\n2026-12-01,EUR,RUB,-1\n",
                "date,currency,base,rate\n2026-12-01,EUR,RUB,1e400000\n",
                "date,currency,base,rate\n2026-12-01,EUR,EUR,1\n"):
        with pytest.raises(ReferenceDataError):
            parse_rates(bad)


def test_intake_stores_an_estimate_on_each_accepted_parcel_only():
    import itertools
    from datetime import UTC, datetime

    from customs.adapters.documents.manifest_reader import XmlManifestReader
    from customs.adapters.reference.files import load_destination_rules
    from customs.services.intake import DutyContext, SubmitManifest, submit_manifest
    from tests.manifests import item, manifest, parcel
    from tests.unit.fakes import FakeUnitOfWork

    class Clock:
        def now(self) -> datetime:
            return datetime(2026, 6, 30, 23, 0, tzinfo=UTC)  # the last day of the 2019 rule

    uow = FakeUnitOfWork()
    uow.state.rates[(OLD, "EUR", "RUB")] = Rate(OLD, "EUR", "RUB", Decimal("100"))
    ids = itertools.count(1)
    body = manifest(parcel(value="300.00", gross="1.000"),
                    parcel("RR123456799CN", items=[item(hs="1")]))
    submit_manifest(SubmitManifest(1, "k", body, "marketplace:acme"), uow=uow,
                    reader=XmlManifestReader(), rules=load_destination_rules(), clock=Clock(),
                    new_id=lambda: f"id-{next(ids)}", duty=DutyContext(RULES))
    accepted, rejected = uow.state.parcels
    assert accepted["estimate"].amount == Money(Decimal("1500.00"), "RUB")
    assert accepted["estimate"].rule_id == "eaeu-ecommerce-2019"
    assert rejected["estimate"] is None
