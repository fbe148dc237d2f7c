"""Sealing and sending batches through the composition root (app.outbound), on fakes: the
authority's endpoint is the harness's scripted transport, the outbox and batches fake
repositories. The retry tests put batches in the outbox as sealing leaves them; the last test
seals real signed batches from a signed intake."""

from __future__ import annotations

from datetime import timedelta

from customs.services.intake import SubmitManifest
from customs.services.ports import TransportResult
from tests.manifests import manifest, parcel
from tests.unit.conftest import Harness

DOWN = TransportResult(False, 503, None, True, "503 Service Unavailable")
REFUSED = TransportResult(False, 400, b"<bad/>", False, "400 Bad Request")


def seal(harness: Harness, *batch_ids: str) -> None:
    at = harness.clock.now()
    for batch_id in batch_ids:
        harness.state.batches[batch_id] = {
            "message_id": f"msg-{batch_id}", "document": b"<Batch/>", "status": "SEALED",
            "attempts": 0, "next_at": at, "leased_until": at, "parcels": [1, 2]}


def statuses(harness: Harness) -> dict[str, str]:
    return {i: b["status"] for i, b in harness.state.batches.items()}


def test_due_batches_are_sent_once_each_and_logged(harness: Harness) -> None:
    seal(harness, "b1", "b2")
    report = harness.app.outbound.submit_batches()
    assert report.submitted == ["b1", "b2"] and report.retrying == report.failed == []
    assert harness.transport.sent == ["msg-b1", "msg-b2"]
    assert statuses(harness) == {"b1": "SUBMITTED", "b2": "SUBMITTED"}
    assert [(d, k, m) for d, k, m, _ in harness.state.messages] == [
        ("out", "batch", "msg-b1"), ("out", "batch", "msg-b2")]
    assert harness.app.outbound.submit_batches().submitted == []  # nothing is sent twice


def test_an_outage_stops_the_pass_and_the_batch_waits_its_backoff(harness: Harness) -> None:
    seal(harness, "b1", "b2")
    harness.transport.script = [DOWN]
    report = harness.app.outbound.submit_batches()
    assert report.retrying == ["b1"] and report.submitted == []
    assert harness.transport.sent == ["msg-b1"]  # b2 not tried while the authority fails
    waiting = harness.state.batches["b1"]
    assert waiting["error"] == DOWN.error and waiting["next_at"] > harness.clock.now()
    assert harness.app.outbound.submit_batches().submitted == ["b2"]  # b1 is not due yet
    harness.clock.advance(harness.app.outbound.retry_policy().cap)
    assert harness.app.outbound.submit_batches().submitted == ["b1"]
    assert harness.transport.sent == ["msg-b1", "msg-b2", "msg-b1"]  # the same message again


def test_a_refusal_fails_the_batch_until_an_operator_retries_it(harness: Harness) -> None:
    seal(harness, "b1")
    harness.transport.script = [REFUSED]
    assert harness.app.outbound.submit_batches().failed == ["b1"]
    assert statuses(harness) == {"b1": "TRANSMISSION_FAILED"}
    assert "refused by the authority" in harness.state.batches["b1"]["error"]
    assert ("in", "ack", "msg-b1", 400) in harness.state.messages  # the reply is kept verbatim
    harness.clock.advance(timedelta(days=1))
    assert harness.app.outbound.submit_batches().submitted == []  # failed batches stay visible
    assert harness.app.outbound.retry_batch("b1")
    assert not harness.app.outbound.retry_batch("b1")  # already waiting
    assert harness.app.outbound.submit_batches().submitted == ["b1"]


def test_without_a_signer_nothing_is_declared_or_sealed(harness: Harness) -> None:
    assert not harness.app.outbound.can_sign
    assert harness.app.outbound.declare_pending().declared == 0
    assert harness.app.outbound.seal_batches().errors == [
        "no signing key: batches cannot be signed"]


def test_declared_parcels_are_sealed_into_a_signed_batch_and_submitted(signed_harness) -> None:  # type: ignore[no-untyped-def]
    harness = signed_harness()
    app = harness.app
    body = manifest(parcel(), parcel("RR123456799CN"))
    app.intake.submit_manifest(SubmitManifest(1, "k", body, "marketplace:acme"))
    assert app.outbound.seal_batches().sealed == []  # a small group waits for its age cap
    sealed = app.outbound.seal_batches(force=True)
    assert sealed.parcels == 2 and sealed.errors == [] and len(sealed.sealed) == 1
    [batch_id] = sealed.sealed
    batch = harness.state.batches[batch_id]
    assert b"Signature" in batch["document"] and batch["parcels"] == [1, 2]
    assert [p["status"] for p in harness.state.parcels] == ["BATCHED", "BATCHED"]
    assert app.outbound.submit_batches().submitted == [batch_id]
    assert harness.transport.sent == [batch["message_id"]]
    assert [p["status"] for p in harness.state.parcels] == ["SUBMITTED", "SUBMITTED"]
    assert app.outbound.seal_batches(force=True).sealed == []  # nothing is batched twice
