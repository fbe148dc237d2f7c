"""`customs demo`: the main job, end to end on SQLite, through the real HTTP API.

Until batching and the authority land, the flow is: generated manifests (some invalid parcels)
→ POST /v1/manifests → accepted parcels declared and signed (a development key is made in the
work folder) → each parcel's status checked against what the generator designed → one
declaration verified as an outsider would (pinned certificate; xmlsec1 when installed).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
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

import signing
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
    key, cert = _dev_key(workdir / "keys")
    customs = bootstrap(Settings(database_url=f"sqlite:///{database.resolve()}",
                                 signing_key=key, signing_cert=cert))
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
            mismatches, declared = _report(session, base, destination, reply, sample.expected)
            failures += mismatches
            if keep is not None and reply.status_code == 202:
                _keep_declarations(session, base, keep, reply.json()["id"])
            if declared and destination == DEMO_MANIFESTS[0][0]:
                failures += _verify_one(session, base, cert, workdir, declared)
        failures += _check_replay(session, base)
    _summary(timings, database, failures)
    customs.close()
    sys.exit(1 if failures else 0)


def _dev_key(folder: Path) -> tuple[Path, Path]:
    """The demo's development signing key (kept between runs; never use it in production)."""
    key, cert = folder / "key.pem", folder / "cert.pem"
    if key.exists() and cert.exists():
        return key, cert
    return signing.generate_dev_key("ecdsa-p256", folder, common_name="customs demo signer")


def _keep_declarations(session: requests.Session, base: str, folder: Path,
                       manifest_id: str) -> None:
    target = folder / "declarations"
    target.mkdir(parents=True, exist_ok=True)
    for parcel in _parcels(session, base, manifest_id):
        if parcel["status"] == "DECLARED":
            number = parcel["tracking_number"]
            reply = session.get(f"{base}/v1/parcels/{number}/declaration", timeout=60)
            (target / f"{number}.xml").write_bytes(reply.content)


def _verify_one(session: requests.Session, base: str, cert: Path, workdir: Path,
                number: str) -> int:
    """Fetch one declaration and verify it as an outsider would: pinned certificate only."""
    page = session.get(f"{base}/v1/parcels/{number}/declaration", timeout=60)
    document = page.content
    path = workdir / "example-declaration.xml"
    path.write_bytes(document)
    try:
        signing.Verifier([signing.load_certificate(cert)]).verify(document)
    except signing.VerificationError as exc:
        click.echo(f"\ndeclaration of {number}: INVALID ({exc})")
        return 1
    line = f"declaration of {number}: signature valid ({path})"
    xmlsec = shutil.which("xmlsec1")
    if xmlsec:
        result = subprocess.run(
            [xmlsec, "--verify", "--pubkey-cert-pem", str(cert), "--enabled-key-data",
             "key-name", "--id-attr:Id", "urn:customs:declaration:generic:1:Declaration",
             str(path)], capture_output=True, text=True, timeout=30)
        line += "; xmlsec1 says " + ("OK" if result.returncode == 0 else "FAIL")
        if result.returncode != 0:
            click.echo(line)
            return 1
    click.echo(line)
    return 0


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
            reply: requests.Response, expected: list[str | None]) -> tuple[int, str]:
    """Print each parcel's outcome; returns (mismatches, first declared tracking number)."""
    if reply.status_code != 202:
        click.echo(f"{destination}: HTTP {reply.status_code}: {reply.text[:500]}")
        return 1, ""
    body = reply.json()
    click.echo(f"\n{destination} manifest {body['id']}: {body['parcels']} parcels, "
               f"{body['accepted']} accepted, {body['rejected']} rejected")
    click.echo(f"  {'#':>4}  {'tracking number':<22} {'status':<10} codes")
    mismatches, first = 0, ""
    parcels = _parcels(session, base, body["id"])
    for parcel, designed in zip(parcels, expected, strict=True):
        codes = sorted({v["code"] for v in parcel["violations"]})
        declared = parcel["status"] == "DECLARED"
        ok = (designed is None and declared) or (designed is not None and designed in codes)
        first = first or (parcel["tracking_number"] if declared else "")
        mismatches += not ok
        mark = "" if ok else f"   <-- expected {designed or 'DECLARED'}"
        click.echo(f"  {parcel['position']:>4}  {parcel['tracking_number'] or '-':<22} "
                   f"{parcel['status']:<10} {', '.join(codes)}{mark}")
    return mismatches + (len(parcels) != len(expected)), first


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
