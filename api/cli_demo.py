"""`customs demo`: the main job, end to end on SQLite, through the real HTTP API.

Until batching and the authority land, the flow is: generated manifests (some invalid parcels)
→ POST /v1/manifests → per-parcel outcome, checked against what the generator designed.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import requests
from werkzeug.serving import make_server

from api import create_app
from customs.bootstrap import bootstrap, generate_sample
from customs.settings import Settings

DEMO_MANIFESTS = (("RU", "10005020", 11), ("DE", "00000001", 12), ("US", "00000047", 13))


@contextmanager
def serving(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@click.command()
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("customs-demo"), show_default=True)
@click.option("--parcels", type=click.IntRange(1, 50_000), default=20, show_default=True,
              help="Parcels per manifest")
@click.option("--invalid-rate", type=click.FloatRange(0, 1), default=0.2, show_default=True)
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Leave every manifest sent and every reply in this folder")
def demo(workdir: Path, parcels: int, invalid_rate: float, keep: Path | None) -> None:
    """Run the whole flow on a fresh SQLite database and print each parcel's outcome."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "customs.db"
    for stale in workdir.glob("customs.db*"):
        stale.unlink()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    customs = bootstrap(Settings(database_url=f"sqlite:///{database.resolve()}"))
    customs.upgrade_database()
    _, token = customs.create_api_key("demo-marketplace", "marketplace")
    timings["set up database and key"] = time.perf_counter() - started
    failures = 0
    with serving(create_app(customs=customs)) as base:
        click.echo(f"service on {base} (API docs: {base}/docs), database {database}")
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        for destination, office, seed in DEMO_MANIFESTS:
            sample = generate_sample(parcels, seed, invalid_rate=invalid_rate,
                                       destination=destination, customs_office=office)
            t0 = time.perf_counter()
            reply = session.post(f"{base}/v1/manifests", data=sample.xml, headers={
                "Content-Type": "application/xml", "Idempotency-Key": str(uuid.uuid4())},
                timeout=600)
            timings[f"submit {destination} manifest ({parcels} parcels)"] = (
                time.perf_counter() - t0)
            if keep is not None:
                _keep(keep, destination, sample.xml, reply.content)
            failures += _report(session, base, destination, reply, sample.expected)
        failures += _check_replay(session, base)
    _summary(timings, database, failures)
    customs.close()
    sys.exit(1 if failures else 0)


def _keep(folder: Path, destination: str, sent: bytes, reply: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"manifest-{destination}.xml").write_bytes(sent)
    (folder / f"receipt-{destination}.json").write_bytes(reply)


def _parcels(session: requests.Session, base: str, manifest_id: str) -> list[dict]:
    """Every parcel of a manifest, through the paginated list endpoint."""
    found, cursor = [], None
    while True:
        params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = session.get(f"{base}/v1/manifests/{manifest_id}/parcels", params=params,
                           timeout=60).json()
        found += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return found


def _report(session: requests.Session, base: str, destination: str,
            reply: requests.Response, expected: list[str | None]) -> int:
    if reply.status_code != 202:
        click.echo(f"{destination}: HTTP {reply.status_code}: {reply.text[:500]}")
        return 1
    body = reply.json()
    click.echo(f"\n{destination} manifest {body['id']}: {body['parcels']} parcels, "
               f"{body['accepted']} accepted, {body['rejected']} rejected")
    click.echo(f"  {'#':>4}  {'tracking number':<22} {'status':<10} codes")
    mismatches = 0
    parcels = _parcels(session, base, body["id"])
    for parcel, designed in zip(parcels, expected, strict=True):
        codes = sorted({v["code"] for v in parcel["violations"]})
        rejected = parcel["status"] == "REJECTED"
        ok = (designed is None and not rejected) or (designed is not None and designed in codes)
        mismatches += not ok
        mark = "" if ok else f"   <-- expected {designed or 'acceptance'}"
        click.echo(f"  {parcel['position']:>4}  {parcel['tracking_number'] or '-':<22} "
                   f"{parcel['status']:<10} {', '.join(codes)}{mark}")
    return mismatches + (len(parcels) != len(expected))


def _check_replay(session: requests.Session, base: str) -> int:
    """Same Idempotency-Key and body: the same reply, one manifest."""
    xml = generate_sample(3, 99, destination="RU").xml
    headers = {"Content-Type": "application/xml", "Idempotency-Key": "demo-replay"}
    first = session.post(f"{base}/v1/manifests", data=xml, headers=headers, timeout=60)
    again = session.post(f"{base}/v1/manifests", data=xml, headers=headers, timeout=60)
    same = first.status_code == again.status_code == 202 and first.json() == again.json()
    click.echo(f"\nidempotent resend: {'same reply, one manifest' if same else 'MISMATCH'}")
    return 0 if same else 1


def _summary(timings: dict[str, float], database: Path, failures: int) -> None:
    click.echo("\nsteps:")
    for step, seconds in timings.items():
        click.echo(f"  {step:<45} {seconds * 1000:8.1f} ms")
    click.echo(f"\ndatabase: {database.resolve()} (sqlite3 {database} '.tables')")
    click.echo("every parcel reached the outcome it should" if not failures
               else f"{failures} parcel(s) did not reach the outcome they should")
