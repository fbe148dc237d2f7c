"""Webhooks: signed POSTs to a real receiver, retries for a day, replay, rotation, no duplicates."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta

import pytest

from customs.services.intake import SubmitManifest
from tests.manifests import manifest, parcel


def _courier(customs):  # type: ignore[no-untyped-def]
    return customs.access.authenticate(customs.access.create_api_key("cdek", "courier",
                                                                     courier="CDEK")[1])


def _submit(customs, *tracking: str, courier: str = "CDEK") -> None:  # type: ignore[no-untyped-def]
    who = customs.access.authenticate(customs.access.create_api_key("acme", "marketplace")[1])
    body = manifest(*[parcel(t, courier=courier) for t in tracking])
    customs.intake.submit_manifest(SubmitManifest(who.tenant_id, tracking[0], body, "test"))
    settle(customs)


def settle(customs, seconds: float = 120) -> None:  # type: ignore[no-untyped-def]
    """On PostgreSQL the feed serves an event once no older transaction runs anywhere on the
    server (other databases too): wait for that, so a pass sees what was just committed."""
    if customs.resources.engine.dialect.name != "postgresql":
        return
    deadline = time.monotonic() + seconds
    with customs.resources.engine.connect() as conn:
        while True:
            ready = conn.exec_driver_sql(
                "SELECT coalesce(max(txid), 0) < (pg_snapshot_xmin(pg_current_snapshot())"
                "::text)::bigint FROM parcel_events").scalar()
            conn.rollback()
            if ready:
                return
            assert time.monotonic() < deadline, "an older transaction kept running"
            time.sleep(0.05)


def _verify(secret: str, headers: dict[str, str], body: bytes) -> list[bool]:
    """What a receiver does: recompute the HMAC over "<t>.<body>" and compare each v1."""
    parts = [p.split("=", 1) for p in headers["Customs-Signature"].split(",")]
    timestamp = next(v for k, v in parts if k == "t")
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body,
                        hashlib.sha256).hexdigest()
    return [hmac.compare_digest(expected, v) for k, v in parts if k == "v1"]


def _deliveries(customs, who, hook_id, status=None):  # type: ignore[no-untyped-def]
    return customs.webhooks.webhook_deliveries(who, hook_id, status, None, 100)[0]


def test_a_status_change_reaches_the_receiver_signed_and_shaped(hooked, receiver):
    courier = _courier(hooked)
    _submit(hooked, "CDEK-00001")  # before the webhook: not sent (no backfill)
    hook = hooked.webhooks.create_webhook(courier, receiver.url)
    _submit(hooked, "CDEK-00002")
    _submit(hooked, "OTHER-0001", courier="DHL")  # outside the courier's scope
    report = hooked.webhooks.deliver_webhooks()
    assert report.delivered == len(receiver.requests) >= 1
    headers, body = receiver.requests[0]
    assert _verify(hook.secret, headers, body) == [True]
    assert headers["Content-Type"] == "application/json"
    assert headers["Customs-Webhook-Id"] == hook.id
    assert headers["Customs-Timestamp"] == str(int(hooked.clock.now().timestamp()))
    event = json.loads(body)
    assert headers["Customs-Event-Id"] == str(event["id"])
    assert event["type"] == "parcel.status_changed" and event["created_at"]
    assert {json.loads(b)["data"]["tracking_number"] for _, b in receiver.requests} == \
        {"CDEK-00002"}
    assert "marketplace" not in event["data"] and "actor" not in event["data"]  # courier shape
    assert hooked.webhooks.deliver_webhooks().delivered == 0  # nothing twice
    assert {d.status for d in _deliveries(hooked, courier, hook.id)} == {"delivered"}


def test_from_start_sends_the_whole_feed(hooked, receiver):
    courier = _courier(hooked)
    _submit(hooked, "CDEK-00001", "CDEK-00002")
    hooked.webhooks.create_webhook(courier, receiver.url, from_start=True)
    hooked.webhooks.deliver_webhooks()
    assert {json.loads(b)["data"]["tracking_number"] for _, b in receiver.requests} == \
        {"CDEK-00001", "CDEK-00002"}


def test_a_failing_receiver_gets_growing_delays_then_failed_then_replay(hooked, receiver):
    courier = _courier(hooked)
    hook = hooked.webhooks.create_webhook(courier, receiver.url)
    _submit(hooked, "CDEK-00001")
    receiver.status = 503
    start = hooked.clock.now()
    hooked.webhooks.deliver_webhooks()
    assert len(receiver.requests) == 1  # one request per pass while the receiver fails
    queued = len(_deliveries(hooked, courier, hook.id))
    delays = []
    for _ in range(60):
        [row] = [d for d in _deliveries(hooked, courier, hook.id)][-1:]
        if row.status == "failed":
            break
        assert row.last_status == 503 and row.last_error == "HTTP 503"
        due = hooked.clock.now().fromisoformat(row.next_attempt_at)
        delays.append((due - hooked.clock.now()).total_seconds())
        hooked.clock.current = due
        hooked.webhooks.deliver_webhooks()
    assert delays[:4] == [10, 20, 40, 80]  # base 10 s, doubling (jitter at its ceiling)
    assert max(delays) == 3600  # the cap
    assert hooked.clock.now() - start == timedelta(hours=24)
    assert {d.status for d in _deliveries(hooked, courier, hook.id)} == {"failed"}
    attempts = len(receiver.requests)
    hooked.clock.current += timedelta(days=1)
    hooked.webhooks.deliver_webhooks()
    assert len(receiver.requests) == attempts  # failed for good: not sent again
    receiver.status = 204
    assert hooked.webhooks.replay_webhook(courier, hook.id) == queued
    hooked.webhooks.deliver_webhooks()
    assert len(receiver.requests) == attempts + queued
    assert {d.status for d in _deliveries(hooked, courier, hook.id)} == {"delivered"}
    assert hooked.webhooks.replay_webhook(courier, hook.id) == 0


def test_rotation_signs_with_both_secrets_during_the_overlap_then_one(hooked, receiver):
    courier = _courier(hooked)
    hook = hooked.webhooks.create_webhook(courier, receiver.url)
    rotated = hooked.webhooks.rotate_webhook_secret(courier, hook.id, 3600)
    assert rotated.secret != hook.secret and rotated.previous_secret_until
    _submit(hooked, "CDEK-00001")
    hooked.webhooks.deliver_webhooks()
    headers, body = receiver.requests[-1]
    assert _verify(rotated.secret, headers, body) == [True, False]
    assert _verify(hook.secret, headers, body) == [False, True]
    hooked.clock.current += timedelta(seconds=3601)
    _submit(hooked, "CDEK-00002")
    count = len(receiver.requests)
    hooked.webhooks.deliver_webhooks()
    headers, body = receiver.requests[count]
    assert _verify(rotated.secret, headers, body) == [True]


def test_two_concurrent_passes_never_send_an_event_twice(hooked, receiver):
    courier = _courier(hooked)
    hooked.webhooks.create_webhook(courier, receiver.url)
    _submit(hooked, *[f"CDEK-{n:05d}" for n in range(30)])
    errors: list[BaseException] = []

    def run() -> None:
        try:
            for _ in range(3):
                hooked.webhooks.deliver_webhooks()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    events = receiver.events()
    assert len(events) == len(set(events)) >= 30


def test_deleted_webhook_receives_nothing_and_is_not_found(hooked, receiver):
    from customs.domain.errors import NotFound

    courier = _courier(hooked)
    hook = hooked.webhooks.create_webhook(courier, receiver.url)
    hooked.webhooks.delete_webhook(courier, hook.id)
    _submit(hooked, "CDEK-00001")
    hooked.webhooks.deliver_webhooks()
    assert receiver.requests == []
    with pytest.raises(NotFound):
        hooked.webhooks.webhook(courier, hook.id)


def test_private_addresses_are_refused_unless_allowed(customs, receiver):
    from customs.domain.errors import CodedError

    courier = _courier(customs)
    for url in (receiver.url, "http://10.0.0.1/x", "http://169.254.169.254/latest",
                "http://[::1]:8080/", "http://localhost/x"):
        with pytest.raises(CodedError) as caught:
            customs.webhooks.create_webhook(courier, url)
        assert caught.value.code == "WEBHOOK_URL_FORBIDDEN", url
    customs.settings.webhook_allow_private_urls = True
    hook = customs.webhooks.create_webhook(courier, receiver.url)
    customs.settings.webhook_allow_private_urls = False  # checked again at send time
    _submit(customs, "CDEK-00001")
    customs.webhooks.deliver_webhooks()
    assert receiver.requests == []
    [row] = _deliveries(customs, courier, hook.id)[-1:]
    assert row.status == "pending" and "non-public" in row.last_error


def test_officer_hold_then_release_reach_the_courier_in_order(signed_customs, receiver):
    from tests.integration.test_submission import FlakyAuthority

    app = signed_customs
    app.settings.webhook_allow_private_urls = True
    courier = _courier(app)
    officer = app.access.authenticate(app.access.create_api_key("fcs", "officer",
                                                                offices=["10005020"])[1])
    hook = app.webhooks.create_webhook(courier, receiver.url)
    _submit(app, "CDEK-00001")
    assert app.outbound.seal_batches(force=True).parcels == 1
    app.outbound.submit_batches(FlakyAuthority())
    app.parcels.decide(officer, "CDEK-00001", "hold", "inspection", None)
    app.parcels.decide(officer, "CDEK-00001", "release", None, None)
    settle(app)
    app.webhooks.deliver_webhooks()
    events = [json.loads(body) for _, body in receiver.requests]
    assert all(_verify(hook.secret, h, b) == [True] for h, b in receiver.requests)
    assert [e["data"]["status"] for e in events][-2:] == ["HELD", "RELEASED"]
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    assert events[-2]["data"]["reason"] == "inspection"
