"""Every event names the status its parcel left (only a parcel's first, RECEIVED, has none):
SUBMITTED after BATCHED or TRANSMISSION_FAILED, ACKNOWLEDGED after SUBMITTED."""

from __future__ import annotations

from collections import Counter

import pytest

from customs.adapters.database.parcel_events import insert_events
from customs.adapters.database.unit_of_work import SqlUnitOfWork
from customs.services.intake import SubmitManifest
from tests.integration.test_submission import FlakyAuthority
from tests.manifests import manifest, parcel


@pytest.fixture
def batches(signed_customs):  # type: ignore[no-untyped-def]
    tenant = signed_customs.access.authenticate(signed_customs.access.create_api_key("acme",
                                                                                     "marketplace")[1])
    body = manifest(*[parcel(f"PREV-{n:03d}") for n in range(9)])
    signed_customs.intake.submit_manifest(SubmitManifest(tenant.tenant_id, "k", body, "t"))
    signed_customs.settings.batch_size = 3
    sealed = signed_customs.outbound.seal_batches(force=True).sealed
    assert len(sealed) == 3
    return signed_customs, sealed


def _moves(customs, batch_id: str) -> Counter:  # type: ignore[no-untyped-def,type-arg]
    with customs.resources.engine.connect() as conn:
        return Counter(conn.exec_driver_sql(
            "SELECT e.previous_status, e.status FROM parcel_events e "
            "JOIN parcels p ON p.id = e.parcel_id "
            f"WHERE p.batch_id = '{batch_id}' AND e.source = 'SUBMISSION'").all())


def test_submission_events_carry_the_status_left(batches):  # type: ignore[no-untyped-def]
    customs, (first, second, third) = batches
    at = customs.clock.now()
    # a sender holds it: only the sender may fail a batch
    with customs.resources.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE batches SET status = 'SENDING' WHERE id = '{second}'")
    with SqlUnitOfWork(customs.resources.engine) as uow:
        uow.outbox.submitted(first, at, "worker", acknowledged=True)
        uow.outbox.failed(second, at, "HTTP 400", "worker")
        uow.commit()
    with SqlUnitOfWork(customs.resources.engine) as uow:
        uow.outbox.submitted(second, at, "worker")  # after an operator's retry
        uow.commit()
    customs.outbound.submit_batches(FlakyAuthority())  # the real path: the third batch
    assert _moves(customs, first) == {("BATCHED", "SUBMITTED"): 3,
                                      ("SUBMITTED", "ACKNOWLEDGED"): 3}
    assert _moves(customs, second) == {("BATCHED", "TRANSMISSION_FAILED"): 3,
                                       ("TRANSMISSION_FAILED", "SUBMITTED"): 3}
    assert _moves(customs, third) == {("BATCHED", "SUBMITTED"): 3}
    with customs.resources.engine.connect() as conn:
        without = conn.exec_driver_sql(
            "SELECT DISTINCT status FROM parcel_events WHERE previous_status IS NULL").all()
    assert without == [("RECEIVED",)]


def test_an_event_without_its_previous_status_is_refused(batches):  # type: ignore[no-untyped-def]
    customs, _ = batches
    with SqlUnitOfWork(customs.resources.engine) as uow, pytest.raises(ValueError,
                                                                       match="previous status"):
        insert_events(uow.session, [{"parcel_id": 1, "status": "SUBMITTED",
                                     "previous_status": None, "at": customs.clock.now(),
                                     "actor": "worker", "source": "SUBMISSION"}])
