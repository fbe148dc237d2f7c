"""The SQL status writers are guarded by the lifecycle's table (lifecycle.sources): a move the
table forbids changes nothing and writes no event, even when the caller names the parcel's
current status; a failed batch that fails again leaves its parcels as they were."""

from __future__ import annotations

from datetime import timedelta

from customs.adapters.database.unit_of_work import SqlUnitOfWork
from customs.domain.lifecycle import ParcelStatus as S
from customs.services.intake import SubmitManifest
from tests.manifests import manifest, parcel


def _submit(customs, prefix: str, count: int) -> None:  # type: ignore[no-untyped-def]
    tenant = customs.access.authenticate(customs.access.create_api_key("acme", "marketplace")[1])
    body = manifest(*[parcel(f"{prefix}-{n:03d}") for n in range(count)])
    customs.intake.submit_manifest(SubmitManifest(tenant.tenant_id, prefix, body, "t"))


def _parcels(customs) -> dict[int, str]:  # type: ignore[no-untyped-def]
    with customs.resources.engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT id, status FROM parcels ORDER BY id").all())


def _events(customs) -> list[tuple]:  # type: ignore[no-untyped-def]
    with customs.resources.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(
            "SELECT parcel_id, previous_status, status, source FROM parcel_events "
            "ORDER BY id").all()]


def test_a_move_the_table_forbids_writes_nothing(customs):  # type: ignore[no-untyped-def]
    _submit(customs, "GUARD", 2)
    (first, status), (second, _) = _parcels(customs).items()
    assert status == S.VALIDATED
    before = _events(customs)
    at = customs.clock.now()
    with SqlUnitOfWork(customs.resources.engine) as uow:
        for new in (S.RELEASED, S.ACKNOWLEDGED, S.BATCHED, S.RECEIVED, S.VALIDATED):
            assert not uow.officer.move(first, S.VALIDATED, new, at=at, actor="officer:x",
                                        source="OFFICER", reason="forbidden", duty=None)
        assert uow.officer.move(second, S.VALIDATED, S.CANCELLED, at=at, actor="officer:x",
                                source="OFFICER", reason="allowed", duty=None)
        uow.commit()
    assert _parcels(customs) == {first: S.VALIDATED, second: S.CANCELLED}
    assert _events(customs) == [*before, (second, "VALIDATED", "CANCELLED", "OFFICER")]


def test_a_reopened_batch_that_fails_again_moves_nothing(signed_customs):  # type: ignore[no-untyped-def]
    customs = signed_customs
    _submit(customs, "REFAIL", 3)
    (batch,) = customs.outbound.seal_batches(force=True).sealed
    at = customs.clock.now()
    lease = at + timedelta(minutes=5)
    with SqlUnitOfWork(customs.resources.engine) as uow:
        assert uow.outbox.claim_due(at, lease).id == batch
        assert uow.outbox.failed(batch, at, "HTTP 400", "worker") == 3
        uow.commit()
    failed_once = _events(customs)
    assert customs.outbound.retry_batch(batch)
    with SqlUnitOfWork(customs.resources.engine) as uow:
        assert uow.outbox.claim_due(at, lease).id == batch
        assert uow.outbox.failed(batch, at, "HTTP 400 again", "worker") == 0
        uow.commit()
    assert set(_parcels(customs).values()) == {S.TRANSMISSION_FAILED}
    assert _events(customs) == failed_once  # no TRANSMISSION_FAILED -> TRANSMISSION_FAILED
    assert [e[1:] for e in failed_once if e[3] == "SUBMISSION"] == [
        ("BATCHED", "TRANSMISSION_FAILED", "SUBMISSION")] * 3


def test_a_move_guarded_by_what_was_read_changes_nothing_after_another_move(customs):  # type: ignore[no-untyped-def]
    """Decisions pass the parcel's updated_at as read: a move made since (even one that kept
    the status) makes the later one change nothing (CONCURRENT_CHANGE, never an overwrite)."""
    _submit(customs, "SEEN", 1)
    ((parcel_id, _),) = _parcels(customs).items()
    at = customs.clock.now()

    def move(current: S, new: S, seconds: int, **guard):  # type: ignore[no-untyped-def]
        with SqlUnitOfWork(customs.resources.engine) as uow:
            moved = uow.officer.move(parcel_id, current, new, at=at + timedelta(seconds=seconds),
                                     actor="officer:x", source="OFFICER", reason="r", duty=None,
                                     **guard)
            uow.commit()
        return moved

    with customs.resources.engine.begin() as conn:  # as if submitted and acknowledged
        conn.exec_driver_sql("UPDATE parcels SET status = 'ACKNOWLEDGED'")
    assert move(S.ACKNOWLEDGED, S.HELD, 1)
    with customs.resources.engine.connect() as conn:
        seen = conn.exec_driver_sql("SELECT updated_at FROM parcels").scalar()
    assert move(S.HELD, S.HELD, 2)  # another officer: documents requested, still HELD
    before = _events(customs)
    assert not move(S.HELD, S.RELEASED, 3, unchanged_since=seen)
    assert _events(customs) == before and _parcels(customs)[parcel_id] == S.HELD
