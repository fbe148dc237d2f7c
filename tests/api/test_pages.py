"""One page format for every list (items, next_cursor, has_more) and cursors a client cannot
forge: signed for the list and the API key (customs.domain.cursors)."""

from __future__ import annotations

import pytest

from api import create_app
from customs.bootstrap import bootstrap
from customs.domain import cursors
from customs.settings import Settings
from tests.api.contract import assert_conforms


def _lists(world) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(who, path, OpenAPI path) of every list operation."""
    with world.customs.resources.engine.connect() as conn:
        manifest = conn.exec_driver_sql("SELECT m.id FROM manifests m JOIN tenants t ON "
                                        "t.id = m.tenant_id WHERE t.name = 'acme'").scalar()
    world.customs.settings.webhook_allow_private_urls = True
    hooks = [world.post("acme", "/v1/webhooks", {"url": f"http://127.0.0.1:9/{n}"}
                        ).get_json()["id"] for n in range(2)]
    return [
        ("acme", f"/v1/manifests/{manifest}/parcels", "/v1/manifests/{manifest_id}/parcels"),
        ("moscow", "/v1/parcels", "/v1/parcels"),
        ("acme", "/v1/feed", "/v1/feed"),
        ("acme", "/v1/webhooks", "/v1/webhooks"),
        ("acme", f"/v1/webhooks/{hooks[0]}/deliveries", "/v1/webhooks/{webhook_id}/deliveries"),
        ("moscow", "/v1/authority/quarantine", "/v1/authority/quarantine"),
        ("acme", "/v1/rates?from=2026-11-01&to=2026-11-30", "/v1/rates"),
    ]


def _rates(world) -> None:  # type: ignore[no-untyped-def]
    ops = world.customs.access.create_api_key("ops", "operator")[1]
    csv = "date,currency,base,rate\n" + "".join(
        f"2026-11-{d:02d},EUR,RUB,100\n" for d in range(1, 4))
    assert world.client.put("/v1/rates", data=csv, headers={
        "Authorization": f"Bearer {ops}", "Content-Type": "text/csv"}).status_code == 200


def test_every_list_pages_alike_and_its_cursors_resume(world):
    _rates(world)
    for who, path, documented in _lists(world):
        join = "&" if "?" in path else "?"
        first = world.get(who, f"{path}{join}limit=1")
        assert first.status_code == 200, (path, first.get_json())
        assert_conforms(first, documented)
        page = first.get_json()
        assert {"items", "next_cursor", "has_more"} <= set(page), path
        seen, cursor = list(page["items"]), page["next_cursor"]
        while page["has_more"]:
            reply = world.get(who, f"{path}{join}limit=1&cursor={cursor}")
            assert reply.status_code == 200, (path, reply.get_json())
            page = reply.get_json()
            seen += page["items"]
            cursor = page["next_cursor"]
            assert len(seen) < 50, path
        whole = world.get(who, f"{path}{join}limit=500").get_json()["items"]
        assert seen == whole, path  # pages of one give the list, in order, once


def test_an_altered_or_forged_cursor_is_refused(world):
    _rates(world)
    for who, path, _ in _lists(world):
        join = "&" if "?" in path else "?"
        cursor = world.get(who, f"{path}{join}limit=1").get_json()["next_cursor"]
        if cursor is None:
            continue
        payload, tag = cursor.split(".")
        altered = payload[:-1] + ("A" if payload[-1] != "A" else "B") + "." + tag
        for bad in (altered, payload + ".AAAAAAAAAAAAAAAAAAAAAA", "x" * 600, "%%%"):
            refused = world.get(who, f"{path}{join}cursor={bad}")
            assert (refused.status_code, refused.get_json()["code"]) == (
                400, "INVALID_CURSOR"), (path, bad)


def test_a_cursor_is_for_its_list_and_key(world):
    feed = world.get("acme", "/v1/feed?limit=1").get_json()["next_cursor"]
    for who, path in (("acme", "/v1/parcels"), ("acme", "/v1/webhooks"), ("globex", "/v1/feed")):
        refused = world.get(who, f"{path}?cursor={feed}")
        assert (refused.status_code, refused.get_json()["code"]) == (400, "INVALID_CURSOR")


def test_a_forged_cursor_needs_the_server_key(world):
    acme = world.customs.access.authenticate(world.keys["acme"])
    forged = cursors.seal(b"k" * 32, "webhooks", acme.cursor_owner, "0" * 36)
    assert world.get("acme", f"/v1/webhooks?cursor={forged}").status_code == 400
    signed = cursors.seal(world.customs.access.cursor_key(), "webhooks", acme.cursor_owner,
                          "not-an-id")  # signed, but no payload this list makes
    assert world.get("acme", f"/v1/webhooks?cursor={signed}").get_json()["code"] == \
        "INVALID_CURSOR"


@pytest.mark.parametrize("configured", [None, "a-cursor-key-of-at-least-32-characters"])
def test_every_process_on_the_database_signs_with_one_key(world, configured):
    world.customs.access.cursor_keys.__init__(configured)  # as if started with this setting
    cursor = world.get("acme", "/v1/feed?limit=1").get_json()["next_cursor"]
    other = bootstrap(Settings(database_url=str(world.customs.settings.database_url),
                               cursor_key=configured), clock=world.customs.clock)
    try:
        reply = create_app(customs=other).test_client().get(
            f"/v1/feed?limit=1&cursor={cursor}", headers=world.auth("acme"))
        assert reply.status_code == 200, reply.get_json()
    finally:
        other.close()
