"""`customs bench latency`: p50/p90/p99 of read endpoints under concurrent clients.

Closed loop: `clients` clients (4 processes of threads, so the client side is not one GIL) each
send a request, wait for the answer, and send the next. By Little's law the latency is about
clients / throughput, so with 32 clients a p99 under 20 ms needs more than ~1,600 requests/s.

ENDPOINTS is the list to extend: one entry per endpoint, a role whose API key calls it and a
function that makes a request path from the seeded sample (tenant, tracking numbers, a random
generator). Keys for couriers and officers get the scope in KEY_SCOPES.

The floor (bench/floor.py) runs in the same benchmark: a bare WSGI app answering the status
look-up's requests with a constant body as long as a status reply, under gunicorn with the same
workers, threads and keep-alive, loaded by the same clients. Each endpoint is reported as a
ratio to it (requests/s): ours against the bare cost with nothing of ours around it.

Clients open a new TCP connection per request by default; `keep_alive` gives each client one
HTTP/1.1 connection that it reuses, as the connection pools of courier integrations do. Only
gthread workers (threads > 1) keep a connection open: sync workers close it after each reply,
and the client then reconnects.
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
from bench.http import cpu_seconds, gunicorn, worker_pids
from bench.seed import sample_tracking_numbers


@dataclass
class Sample:
    """What endpoints draw from: seeded (tenant, tracking number) pairs and a key per role."""

    parcels: list[tuple[str, str]]
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class Endpoint:
    key: str  # a short name for --endpoint
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
    Endpoint("status", "GET /v1/parcels/{parcel}", "marketplace", _status_lookup),
    Endpoint("feed-marketplace", "GET /v1/feed (marketplace)", "marketplace", _feed_page),
    Endpoint("feed-courier", "GET /v1/feed (courier)", "courier", _feed_page),
    Endpoint("search", "GET /v1/parcels?… (officer search)", "officer", _officer_search),
]
FLOOR = "floor (bare WSGI app, constant reply)"
KEEP_ALIVE_SECONDS = 75  # the servers' idle keep-alive (gunicorn.conf.py's default)
# The scope of the key each role calls with (seeded couriers and Russian offices).
KEY_SCOPES: dict[str, dict[str, Any]] = {
    "courier": {"courier": "CDEK"},
    "officer": {"offices": ["10005020", "10005030", "10216100"]},
}


def _client(port: int, jobs: list[tuple[str, str]], out: list[float], errors: list[int],
            keep_alive: bool) -> None:
    kept = http.client.HTTPConnection("127.0.0.1", port, timeout=30) if keep_alive else None
    for path, token in jobs:
        start = time.perf_counter()
        conn = kept or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            # http.client reopens a kept connection the server closed after its last reply
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            reply = conn.getresponse()
            reply.read()
            if reply.status != 200:
                errors.append(reply.status)
        except (OSError, http.client.HTTPException):
            errors.append(0)
            conn.close()
        finally:
            if kept is None:
                conn.close()
        out.append(time.perf_counter() - start)
    if kept is not None:
        kept.close()


def _process(args: tuple[int, list[list[tuple[str, str]]], bool]
             ) -> tuple[list[float], list[int]]:
    port, per_thread, keep_alive = args
    out: list[float] = []
    errors: list[int] = []
    threads = [threading.Thread(target=_client, args=(port, jobs, out, errors, keep_alive))
               for jobs in per_thread]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out, errors


def _load(port: int, jobs: list[tuple[str, str]], clients: int, *,
          keep_alive: bool = False) -> dict[str, Any]:
    processes = min(4, clients)
    lanes = [jobs[i::clients] for i in range(clients)]
    grouped = [(port, lanes[p::processes], keep_alive) for p in range(processes)]
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


def _reply_bytes(port: int, path: str, token: str) -> int:
    """The length of one reply's body (the floor answers with a body this long)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        return len(conn.getresponse().read())
    finally:
        conn.close()


def run_latency(url: str, *, clients: int = 32, requests_per_endpoint: int = 5000,
                workers: int = 2, threads: int = 1, keep_alive: bool = False,
                endpoints: tuple[str, ...] = (),
                say: Callable[[str], None] = print) -> dict[str, Any]:
    """Each endpoint (`endpoints`: their keys; none: all), then the floor, under the same
    gunicorn settings and clients."""
    from customs.bootstrap import bootstrap
    from customs.settings import Settings

    chosen = [e for e in ENDPOINTS if not endpoints or e.key in endpoints]
    status = next(e for e in ENDPOINTS if e.key == "status")
    sample = Sample(list(sample_tracking_numbers(url, 20_000)))
    customs = bootstrap(Settings(database_url=url))
    with customs.resources.engine.connect() as conn:
        parcels = conn.exec_driver_sql("SELECT count(*) FROM parcels").scalar()
    for tenant in sorted({t for t, _ in sample.parcels}):
        for role in sorted({e.role for e in [*chosen, status]}):
            sample.tokens[(tenant, role)] = customs.access.create_api_key(
                tenant, role, label="bench", **KEY_SCOPES.get(role, {}))[1]
    customs.close()
    rng = random.Random(3)
    result: dict[str, Any] = {"database": url.split(":")[0], "parcels": parcels,
                              "clients": clients, "gunicorn_workers": workers,
                              "threads": threads, "keep_alive": keep_alive,
                              "load_before": load_average(), "endpoints": {}}

    def jobs(endpoint: Endpoint, count: int) -> list[tuple[str, str]]:
        made = [endpoint.request(sample, rng) for _ in range(count)]
        return [(path, sample.tokens[(tenant, endpoint.role)]) for path, tenant in made]

    def measure(server: Any, port: int, name: str, endpoint: Endpoint) -> dict[str, Any]:
        say(f"{name}: warm-up, then {requests_per_endpoint} requests")
        _load(port, jobs(endpoint, min(500, requests_per_endpoint)), clients,
              keep_alive=keep_alive)
        pids = worker_pids(server.pid)
        cpu = sum(cpu_seconds(pid) for pid in pids)
        figures = _load(port, jobs(endpoint, requests_per_endpoint), clients,
                        keep_alive=keep_alive)
        cpu = sum(cpu_seconds(pid) for pid in pids) - cpu
        # CPU the gunicorn workers spent per request (clock ticks: ~10 ms resolution in all)
        figures["worker_cpu_ms"] = round(cpu * 1000 / figures["requests"], 3)
        return figures

    # No per-key rate limit: thousands of requests a minute per key are the point here.
    env = {"CUSTOMS_DATABASE_URL": url, "CUSTOMS_LOG_LEVEL": "WARNING", "CUSTOMS_RATE_LIMIT": ""}
    with gunicorn(env, workers, threads=threads, keep_alive=KEEP_ALIVE_SECONDS) as (base, ours):
        port = int(base.rsplit(":", 1)[1])
        reply_bytes = _reply_bytes(port, *jobs(status, 1)[0])
        for endpoint in chosen:
            result["endpoints"][endpoint.name] = measure(ours, port, endpoint.name, endpoint)
    floor_env = {"BENCH_FLOOR_BYTES": str(reply_bytes)}
    with gunicorn(floor_env, workers, threads=threads, keep_alive=KEEP_ALIVE_SECONDS,
                  bare_app="bench.floor:app") as (base, bare):
        floor = measure(bare, int(base.rsplit(":", 1)[1]), FLOOR, status)
    result["floor"] = {**floor, "reply_bytes": reply_bytes, "app": "bench.floor:app"}
    for figures in result["endpoints"].values():
        figures["ratio_to_floor"] = round(figures["per_second"] / floor["per_second"], 3)
    result["load_after"] = load_average()
    return result


def table(result: dict[str, Any]) -> str:
    connections = "keep-alive" if result["keep_alive"] else "a new connection per request"
    lines = [f"latency: {result['database']}, {result['parcels']:,} parcels, "
             f"{result['clients']} clients ({connections}), gunicorn "
             f"{result['gunicorn_workers']} worker(s) x {result['threads']} thread(s); "
             f"{result['load_before']}",
             f"{'endpoint':<40}{'req/s':>8}{'p50 ms':>8}{'p90 ms':>8}{'p99 ms':>8}"
             f"{'max ms':>8}{'errors':>8}{'/floor':>8}{'cpu ms':>8}"]
    rows = [*result["endpoints"].items(), (FLOOR, result["floor"])]
    for name, r in rows:
        ratio = f"{r['ratio_to_floor']:>8.2f}" if "ratio_to_floor" in r else f"{'1':>8}"
        lines.append(f"{name:<40}{r['per_second']:>8,.0f}{r['p50_ms']:>8.1f}{r['p90_ms']:>8.1f}"
                     f"{r['p99_ms']:>8.1f}{r['max_ms']:>8.1f}{r['errors']:>8}{ratio}"
                     f"{r['worker_cpu_ms']:>8.2f}")
    lines.append(f"floor: {result['floor']['reply_bytes']}-byte reply; /floor: requests/s over "
                 f"the floor's; cpu ms: gunicorn workers' CPU per request; {result['load_after']}")
    return "\n".join(lines)
