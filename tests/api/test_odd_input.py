"""Odd input gets a precise 4xx, never a 500 (cases from an independent review)."""
from __future__ import annotations

import base64
import json

import pytest

from customs.domain import cursors


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _signed(world, who: str, kind: str, payload: str) -> str:  # type: ignore[no-untyped-def]
    """A cursor the server would sign for `who`: so that the list's own decoding is tested."""
    owner = world.customs.access.authenticate(world.keys[who]).cursor_owner
    return cursors.seal(world.customs.access.cursor_key(), kind, owner, payload)


@pytest.mark.parametrize("path", ["/v1/parcels?limit=%C2%B2", "/v1/feed?limit=%C2%B2",
                                  "/v1/manifests/{manifest}/parcels?limit=%C2%B2"])
def test_superscript_digit_limit_is_400(world, path):
    with world.customs.resources.engine.connect() as conn:
        manifest = conn.exec_driver_sql("SELECT m.id FROM manifests m JOIN tenants t ON "
                                        "t.id = m.tenant_id WHERE t.name = 'acme'").scalar()
    r = world.get("acme", path.format(manifest=manifest))
    assert r.status_code == 400, (r.status_code, r.get_data(as_text=True)[:300])


def test_feed_cursor_with_huge_txid_is_4xx(world):
    from customs.domain.feed import owner_fingerprint
    acme = world.customs.access.authenticate(world.keys["acme"])
    now = int(world.customs.clock.now().timestamp())
    cursor = _b64(f"f1.{10**40}.0.{owner_fingerprint(acme.cursor_owner)}.{now}")
    r = world.get("acme", f"/v1/feed?cursor={_signed(world, 'acme', 'feed', cursor)}")
    assert r.status_code in (400, 410), (r.status_code, r.get_data(as_text=True)[:300])


def test_search_cursor_with_huge_id_is_400(world):
    cursor = _b64(json.dumps(["-received_at", "t", "2026-01-01T00:00:00+00:00", 10**30]))
    r = world.get("moscow", f"/v1/parcels?cursor={_signed(world, 'moscow', 'parcels', cursor)}")
    assert r.status_code == 400, (r.status_code, r.get_data(as_text=True)[:300])


@pytest.mark.parametrize("kind,value,sort", [("t", "2026-01-01T00:00:00+00:00", "value"),
                                              ("d", "5", "received_at"),
                                              ("d", "NaN", "value")])
def test_search_cursor_kind_not_matching_sort_is_400(world, kind, value, sort):
    cursor = _signed(world, "moscow", "parcels", _b64(json.dumps([sort, kind, value, 1])))
    r = world.get("moscow", f"/v1/parcels?sort={sort}&cursor={cursor}")
    assert r.status_code == 400, (r.status_code, r.get_data(as_text=True)[:300])


@pytest.mark.parametrize("path", [
    "/v1/parcels?received_from=0001-01-01T00:00:00%2B14:00",
    "/v1/stats?to=0001-01-02",
    "/v1/stats?from=9999-12-31T23:00:00-05:00",
])
def test_instant_near_datetime_limits_is_400(world, path):
    r = world.get("moscow", path)
    assert r.status_code == 400, (r.status_code, r.get_data(as_text=True)[:300])


def test_search_cursor_instant_overflow_is_400(world):
    cursor = _b64(json.dumps(["-received_at", "t", "0001-01-01T00:00:00+14:00", 1]))
    r = world.get("moscow", f"/v1/parcels?cursor={_signed(world, 'moscow', 'parcels', cursor)}")
    assert r.status_code == 400, (r.status_code, r.get_data(as_text=True)[:300])


def test_nul_in_tracking_number_path_is_404(world):
    r = world.get("acme", "/v1/parcels/RR%00X")
    assert r.status_code == 404, (r.status_code, r.get_data(as_text=True)[:300])


def test_rotate_secret_huge_overlap_is_400(world):
    world.customs.settings.webhook_allow_private_urls = True
    hook = world.post("acme", "/v1/webhooks", {"url": "http://127.0.0.1:9/h"}).get_json()
    r = world.post("acme", f"/v1/webhooks/{hook['id']}/rotate-secret",
                   {"overlap_seconds": 10**20})
    assert r.status_code == 400, (r.status_code, r.get_data(as_text=True)[:300])


def test_deliveries_superscript_cursor_is_400(world):
    world.customs.settings.webhook_allow_private_urls = True
    hook = world.post("acme", "/v1/webhooks", {"url": "http://127.0.0.1:9/h"}).get_json()
    cursor = _signed(world, "acme", f"deliveries:{hook['id']}", "²")
    r = world.get("acme", f"/v1/webhooks/{hook['id']}/deliveries?cursor={cursor}")
    assert r.status_code == 400, (r.status_code, r.get_data(as_text=True)[:300])


def test_replay_since_overflow_is_400(world):
    world.customs.settings.webhook_allow_private_urls = True
    hook = world.post("acme", "/v1/webhooks", {"url": "http://127.0.0.1:9/h"}).get_json()
    r = world.post("acme", f"/v1/webhooks/{hook['id']}/replay",
                   {"since": "0001-01-01T00:00:00+14:00"})
    assert r.status_code == 400, (r.status_code, r.get_data(as_text=True)[:300])


@pytest.mark.parametrize("raw", ['"x\\u0000y"', '"x\\ud800y"'])
def test_odd_reason_is_4xx(world, raw):
    body = '{"action": "hold", "reason": ' + raw + '}'
    r = world.client.post("/v1/parcels/RR123456785CN/decisions", data=body,
                          content_type="application/json", headers=world.auth("moscow"))
    assert 400 <= r.status_code < 500, (r.status_code, r.get_data(as_text=True)[:200])


def test_odd_webhook_since_is_4xx(world):
    world.customs.settings.webhook_allow_private_urls = True
    hook = world.post("acme", "/v1/webhooks", {"url": "http://127.0.0.1:9/h"}).get_json()
    r = world.client.post(f"/v1/webhooks/{hook['id']}/replay",
                          data='{"since": "2026-11-01\\ud800"}', content_type="application/json",
                          headers=world.auth("acme"))
    assert 400 <= r.status_code < 500, (r.status_code, r.get_data(as_text=True)[:200])


def test_rates_csv_with_a_huge_field_is_422(world):
    body = "date,currency,base,rate\n2026-11-23,USD,RUB," + "9" * 200_000 + "\n"
    world.keys["ops"] = world.customs.access.create_api_key("ops", "operator")[1]  # sets rates
    r = world.client.put("/v1/rates", data=body, content_type="text/csv",
                         headers=world.auth("ops"))
    assert r.status_code == 422, (r.status_code, r.get_data(as_text=True)[:300])
    assert r.get_json()["code"] == "RATES_INVALID"


@pytest.mark.parametrize("query", ["from=0001-01-01&to=0001-01-02", "to=0001-01-01",
                                   "from=9999-12-31&to=9999-12-31", "to=9999-12-31"])
def test_rates_at_the_calendars_ends_are_not_500(world, query):
    r = world.get("acme", f"/v1/rates?{query}")
    assert r.status_code in (200, 400), (r.status_code, r.get_data(as_text=True)[:300])


@pytest.mark.parametrize("cursor", [str(10**17), "2147483648", str(2**63)])
def test_deliveries_cursor_beyond_the_id_type_is_400(world, cursor):
    world.customs.settings.webhook_allow_private_urls = True
    hook = world.post("acme", "/v1/webhooks", {"url": "http://127.0.0.1:9/h"}).get_json()
    cursor = _signed(world, "acme", f"deliveries:{hook['id']}", cursor)
    r = world.get("acme", f"/v1/webhooks/{hook['id']}/deliveries?cursor={cursor}")
    assert r.status_code == 400, (r.status_code, r.get_data(as_text=True)[:300])


@pytest.mark.parametrize("position", [10**17, 2**31])
def test_manifest_parcels_cursor_beyond_the_position_type_is_400(world, position):
    with world.customs.resources.engine.connect() as conn:
        manifest = conn.exec_driver_sql("SELECT m.id FROM manifests m JOIN tenants t ON "
                                        "t.id = m.tenant_id WHERE t.name = 'acme'").scalar()
    cursor = _signed(world, "acme", f"manifest-parcels:{manifest}:", str(position))
    r = world.get("acme", f"/v1/manifests/{manifest}/parcels?cursor={cursor}")
    assert r.status_code == 400, (r.status_code, r.get_data(as_text=True)[:300])
