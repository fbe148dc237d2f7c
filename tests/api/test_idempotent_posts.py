"""Idempotency-Key on every POST (docs/api.md, "Idempotency"): the same key and request get the
stored reply, once; another request with the key is refused; a key whose request still runs
is 409; only successes are kept; replies expire and the worker purges them."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from customs.services.replies import Reply
from tests.api.contract import assert_conforms
from tests.manifests import manifest, parcel

JSON = {"Content-Type": "application/json"}


def _decide(world, key: str, body: dict):  # type: ignore[no-untyped-def]
    return world.client.post("/v1/parcels/RR123456785CN/decisions", data=json.dumps(body),
                             headers={**world.auth("moscow"), **JSON, "Idempotency-Key": key})


def _history(world) -> list[str]:  # type: ignore[no-untyped-def]
    parcel = world.get("moscow", "/v1/parcels/RR123456785CN").get_json()
    return [e["status"] for e in parcel["history"]]


def test_a_decision_sent_twice_is_recorded_once_and_answered_alike(world):
    first = _decide(world, "hold-1", {"action": "hold", "reason": "x-ray"})
    assert first.status_code == 200 and "Idempotent-Replayed" not in first.headers
    events = _history(world)
    again = _decide(world, "hold-1", {"action": "hold", "reason": "x-ray"})
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert_conforms(again, "/v1/parcels/{parcel}/decisions", "post")
    assert again.get_json() == first.get_json()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert _history(world) == events  # not held twice
    other = _decide(world, "hold-1", {"action": "release", "reason": "ok"})
    assert (other.status_code, other.get_json()["code"]) == (422, "IDEMPOTENCY_KEY_REUSED")


def test_a_refused_request_is_not_kept_so_its_key_may_run_again(world):
    refused = _decide(world, "k-2", {"action": "hold"})  # a hold needs its reason
    assert (refused.status_code, refused.get_json()["code"]) == (422, "REASON_REQUIRED")
    fixed = _decide(world, "k-2", {"action": "hold", "reason": "documents"})
    assert fixed.status_code == 200 and "Idempotent-Replayed" not in fixed.headers


def test_a_key_is_one_request_across_operations_of_the_tenant(world, clock):
    world.customs.settings.webhook_allow_private_urls = True
    headers = {**world.auth("acme"), **JSON, "Idempotency-Key": "shared"}
    made = world.client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/h"},
                             headers=headers)
    assert made.status_code == 201
    again = world.client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/h"},
                              headers=headers)
    assert (again.status_code, again.headers["Location"]) == (201, made.headers["Location"])
    assert again.get_json() == made.get_json()  # the secret shown once, and in the replay
    assert len(world.get("acme", "/v1/webhooks").get_json()["items"]) == 1
    quote = world.client.post("/v1/quotes", json={"destination": "RU", "items": [{
        "hs_code": "851830", "value": {"amount": "1.00", "currency": "EUR"}, "quantity": "1",
        "weight": "0.1"}]}, headers=headers)
    assert (quote.status_code, quote.get_json()["code"]) == (422, "IDEMPOTENCY_KEY_REUSED")
    # another tenant's same key is its own
    globex = world.client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/h"},
                               headers={**headers, **world.auth("globex")})
    assert globex.status_code == 201 and "Idempotent-Replayed" not in globex.headers


def test_a_key_whose_request_still_runs_is_409(world):
    body = json.dumps({"destination": "RU", "items": [{
        "hs_code": "851830", "value": {"amount": "1.00", "currency": "EUR"}, "quantity": "1",
        "weight": "0.1"}]}).encode()
    fingerprint = hashlib.sha256(b"POST /v1/quotes application/json\n" + body).hexdigest()
    acme = world.customs.access.authenticate(world.keys["acme"])
    seen = []

    def meanwhile() -> Reply:
        seen.append(world.client.post("/v1/quotes", data=body, headers={
            **world.auth("acme"), **JSON, "Idempotency-Key": "slow"}))
        return Reply(200, {"json": {"done": True}})

    world.customs.replies.run_once(acme.tenant_id, "slow", fingerprint, meanwhile)
    assert (seen[0].status_code, seen[0].get_json()["code"]) == (409,
                                                                 "IDEMPOTENCY_KEY_IN_USE")
    after = world.client.post("/v1/quotes", data=body, headers={
        **world.auth("acme"), **JSON, "Idempotency-Key": "slow"})
    assert after.get_json() == {"done": True} and after.headers["Idempotent-Replayed"] == "true"


def test_replies_expire_and_the_worker_purges_them(world, clock):
    hold = {"action": "hold", "reason": "x-ray"}
    assert _decide(world, "old", hold).status_code == 200
    rows = "SELECT count(*) FROM idempotency_keys"
    with world.customs.resources.engine.connect() as conn:
        before = conn.exec_driver_sql(rows).scalar()  # the manifests' two receipts too
    clock.current += timedelta(hours=world.customs.settings.idempotency_ttl_hours, seconds=1)
    again = _decide(world, "old", {"action": "request_documents", "reason": "invoice"})
    assert again.status_code == 200 and "Idempotent-Replayed" not in again.headers
    # a manifest's key expires too: "a-1" (the world's first manifest) takes another manifest
    reused = world.client.post("/v1/manifests", data=manifest(parcel("RR123456825CN")),
                               headers={**world.auth("acme"), "Idempotency-Key": "a-1",
                                        "Content-Type": "application/xml"})
    assert reused.status_code == 202 and "Idempotent-Replayed" not in reused.headers
    assert reused.get_json()["accepted"] == 1
    # the expired replies of "old" and "a-1" were replaced by new ones; globex's receipt goes
    assert world.customs.replies.purge_expired() == before - 2
    with world.customs.resources.engine.connect() as conn:
        assert conn.exec_driver_sql(rows).scalar() == 2  # "old" and "a-1", both new
