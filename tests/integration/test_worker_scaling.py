"""Several `customs worker` processes at once on PostgreSQL, on a backlog of thousands of
declared parcels: each parcel is batched and submitted exactly once, and two workers clear the
backlog faster than one (figures printed; run with -s to see them).

The authority is a loopback HTTP server that answers after AUTHORITY_MS, as a remote one
would: a worker waiting on it leaves the CPU to the other, which is what lets throughput grow
with workers even on two busy shared cores.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from customs.services.intake import SubmitManifest
from tests.conftest import TEST_DB
from tests.manifests import manifest, parcel

ROOT = Path(__file__).resolve().parents[2]
PARCELS = 3000
BATCH_SIZE = "50"
AUTHORITY_MS = 30


class _Authority(BaseHTTPRequestHandler):
    received: ClassVar[Counter] = Counter()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(AUTHORITY_MS / 1000)
        self.received[self.headers["X-Message-Id"]] += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not TEST_DB, reason="several workers at once need PostgreSQL "
                                           "(SQLite serializes writers)"),
]


def test_workers_submit_each_parcel_once_and_scale(signed_customs, database_url,
                                                   dev_signing_key, tmp_path):
    tenant = signed_customs.access.authenticate(signed_customs.access.create_api_key("acme",
                                                                                     "marketplace")[1])
    for n in range(PARCELS // 500):
        body = manifest(*[parcel(f"W{n}-{i:04d}") for i in range(500)], ref=f"w{n}")
        signed_customs.intake.submit_manifest(SubmitManifest(tenant.tenant_id, f"w{n}", body, "t"))
    assert _one(signed_customs, "SELECT count(*) FROM parcels WHERE status = 'DECLARED'") \
        == PARCELS
    rates: dict[int, list[float]] = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Authority)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/batches"
    try:
        for workers in (1, 2, 1, 2):  # the best of two runs each is compared
            _Authority.received.clear()
            mark = _one(signed_customs, "SELECT coalesce(max(id), 0) FROM parcel_events")
            seconds = _clear_backlog(signed_customs, database_url, dev_signing_key, url,
                                     workers)
            _assert_each_parcel_once(signed_customs, _Authority.received, mark)
            rates.setdefault(workers, []).append(PARCELS / seconds)
            _reset(signed_customs)
    finally:
        server.shutdown()
        server.server_close()
    best = {w: max(r) for w, r in rates.items()}
    print(f"\nworkers clearing {PARCELS} declared parcels (batches of {BATCH_SIZE}): "
          + ", ".join(f"{w}: {', '.join(f'{r:,.0f}' for r in rs)} parcels/s"
                      for w, rs in rates.items())
          + f"; best 2/1 = {best[2] / best[1]:.2f}; authority answers in {AUTHORITY_MS} ms; "
          f"load {os.getloadavg()[0]:.2f}")
    assert best[2] > 1.2 * best[1]


def _one(customs, sql: str):  # type: ignore[no-untyped-def]
    with customs.resources.engine.connect() as conn:
        return conn.exec_driver_sql(sql).scalar()


def _clear_backlog(customs, database_url, key, authority: str, workers: int) -> float:  # type: ignore[no-untyped-def]
    env = {**os.environ, "CUSTOMS_DATABASE_URL": database_url,
           "CUSTOMS_SIGNING_KEY": str(key[0]), "CUSTOMS_SIGNING_CERT": str(key[1]),
           "CUSTOMS_BATCH_SIZE": BATCH_SIZE, "CUSTOMS_AUTHORITY_URL": authority,
           "CUSTOMS_LOG_LEVEL": "WARNING"}
    procs = [subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--force-seal",
                               "--interval", "0.1"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for _ in range(workers)]
    try:
        deadline = time.monotonic() + 60
        start = None
        while time.monotonic() < deadline:  # the clock starts at the first sealed batch
            if start is None and _one(customs, "SELECT count(*) FROM batches"):
                start = time.perf_counter()
            if _one(customs, "SELECT count(*) FROM parcels WHERE status = 'SUBMITTED'") \
                    == PARCELS:
                break
            time.sleep(0.02)
        else:
            pytest.fail(f"{workers} workers did not clear the backlog in 60 s")
        assert start is not None
        return time.perf_counter() - start
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=30)


def _assert_each_parcel_once(customs, received: Counter, mark: int) -> None:  # type: ignore[no-untyped-def]
    def one(sql: str):  # type: ignore[no-untyped-def]
        return _one(customs, sql)

    assert one("SELECT count(*) FROM parcels WHERE status = 'SUBMITTED' "
               "AND batch_id IS NOT NULL") == PARCELS
    assert one("SELECT sum(parcel_count) FROM batches") == PARCELS
    assert one("SELECT count(*) FROM batches WHERE status <> 'SUBMITTED'") == 0
    for status in ("BATCHED", "SUBMITTED"):
        assert one(f"SELECT count(*) FROM (SELECT parcel_id FROM parcel_events WHERE status = "
                   f"'{status}' AND id > {mark} GROUP BY parcel_id HAVING count(*) <> 1) d") == 0
        assert one(f"SELECT count(DISTINCT parcel_id) FROM parcel_events WHERE status = "
                   f"'{status}' AND id > {mark}") == PARCELS
    assert one("SELECT count(*) FROM (SELECT p.batch_id FROM parcels p JOIN batches b ON "
               "b.id = p.batch_id GROUP BY p.batch_id, b.parcel_count "
               "HAVING count(*) <> b.parcel_count) m") == 0
    sent = one("SELECT count(*) FROM messages WHERE direction = 'out'")
    batches = one("SELECT count(*) FROM batches")
    assert sent == batches  # each batch sent once
    assert len(received) == batches and set(received.values()) == {1}  # and received once


def _reset(customs) -> None:  # type: ignore[no-untyped-def]
    """The same backlog again: parcels back to DECLARED, batches and messages gone (the
    append-only events stay: each run counts only the events after its mark)."""
    with customs.resources.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM messages")
        conn.exec_driver_sql("UPDATE parcels SET status = 'DECLARED', batch_id = NULL")
        conn.exec_driver_sql("DELETE FROM batches")
