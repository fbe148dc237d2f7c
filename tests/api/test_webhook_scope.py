"""Scope of search filters and webhooks, and webhook leases (from an independent review)."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from customs.services.webhook_ports import SendResult


def _tns(reply):
    assert reply.status_code == 200, reply.get_json()
    return sorted(i["tracking_number"] for i in reply.get_json()["items"])


@pytest.mark.parametrize("query", ["value_min=200", "value_max=100", "q=headphones",
                                   "hs=8518", "marketplace=globex", "currency=USD",
                                   "sort=value", "sort=-value"])
def test_courier_cannot_filter_on_what_it_is_not_shown(world, query):
    """A courier never sees values, goods, HS codes or the marketplace: filtering on them would
    reveal them one parcel at a time, so it is refused."""
    assert _tns(world.get("cdek", "/v1/parcels")) == ["RR123456785CN", "RR123456799CN"]
    reply = world.get("cdek", f"/v1/parcels?{query}")
    assert reply.status_code == 400
    assert reply.get_json()["code"] == "INVALID_PARAMETER"


class Recorder:
    def __init__(self):
        self.sent = []
        self.hook = None

    def send(self, url, headers, body, address=None):
        self.sent.append(int(headers["Customs-Event-Id"]))
        if self.hook:
            hook, self.hook = self.hook, None
            hook()
        return SendResult(200, None)


def test_webhook_stops_when_its_registering_key_is_revoked(world):
    c = world.customs
    c.settings.webhook_allow_private_urls = True
    rec = Recorder()
    c.webhooks.sender = rec
    key_id, token = c.access.create_api_key("CDEK", "courier")
    hook = world.client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/h"},
                             headers={"Authorization": f"Bearer {token}"})
    assert hook.status_code == 201
    assert c.access.revoke_api_key(key_id)
    # after revocation, an officer decision on a CDEK parcel
    r = world.post("moscow", "/v1/parcels/RR123456785CN/decisions",
                   {"action": "hold", "reason": "x-ray"})
    assert r.status_code == 200
    c.webhooks.deliver_webhooks()
    assert rec.sent == [], "a revoked key's webhook still receives the courier's events"


def test_other_office_officer_of_same_tenant_cannot_manage_webhook(world):
    c = world.customs
    c.settings.webhook_allow_private_urls = True
    a = c.access.create_api_key("fts", "officer", offices=["10005020"])[1]
    b = c.access.create_api_key("fts", "officer", offices=["10009100"])[1]
    created = world.client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/h"},
                                headers={"Authorization": f"Bearer {a}"}).get_json()
    other = {"Authorization": f"Bearer {b}"}
    seen = world.client.get(f"/v1/webhooks/{created['id']}", headers=other)
    rotated = world.client.post(f"/v1/webhooks/{created['id']}/rotate-secret", json={},
                                headers=other)
    assert (seen.status_code, rotated.status_code) == (404, 404), (
        seen.get_json(), rotated.get_json())


class SlowReceiver(Recorder):
    """Every POST takes `seconds` of the test clock; on the n-th, another worker runs."""

    def __init__(self, clock, seconds: float, at_call: int, other) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.clock, self.seconds, self.at_call, self.other = clock, seconds, at_call, other

    def send(self, url, headers, body, address=None):  # type: ignore[no-untyped-def]
        self.clock.current += timedelta(seconds=self.seconds)
        if len(self.sent) + 1 == self.at_call:
            self.other()
        return super().send(url, headers, body, address)


def test_no_double_send_when_a_pass_outlives_the_lease(world):
    """Worker A claims every due delivery with one lease and sends them one by one, each POST
    taking 15 s (within the timeouts): after 8 of them its lease on the rest has run out and
    worker B takes them over. A renews each lease just before its POST, so it skips what B
    took, and nothing is sent twice (the POST in flight holds a fresh lease)."""
    c = world.customs
    c.settings.webhook_allow_private_urls = True
    world.post("cdek", "/v1/webhooks", {"url": "http://127.0.0.1:9/h", "from": "start"})
    slow = SlowReceiver(c.clock, 15, 9, lambda: c.webhooks.deliver_webhooks())
    c.webhooks.sender = slow
    c.webhooks.deliver_webhooks()
    counts = Counter(slow.sent)
    assert len(counts) >= 10  # CDEK's parcels have more than ten events
    assert {e: n for e, n in counts.items() if n > 1} == {}
