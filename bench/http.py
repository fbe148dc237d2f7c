"""Intake over HTTP under gunicorn with 1, 2, 4 sync workers: the same manifests each time,
posted by a fixed number of concurrent clients, on a fresh database per worker count."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from bench.common import ROOT, free_port, peak_mib

CLIENTS = 4


@contextmanager
def gunicorn(env: dict[str, str], workers: int, *, threads: int = 1, timeout: int = 600,
             keep_alive: int | None = None,
             bare_app: str | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """gunicorn -c gunicorn.conf.py from the repository, on a free loopback port.

    `bare_app` ("module:callable") serves that app instead, with gunicorn's defaults in place
    of the repository's config file (no JSON logs, no access log) and the same workers,
    threads, keep-alive and timeout: the floor of the latency benchmark."""
    port = free_port()
    config = ["-c", "gunicorn.conf.py"] if bare_app is None else ["-c", os.devnull]
    options = ["--workers", str(workers), "--threads", str(threads),
               "--bind", f"127.0.0.1:{port}", "--timeout", str(timeout), "--max-requests", "0"]
    if keep_alive is not None:
        options += ["--keep-alive", str(keep_alive)]
    if bare_app is None:
        options += ["--access-logfile", "/dev/null"]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *config, *options,
         *([bare_app] if bare_app is not None else [])],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a loaded shared machine boots workers slowly
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/health", timeout=10).status_code < 500 and \
                        len(worker_pids(server.pid)) >= workers:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start within 120 s")
        for _ in range(workers * 4):  # each worker builds its app before the timed run
            requests.get(f"{base}/health", timeout=30)
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=60)


def worker_pids(master: int) -> list[int]:
    try:
        return [int(p) for p in
                Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def intake(env: dict[str, str], token: str, manifests: list[bytes], parcels: int,
           workers: int) -> dict[str, Any]:
    """Post every manifest (CLIENTS at a time); parcels per second over the wall time."""
    with gunicorn(env, workers) as (base, server):
        def post(item: tuple[int, bytes]) -> dict[str, Any]:
            number, body = item
            reply = requests.post(f"{base}/v1/manifests", data=body, timeout=600, headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/xml",
                "Idempotency-Key": f"bench-{workers}-{number}"})
            reply.raise_for_status()
            return reply.json()  # type: ignore[no-any-return]

        pids = worker_pids(server.pid)
        cpu_before = sum(cpu_seconds(pid) for pid in pids)
        start = time.perf_counter()
        with ThreadPoolExecutor(CLIENTS) as pool:
            replies = list(pool.map(post, enumerate(manifests)))
        seconds = time.perf_counter() - start
        cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
        peaks = [peak_mib(pid) for pid in pids]
    return {"workers": workers, "clients": CLIENTS, "requests": len(manifests),
            "parcels": parcels, "seconds": round(seconds, 3),
            "per_second": round(parcels / seconds, 1),
            "accepted": sum(r["accepted"] for r in replies),
            "worker_cpu_seconds": round(cpu, 2), "cores_used": round(cpu / seconds, 2),
            "cpu_ms_per_parcel": round(cpu * 1000 / parcels, 3),
            "worker_peak_mib": round(max(peaks, default=0.0), 1)}
