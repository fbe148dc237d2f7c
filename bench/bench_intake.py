"""Benchmark: validate and store a 10,000-parcel manifest through the HTTP API.

Starts gunicorn (one sync worker) on a fresh database, posts one generated manifest, and prints
parcels per second and the worker's peak memory growth; also times the in-process stages
(parse + XSD + rules, and the whole submit without HTTP). A script, not a test:

    python bench/bench_intake.py [--parcels 10000] [--database URL] [--output FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from customs.bootstrap import bootstrap, generate_sample  # noqa: E402
from customs.services.intake import SubmitManifest  # noqa: E402
from customs.settings import Settings  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def fresh_database(url: str | None, folder: Path) -> str:
    if url is None:
        return f"sqlite:///{folder / 'bench.db'}"
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    engine.dispose()
    return url


def in_process(document: bytes, url: str, parcels: int) -> dict[str, float]:
    customs = bootstrap(Settings(database_url=url))
    t0 = time.perf_counter()
    customs.validate_offline(document)
    validate_s = time.perf_counter() - t0
    tenant = customs.authenticate(customs.create_api_key("bench-inproc", "marketplace")[1])
    assert tenant is not None
    t0 = time.perf_counter()
    customs.submit_manifest(SubmitManifest(tenant.tenant_id, "inproc", document, "bench"))
    submit_s = time.perf_counter() - t0
    customs.close()
    return {"validate_parcels_per_s": parcels / validate_s,
            "submit_parcels_per_s": parcels / submit_s}


def over_http(document: bytes, url: str, parcels: int) -> dict[str, float]:
    env = {**os.environ, "CUSTOMS_DATABASE_URL": url}
    token = subprocess.run([sys.executable, "-m", "api.cli", "api-key", "create", "--tenant",
                            "bench", "--role", "marketplace"], env=env, cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.strip()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "1",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if requests.get(f"{base}/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        worker = worker_pid(server.pid)
        before = peak_kib(worker)
        t0 = time.perf_counter()
        reply = requests.post(f"{base}/v1/manifests", data=document, timeout=600, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/xml",
            "Idempotency-Key": "bench-http"})
        seconds = time.perf_counter() - t0
        reply.raise_for_status()
        body = reply.json()
        return {"http_parcels_per_s": parcels / seconds, "http_seconds": seconds,
                "accepted": body["accepted"], "rejected": body["rejected"],
                "worker_peak_growth_mib": (peak_kib(worker) - before) / 1024,
                "worker_peak_mib": peak_kib(worker) / 1024}
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=10_000)
    parser.add_argument("--database", default=None, help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="customs-bench-"))
    try:
        t0 = time.perf_counter()
        document = generate_sample(args.parcels, 1, invalid_rate=0.02).xml
        generated = time.perf_counter() - t0
        url = fresh_database(args.database, folder)
        bootstrap(Settings(database_url=url)).upgrade_database()
        results = {"parcels": args.parcels, "manifest_mib": len(document) / 2**20,
                   "database": url.split(":")[0], "generate_seconds": generated}
        results |= over_http(document, url, args.parcels)
        url = fresh_database(args.database, folder / "x") if args.database else \
            f"sqlite:///{folder / 'inproc.db'}"
        bootstrap(Settings(database_url=url)).upgrade_database()
        results |= in_process(document, url, args.parcels)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for key, value in results.items():
        print(f"{key:<28} {value:>12.1f}" if isinstance(value, float) else f"{key:<28} {value:>12}")
    if args.output:
        args.output.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
