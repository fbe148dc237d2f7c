"""/v1/webhooks over HTTP: the contract, tenant isolation, precise 4xx, the audit trail."""

from __future__ import annotations

import pytest

from tests.api.contract import assert_conforms

URL = "http://127.0.0.1:9/hook"
H = "/v1/webhooks"
NOBODY = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def allow_private(customs):  # type: ignore[no-untyped-def]
    customs.settings.webhook_allow_private_urls = True


def _create(client, auth, **body):  # type: ignore[no-untyped-def]
    return client.post(H, json={"url": URL, **body}, headers=auth)


def test_lifecycle_conforms_to_the_contract(client, auth, allow_private):
    created = _create(client, auth)
    assert created.status_code == 201, created.get_json()
    assert_conforms(created, H, "post")
    hook = created.get_json()
    assert hook["secret"].startswith("whsec_") and hook["scope"]["role"] == "marketplace"
    assert created.headers["Location"] == f"{H}/{hook['id']}"
    one = client.get(f"{H}/{hook['id']}", headers=auth)
    assert_conforms(one, f"{H}/{{webhook_id}}")
    assert "secret" not in one.get_json()
    listed = client.get(H, headers=auth)
    assert_conforms(listed, H)
    assert [h["id"] for h in listed.get_json()["items"]] == [hook["id"]]
    rotated = client.post(f"{H}/{hook['id']}/rotate-secret", json={"overlap_seconds": 60},
                          headers=auth)
    assert_conforms(rotated, f"{H}/{{webhook_id}}/rotate-secret", "post")
    assert rotated.get_json()["secret"] != hook["secret"]
    replayed = client.post(f"{H}/{hook['id']}/replay", headers=auth)
    assert_conforms(replayed, f"{H}/{{webhook_id}}/replay", "post")
    assert replayed.get_json() == {"replayed": 0}
    since = client.post(f"{H}/{hook['id']}/replay", json={"since": "2026-11-01T00:00:00Z"},
                        headers=auth)
    assert since.status_code == 200
    deliveries = client.get(f"{H}/{hook['id']}/deliveries?status=failed", headers=auth)
    assert_conforms(deliveries, f"{H}/{{webhook_id}}/deliveries")
    gone = client.delete(f"{H}/{hook['id']}", headers=auth)
    assert gone.status_code == 204
    assert client.get(f"{H}/{hook['id']}", headers=auth).status_code == 404


def test_ping_and_a_delivery_with_its_attempts_conform(client, auth, allow_private):
    hook = _create(client, auth, events=["manifest.processed", "batch.failed"]).get_json()
    assert hook["events"] == ["manifest.processed", "batch.failed"]
    assert client.get(f"{H}/{hook['id']}", headers=auth).get_json()["events"] == hook["events"]
    ping = client.post(f"{H}/{hook['id']}/ping", headers=auth)  # port 9: nobody listens
    assert_conforms(ping, f"{H}/{{webhook_id}}/ping", "post")
    result = ping.get_json()
    assert result["delivered"] is False and result["status_code"] is None
    assert result["error"].startswith("ConnectionError")
    one = client.get(f"{H}/{hook['id']}/deliveries/{result['delivery_id']}", headers=auth)
    assert_conforms(one, f"{H}/{{webhook_id}}/deliveries/{{delivery_id}}")
    shown = one.get_json()
    assert (shown["event_type"], shown["status"], shown["attempts"]) == ("webhook.ping",
                                                                         "failed", 1)
    assert [a["error"] for a in shown["attempt_history"]] == [result["error"]]
    listed = client.get(f"{H}/{hook['id']}/deliveries", headers=auth)
    assert_conforms(listed, f"{H}/{{webhook_id}}/deliveries")
    assert [d["event_type"] for d in listed.get_json()["items"]] == ["webhook.ping"]
    for missing in ("999999", "x", "99999999999999999999"):
        reply = client.get(f"{H}/{hook['id']}/deliveries/{missing}", headers=auth)
        assert reply.status_code == 404 and reply.get_json()["code"] == "NOT_FOUND"
    unknown = client.post(f"{H}/{hook['id']}/ping", json={"x": 1}, headers=auth)
    assert unknown.status_code == 400 and unknown.get_json()["code"] == "INVALID_FIELD"


@pytest.mark.parametrize("events", [[], ["parcel.moved"], "manifest.processed", None, [3]])
def test_a_bad_event_filter_is_a_400_naming_the_field(client, auth, allow_private, events):
    reply = _create(client, auth, events=events)
    if events is None:  # explicit null: every type
        assert reply.status_code == 201 and reply.get_json()["events"] is None
        return
    assert reply.status_code == 400, reply.get_json()
    assert reply.get_json()["code"] == "INVALID_FIELD"
    assert reply.get_json()["detail"].startswith("events:")


def test_list_is_paginated(client, auth, allow_private):
    ids = sorted(_create(client, auth).get_json()["id"] for _ in range(3))
    first = client.get(f"{H}?limit=2", headers=auth).get_json()
    assert [h["id"] for h in first["items"]] == ids[:2]
    rest = client.get(f"{H}?limit=2&cursor={first['next_cursor']}", headers=auth).get_json()
    assert [h["id"] for h in rest["items"]] == ids[2:] and rest["next_cursor"] is None


def test_another_tenant_gets_404_everywhere(client, auth, other_key, allow_private):
    hook = _create(client, auth).get_json()
    other = {"Authorization": f"Bearer {other_key}"}
    base = f"{H}/{hook['id']}"
    for method, path in (("get", base), ("delete", base), ("post", f"{base}/rotate-secret"),
                         ("post", f"{base}/replay"), ("get", f"{base}/deliveries")):
        reply = getattr(client, method)(path, headers=other)
        assert reply.status_code == 404, (method, path)
        assert reply.get_json()["code"] == "NOT_FOUND"
        missing = getattr(client, method)(path.replace(hook["id"], NOBODY), headers=auth)
        assert reply.get_json()["detail"] == missing.get_json()["detail"].replace(
            NOBODY, hook["id"])  # told apart from a missing one by nothing
    assert client.get(H, headers=other).get_json()["items"] == []
    assert client.get(base, headers=auth).status_code == 200  # untouched


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"url": "ftp://example.com/x"}, 400, "WEBHOOK_URL_INVALID"),
    ({"url": "http://"}, 400, "WEBHOOK_URL_INVALID"),
    ({"url": "https://user:pw@example.com/"}, 400, "WEBHOOK_URL_INVALID"),
    ({"url": "https://example.com/" + "a" * 2100}, 400, "WEBHOOK_URL_INVALID"),
    ({"url": 42}, 400, "INVALID_FIELD"),  # not a string: the model refuses it
    ({}, 400, "INVALID_FIELD"),
    ({"url": URL, "extra": 1}, 400, "INVALID_FIELD"),
    ({"url": URL, "from": "yesterday"}, 400, "INVALID_FIELD"),
    ({"url": "http://127.0.0.1:8080/hook"}, 422, "WEBHOOK_URL_FORBIDDEN"),
    ({"url": "http://192.168.1.10/hook"}, 422, "WEBHOOK_URL_FORBIDDEN"),
    ({"url": "http://[fe80::1]/hook"}, 422, "WEBHOOK_URL_FORBIDDEN"),
])
def test_bad_registrations_get_precise_problems(client, auth, body, status, code):
    reply = client.post(H, json=body, headers=auth)
    assert (reply.status_code, reply.get_json()["code"]) == (status, code), reply.get_json()
    assert_conforms(reply, H, "post")


def test_bad_bodies_and_parameters(client, auth, allow_private):
    text = client.post(H, data="url=x", headers=auth, content_type="text/plain")
    assert (text.status_code, text.get_json()["code"]) == (415, "UNSUPPORTED_MEDIA_TYPE")
    broken = client.post(H, data="{", headers=auth, content_type="application/json")
    assert (broken.status_code, broken.get_json()["code"]) == (400, "INVALID_JSON")
    big = client.post(H, data="x" * 20000, headers=auth, content_type="application/json")
    assert (big.status_code, big.get_json()["code"]) == (413, "BODY_TOO_LARGE")
    hook = _create(client, auth).get_json()["id"]
    for body, code in (({"overlap_seconds": -1}, "INVALID_OVERLAP"),
                       ({"overlap_seconds": 10**7}, "INVALID_OVERLAP"),
                       ({"overlap_seconds": "60"}, "INVALID_FIELD"),
                       ({"overlap_seconds": True}, "INVALID_FIELD")):
        reply = client.post(f"{H}/{hook}/rotate-secret", json=body, headers=auth)
        assert (reply.status_code, reply.get_json()["code"]) == (400, code), body
    for body in ({"since": "yesterday"}, {"since": "2026-11-01T00:00:00"}, {"since": 5}):
        reply = client.post(f"{H}/{hook}/replay", json=body, headers=auth)
        assert (reply.status_code, reply.get_json()["code"]) == (400, "INVALID_FIELD"), body
    for query, code in (("status=lost", "INVALID_PARAMETER"), ("cursor=abc", "INVALID_CURSOR"),
                        ("limit=0", "INVALID_LIMIT")):
        reply = client.get(f"{H}/{hook}/deliveries?{query}", headers=auth)
        assert (reply.status_code, reply.get_json()["code"]) == (400, code), query
        assert_conforms(reply, f"{H}/{{webhook_id}}/deliveries")
    assert client.get(f"{H}?cursor=nope", headers=auth).status_code == 400
    assert client.get(f"{H}/not-an-id", headers=auth).status_code == 404
    assert client.get(H).status_code == 401


def test_changes_are_audited_without_secrets(client, auth, customs, allow_private):
    hook = _create(client, auth).get_json()
    client.post(f"{H}/{hook['id']}/rotate-secret", json={"overlap_seconds": 5}, headers=auth)
    client.post(f"{H}/{hook['id']}/replay", headers=auth)
    client.delete(f"{H}/{hook['id']}", headers=auth)
    with customs.resources.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT action, actor, role, before, after FROM audit_log WHERE object_type = "
            "'webhook' ORDER BY id").all()
    assert [r[0] for r in rows] == ["webhook.create", "webhook.rotate_secret",
                                    "webhook.replay", "webhook.delete"]
    assert {(r[1], r[2]) for r in rows} == {("marketplace:acme", "marketplace")}
    assert "whsec_" not in repr(rows)
