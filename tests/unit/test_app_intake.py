"""Intake through the composition root (app.intake), on fakes: what a marketplace's POST
and GETs run, without HTTP or a database."""

from __future__ import annotations

import pytest

from customs.domain.errors import IdempotencyConflict, NotFound
from customs.services.intake import SubmitManifest
from customs.usecases import Application
from tests.manifests import item, manifest, parcel
from tests.unit.conftest import Harness

TENANT = 1


def submit(app: Application, body: bytes, key: str = "k-1", tenant: int = TENANT):  # type: ignore[no-untyped-def]
    return app.intake.submit_manifest(SubmitManifest(tenant, key, body, "marketplace:acme"))


def test_accepted_manifest_is_stored_and_read_back_as_its_view(harness: Harness) -> None:
    app = harness.app
    receipt = submit(app, manifest(parcel(), parcel("RR123456799CN")))
    assert not receipt.replayed
    assert (receipt.body["accepted"], receipt.body["rejected"]) == (2, 0)
    view = app.intake.get_manifest(TENANT, receipt.manifest_id)
    assert (view.id, view.ref, view.parcels, view.accepted, view.rejected) == (
        receipt.manifest_id, "M-2026-0001", 2, 2, 0)
    assert view.destination.to_json() == {"country": "RU", "customs_office": "10005020"}
    assert view.received_at == harness.clock.now().isoformat()
    document = app.intake.get_manifest_document(TENANT, receipt.manifest_id)
    assert view.document_size == len(document.content)
    assert document.content.startswith(b"<?xml") and document.media_type == "application/xml"


def test_rejected_parcel_is_listed_with_its_violations(app: Application) -> None:
    body = manifest(parcel(), parcel("RR123456799CN", items=[item(hs="1")]))
    receipt = submit(app, body)
    assert (receipt.body["accepted"], receipt.body["rejected"]) == (1, 1)
    page = app.intake.list_manifest_parcels(TENANT, receipt.manifest_id, status=None, after=0,
                                            limit=10)
    assert [(p.position, p.tracking_number, p.status) for p in page.items] == [
        (1, "RR123456785CN", "VALIDATED"), (2, "RR123456799CN", "REJECTED")]
    assert page.next_after is None
    good, bad = page.items
    assert good.violations == [] and good.courier == "CDEK"
    assert good.declared_value is not None and good.declared_value.to_json() == {
        "amount": "12.50", "currency": "EUR"}
    assert bad.violations[0]["code"] == "SCHEMA_VIOLATION"
    rejected = app.intake.list_manifest_parcels(TENANT, receipt.manifest_id, status="REJECTED",
                                                after=0, limit=10)
    assert [p.position for p in rejected.items] == [2]


def test_pages_follow_the_manifest_order(app: Application) -> None:
    numbers = ["RR123456785CN", "RR123456799CN", "RR123456808CN"]
    receipt = submit(app, manifest(*(parcel(n) for n in numbers)))
    assert receipt.body["accepted"] == 3
    first = app.intake.list_manifest_parcels(TENANT, receipt.manifest_id, status=None, after=0,
                                             limit=2)
    assert [p.tracking_number for p in first.items] == numbers[:2] and first.next_after == 2
    rest = app.intake.list_manifest_parcels(TENANT, receipt.manifest_id, status=None,
                                            after=first.next_after, limit=2)
    assert [p.tracking_number for p in rest.items] == numbers[2:] and rest.next_after is None


def test_same_key_and_body_replays_without_a_second_manifest(harness: Harness) -> None:
    body = manifest(parcel())
    first = submit(harness.app, body)
    again = submit(harness.app, body)
    assert again.replayed and again.body == first.body
    assert again.manifest_id == first.manifest_id
    assert len(harness.state.manifests) == 1 and len(harness.state.parcels) == 1


def test_same_key_other_body_is_a_conflict_and_stores_nothing(harness: Harness) -> None:
    submit(harness.app, manifest(parcel()))
    with pytest.raises(IdempotencyConflict):
        submit(harness.app, manifest(parcel("RR123456799CN")))
    assert len(harness.state.manifests) == 1


def test_an_open_parcel_blocks_its_number_in_the_next_manifest(app: Application) -> None:
    submit(app, manifest(parcel()), key="a")
    second = submit(app, manifest(parcel(), ref="M-2026-0002"), key="b")
    assert (second.body["accepted"], second.body["rejected"]) == (0, 1)
    assert second.body["rejections"][0]["violations"][0]["code"] == "TRACKING_DUPLICATE_OPEN"


def test_another_tenant_cannot_read_the_manifest(app: Application) -> None:
    receipt = submit(app, manifest(parcel()))
    for read in (app.intake.get_manifest, app.intake.get_manifest_document):
        with pytest.raises(NotFound):  # not found and not yours look alike
            read(TENANT + 1, receipt.manifest_id)
    with pytest.raises(NotFound):
        app.intake.list_manifest_parcels(TENANT + 1, receipt.manifest_id, status=None, after=0,
                                         limit=10)


def test_with_a_signer_accepted_parcels_are_declared_at_intake(signed_harness) -> None:  # type: ignore[no-untyped-def]
    harness = signed_harness()
    app = harness.app
    assert app.outbound.can_sign
    body = manifest(parcel(), parcel("RR123456799CN", items=[item(hs="1")]))
    receipt = submit(app, body)
    page = app.intake.list_manifest_parcels(TENANT, receipt.manifest_id, status=None, after=0,
                                            limit=10)
    assert [p.status for p in page.items] == ["DECLARED", "REJECTED"]
    declared = harness.state.parcels[0]
    signed = declared["declaration"].signed
    assert signed is not None and b"Signature" in signed.document
    assert [s for s, _ in declared["history"]] == ["RECEIVED", "VALIDATED", "DECLARED"]
    assert app.outbound.declare_pending().declared == 0  # nothing left VALIDATED


def test_past_the_inline_cap_the_rest_are_declared_right_after(signed_harness) -> None:  # type: ignore[no-untyped-def]
    harness = signed_harness(declare_inline_max=1)
    numbers = ["RR123456785CN", "RR123456799CN", "RR123456808CN"]
    receipt = submit(harness.app, manifest(*(parcel(n) for n in numbers)))
    assert receipt.body["accepted"] == 3
    assert [p["status"] for p in harness.state.parcels] == ["DECLARED"] * 3
    ids = {p["declaration"].declaration_id for p in harness.state.parcels}
    assert len(ids) == 3  # one declaration each, none made twice
