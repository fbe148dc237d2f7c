"""`customs bench latency`: p50/p90/p99 of read endpoints under concurrent clients.

Closed loop: `clients` clients (4 processes of threads, so the client side is not one GIL) each
send a request, wait for the answer, and send the next. By Little's law the latency is about
clients / throughput, so with 32 clients a p99 under 20 ms needs more than ~1,600 requests/s.

ENDPOINTS is the list to extend: one entry per endpoint, a role whose API key calls it and a
function that makes a request path from the seeded sample (tenant, tracking numbers, a random
generator). Keys for couriers and officers get the scope in KEY_SCOPES.
"""

from __future__ import annotations

import http.client
import multiprocessing
import random
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.common import load_average
from bench.http import gunicorn
from bench.seed import sample_tracking_numbers


@dataclass
class Sample:
    """What endpoints draw from: seeded (tenant, tracking number) pairs and a key per role."""

    parcels: list[tuple[str, str]]
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class Endpoint:
    name: str
    role: str
    request: Callable[[Sample, random.Random], tuple[str, str]]  # -> (path, tenant name)


def _status_lookup(sample: Sample, rng: random.Random) -> tuple[str, str]:
    tenant, number = rng.choice(sample.parcels)
    return f"/v1/parcels/{number}", tenant


def _feed_page(sample: Sample, rng: random.Random) -> tuple[str, str]:
    tenant, _ = rng.choice(sample.parcels)
    return "/v1/feed?limit=100", tenant


def _officer_search(sample: Sample, rng: random.Random) -> tuple[str, str]:
    tenant, _ = rng.choice(sample.parcels)
    query = rng.choice(("", "status=HELD", "status=RELEASED&sort=-value", "hs=85"))
    return f"/v1/parcels?limit=50&{query}", tenant


ENDPOINTS: list[Endpoint] = [
    Endpoint("GET /v1/parcels/{tracking_number}", "marketplace", _status_lookup),
    Endpoint("GET /v1/feed (marketplace)", "marketplace", _feed_page),
    Endpoint("GET /v1/feed (courier)", "courier", _feed_page),
    Endpoint("GET /v1/parcels?… (officer search)", "officer", _officer_search),
]
# The scope of the key each role calls with (seeded couriers and Russian offices).
KEY_SCOPES: dict[str, dict[str, Any]] = {
    "courier": {"courier": "CDEK"},
    "officer": {"offices": ["10005020", "10005030", "10216100"]},
}


def _client(port: int, jobs: list[tuple[str, str]], out: list[float], errors: list[int]) -> None:
    for path, token in jobs:
        start = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            reply = conn.getresponse()
            reply.read()
            if reply.status != 200:
                errors.append(reply.status)
        except OSError:
            errors.append(0)
        finally:
            conn.close()
        out.append(time.perf_counter() - start)


def _process(args: tuple[int, list[list[tuple[str, str]]]]) -> tuple[list[float], list[int]]:
    port, per_thread = args
    out: list[float] = []
    errors: list[int] = []
    threads = [threading.Thread(target=_client, args=(port, jobs, out, errors))
               for jobs in per_thread]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out, errors


def _load(port: int, jobs: list[tuple[str, str]], clients: int) -> dict[str, Any]:
    processes = min(4, clients)
    lanes = [jobs[i::clients] for i in range(clients)]
    grouped = [(port, lanes[p::processes]) for p in range(processes)]
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.map(_process, grouped)
    seconds = time.perf_counter() - start
    times = sorted(t for r in results for t in r[0])
    errors = [e for r in results for e in r[1]]
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return {"requests": len(times), "errors": len(errors), "seconds": round(seconds, 2),
            "per_second": round(len(times) / seconds, 1),
            "p50_ms": round(cuts[49] * 1000, 2), "p90_ms": round(cuts[89] * 1000, 2),
            "p99_ms": round(cuts[98] * 1000, 2), "max_ms": round(times[-1] * 1000, 2)}


def run_latency(url: str, *, clients: int = 32, requests_per_endpoint: int = 5000,
                workers: int = 2, threads: int = 1,
                say: Callable[[str], None] = print) -> dict[str, Any]:
    from customs.bootstrap import bootstrap
    from customs.settings import Settings

    sample = Sample(list(sample_tracking_numbers(url, 20_000)))
    customs = bootstrap(Settings(database_url=url))
    with customs.engine.connect() as conn:
        parcels = conn.exec_driver_sql("SELECT count(*) FROM parcels").scalar()
    for tenant in sorted({t for t, _ in sample.parcels}):
        for role in sorted({e.role for e in ENDPOINTS}):
            sample.tokens[(tenant, role)] = customs.create_api_key(
                tenant, role, label="bench", **KEY_SCOPES.get(role, {}))[1]
    customs.close()
    rng = random.Random(3)
    result: dict[str, Any] = {"database": url.split(":")[0], "parcels": parcels,
                              "clients": clients, "gunicorn_workers": workers,
                              "threads": threads, "load_before": load_average(),
                              "endpoints": {}}
    # No per-key rate limit: thousands of requests a minute per key are the point here.
    env = {"CUSTOMS_DATABASE_URL": url, "CUSTOMS_LOG_LEVEL": "WARNING", "CUSTOMS_RATE_LIMIT": ""}
    with gunicorn(env, workers, threads=threads) as (base, _server):
        port = int(base.rsplit(":", 1)[1])
        for endpoint in ENDPOINTS:
            def jobs(count: int, ep: Endpoint = endpoint) -> list[tuple[str, str]]:
                made = [ep.request(sample, rng) for _ in range(count)]
                return [(path, sample.tokens[(tenant, ep.role)]) for path, tenant in made]

            say(f"{endpoint.name}: warm-up, then {requests_per_endpoint} requests")
            _load(port, jobs(min(500, requests_per_endpoint)), clients)
            result["endpoints"][endpoint.name] = _load(port, jobs(requests_per_endpoint),
                                                       clients)
    result["load_after"] = load_average()
    return result


def table(result: dict[str, Any]) -> str:
    lines = [f"latency: {result['database']}, {result['parcels']:,} parcels, "
             f"{result['clients']} clients, gunicorn {result['gunicorn_workers']} worker(s) x "
             f"{result['threads']} thread(s); {result['load_before']}",
             f"{'endpoint':<36}{'req/s':>8}{'p50 ms':>8}{'p90 ms':>8}{'p99 ms':>8}"
             f"{'max ms':>8}{'errors':>8}"]
    for name, r in result["endpoints"].items():
        lines.append(f"{name:<36}{r['per_second']:>8,.0f}{r['p50_ms']:>8.1f}{r['p90_ms']:>8.1f}"
                     f"{r['p99_ms']:>8.1f}{r['max_ms']:>8.1f}{r['errors']:>8}")
    return "\n".join(lines)
