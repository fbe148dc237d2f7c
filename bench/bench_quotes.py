"""Benchmark: duty quotes per second on one core, in process (the use case) and over HTTP
(gunicorn, one sync worker: one core), against the obvious alternative (reading the day's
rates from the database for every quote instead of the per-process rate table).

    python bench/bench_quotes.py [--quotes 20000] [--http-quotes 3000] [--output FILE]

Baskets cycle through RU (above and within the thresholds, in EUR and USD), DE and CN, 1 to 5
items; every quote is checked to be ESTIMATED (rates are loaded first). A fresh SQLite
database in a temporary folder. Run it under `flock /tmp/bench.lock` on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # not bench/: its http.py would shadow the standard library's

import requests  # noqa: E402

from bench.common import environment  # noqa: E402
from bench.http import cpu_seconds, gunicorn, worker_pids  # noqa: E402
from customs.adapters.database.migrate import upgrade  # noqa: E402
from customs.bootstrap import SystemClock, bootstrap  # noqa: E402
from customs.domain.duty_quote import Basket, BasketItem  # noqa: E402
from customs.domain.money import Money  # noqa: E402
from customs.settings import Settings  # noqa: E402

HS = ("8518300000", "3926909709", "6109100000", "8471300000", "9503007000")
BASKETS = (("RU", "EUR", "60.00"), ("RU", "EUR", "95.00"), ("RU", "USD", "70.00"),
           ("DE", "EUR", "12.00"), ("CN", "EUR", "30.00"))


def baskets(day: date) -> list[dict[str, Any]]:
    """JSON baskets: every destination with 1 to 5 items."""
    made = []
    for country, currency, each in BASKETS:
        for count in range(1, 6):
            made.append({"destination": country, "date": day.isoformat(),
                         "items": [{"hs_code": HS[n], "quantity": "1", "weight": "0.250",
                                    "value": {"amount": each, "currency": currency}}
                                   for n in range(count)]})
    return made


def domain_basket(body: dict[str, Any], day: date) -> Basket:
    return Basket(body["destination"], day, tuple(
        BasketItem(i["hs_code"], Money(Decimal(i["value"]["amount"]), i["value"]["currency"]),
                   Decimal(i["quantity"]), Decimal(i["weight"])) for i in body["items"]))


def in_process(customs: Any, items: list[Basket], count: int) -> dict[str, Any]:
    for basket in items:  # warm: rate tables, imports
        assert customs.quotes.quote(basket).estimate.status.value == "ESTIMATED"
    start = time.process_time()
    wall = time.perf_counter()
    for n in range(count):
        customs.quotes.quote(items[n % len(items)])
    cpu, seconds = time.process_time() - start, time.perf_counter() - wall
    return {"quotes": count, "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
            "per_cpu_second": round(count / cpu), "us_per_quote": round(cpu * 1e6 / count, 1)}


def over_http(env: dict[str, str], token: str, bodies: list[dict[str, Any]],
              count: int, clients: int = 2) -> dict[str, Any]:
    """One gunicorn sync worker (one core) answers `clients` keep-alive clients."""
    with gunicorn(env, 1) as (base, server):
        def run(offset: int) -> int:
            session = requests.Session()
            session.headers.update({"Authorization": f"Bearer {token}"})
            for n in range(offset, count, clients):
                reply = session.post(f"{base}/v1/quotes", json=bodies[n % len(bodies)],
                                     timeout=60)
                assert reply.status_code == 200 and reply.json()["status"] == "ESTIMATED"
            return 1

        for body in bodies:  # warm
            requests.post(f"{base}/v1/quotes", json=body, timeout=60,
                          headers={"Authorization": f"Bearer {token}"}).raise_for_status()
        pids = worker_pids(server.pid)
        cpu_before = sum(cpu_seconds(p) for p in pids)
        start = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(run, range(clients)))
        seconds = time.perf_counter() - start
        cpu = sum(cpu_seconds(p) for p in pids) - cpu_before
    return {"quotes": count, "clients": clients, "seconds": round(seconds, 3),
            "per_second": round(count / seconds), "worker_cpu_seconds": round(cpu, 2),
            "per_worker_cpu_second": round(count / cpu) if cpu else None,
            "cores_used": round(cpu / seconds, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=20_000)
    parser.add_argument("--http-quotes", type=int, default=3_000)
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-quotes-"))
    url = f"sqlite:///{folder / 'customs.db'}"
    upgrade(url)
    customs = bootstrap(Settings(database_url=url))
    day = SystemClock().now().date()
    customs.reference.load_rates_text(
        "date,currency,base,rate\n" + "".join(f"{day},{c},RUB,{r}\n" for c, r in (
            ("EUR", "100.1234"), ("USD", "80.5"), ("CNY", "11.37"))), actor="operator:bench")
    token = customs.access.create_api_key("bench", "marketplace")[1]
    bodies = baskets(day)
    items = [domain_basket(b, day) for b in bodies]
    cached = in_process(customs, items, args.quotes)
    customs.quotes.tables.__init__(fresh_for=0)  # type: ignore[misc]  # the alternative
    uncached = in_process(customs, items, max(1, args.quotes // 4))
    customs.quotes.tables.__init__()  # type: ignore[misc]
    customs.close()
    http = over_http({"CUSTOMS_DATABASE_URL": url, "CUSTOMS_RATE_LIMIT": ""}, token, bodies,
                     args.http_quotes)
    result = {"environment": environment(None), "in_process": cached,
              "in_process_rates_read_each_quote": uncached, "http_one_worker": http}
    text = json.dumps(result, indent=2)
    print(text)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
