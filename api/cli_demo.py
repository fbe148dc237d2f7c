"""`customs demo`: the main job, end to end on SQLite, through the real HTTP APIs.

Generated manifests (some invalid parcels) → POST /v1/manifests → accepted parcels declared and
signed (a development key is made in the work folder) → a worker seals them into signed batches
and submits them to the bundled authority simulator → the simulator acknowledges and later
pushes signed per-parcel decisions to /v1/authority/notifications → every parcel's final state
is checked against what the generator designed and what the authority decided → with the
ru-fts-express profile, a parcel the FTS asks to correct is corrected by its marketplace and
released (api/cli_demo_correction.py) → an officer decides on a held parcel and its courier
pulls the changes from the feed and by signed webhook (api/cli_demo_roles.py).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import requests
from werkzeug.serving import make_server

import signing
from api import create_app
from api.cli_demo_console import console_people, print_console, wait_until_stopped
from api.cli_demo_correction import correction_round_trip
from api.cli_demo_report import LEGEND, print_table
from api.cli_demo_roles import roles_tour
from api.cli_demo_verify import verify_one
from api.cli_progress import progress
from api.worker_loop import WorkerPass
from customs.bootstrap import bootstrap, generate_sample, generate_secrets_key
from customs.settings import Settings
from customs.usecases import Application
from simulator.app import SimState, create_sim_app, make_state

DEMO_MANIFESTS = (("RU", "10005020", 11), ("DE", "00000001", 12), ("US", "00000047", 13))
CN_MANIFEST = ("CN", "3700", 14)  # with --profile cn-ceb: Russian sellers, Chinese buyers
TENANT_EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "cn-ceb-tenant.toml"
DECIDED = {"RELEASED", "HELD", "DUTY_DUE", "REFUSED"}


@contextmanager
def serving(app, port: int = 0) -> Iterator[str]:  # type: ignore[no-untyped-def]
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@contextmanager
def worker(customs: Application, interval: float = 0.3) -> Iterator[None]:
    """The background worker: the same pass as `customs worker` (declare, seal, submit, poll,
    pending decisions, webhooks), each stage with its own backoff."""
    stop = threading.Event()
    stages = WorkerPass(customs, force_seal=False,
                        backoff_base=customs.settings.worker_backoff_seconds,
                        backoff_cap=customs.settings.worker_backoff_max_seconds)

    def run() -> None:
        while not stop.is_set():
            stages.run()
            stop.wait(interval)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)


@click.command()
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("customs-demo"), show_default=True)
@click.option("--parcels", type=click.IntRange(1, 50_000), default=20, show_default=True,
              help="Parcels per manifest")
@click.option("--invalid-rate", type=click.FloatRange(0, 1), default=0.2, show_default=True)
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Leave every document exchanged in this folder")
@click.option("--timeout", type=float, default=120, show_default=True,
              help="Seconds to wait for the authority's decisions")
@click.option("--profile", type=click.Choice(["generic", "ru-fts-express", "cn-ceb"]),
              default="generic", show_default=True,
              help="ru-fts-express: RU parcels as FTS registries (format album 5.23.0), FTS "
                   "answers read; cn-ceb: a RU->CN manifest too, its parcels as GACC CEB621 "
                   "inventories, CEB622 receipts read")
@click.option("--album", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="The FTS album folder (official XSDs); needed by "
                                 "--profile ru-fts-express")
@click.option("--ceb-schemas", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="The GACC CEB message definitions 2022-05 (official XSDs); "
                                 "needed by --profile cn-ceb")
@click.option("--ceb-config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=TENANT_EXAMPLE, show_default=True,
              help="The tenant's GACC registrations (--profile cn-ceb)")
@click.option("--key-algorithm", type=click.Choice(signing.DEV_ALGORITHMS), default="ecdsa-p256",
              show_default=True, help="Of the development keys the demo makes for the service "
                                      "and the simulated authority (gost2012-*: GOST R "
                                      "34.10-2012, as the FTS requires; needs the OpenSSL GOST "
                                      "engine)")
@click.option("--serve", is_flag=True, help="Keep the service (and its web console), the "
                                            "worker and the simulator running after the "
                                            "demo, until Ctrl-C")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="The service's port on 127.0.0.1 (0: a free one)")
def demo(workdir: Path, parcels: int, invalid_rate: float, keep: Path | None,
         timeout: float, profile: str, album: Path | None, ceb_schemas: Path | None,
         ceb_config: Path, key_algorithm: str, serve: bool, port: int) -> None:
    """Run the whole flow on a fresh SQLite database and print each parcel's outcome."""
    if profile == "ru-fts-express" and album is None:
        raise click.UsageError("--profile ru-fts-express needs --album PATH (the FTS format "
                               "album 5.23.0, e.g. ../shared/schemas/ru-fts-5.23.0-express)")
    if profile == "cn-ceb" and ceb_schemas is None:
        raise click.UsageError("--profile cn-ceb needs --ceb-schemas PATH (the GACC CEB "
                               "message definitions, e.g. ../shared/schemas/cn-gacc-ceb-2022-05)")
    ru_album = album if profile == "ru-fts-express" else None
    ceb = ceb_schemas if profile == "cn-ceb" else None
    destinations = DEMO_MANIFESTS + ((CN_MANIFEST,) if ceb else ())
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "customs.db"
    for stale in workdir.glob("customs.db*"):
        stale.unlink()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    suffix = "" if key_algorithm == "ecdsa-p256" else f"-{key_algorithm}"
    authority_keys = workdir / f"authority-keys{suffix}"
    try:  # GOST keys need the OpenSSL GOST engine: its absence is one line, not a traceback
        key, cert = _dev_key(workdir / f"keys{suffix}", key_algorithm)
        sim = make_state(cert, authority_keys, seed=7, delay=0.3, hold_share=0.1,
                         album=ru_album, algorithm=key_algorithm, ceb=ceb)
    except signing.KeyLoadError as exc:
        raise click.ClickException(str(exc)) from None
    failures = 0
    with serving(create_sim_app(sim)) as sim_base:
        customs = bootstrap(Settings(
            database_url=f"sqlite:///{database.resolve()}", signing_key=key, signing_cert=cert,
            authority_url=f"{sim_base}/v1/batches",
            authority_cert=authority_keys / "cert.pem",
            batch_max_age_seconds=1, submit_backoff_seconds=0.5,
            ru_profile="ru-fts-express" if ru_album else "generic", ru_fts_album=ru_album,
            cn_profile="cn-ceb" if ceb else "generic", cn_ceb_schemas=ceb,
            cn_ceb_config=ceb_config if ceb else None,
            webhook_allow_private_urls=True,  # local receiver
            # the demo's own throw-away database: a throw-away key seals its webhook secrets
            secrets_key=os.environ.get("CUSTOMS_SECRETS_KEY") or generate_secrets_key()))
        customs.operations.upgrade_database()
        _, token = customs.access.create_api_key("demo-marketplace", "marketplace")
        timings["set up database, keys, key"] = time.perf_counter() - started
        with serving(create_app(customs=customs), port) as base, worker(customs):
            sim.notify_url = f"{base}/v1/authority/notifications"
            click.echo(f"service {base} (API docs {base}/docs), authority simulator {sim_base}, "
                       f"database {database}")
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {token}"
            _load_rates(customs, base)
            manifests = _submit_all(session, base, destinations, parcels, invalid_rate, keep,
                                    timings, two_legs=ceb is not None)
            t0 = time.perf_counter()
            waiting = _wait_for_decisions(session, base, manifests, timeout)
            timings["authority decisions for every parcel"] = time.perf_counter() - t0
            failures += waiting
            for destination, manifest_id, expected in manifests:
                failures += _report(session, base, destination, manifest_id, expected, sim)
            click.echo(LEGEND)
            first = _parcels(session, base, manifests[0][1])
            failures += verify_one(session, base, cert, workdir, first)
            if profile == "ru-fts-express":
                failures += correction_round_trip(session, base, keep, timeout)
            failures += _other_roles(customs, base, session, manifests, timeout)
            failures += _check_replay(session, base)
            if keep is not None:
                _keep_declarations(session, base, keep, manifests)
                _keep_messages(customs, keep)
            _summary(timings, database, failures, sim)
            people = console_people(customs, "demo-marketplace",
                                    [office for _, office, _ in DEMO_MANIFESTS])
            print_console(base, people, serve)
            if serve:
                wait_until_stopped()
    customs.close()
    sys.exit(1 if failures else 0)


DEMO_RATES = ("EUR,RUB,100.0000", "USD,RUB,80.0000", "CNY,RUB,11.0000", "USD,EUR,0.9300")


def _other_roles(customs: Application, base: str, session: requests.Session,
                 manifests: list[tuple[str, str, list]], timeout: float) -> int:
    """An officer decides on a held parcel; its courier pulls the changes (cli_demo_roles)."""
    held = [p for _, manifest_id, _ in manifests for p in _parcels(session, base, manifest_id)
            if p["status"] == "HELD" and p["tracking_number"] and _at_destination(
                session, base, p["tracking_number"])]
    if not held:
        click.echo("\nno parcel was held by the authority: no officer decision to show")
        return 0
    return roles_tour(customs, base, session, held[0], timeout)


def _at_destination(session: requests.Session, base: str, number: str) -> bool:
    """Whether the parcel's destination decides now (not on its export leg: a 409 there)."""
    legs = session.get(f"{base}/v1/parcels/{number}", timeout=30).json().get("legs") or []
    return all(leg["leg"] != "export" or leg["status"] == "RELEASED" for leg in legs)


def _load_rates(customs: Application, base: str) -> None:
    """Today's exchange rates, loaded as an operator would (PUT /v1/rates), so that every
    accepted parcel gets its duty estimate (demo figures, not real rates)."""
    _, operator = customs.access.create_api_key("demo-operator", "operator")
    day = customs.clock.now().date().isoformat()
    body = "date,currency,base,rate\n" + "".join(f"{day},{row}\n" for row in DEMO_RATES)
    reply = requests.put(f"{base}/v1/rates", data=body, timeout=30, headers={
        "Authorization": f"Bearer {operator}", "Content-Type": "text/csv"})
    reply.raise_for_status()


def _submit_all(session: requests.Session, base: str,
                destinations: tuple[tuple[str, str, int], ...], parcels: int,
                invalid_rate: float, keep: Path | None, timings: dict[str, float],
                two_legs: bool = False) -> list[tuple[str, str, list]]:
    manifests = []
    for destination, office, seed in destinations:
        # with cn-ceb, the RU manifest's parcels from China are exported first: the CEB603
        # inventory needs their order numbers
        sample = generate_sample(parcels, seed, invalid_rate=invalid_rate,
                                 destination=destination, customs_office=office,
                                 order_refs=two_legs and destination == "RU")
        t0 = time.perf_counter()
        reply = session.post(f"{base}/v1/manifests", data=sample.xml, timeout=600, headers={
            "Content-Type": "application/xml", "Idempotency-Key": str(uuid.uuid4())})
        timings[f"submit {destination} manifest ({parcels} parcels)"] = time.perf_counter() - t0
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            (keep / f"manifest-{destination}.xml").write_bytes(sample.xml)
            (keep / f"receipt-{destination}.json").write_bytes(reply.content)
        reply.raise_for_status()
        manifests.append((destination, reply.json()["id"], sample.expected))
    return manifests


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


def _wait_for_decisions(session: requests.Session, base: str,
                        manifests: list[tuple[str, str, list]], timeout: float) -> int:
    deadline = time.monotonic() + timeout
    with progress("decided", "parcels") as tick:  # on a terminal only: the wait is silent else
        while time.monotonic() < deadline:
            parcels = [p for _, manifest_id, _ in manifests
                       for p in _parcels(session, base, manifest_id)]
            pending = [p for p in parcels if p["status"] not in DECIDED | {"REJECTED"}]
            if tick is not None:
                tick(len(parcels) - len(pending))
            if not pending:
                return 0
            time.sleep(0.5)
    click.echo(f"\n{len(pending)} parcels had no decision after {timeout:.0f} s: "
               + ", ".join(f"{p['tracking_number']} {p['status']}" for p in pending[:10]))
    return len(pending)


def _report(session: requests.Session, base: str, destination: str, manifest_id: str,
            expected: list[str | None], sim: SimState) -> int:
    """Print the manifest's table; the number of parcels not in the state they should be."""
    by_tracking = {d["tracking_number"]: d for d in sim.decisions.values()}
    parcels = _parcels(session, base, manifest_id)
    checked = []
    for parcel, designed in zip(parcels, expected, strict=True):
        codes = {v["code"] for v in parcel["violations"]}
        decided = by_tracking.get(parcel["tracking_number"])
        if designed is not None:
            checked.append((parcel["status"] == "REJECTED" and designed in codes, designed))
        else:
            checked.append((decided is not None and parcel["status"] == decided["code"],
                            (decided or {}).get("code")))
    own = {number: d.get("fts") or d["ceb"] for number, d in by_tracking.items()
           if d.get("fts") or d.get("ceb")}
    print_table(session, base, destination, manifest_id, parcels, checked, own)
    return (sum(not ok for ok, _ in checked) + (len(parcels) != len(expected))
            + _check_legs(session, base, destination, parcels, sim))


def _check_legs(session: requests.Session, base: str, destination: str,
                parcels: list[dict], sim: SimState) -> int:
    """Each two-leg parcel's legs as the authorities decided: the export leg as the simulated
    GACC's CEB604 said, the import leg as the destination's decision once the export was
    released, else WAITING. The number of parcels whose legs are not."""
    export = {d["tracking_number"]: d for d in sim.decisions.values() if d.get("ceb")
              and d["ceb"] and destination != "CN"}
    wrong, two = [], 0
    for parcel in parcels:
        number = parcel["tracking_number"]
        if number not in export:
            continue
        legs = session.get(f"{base}/v1/parcels/{number}", timeout=30).json()["legs"]
        if len(legs) != 2:
            continue  # a later parcel with the same tracking number (the roles tour's)
        two += 1
        done = export[number]["code"]
        later = [d["code"] for d in sim.decisions.values()
                 if d["tracking_number"] == number and not d.get("ceb")]
        wanted = [done, (later[-1] if later else "?") if done == "RELEASED" else "WAITING"]
        if [leg["status"] for leg in legs] != wanted:
            wrong.append(f"{number} {legs} (expected {wanted})")
    if two:
        click.echo(f"  {two} parcels from China cleared on two legs (export CEB603 at CN, then "
                   f"import at {destination}): " + ("every leg as decided" if not wrong else
                                                    "; ".join(wrong[:5])))
    return len(wrong)


def _dev_key(folder: Path, algorithm: str) -> tuple[Path, Path]:
    """The demo's development signing key (kept between runs, one folder per algorithm; never
    use it in production)."""
    key, cert = folder / "key.pem", folder / "cert.pem"
    if key.exists() and cert.exists():
        return key, cert
    return signing.generate_dev_key(algorithm, folder, common_name="customs demo signer")


def _keep_declarations(session: requests.Session, base: str, folder: Path,
                       manifests: list[tuple[str, str, list]]) -> None:
    target = folder / "declarations"
    target.mkdir(parents=True, exist_ok=True)
    for _, manifest_id, _ in manifests:
        for parcel in _parcels(session, base, manifest_id):
            if parcel["status"] != "REJECTED":
                number = parcel["tracking_number"]
                reply = session.get(f"{base}/v1/parcels/{number}/declaration", timeout=60)
                (target / f"{number}.xml").write_bytes(reply.content)


def _keep_messages(customs: Application, folder: Path) -> None:
    """Every message exchanged with the authority, verbatim: batches out, acks and decisions in."""
    target = folder / "authority-messages"
    target.mkdir(parents=True, exist_ok=True)
    for number, direction, kind, message_id, document in customs.authority.exchanged_messages():
        (target / f"{number:04d}-{direction}-{kind}-{message_id}.xml").write_bytes(document)


def _check_replay(session: requests.Session, base: str) -> int:
    """Same Idempotency-Key and body: the same reply, one manifest."""
    xml = generate_sample(3, 99, destination="RU").xml
    headers = {"Content-Type": "application/xml", "Idempotency-Key": "demo-replay"}
    first = session.post(f"{base}/v1/manifests", data=xml, headers=headers, timeout=60)
    again = session.post(f"{base}/v1/manifests", data=xml, headers=headers, timeout=60)
    same = first.status_code == again.status_code == 202 and first.json() == again.json()
    click.echo(f"idempotent resend: {'same reply, one manifest' if same else 'MISMATCH'}")
    return 0 if same else 1


def _summary(timings: dict[str, float], database: Path, failures: int, sim: SimState) -> None:
    outcomes = Counter(d["code"] for d in sim.decisions.values())
    click.echo(f"\nauthority: {len(sim.registered)} batches registered "
               f"({sum(sim.registered.values())} parcels), {sim.resends} resends; decisions "
               + ", ".join(f"{code} {n}" for code, n in sorted(outcomes.items())))
    click.echo("\nsteps:")
    for step, seconds in timings.items():
        click.echo(f"  {step:<45} {seconds * 1000:8.1f} ms")
    click.echo(f"\ndatabase: {database.resolve()} (sqlite3 {database} '.tables')")
    click.echo("every parcel reached the state it should" if not failures
               else f"{failures} parcel(s) did not reach the state they should")
