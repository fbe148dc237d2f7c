"""Large manifests (or `Prefer: respond-async`): 202 at once with status processing, the
receipt once a worker pass has processed it, and the manifest.processed event at a receiver."""

from __future__ import annotations

import json

import pytest

from api.worker_loop import WorkerPass
from tests.api.contract import assert_conforms
from tests.integration.test_webhooks import _verify
from tests.manifests import manifest, parcel

XML = {"Content-Type": "application/xml"}
ASYNC = {"Prefer": "respond-async"}


def post(client, auth, body: bytes, key: str = "k-1", **headers):  # type: ignore[no-untyped-def]
    return client.post("/v1/manifests", data=body,
                       headers={**auth, **XML, "Idempotency-Key": key, **headers})


def worker_pass(customs):  # type: ignore[no-untyped-def]
    """One pass of `customs worker`, every stage."""
    return WorkerPass(customs, force_seal=False, backoff_base=1, backoff_cap=1).run()


def test_respond_async_gives_processing_then_the_receipt_and_a_webhook(client, auth, customs,
                                                                       receiver):
    customs.settings.webhook_allow_private_urls = True
    hook = client.post("/v1/webhooks", headers=auth, json={
        "url": receiver.url, "events": ["manifest.processed"]}).get_json()
    assert hook["events"] == ["manifest.processed"]
    body = manifest(parcel(), parcel("RR123456799CN"), parcel("RR123456799CN"))

    reply = post(client, auth, body, **ASYNC)
    assert reply.status_code == 202
    assert_conforms(reply, "/v1/manifests", "post")
    assert reply.headers["Preference-Applied"] == "respond-async"
    job = reply.get_json()
    assert job["status"] == "processing" and job["document_size"] == len(body)
    assert reply.headers["Location"] == f"/v1/manifests/{job['id']}"
    waiting = client.get(reply.headers["Location"], headers=auth)
    assert_conforms(waiting, "/v1/manifests/{manifest_id}")
    assert waiting.get_json()["status"] == "processing"
    assert client.get(f"{reply.headers['Location']}/parcels", headers=auth).status_code == 404

    assert worker_pass(customs).manifests.processed == [job["id"]]
    done = client.get(reply.headers["Location"], headers=auth)
    assert_conforms(done, "/v1/manifests/{manifest_id}")
    shown = done.get_json()
    assert shown["status"] == "processed" and shown["id"] == job["id"]
    receipt = shown["receipt"]
    assert (receipt["id"], receipt["parcels"], receipt["accepted"], receipt["rejected"]) == (
        job["id"], 3, 1, 2)
    assert receipt["received_at"] == job["received_at"]  # when it was received, not processed
    assert [r["violations"][0]["code"] for r in receipt["rejections"]] == [
        "TRACKING_DUPLICATE_IN_MANIFEST"] * 2

    # the same key again: the receipt now, as for a synchronous submission
    again = post(client, auth, body, **ASYNC)
    assert again.get_json() == receipt and again.headers["Idempotent-Replayed"] == "true"
    assert "Preference-Applied" not in again.headers

    [(headers, sent)] = receiver.requests  # the filter let only manifest.processed through
    assert _verify(hook["secret"], headers, sent) == [True]
    event = json.loads(sent)
    assert event["type"] == headers["Customs-Event-Type"] == "manifest.processed"
    assert event["data"] == {"manifest_id": job["id"], "ref": "M-2026-0001",
                             "status": "processed", "received_at": job["received_at"],
                             "parcels": 3, "accepted": 1, "rejected": 2,
                             "href": f"/v1/manifests/{job['id']}"}
    assert worker_pass(customs).manifests.done == 0  # processed once


def test_a_body_over_the_threshold_goes_async_without_asking(client, auth, customs):
    body = manifest(parcel())
    customs.settings.async_manifest_bytes = len(body) - 1
    reply = post(client, auth, body)
    assert reply.get_json()["status"] == "processing"
    assert "Preference-Applied" not in reply.headers
    customs.settings.async_manifest_bytes = len(body)
    small = post(client, auth, manifest(parcel("RR123456799CN")), key="k-2")
    assert small.get_json()["accepted"] == 1  # at the threshold: the receipt in the reply


@pytest.mark.parametrize("prefer", ["respond-async", "wait=5, respond-async",
                                    "RESPOND-ASYNC; x=1", "handling=lenient,respond-async"])
def test_prefer_is_read_as_rfc_7240_says(client, auth, prefer):
    reply = post(client, auth, manifest(parcel()), Prefer=prefer)
    assert reply.get_json()["status"] == "processing"


def test_an_unknown_preference_keeps_the_receipt(client, auth):
    reply = post(client, auth, manifest(parcel()), Prefer="respond-asynchronously, return=min")
    assert reply.get_json()["accepted"] == 1


def test_the_key_with_another_body_while_processing_is_a_conflict(client, auth):
    post(client, auth, manifest(parcel()), **ASYNC)
    same = post(client, auth, manifest(parcel()), **ASYNC)
    assert same.status_code == 202 and same.headers["Idempotent-Replayed"] == "true"
    assert same.get_json()["status"] == "processing"
    other = post(client, auth, manifest(parcel("RR123456799CN")))  # sync or not: same key
    assert other.status_code == 422
    assert other.get_json()["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_a_manifest_refused_as_a_whole_says_so_and_tells_the_webhook(client, auth, customs,
                                                                     receiver):
    customs.settings.webhook_allow_private_urls = True
    client.post("/v1/webhooks", headers=auth, json={"url": receiver.url})
    reply = post(client, auth, manifest(parcel(), country="XX"), **ASYNC)
    assert worker_pass(customs).manifests.refused == [reply.get_json()["id"]]
    got = client.get(reply.headers["Location"], headers=auth)
    assert_conforms(got, "/v1/manifests/{manifest_id}")
    assert got.get_json()["status"] == "refused"
    assert got.get_json()["problem"]["code"] == "MANIFEST_DESTINATION_UNKNOWN"
    [event] = [json.loads(b) for _, b in receiver.requests]
    assert event["type"] == "manifest.refused"
    assert event["data"]["code"] == "MANIFEST_DESTINATION_UNKNOWN"


def test_another_tenant_cannot_see_a_processing_manifest(client, auth, other_key):
    reply = post(client, auth, manifest(parcel()), **ASYNC)
    foreign = client.get(reply.headers["Location"],
                         headers={"Authorization": f"Bearer {other_key}"})
    assert foreign.status_code == 404


def test_a_synchronous_receipt_is_kept_on_the_manifest_and_told_by_webhook(client, auth,
                                                                          customs, receiver):
    customs.settings.webhook_allow_private_urls = True
    client.post("/v1/webhooks", headers=auth, json={"url": receiver.url,
                                                    "events": ["manifest.processed"]})
    reply = post(client, auth, manifest(parcel()))
    got = client.get(reply.headers["Location"], headers=auth).get_json()
    assert got["status"] == "processed" and got["receipt"] == reply.get_json()
    customs.webhooks.deliver_webhooks()
    assert [json.loads(b)["data"]["manifest_id"] for _, b in receiver.requests] == [
        reply.get_json()["id"]]
