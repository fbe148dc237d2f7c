"""A parcel looked up through the composition root (app.parcels), on fakes: the marketplace
that sent it sees the full view, its courier the delivery view, anyone else nothing."""

from __future__ import annotations

import pytest

from customs.domain.errors import NotFound
from customs.services.intake import SubmitManifest
from customs.services.ports import Principal
from tests.manifests import manifest, parcel
from tests.unit.conftest import Harness

NUMBER = "RR123456785CN"


def sent(harness: Harness) -> None:
    harness.app.access.create_api_key("acme", "marketplace")  # tenant 1
    body = manifest(parcel(NUMBER, courier="CDEK"))
    harness.app.intake.submit_manifest(SubmitManifest(1, "k", body, "marketplace:acme"))


def test_the_marketplace_sees_its_parcel_with_its_history(harness: Harness) -> None:
    sent(harness)
    view = harness.app.parcels.get_parcel(1, NUMBER).to_json()
    assert (view["tracking_number"], view["status"], view["marketplace"]) == (
        NUMBER, "VALIDATED", "acme")
    assert [e["status"] for e in view["history"]] == ["RECEIVED", "VALIDATED"]
    assert view["duty_estimate"]["status"] == "RATES_MISSING"  # no rates were loaded


def test_its_courier_sees_where_to_deliver_and_no_more(harness: Harness) -> None:
    sent(harness)
    courier = Principal("k2", 2, "cdek", "courier", courier="CDEK")
    view = harness.app.parcels.parcel(courier, NUMBER).to_json()
    assert view["deliver_to"]["name"] == "Иван Петров"
    assert "data" not in view and "violations" not in view


def test_other_tenants_and_couriers_see_nothing(harness: Harness) -> None:
    sent(harness)
    with pytest.raises(NotFound):
        harness.app.parcels.get_parcel(2, NUMBER)
    with pytest.raises(NotFound):
        harness.app.parcels.parcel(Principal("k3", 3, "dhl", "courier", courier="DHL"), NUMBER)
    with pytest.raises(NotFound):
        harness.app.parcels.get_parcel(1, "RR000000000CN")
