"""submit_manifest, the real service, against fakes: no database, no HTTP."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from customs.adapters.documents.manifest_reader import XmlManifestReader
from customs.adapters.reference.files import load_destination_rules
from customs.domain.errors import IdempotencyConflict, ManifestRefused
from customs.services.intake import MAX_ATTEMPTS, SubmitManifest, submit_manifest
from customs.services.ports import ConcurrentWrite
from tests.manifests import item, manifest, parcel
from tests.unit.fakes import FakeUnitOfWork

RULES = load_destination_rules()
READER = XmlManifestReader()


class Clock:
    def now(self) -> datetime:
        return datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def submit(uow: FakeUnitOfWork, body: bytes, key: str = "k", tenant: int = 1):  # type: ignore[no-untyped-def]
    ids = itertools.count(1)
    return submit_manifest(SubmitManifest(tenant, key, body, "marketplace:acme"), uow=uow,
                           reader=READER, rules=RULES, clock=Clock(),
                           new_id=lambda: f"m-{next(ids)}-{key}-{tenant}")


def test_all_valid_manifest_is_stored_with_counts():
    uow = FakeUnitOfWork()
    receipt = submit(uow, manifest(parcel(), parcel("RR123456799CN")))
    assert (receipt.body["accepted"], receipt.body["rejected"]) == (2, 0)
    assert [p["status"] for p in uow.state.parcels] == ["VALIDATED", "VALIDATED"]
    assert uow.state.parcels[0]["history"][0][0] == "RECEIVED"
    assert len(uow.state.manifests) == 1


def test_rejection_carries_position_tracking_line_and_violations():
    uow = FakeUnitOfWork()
    body = manifest(parcel(), parcel("RR123456799CN", items=[item(hs="1")]))
    [rejection] = submit(uow, body).body["rejections"]
    assert rejection["position"] == 2
    assert rejection["tracking_number"] == "RR123456799CN"
    assert rejection["line"] > 1
    assert rejection["violations"][0]["code"] == "SCHEMA_VIOLATION"


def test_same_key_same_body_replays():
    uow = FakeUnitOfWork()
    body = manifest(parcel())
    first = submit(uow, body)
    again = submit(uow, body)
    assert again.replayed and again.body == first.body
    assert len(uow.state.manifests) == 1


def test_same_key_other_body_conflicts():
    uow = FakeUnitOfWork()
    submit(uow, manifest(parcel()))
    with pytest.raises(IdempotencyConflict):
        submit(uow, manifest(parcel("RR123456799CN")))


def test_every_occurrence_of_a_duplicate_is_rejected():
    uow = FakeUnitOfWork()
    body = manifest(parcel(), parcel("RR123456799CN"), parcel())
    receipt = submit(uow, body)
    codes = {r["position"]: {v["code"] for v in r["violations"]}
             for r in receipt.body["rejections"]}
    assert codes == {1: {"TRACKING_DUPLICATE_IN_MANIFEST"}, 3: {"TRACKING_DUPLICATE_IN_MANIFEST"}}


def test_open_parcel_of_the_same_tenant_blocks_the_number():
    uow = FakeUnitOfWork()
    submit(uow, manifest(parcel()), key="a")
    second = submit(uow, manifest(parcel()), key="b")
    assert second.body["rejections"][0]["violations"][0]["code"] == "TRACKING_DUPLICATE_OPEN"
    other_tenant = submit(uow, manifest(parcel()), key="c", tenant=2)
    assert other_tenant.body["accepted"] == 1


def test_a_final_parcel_frees_the_number():
    uow = FakeUnitOfWork()
    submit(uow, manifest(parcel(gross="0.010")), key="a")  # rejected: net > gross
    assert submit(uow, manifest(parcel()), key="b").body["accepted"] == 1


def test_a_lost_race_is_retried_then_given_up():
    uow = FakeUnitOfWork(fail_commits=1)
    assert submit(uow, manifest(parcel())).body["accepted"] == 1
    stubborn = FakeUnitOfWork(fail_commits=MAX_ATTEMPTS)
    with pytest.raises(ConcurrentWrite):
        submit(stubborn, manifest(parcel()))
    assert stubborn.state.manifests == {}


@pytest.mark.parametrize(("body", "code"), [
    (manifest(parcel(country="XX"), country="XX"), "MANIFEST_DESTINATION_UNKNOWN"),
    (manifest(parcel(), transport="<Transport><Mode>air</Mode><MasterWaybill>784-12345670"
                                  "</MasterWaybill></Transport>"),
     "MANIFEST_WAYBILL_CHECK_DIGIT"),
    (b"<nope/>", "MANIFEST_WRONG_ROOT"),
])
def test_refused_manifest_stores_nothing(body, code):
    uow = FakeUnitOfWork()
    with pytest.raises(ManifestRefused) as refused:
        submit(uow, body)
    assert refused.value.code == code
    assert uow.state.manifests == {} and uow.state.parcels == []


def test_nomenclature_rule_applies_only_when_loaded():
    uow = FakeUnitOfWork()
    body = manifest(parcel(items=[item(hs="7777770000")]))
    assert submit(uow, body, key="a").body["accepted"] == 1
    uow = FakeUnitOfWork()
    uow.state.codes = frozenset({"392690"})
    rejected = submit(uow, body, key="b").body["rejections"][0]
    assert rejected["violations"][0]["code"] == "HS_CODE_UNKNOWN"
