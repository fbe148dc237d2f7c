"""The typed client (customs_client/) against the live service over HTTP: receipts, retries
that reuse the idempotency key, pagination, quotes, problems, async manifests, and the
signature of webhook deliveries."""

from __future__ import annotations

from decimal import Decimal

import pytest

from customs_client import (
    ApiError,
    Client,
    RetryPolicy,
    SignatureError,
    TransportError,
    parse_event,
    verify_signature,
)
from tests.client.conftest import worker_pass
from tests.live_server import s10
from tests.manifests import manifest, parcel

BASKET = {"destination": "RU", "items": [{
    "hs_code": "8518300000", "value": {"amount": "250.00", "currency": "EUR"},
    "quantity": "1", "weight": "0.300"}], "gross_weight": "0.500"}


def test_a_manifest_gets_a_typed_receipt_and_the_same_key_its_replay(client):
    body = manifest(parcel(), parcel("RR123456799CN"), parcel("RR123456799CN"))
    receipt = client.submit_manifest(body, idempotency_key="m-1")
    assert (receipt.status, receipt.parcels, receipt.accepted, receipt.rejected) == (
        "processed", 3, 1, 2)
    assert receipt.location == f"/v1/manifests/{receipt.id}" and not receipt.replayed
    again = client.submit_manifest(body, idempotency_key="m-1")
    assert again.replayed and again.raw == receipt.raw


def test_a_lost_reply_is_retried_with_the_same_key_and_applied_once(client, service, sleeps):
    _, faults = service
    faults.path, faults.count = "/v1/manifests", 1
    receipt = client.submit_manifest(manifest(parcel()))  # no key given: the client makes one
    posted = [key for path, key in faults.seen if path == "/v1/manifests"]
    assert len(posted) == 2 and posted[0] == posted[1] and posted[0]
    assert receipt.replayed and receipt.accepted == 1 and sleeps == [0.0]
    assert [p.tracking_number for p in client.manifest_parcels(receipt.id)] == [
        "RR123456785CN"]  # one manifest, one parcel: applied once


def test_retry_after_is_honoured_and_retries_end(client, service, sleeps):
    _, faults = service
    faults.path, faults.count = "/v1/quotes", 5
    faults.status, faults.headers = "429 Too Many Requests", [("Retry-After", "2")]
    with pytest.raises(ApiError) as refused:
        client.quote(BASKET)
    assert refused.value.status == 429 and sleeps == [2.0, 2.0]  # 3 attempts in all
    keys = {key for path, key in faults.seen if path == "/v1/quotes"}
    assert len(keys) == 1


def test_no_answer_is_a_transport_error_after_the_backoff(sleeps):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead = Client(f"http://127.0.0.1:{port}", "k", timeout=1, sleep=sleeps.append,
                  retry=RetryPolicy(attempts=3, backoff=0.25))
    with pytest.raises(TransportError):
        dead.quote(BASKET)
    assert sleeps == [0.25, 0.5]


def test_pages_follow_the_cursor_to_the_end(client):
    numbers = [s10(20000000 + n) for n in range(5)]
    receipt = client.submit_manifest(manifest(*(parcel(t) for t in numbers)))
    pages = list(client.pages(f"/v1/manifests/{receipt.id}/parcels", lambda i: i["id"],
                              {"limit": 2}))
    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert [p.has_more for p in pages] == [True, True, False]
    assert [p.tracking_number for p in client.manifest_parcels(receipt.id, limit=2)] == numbers
    found = client.parcel(numbers[3])
    assert found.status == "VALIDATED" and client.parcel(found.id).tracking_number == numbers[3]


def test_a_quote_is_typed_and_a_bad_basket_a_problem(client):
    quote = client.quote(BASKET)
    assert quote.goods_value.amount == Decimal("250.00") and quote.steps
    assert quote.status in ("ESTIMATED", "RATES_MISSING", "NO_RULE", "NOT_ESTIMABLE")
    with pytest.raises(ApiError) as refused:
        client.quote({**BASKET, "destination": "XX"})
    assert (refused.value.status, refused.value.code) == (400, "INVALID_QUOTE")
    assert refused.value.problem["pointer"] == "/destination"


def test_an_async_manifest_is_waited_for(client, customs):
    receipt = client.submit_manifest(manifest(parcel()), respond_async=True)
    assert receipt.processing
    passes: list[object] = []
    client._sleep = lambda s: passes.append(worker_pass(customs))  # a worker runs meanwhile
    state = client.wait_for_manifest(receipt.id, interval=0.01)
    assert state.status == "processed" and state.receipt is not None
    assert state.receipt.accepted == 1 and len(passes) == 1


def test_webhook_deliveries_verify_and_forgeries_do_not(client, customs, receiver, clock):
    hook = client.create_webhook(receiver.url, events=["manifest.processed"])
    assert hook.secret and [h.id for h in client.webhooks()] == [hook.id]
    receipt = client.submit_manifest(manifest(parcel()))
    worker_pass(customs)
    [(headers, body)] = receiver.requests
    now = clock.now().timestamp()
    event = parse_event(body, headers, hook.secret, now=now)
    assert (event.type, event.data["manifest_id"]) == ("manifest.processed", receipt.id)
    signature = headers["Customs-Signature"]
    for secrets, sent, at in ((hook.secret, body + b" ", now), ("another", body, now),
                              (["another", hook.secret], body, now + 301)):
        with pytest.raises(SignatureError):
            verify_signature(secrets, sent, signature, now=at)
    verify_signature(["old", hook.secret], body, signature, now=now)  # during a rotation
    client.delete_webhook(hook.id)
    assert list(client.webhooks()) == []
