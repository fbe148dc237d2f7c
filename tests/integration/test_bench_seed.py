"""`customs bench seed` fills a database that the service reads as its own, and the latency
benchmark runs against it."""

from __future__ import annotations

import sqlalchemy as sa

from bench.seed import seed_database


def test_seeded_parcels_are_readable_with_their_history(database_url, customs):
    report = seed_database(database_url, 1_200, tenants=2, say=lambda _s: None)
    assert report["parcels"] == 1_200 and report["manifests"] == 2
    with customs.resources.engine.connect() as conn:
        statuses = dict(conn.exec_driver_sql(
            "SELECT status, count(*) FROM parcels GROUP BY status").all())
        last = conn.exec_driver_sql(
            "SELECT count(*) FROM parcels p WHERE p.status <> (SELECT e.status FROM "
            "parcel_events e WHERE e.parcel_id = p.id ORDER BY e.id DESC LIMIT 1)").scalar()
        tenant, number = conn.exec_driver_sql(
            "SELECT t.name, p.tracking_number FROM parcels p JOIN tenants t "
            "ON t.id = p.tenant_id WHERE p.status = 'RELEASED' LIMIT 1").one()
    assert statuses["RELEASED"] > 500 and len(statuses) >= 8
    assert last == 0  # every parcel's last event is its status
    tenant_id = customs.access.authenticate(customs.access.create_api_key(tenant,
                                                                          "marketplace")[1]).tenant_id
    parcel = customs.parcels.get_parcel(tenant_id, number).to_json()
    assert parcel["status"] == "RELEASED"
    assert [e["status"] for e in parcel["history"]][:2] == ["RECEIVED", "VALIDATED"]
    # searchable like parcels that came through intake: feed scope, HS codes, words, amounts
    from customs.services.ports import Principal, SearchFilters

    shop = Principal("k", tenant_id, tenant, "marketplace")
    assert customs.parcels.feed(shop, None, 10).to_json()["items"]
    word = parcel["data"]["items"][0]["description"].split()[0].lower()
    for filters in (SearchFilters(hs_prefix=parcel["data"]["items"][0]["hs_code"][:4]),
                    SearchFilters(words=(word,)), SearchFilters(sort="-value")):
        assert customs.parcels.search_parcels(shop, filters, 5)[0], filters
    again = seed_database(database_url, 100, tenants=2, say=lambda _s: None)  # appends
    assert again["parcels"] == 100
    with customs.resources.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM parcels")).scalar() == 1_300


def test_latency_benchmark_reports_percentiles(database_url):
    from bench.latency import run_latency

    seed_database(database_url, 500, say=lambda _s: None)
    result = run_latency(database_url, clients=4, requests_per_endpoint=40, workers=1,
                         say=lambda _s: None)
    assert len(result["endpoints"]) == 4  # status lookup, two feeds, officer search
    for figures in result["endpoints"].values():
        assert figures["requests"] == 40 and figures["errors"] == 0
        assert figures["worker_cpu_ms"] >= 0
        assert 0 < figures["p50_ms"] <= figures["p90_ms"] <= figures["p99_ms"]
        assert figures["ratio_to_floor"] == round(
            figures["per_second"] / result["floor"]["per_second"], 3)
    floor = result["floor"]  # the bare app, measured in the same run by the same clients
    assert floor["requests"] == 40 and floor["errors"] == 0
    assert 0 < floor["p50_ms"] <= floor["p90_ms"] <= floor["p99_ms"]
    assert floor["reply_bytes"] > 100  # as long as a status reply (with its history)
    assert result["keep_alive"] is False


def test_latency_benchmark_keep_alive_clients_on_gthread_workers(database_url):
    from bench.latency import run_latency, table

    seed_database(database_url, 200, say=lambda _s: None)
    result = run_latency(database_url, clients=4, requests_per_endpoint=40, workers=1,
                         threads=2, keep_alive=True, endpoints=("status",),
                         say=lambda _s: None)
    assert list(result["endpoints"]) == ["GET /v1/parcels/{parcel}"]
    assert result["endpoints"]["GET /v1/parcels/{parcel}"]["errors"] == 0
    assert result["floor"]["errors"] == 0 and result["floor"]["per_second"] > 0
    assert result["keep_alive"] is True and result["threads"] == 2
    assert "floor (bare WSGI app" in table(result)


def test_floor_body_is_json_of_the_asked_length():
    import json

    from bench.floor import body

    for size in (10, 80, 731):
        made = body(size)
        assert json.loads(made)["status"] == "RELEASED"
        assert len(made) == max(size, len(body(0)))
