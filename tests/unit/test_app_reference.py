"""Reference data through the composition root (app.reference), on fakes: rates loaded all or
none, listed back as exact text, and used by intake's duty estimate."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from customs.domain.errors import BadQuery, ReferenceDataError
from customs.services.intake import SubmitManifest
from tests.manifests import manifest, parcel
from tests.unit.conftest import Harness

RATES = "date,currency,base,rate\n2026-11-23,EUR,RUB,98.50\n2026-11-23,USD,RUB,91.2500\n"


def test_loaded_rates_are_listed_back_exactly(harness: Harness) -> None:
    app = harness.app
    assert app.reference.load_rates_text(RATES, actor="operator:test") == 2
    day = date(2026, 11, 23)
    listed = [r.to_json() for r in app.reference.list_rates(day, day)]
    assert listed == [
        {"date": "2026-11-23", "currency": "EUR", "base": "RUB", "rate": "98.50"},
        {"date": "2026-11-23", "currency": "USD", "base": "RUB", "rate": "91.2500"}]
    assert app.reference.list_rates(day + timedelta(days=1), day + timedelta(days=2)) == []


def test_loading_a_day_again_replaces_its_rate(app) -> None:  # type: ignore[no-untyped-def]
    app.reference.load_rates_text(RATES, actor="operator:test")
    app.reference.load_rates_text("date,currency,base,rate\n2026-11-23,EUR,RUB,99\n",
                                  actor="operator:test")
    day = date(2026, 11, 23)
    assert [(r.currency, r.rate) for r in app.reference.list_rates(day, day)] == [
        ("EUR", "99"), ("USD", "91.2500")]


def test_a_bad_file_loads_nothing(harness: Harness) -> None:
    bad = RATES + "2026-11-24,EURO,RUB,1\n"
    with pytest.raises(ReferenceDataError):
        harness.app.reference.load_rates_text(bad, actor="operator:test")
    with pytest.raises(ReferenceDataError):
        harness.app.reference.load_rates_text("day,rate\n", actor="operator:test")
    assert harness.state.rates == {}


def test_a_listing_window_is_bounded(app) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BadQuery):
        app.reference.list_rates(date(2026, 11, 23), date(2026, 11, 22))
    with pytest.raises(BadQuery):
        app.reference.list_rates(date(2025, 1, 1), date(2026, 11, 23))


def test_intake_estimates_duty_with_the_loaded_rates(harness: Harness) -> None:
    submit = SubmitManifest(1, "k", manifest(parcel()), "marketplace:acme")
    harness.app.intake.submit_manifest(submit)
    assert harness.state.parcels[0]["estimate"].status == "RATES_MISSING"
    harness.app.reference.load_rates_text(RATES, actor="operator:test")
    harness.app.intake.submit_manifest(SubmitManifest(2, "k", manifest(parcel()),
                                                      "marketplace:other"))
    estimate = harness.state.parcels[1]["estimate"]
    assert estimate.status == "ESTIMATED" and estimate.amount.amount == 0  # under the threshold
    assert estimate.basis["rates"] == "2026-11-23 1 EUR = 98.50 RUB"
