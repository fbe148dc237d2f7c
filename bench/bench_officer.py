"""Benchmark: officer search, parcel look-up, stats and feed pages on a database of N parcels.

Seeds the database inside the engine (SQL-generated rows: 5 marketplaces, 20 offices, 7
couriers, 60 days, ~200 HS codes, goods words; three events per parcel), then times each
query kind through the real services (the use cases, no HTTP) and prints p50/p90/p99:

    python -m bench.bench_officer --parcels 1000000 --database URL [--output FILE]

The database must be empty and migrated (`customs db upgrade`); --reuse skips seeding when it
already holds the parcels.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":  # run as a script: bench/http.py
    sys.path.pop(0)                                             # would shadow the stdlib's http
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from customs.bootstrap import bootstrap  # noqa: E402
from customs.services.ports import Principal, SearchFilters  # noqa: E402
from customs.settings import Settings  # noqa: E402

WORDS = ("phone", "case", "silicone", "wireless", "headphones", "bluetooth", "cotton", "shirt",
         "running", "shoes", "plastic", "toy", "car", "kitchen", "knife", "steel", "watch",
         "leather", "wallet", "glass", "vase", "usb", "cable", "charger", "lamp", "led",
         "sticker", "notebook", "pen", "backpack", "bottle")
STATUSES = ("SUBMITTED", "ACKNOWLEDGED", "RELEASED", "RELEASED", "RELEASED", "HELD",
            "DUTY_DUE", "REFUSED", "DECLARED", "REJECTED")
START = datetime(2026, 10, 1, tzinfo=UTC)


def seed(engine, n: int) -> float:  # type: ignore[no-untyped-def]
    pg = engine.dialect.name == "postgresql"
    seq = ("SELECT g::bigint AS n FROM generate_series(1, :n) AS g" if pg else
           "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < :n) "
           "SELECT n FROM s")
    ts = ("(timestamptz '2026-10-01' + (n * 5) * interval '1 second')" if pg else
          "(datetime('2026-10-01', '+' || (n * 5) || ' seconds') || '.000000')")
    later = ("(timestamptz '2026-10-01' + (n * 5 + 600 + n % 7200) * interval '1 second')"
             if pg else
             "(datetime('2026-10-01', '+' || (n * 5 + 600 + n % 7200) || ' seconds') "
             "|| '.000000')")
    words = "ARRAY[" + ",".join(f"'{w}'" for w in WORDS) + "]" if pg else None
    status = "(CASE (n * 15485863 % 1000003) % 10 " + " ".join(f"WHEN {i} THEN '{s}'" for i, s in
                                        enumerate(STATUSES)) + " END)"
    word = ((lambda k: f"({words})[1 + (n * {k} % 1000003) % {len(WORDS)}]") if pg else
            (lambda k: f"(CASE (n * {k} % 1000003) % {len(WORDS)} " + " ".join(
                f"WHEN {i} THEN '{w}'" for i, w in enumerate(WORDS)) + " END)"))
    text = f"{word(6007)} || ' ' || {word(7103)} || ' ' || {word(9311)}"
    began = time.perf_counter()
    with engine.begin() as conn:
        run = lambda sql, **kw: conn.execute(sa.text(sql), kw)  # noqa: E731
        for t in range(5):
            run("INSERT INTO tenants (name, created_at) VALUES (:name, :at)",
                name=f"shop{t}", at=START)
        tenant0 = run("SELECT min(id) FROM tenants").scalar()
        run("INSERT INTO manifests (id, tenant_id, ref, issued_at, received_at, "
            "destination_country, customs_office, document_sha256, document_size, "
            "parcel_count, accepted_count, rejected_count) VALUES ('bench', :t, 'bench', :at, "
            ":at, 'RU', '10005020', '0', 0, 0, 0, 0)", t=tenant0, at=START)
        run(f"INSERT INTO parcels (manifest_id, tenant_id, position, tracking_number, courier, "
            f"destination_country, customs_office, status, declared_value, currency, "
            f"gross_weight, created_at, updated_at, declared_amount, search_text, released_at, "
            f"house_waybill) "
            f"SELECT 'bench', {tenant0} + (n * 7919 % 1000003) % 5, n, 'BN' || n, "
            f"(CASE (n * 104729 % 1000003) % 7 WHEN 0 THEN 'CDEK' WHEN 1 THEN 'DHL' "
            f"WHEN 2 THEN 'DPD' WHEN 3 THEN 'UPS' WHEN 4 THEN 'RUPOST' WHEN 5 THEN 'BOXBERRY' "
            f"ELSE 'YUNEXPRESS' END), 'RU', "
            f"'100050' || (10 + (n * 1299709 % 1000003) % 20), {status}, "
            f"((n * 37) % 50000) / 100.0 || '', 'EUR', "
            f"'0.500', {ts}, {later}, ((n * 37) % 50000) / 100.0, {text}, "
            f"CASE WHEN {status} = 'RELEASED' THEN {later} END, 'HW' || n FROM ({seq}) AS q", n=n)
        run("INSERT INTO parcel_goods (parcel_id, hs_code) SELECT id, "
            "(8400000000 + (CAST(id AS BIGINT) * 7919) % 200 * 1000000) || '' FROM parcels", )
        for st in ("RECEIVED", "VALIDATED", None):
            run("INSERT INTO parcel_events (parcel_id, status, previous_status, at, actor, source, "
                "reason, tenant_id, courier, customs_office, role) SELECT id, "
                f"{'status' if st is None else repr(st)}, NULL, created_at, 'bench', 'BENCH', "
                "'seeded', tenant_id, courier, customs_office, 'system' FROM parcels")
        if not pg:
            run("INSERT INTO parcel_text(rowid, words) SELECT id, search_text FROM parcels")
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - began


def timed(fn, runs: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50_ms": round(q[49], 2), "p90_ms": round(q[89], 2), "p99_ms": round(q[98], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parcels", type=int, default=1_000_000)
    parser.add_argument("--database", required=True)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--output")
    args = parser.parse_args()
    customs = bootstrap(Settings(database_url=args.database))
    customs.operations.upgrade_database()
    with customs.resources.engine.connect() as conn:
        have = conn.exec_driver_sql("SELECT count(*) FROM parcels").scalar()
    seconds = 0.0
    if not (args.reuse and have):
        seconds = seed(customs.resources.engine, args.parcels)
        print(f"seeded {args.parcels:,} parcels in {seconds:.1f} s")
    with customs.resources.engine.connect() as conn:
        total = conn.exec_driver_sql("SELECT count(*) FROM parcels").scalar()
        events = conn.exec_driver_sql("SELECT count(*) FROM parcel_events").scalar()
        tenant0 = conn.exec_driver_sql("SELECT min(id) FROM tenants").scalar()
    officer = Principal("k", tenant0, "fts", "officer", None, ("10005010", "10005011"))
    courier = Principal("k", tenant0, "cdek", "courier", "CDEK")
    shop = Principal("k", tenant0, "shop0", "marketplace")
    rng = random.Random(7)
    now = START + timedelta(days=60)

    def one(who, **f):  # type: ignore[no-untyped-def]
        return lambda: customs.parcels.search_parcels(who, SearchFilters(**f), 100)

    cases = {
        "search: office, newest first": one(officer),
        "search: status HELD, 7 days": one(officer, statuses=("HELD",),
                                          received_from=now - timedelta(days=7)),
        "search: HS chapter prefix 8401": one(officer, hs_prefix="8401"),
        "search: words 'wireless headphones'": one(officer, words=("wireless", "headphones")),
        "search: value 400-500, by value": one(officer, value_min=400, value_max=500,
                                               sort="-value"),
        "search: marketplace shop3 + HELD": one(officer, marketplace="shop3",
                                               statuses=("HELD",)),
        "search: tracking number": lambda: customs.parcels.search_parcels(
            officer, SearchFilters(tracking_number=f"BN{rng.randrange(1, total) * 20 + 1}"), 10),
        "parcel by tracking number (courier)": lambda: _quiet(
            customs.parcels.parcel, courier, f"BN{rng.randrange(1, total // 7) * 7}"),
        "feed page of 100 (courier)": lambda: customs.parcels.feed(
            courier, None, 100).to_json(),
        "feed page of 100 (marketplace)": lambda: customs.parcels.feed(shop, None, 100).to_json(),
        "stats: 30 days (officer)": lambda: customs.parcels.stats(officer, now - timedelta(days=30),
                                                          now),
    }
    results = {"engine": customs.resources.engine.dialect.name, "parcels": total, "events": events,
               "seed_seconds": round(seconds, 1), "queries": {}}
    for name, fn in cases.items():
        runs = 20 if name.startswith("stats") else args.runs
        results["queries"][name] = timed(fn, runs)
        print(f"{name:52s} {results['queries'][name]}")
    if args.output:
        Path(args.output).write_text(json.dumps(results, indent=2))


def _quiet(fn, *args):  # type: ignore[no-untyped-def]
    from customs.domain.errors import NotFound

    try:
        return fn(*args)
    except NotFound:
        return None


if __name__ == "__main__":
    main()
