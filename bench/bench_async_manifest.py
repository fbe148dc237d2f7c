"""Benchmark: time to receipt of a large manifest through the asynchronous path.

    python -m bench.bench_async_manifest [--parcels 50000] [--database URL] [--unsigned]

On a fresh database (SQLite file, or a PostgreSQL database whose name holds 'bench' or 'test'),
with a freshly generated ECDSA P-256 signing key unless --unsigned (so accepted parcels are
declared in intake, as in production):
  accept    submit_manifest_async: the body stored with its key; what the HTTP 202 waits for
  process   the worker's stage (process_manifest_jobs): read, check, estimate, declare the
            first CUSTOMS_DECLARE_INLINE_MAX parcels, write, finish the job in one transaction
  receipt   accept + process: when GET /v1/manifests/{id} shows the receipt and the
            manifest.processed event is queued (plus up to one worker interval, 2 s default,
            before the worker picks the job up)
  sync      the same manifest through submit_manifest (the synchronous reply), for comparison
Peak RSS of the process is printed too (the body is held once per path).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.common import Databases, load_average, peak_mib
from customs.bootstrap import bootstrap, generate_sample
from customs.services.intake import SubmitManifest
from customs.settings import Settings
from customs.usecases import Application
from signing import generate_dev_key


def _app(url: str, key: tuple[Path, Path] | None) -> Application:
    signing = {} if key is None else {"signing_key": key[0], "signing_cert": key[1]}
    return bootstrap(Settings(database_url=url, **signing))


def _tenant(app: Application) -> int:
    return app.access.authenticate(app.access.create_api_key("bench", "marketplace")[1]
                                   ).tenant_id


def run_async(url: str, key: tuple[Path, Path] | None, document: bytes) -> dict[str, float]:
    app = _app(url, key)
    try:
        cmd = SubmitManifest(_tenant(app), "bench-async", document, "marketplace:bench")
        started = time.perf_counter()
        job = app.intake.submit_manifest_async(cmd)
        accepted = time.perf_counter()
        report = app.intake.process_manifest_jobs()
        done = time.perf_counter()
        assert report.processed == [job.manifest_id], report
        shown = app.intake.get_manifest(cmd.tenant_id, job.manifest_id).to_json()
        assert shown["status"] == "processed" and shown["receipt"] is not None
        return {"accept": accepted - started, "process": done - accepted,
                "receipt": done - started}
    finally:
        app.close()


def run_sync(url: str, key: tuple[Path, Path] | None, document: bytes) -> float:
    app = _app(url, key)
    try:
        cmd = SubmitManifest(_tenant(app), "bench-sync", document, "marketplace:bench")
        started = time.perf_counter()
        app.intake.submit_manifest(cmd)
        return time.perf_counter() - started
    finally:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parcels", type=int, default=50_000)
    parser.add_argument("--database", default=None, help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--unsigned", action="store_true", help="no declarations at intake")
    parser.add_argument("--no-sync", action="store_true", help="skip the synchronous run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        key = None if args.unsigned else generate_dev_key("ecdsa-p256", folder / "key")
        databases = Databases(args.database, folder)
        document = generate_sample(args.parcels, 18).xml
        print(f"{args.parcels} parcels, {len(document) / 1e6:.1f} MB, "
              f"{databases.engine_name}, {'unsigned' if key is None else 'ECDSA P-256'}, "
              f"load {load_average()}")
        figures = run_async(databases.fresh(), key, document)
        print(f"async: accept {figures['accept']:.2f} s, process {figures['process']:.1f} s, "
              f"time to receipt {figures['receipt']:.1f} s "
              f"({args.parcels / figures['process']:,.0f} parcels/s)")
        if not args.no_sync:
            seconds = run_sync(databases.fresh(), key, document)
            print(f"sync:  reply after {seconds:.1f} s ({args.parcels / seconds:,.0f} "
                  "parcels/s)")
        print(f"peak RSS {peak_mib():.0f} MiB")


if __name__ == "__main__":
    main()
