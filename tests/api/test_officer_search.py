"""Officer search filters, keyset pages, statistics, and the append-only audit history."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.api.contract import assert_conforms


def _numbers(reply) -> list[str]:  # type: ignore[no-untyped-def]
    return [i["tracking_number"] for i in reply.get_json()["items"]]


@pytest.mark.parametrize(("query", "expected"), [
    ("q=headphones", ["RR123456799CN"]),
    ("q=Wireless+BLUETOOTH", ["RR123456799CN"]),
    ("q=phone+case", ["RR123456785CN", "RR123456808CN"]),
    ("q=headphone", []),  # whole words
    ("hs=85", ["RR123456799CN"]),
    ("hs=3926909709", ["RR123456785CN", "RR123456808CN"]),
    ("hs=39269", ["RR123456785CN", "RR123456808CN"]),
    ("hs=39", ["RR123456785CN", "RR123456808CN"]),
    ("hs=392690970", ["RR123456785CN", "RR123456808CN"]),
    ("hs=3927", []),
    ("value_min=100", ["RR123456799CN"]),
    ("value_max=100&currency=EUR", ["RR123456785CN", "RR123456808CN"]),
    ("tracking_number=RR123456808CN", ["RR123456808CN"]),
    ("status=SUBMITTED&office=10005020", ["RR123456785CN", "RR123456799CN", "RR123456808CN"]),
    ("status=RELEASED", []),
    ("marketplace=acme&received_from=2026-11-23&received_to=2026-11-24",
     ["RR123456785CN", "RR123456799CN", "RR123456808CN"]),
    ("received_from=2026-11-24", []),
])
def test_filters(world, query, expected):
    reply = world.get("moscow", f"/v1/parcels?{query}")
    assert_conforms(reply, "/v1/parcels")
    assert sorted(_numbers(reply)) == expected


def test_keyset_pages_cover_everything_once_in_order(world):
    seen, cursor = [], None
    for _ in range(5):
        path = "/v1/parcels?sort=value&limit=1" + (f"&cursor={cursor}" if cursor else "")
        body = world.get("moscow", path).get_json()
        seen += [(i["declared_value"]["amount"], i["tracking_number"]) for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert [tn for _, tn in seen] == ["RR123456785CN", "RR123456808CN", "RR123456799CN"]
    first = world.get("moscow", "/v1/parcels?sort=value&limit=1").get_json()["next_cursor"]
    other_sort = world.get("moscow", f"/v1/parcels?sort=-value&cursor={first}")
    assert other_sort.status_code == 400  # a cursor is for the sort that made it


@pytest.mark.parametrize("query", ["hs=8", "hs=85a", "received_from=2026-11-23T10:00:00",
                                   "status=LOST", "sort=weight", "value_min=-1", "limit=0",
                                   "currency=eur", "cursor=%%%"])
def test_bad_parameters_are_precise_400s(world, query):
    reply = world.get("moscow", f"/v1/parcels?{query}")
    assert reply.status_code == 400
    assert reply.get_json()["code"] in ("INVALID_PARAMETER", "INVALID_LIMIT", "INVALID_CURSOR")


def test_stats_count_by_status_and_office_and_time_to_release(world):
    customs = world.customs
    customs.clock.current += timedelta(minutes=30)
    world.post("moscow", "/v1/parcels/RR123456785CN/decisions", {"action": "release"})
    reply = world.get("moscow", "/v1/stats?from=2026-11-01&to=2026-12-01")
    assert_conforms(reply, "/v1/stats")
    body = reply.get_json()
    assert body["by_status"] == {"SUBMITTED": 2, "RELEASED": 1}
    assert body["by_office"] == {"10005020": {"SUBMITTED": 2, "RELEASED": 1}}
    assert body["clearance_seconds"] == {"count": 1, "p50": 1800.0, "p90": 1800.0,
                                         "p99": 1800.0}
    assert world.get("acme", "/v1/stats?from=2026-11-01&to=2026-12-01"
                     ).get_json()["parcels"] == 3
    assert world.get("moscow", "/v1/stats?from=2026-12-01&to=2026-11-01").status_code == 400


def test_audit_history_cannot_be_rewritten(world):
    world.post("moscow", "/v1/parcels/RR123456785CN/decisions",
               {"action": "hold", "reason": "audit"})
    with world.customs.resources.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM audit_log "
                                    "WHERE action = 'api_key.create'").scalar() == 6
    rewrites = ["UPDATE parcel_events SET reason = 'rewritten'", "DELETE FROM parcel_events",
                "UPDATE audit_log SET actor = 'nobody'", "DELETE FROM audit_log"]
    if world.customs.resources.engine.dialect.name == "postgresql":  # SQLite has no TRUNCATE
        rewrites += ["TRUNCATE parcel_events CASCADE", "TRUNCATE audit_log"]
    for sql in rewrites:
        with world.customs.resources.engine.connect() as conn, pytest.raises(sa.exc.DatabaseError,
                                                                  match="append-only"):
            conn.exec_driver_sql(sql)
    history = world.get("acme", "/v1/parcels/RR123456785CN").get_json()["history"]
    assert history[-1]["reason"] == "audit" and history[-1]["role"] == "officer"


@pytest.mark.parametrize("sort", ["value", "-value", "received_at", "-received_at"])
def test_an_officer_of_several_offices_pages_through_all_of_them_in_order(world, sort):
    """Several offices are searched one index range each and merged: the pages must still be
    one ordered sequence, each parcel once."""
    both = world.customs.access.create_api_key("fts-hq", "officer", offices=["10005020",
                                                                             "10009100"])
    world.keys["hq"] = both[1]
    seen, cursor = [], None
    for _ in range(10):
        path = f"/v1/parcels?sort={sort}&limit=1" + (f"&cursor={cursor}" if cursor else "")
        body = world.get("hq", path).get_json()
        seen += [i["tracking_number"] for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    whole = [i["tracking_number"] for i in
             world.get("hq", f"/v1/parcels?sort={sort}&limit=10").get_json()["items"]]
    assert seen == whole and sorted(seen) == sorted(
        ["RR123456785CN", "RR123456799CN", "RR123456808CN", "RR123456811CN"])
    if sort == "value":
        assert seen == ["RR123456785CN", "RR123456808CN", "RR123456811CN", "RR123456799CN"]


@pytest.mark.parametrize("dense", [0, 20_000])
@pytest.mark.parametrize(("hs", "expected"), [
    ("85", ["RR123456799CN"]), ("39", ["RR123456785CN", "RR123456808CN"]),
    ("3926909709", ["RR123456785CN", "RR123456808CN"]), ("3927", [])])
def test_hs_prefix_gives_the_same_answer_probed_or_collected(world, monkeypatch, dense, hs,
                                                             expected):
    """Many matches are probed in page order, few are collected first: same parcels."""
    from customs.adapters.database import search_index

    monkeypatch.setattr(search_index, "DENSE", dense)
    assert sorted(_numbers(world.get("moscow", f"/v1/parcels?hs={hs}"))) == expected
