"""Webhook event types: a filter per endpoint, a ping answered now, the receiver's Retry-After
honoured (seconds or HTTP date, capped), every attempt readable, batch.failed told."""

from __future__ import annotations

import json
from datetime import timedelta
from email.utils import format_datetime

import pytest

from customs.services.intake import SubmitManifest
from tests.integration.test_submission import FlakyAuthority
from tests.integration.test_webhooks import _verify, settle
from tests.manifests import manifest, parcel


def _marketplace(customs):  # type: ignore[no-untyped-def]
    return customs.access.authenticate(customs.access.create_api_key("acme", "marketplace")[1])


def _submit(customs, who, *tracking: str):  # type: ignore[no-untyped-def]
    body = manifest(*[parcel(t) for t in tracking])
    receipt = customs.intake.submit_manifest(SubmitManifest(who.tenant_id, tracking[0], body,
                                                            "t"))
    settle(customs)
    return receipt


def _types(receiver, hook_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [json.loads(b)["type"] for h, b in receiver.requests
            if h["Customs-Webhook-Id"] == hook_id]


def test_each_endpoint_gets_the_types_it_asked_for(hooked, receiver):
    who = _marketplace(hooked)
    only_manifests = hooked.webhooks.create_webhook(who, receiver.url,
                                                    events=["manifest.processed"])
    only_parcels = hooked.webhooks.create_webhook(who, receiver.url,
                                                  events=["parcel.status_changed"])
    every = hooked.webhooks.create_webhook(who, receiver.url)
    _submit(hooked, who, "RR123456785CN", "RR123456799CN")
    hooked.webhooks.deliver_webhooks()
    assert _types(receiver, only_manifests.id) == ["manifest.processed"]
    assert set(_types(receiver, only_parcels.id)) == {"parcel.status_changed"}
    assert sorted(_types(receiver, every.id)) == sorted(
        _types(receiver, only_manifests.id) + _types(receiver, only_parcels.id))
    other = hooked.access.authenticate(hooked.access.create_api_key("globex", "marketplace")[1])
    foreign = hooked.webhooks.create_webhook(other, receiver.url)
    _submit(hooked, who, "RR123456802CN")
    hooked.webhooks.deliver_webhooks()
    assert _types(receiver, foreign.id) == []  # another tenant's manifest


@pytest.mark.parametrize("events", [[], ["parcel.moved"], "manifest.processed", [1],
                                    ["manifest.processed"] * 9])
def test_a_bad_filter_is_refused(hooked, receiver, events):
    from customs.domain.errors import Invalid

    with pytest.raises(Invalid) as refused:
        hooked.webhooks.create_webhook(_marketplace(hooked), receiver.url, events=events)
    assert refused.value.code == "INVALID_FIELD"


def test_a_ping_is_sent_now_and_its_result_returned(hooked, receiver):
    who = _marketplace(hooked)
    hook = hooked.webhooks.create_webhook(who, receiver.url, events=["batch.failed"])
    other = hooked.webhooks.create_webhook(who, receiver.url)
    result = hooked.webhooks.ping_webhook(who, hook.id)
    assert result.delivered and result.attempt.status_code == 200
    assert result.attempt.duration_ms is not None and result.attempt.duration_ms >= 0
    [(headers, body)] = receiver.requests  # to the pinged webhook only, whatever its filter
    assert headers["Customs-Webhook-Id"] == hook.id and _verify(hook.secret, headers,
                                                                body) == [True]
    assert json.loads(body)["type"] == "webhook.ping"
    assert json.loads(body)["data"]["webhook_id"] == hook.id
    receiver.status = 500
    failed = hooked.webhooks.ping_webhook(who, hook.id)
    assert not failed.delivered
    assert (failed.attempt.status_code, failed.attempt.error) == (500, "HTTP 500")
    shown = hooked.webhooks.webhook_delivery(who, hook.id, failed.delivery_id)
    assert shown["status"] == "failed" and shown["event_type"] == "webhook.ping"
    assert [a["status_code"] for a in shown["attempt_history"]] == [500]
    hooked.clock.current += timedelta(days=2)
    assert hooked.webhooks.deliver_webhooks().delivered == 0  # a ping is not retried
    assert _types(receiver, other.id) == []


def _failing_delivery(hooked, receiver, **headers: str):  # type: ignore[no-untyped-def]
    who = _marketplace(hooked)
    hook = hooked.webhooks.create_webhook(who, receiver.url, events=["manifest.processed"])
    receiver.status, receiver.headers = 503, headers
    _submit(hooked, who, "RR123456785CN")
    hooked.webhooks.deliver_webhooks()
    [delivery] = hooked.webhooks.webhook_deliveries(who, hook.id, None, None, 10)[0]
    return who, hook, delivery


@pytest.mark.parametrize("retry_after, seconds", [
    ("120", 120), (" 45 ", 45), ("999999", 3600), ("soon", 10), ("-5", 10),
    ("http-date", 300)])
def test_the_receivers_retry_after_is_honoured_up_to_the_cap(hooked, receiver, retry_after,
                                                             seconds):
    """MaxRng makes the first backoff exactly its 10 s cap; a longer Retry-After wins, a
    longer one than CUSTOMS_WEBHOOK_RETRY_AFTER_MAX_SECONDS (3600) is cut to it; an
    unreadable one is ignored."""
    now = hooked.clock.now()
    if retry_after == "http-date":
        retry_after = format_datetime(now + timedelta(seconds=300), usegmt=True)
    _, _, delivery = _failing_delivery(hooked, receiver, **{"Retry-After": retry_after})
    assert delivery.next_attempt_at == (now + timedelta(seconds=seconds)).isoformat()
    assert delivery.status == "pending"


def test_every_attempt_is_in_the_delivery_history(hooked, receiver):
    who, hook, delivery = _failing_delivery(hooked, receiver, **{"Retry-After": "60"})
    hooked.clock.current += timedelta(seconds=30)
    hooked.webhooks.deliver_webhooks()  # not yet: the receiver asked for 60 s
    hooked.clock.current += timedelta(seconds=31)
    hooked.webhooks.deliver_webhooks()
    receiver.status, receiver.headers = 200, {}
    hooked.clock.current += timedelta(hours=1)
    hooked.webhooks.deliver_webhooks()
    shown = hooked.webhooks.webhook_delivery(who, hook.id, delivery.id)
    assert shown["status"] == "delivered" and shown["attempts"] == 3
    history = shown["attempt_history"]
    assert [a["status_code"] for a in history] == [503, 503, 200]
    assert [a["error"] for a in history] == ["HTTP 503", "HTTP 503", None]
    start = hooked.clock.now() - timedelta(hours=1, seconds=61)
    assert [a["at"] for a in history] == [
        (start + d).isoformat() for d in (timedelta(0), timedelta(seconds=61),
                                          timedelta(hours=1, seconds=61))]
    assert all(isinstance(a["duration_ms"], int) for a in history)


def test_a_refused_batch_is_told_to_its_marketplaces_and_officers(signed_customs, receiver):
    c = signed_customs
    c.settings.webhook_allow_private_urls = True
    who = _marketplace(c)
    officer = c.access.authenticate(c.access.create_api_key("moscow", "officer",
                                                            offices=["10005020"])[1])
    elsewhere = c.access.authenticate(c.access.create_api_key("spb", "officer",
                                                              offices=["10210000"])[1])
    hooks = {name: c.webhooks.create_webhook(p, receiver.url, events=["batch.failed"])
             for name, p in (("acme", who), ("moscow", officer), ("spb", elsewhere))}
    _submit(c, who, "RR123456785CN", "RR123456799CN")
    c.outbound.seal_batches(force=True)
    c.outbound.submit_batches(FlakyAuthority(refuse=True))
    c.webhooks.deliver_webhooks()
    by_hook = {h["Customs-Webhook-Id"]: json.loads(b) for h, b in receiver.requests}
    assert set(by_hook) == {hooks["acme"].id, hooks["moscow"].id}
    tenant, office = by_hook[hooks["acme"].id]["data"], by_hook[hooks["moscow"].id]["data"]
    assert tenant["tracking_numbers"] == ["RR123456785CN", "RR123456799CN"]
    assert tenant["parcels"] == office["parcels"] == 2 and "tracking_numbers" not in office
    assert tenant["reason"] == "refused by the authority: HTTP 400"
    assert tenant["batch_id"] == office["batch_id"] and office["customs_office"] == "10005020"
