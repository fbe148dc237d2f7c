"""Benchmark: web console pages on a database of N parcels, timed server-side.

Each page is requested through the app in this process (the WSGI call: session check, use
case, SQL, template, no network), signed in as a console person, and p50/p90/p99 are
printed per page. The database is the one `bench.bench_officer` seeds (1,000,000 parcels over
60 days, 20 offices, 5 marketplaces); the clock is the seeded period's end. The delivery
layer builds the app and hands it in (the bench imports no delivery code):

    customs bench console --database URL [--seed 1000000] [--runs 50] [--output FILE]

Pages: the officer's queue (all waiting states, and held parcels of one office), searches
(held parcels, words, a tracking number), a dossier (with its signature verified), the bulk
confirmation of 3 ticked parcels (a POST with its CSRF token), the supervisor's dashboard
(two offices, 14 and 31 days), the marketplace's list of manifests, a parcel page, find a
parcel, and the receipt and CSV of a generated manifest of --manifest-parcels parcels (a
fifth invalid) submitted first through the intake use case.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import time
import uuid
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bench.bench_officer import START, seed
from customs.bootstrap import bootstrap, generate_sample
from customs.domain.errors import Conflict
from customs.services.intake import SubmitManifest
from customs.settings import Settings

PASSWORD = "bench console password"
OFFICES = ["10005010", "10005011"]  # the officer bench's scope: a tenth of the parcels


class SeededClock:
    """The end of the seeded period (bench_officer: 60 days from START)."""

    def now(self) -> datetime:
        return START + timedelta(days=59, hours=12)


def signed_in(app: Any, customs: Any, email: str, role: str, **scope: Any) -> Any:
    with suppress(Conflict):  # there from an earlier run, with the same password
        customs.accounts.create_user(email, role, password=PASSWORD, locale="en", **scope)
    client = app.test_client()
    page = client.get("/console/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    done = client.post("/console/sign-in", data={"csrf_token": token, "email": email,
                                                 "password": PASSWORD})
    assert done.status_code == 302, done.text[:500]
    return client


def form_token(client: Any) -> str:
    page = client.get("/console/account")
    return str(re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1))


def timed(client: Any, path: Any, runs: int, status: int = 200) -> dict[str, float]:
    """`path`: a URL, a callable giving one, or (URL, form) for a POST."""
    samples = []
    for _ in range(runs):
        target = path() if callable(path) else path
        began = time.perf_counter()
        reply = (client.post(target[0], data=target[1]) if isinstance(target, tuple)
                 else client.get(target))
        body = reply.get_data()
        samples.append((time.perf_counter() - began) * 1000)
        assert reply.status_code == status, (target, reply.status_code, body[:300])
    q = statistics.quantiles(sorted(samples), n=100, method="inclusive")
    return {"p50_ms": round(q[49], 1), "p90_ms": round(q[89], 1), "p99_ms": round(q[98], 1),
            "runs": runs}


def shop0_numbers(total: int, rng: random.Random, tenant_count: int = 5) -> list[str]:
    """Tracking numbers the seed gave to the first marketplace (tenant0 + n*7919 % 1000003 % 5)."""
    return _seeded(total, rng, lambda n: (n * 7919 % 1000003) % tenant_count == 0)


def office_numbers(total: int, rng: random.Random) -> list[str]:
    """Tracking numbers the seed sent through OFFICES ('100050' || 10 + n*1299709 % 1000003 %
    20): the officer's parcels."""
    return _seeded(total, rng, lambda n: (n * 1299709 % 1000003) % 20 in (0, 1))


def _seeded(total: int, rng: random.Random, chosen: Any) -> list[str]:
    found: list[str] = []
    while len(found) < 200:
        n = rng.randrange(1, total + 1)
        if chosen(n):
            found.append(f"BN{n}")
    return found


def _tenant_names(customs: Any) -> dict[int, str]:
    with customs.resources.engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT id, name FROM tenants").all())


def prepare(database: str, seed_parcels: int = 0) -> tuple[Any, int]:
    """The application on the seeded database (seeding it when empty and asked to)."""
    customs = bootstrap(Settings(database_url=database), clock=SeededClock())
    customs.operations.upgrade_database()
    with customs.resources.engine.connect() as conn:
        total = int(conn.exec_driver_sql("SELECT count(*) FROM parcels").scalar() or 0)
    if not total and seed_parcels:
        seconds = seed(customs.resources.engine, seed_parcels)
        print(f"seeded {seed_parcels:,} parcels in {seconds:.0f} s")
        total = seed_parcels
    return customs, total


def run(customs: Any, app: Any, total: int, *, runs: int = 50, manifest_parcels: int = 5000,
        output: str | None = None) -> dict[str, Any]:
    boss = signed_in(app, customs, "bench-boss@bench.example", "supervisor", offices=OFFICES)
    shop = signed_in(app, customs, "bench-shop@bench.example", "marketplace", tenant="shop0")
    tenant = customs.access.create_api_key("shop0", "marketplace")[1]
    tenant_id = customs.access.authenticate(tenant).tenant_id
    sample = generate_sample(manifest_parcels, 5, invalid_rate=0.2, destination="RU")
    began = time.perf_counter()
    receipt = customs.intake.submit_manifest(SubmitManifest(
        tenant_id, f"bench-{uuid.uuid4()}", sample.xml, "marketplace:bench"))
    intake_s = time.perf_counter() - began
    rng = random.Random(7)
    with customs.resources.engine.connect() as conn:  # the seeded ones: BN1 .. BN<seeded>
        seeded = conn.exec_driver_sql(
            "SELECT count(*) FROM parcels WHERE manifest_id = 'bench'").scalar()
    numbers = shop0_numbers(int(seeded or total), rng)
    mine = office_numbers(int(seeded or total), rng)
    token = form_token(boss)
    names = _tenant_names(customs)
    with customs.resources.engine.connect() as conn:  # three of my held parcels, as ticked
        ticked = [f"{n}|{names[t]}|{s}" for n, t, s in conn.execute(sa.text(
            "SELECT tracking_number, tenant_id, status FROM parcels WHERE status = 'HELD' "
            "AND customs_office = :office LIMIT 3"), {"office": OFFICES[0]}).all()]
    bulk = {"csrf_token": token, "parcel": ticked, "action": "release", "back": "/console/queue"}
    receipt_path = f"/console/manifests/{receipt.manifest_id}"
    pages = {
        "queue (officer, 2 offices, default states)": (boss, "/console/queue", 200),
        "queue: held, one office": (boss, f"/console/queue?status=HELD&office={OFFICES[0]}",
                                    200),
        "search: held, newest first": (boss, "/console/search?status=HELD", 200),
        "search: words 'wireless headphones'": (boss, "/console/search?q=wireless+headphones",
                                               200),
        "search: tracking number": (boss, lambda: "/console/search?tracking_number="
                                    + rng.choice(mine), 200),
        "dossier (officer, signature verified)": (boss, lambda: "/console/parcels/"
                                                  + rng.choice(mine), 200),
        "bulk confirmation, 3 parcels (POST)": (boss, ("/console/decisions/confirm", bulk),
                                                200),
        "dashboard, 14 days (supervisor, 2 offices)": (boss, "/console/dashboard?days=14", 200),
        "dashboard, 31 days (supervisor, 2 offices)": (boss, "/console/dashboard?days=31", 200),
        "manifests list (marketplace)": (shop, "/console/manifests", 200),
        "parcel page (marketplace)": (shop, lambda: "/console/market/parcels/"
                                      + rng.choice(numbers), 200),
        "find a parcel (marketplace, redirect)": (
            shop, lambda: "/console/market/find?tracking=" + rng.choice(numbers), 302),
        f"receipt, {manifest_parcels} parcels (first page of rejections)": (
            shop, receipt_path, 200),
        "receipt filtered by code": (shop, receipt_path + "?code=SCHEMA_VIOLATION", 200),
        "rejections CSV (every row)": (shop, receipt_path + "/rejections.csv", 200),
    }
    results: dict[str, Any] = {
        "engine": customs.resources.engine.dialect.name, "parcels": total,
        "manifest": {"parcels": receipt.body["parcels"], "rejected": receipt.body["rejected"],
                     "intake_s": round(intake_s, 1)},
        "measured_at": datetime.now(UTC).isoformat(timespec="minutes"), "pages": {}}
    for name, (client, path, status) in pages.items():
        timed(client, path, 3, status)  # warm: plans, templates, caches
        results["pages"][name] = timed(client, path, runs, status)
        print(f"{name:<58} {results['pages'][name]}", flush=True)
    if output:
        with open(output, "w") as out:
            json.dump(results, out, indent=2)
    return results
