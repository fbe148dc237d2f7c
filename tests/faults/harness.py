"""The fault harness: real workers (subprocesses, restarted like a supervisor would) send to
the authority simulator through a fault proxy while they are killed with SIGKILL, the link
cuts, delays and resets, the authority goes down for a while, and its messages come twice,
out of order, with unknown codes and with poison among them. Then faults stop, the work is
let finish, and `figures` counts what happened to every parcel and every message.

Used by tests/faults/test_fault_suite.py (bounded) and bench/faults.py (hundreds of kills)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from customs.bootstrap import bootstrap
from customs.services.intake import SubmitManifest
from customs.settings import Settings
from customs.usecases import Application
from tests.faults.figures import Figures, count, status_of
from tests.faults.proxy import PASS, Fault, FaultProxy
from tests.manifests import item, manifest, parcel

ROOT = Path(__file__).resolve().parents[2]
POISON = (b"<not-xml", b"<Decisions xmlns='urn:customs:authority:1'/>")


@dataclass
class Plan:
    seconds: float = 20.0  # of faults; then the work is let finish
    manifests: int = 4
    parcels: int = 30  # per manifest
    workers: int = 2
    lifetime: tuple[float, float] | None = (3.0, 7.0)  # killed this long after start
    link_faults: bool = True  # the proxy cuts, delays, resets, refuses
    db_faults: bool = False  # PostgreSQL only: the workers' database link is cut and reset
    down_for: float = 3.0  # the authority answers 503 for this long, mid-run
    push: bool = True  # the simulator pushes to the service too (the workers poll)
    poison: int = 3  # unreadable messages put in the authority's feed
    seed: int = 20261207
    min_faults: int = 0  # link faults: the faulty phase lasts until this many were made
    finish_seconds: float = 120.0


def _chooser(rng: random.Random) -> Fault:
    roll = rng.random()
    if roll < 0.25:
        return Fault(cut_after=rng.randint(0, 900))
    if roll < 0.35:
        return Fault(reset=True)
    if roll < 0.40:
        return Fault(refuse=True)
    if roll < 0.55:
        return Fault(delay=rng.uniform(0.05, 0.8))
    return PASS


class Receiver:
    """A webhook receiver: counts each event id delivered (the header names it)."""

    def __init__(self) -> None:
        import threading

        self.seen: dict[str, int] = {}
        self.lock = threading.Lock()

    def app(self) -> Any:
        from flask import Flask, Response, request

        app = Flask("receiver")

        @app.post("/hook")
        def hook() -> Response:
            event = request.headers.get("Customs-Event-Id", "?")
            with self.lock:
                self.seen[event] = self.seen.get(event, 0) + 1
            return Response(status=204)

        return app


def _db_chooser(rng: random.Random) -> Fault:
    """Database connections live long (pooled): each dies at a random point of its life."""
    roll = rng.random()
    if roll < 0.5:
        return Fault(cut_after=rng.randint(2_000, 60_000))
    if roll < 0.6:
        return Fault(reset=True)
    if roll < 0.7:
        return Fault(refuse=True)
    return PASS


def _through(url: str, proxy: FaultProxy) -> str:
    import sqlalchemy as sa

    return sa.engine.make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(
        hide_password=False)


def run(database_url: str, key: Path, cert: Path, workdir: Path, plan: Plan) -> Figures:
    from api import create_app
    from api.cli_demo import serving
    from simulator.app import Faults, create_sim_app, make_state

    rng = random.Random(plan.seed)
    sim = make_state(cert, workdir / "sim", delay=0.05)
    sim.faults = Faults(unknown_share=0.03, duplicate_share=0.2, jitter=0.5,
                        follow_up_share=0.5, rng=random.Random(plan.seed))
    customs = bootstrap(Settings(database_url=database_url, signing_key=key, signing_cert=cert,
                                 authority_cert=workdir / "sim" / "cert.pem",
                                 webhook_allow_private_urls=True))
    figures, receiver = Figures(), Receiver()
    with ExitStack() as stack:
        sim_base = stack.enter_context(serving(create_sim_app(sim)))
        hook_url = stack.enter_context(serving(receiver.app())) + "/hook"
        if plan.push:
            sim.notify_url = stack.enter_context(serving(create_app(customs=customs))) + \
                "/v1/authority/notifications"
        host, port = sim_base.removeprefix("http://").split(":")
        proxy = stack.enter_context(FaultProxy((host, int(port)), seed=plan.seed,
                                               chooser=_chooser if plan.link_faults else None))
        db_proxy = None
        if plan.db_faults and database_url.startswith("postgresql"):
            import sqlalchemy as sa

            target = sa.engine.make_url(database_url)
            db_proxy = stack.enter_context(FaultProxy(
                (target.host or "127.0.0.1", target.port or 5432), seed=plan.seed + 1,
                chooser=_db_chooser))
        env = {**os.environ, "CUSTOMS_DATABASE_URL": database_url if db_proxy is None else
               _through(database_url, db_proxy),
               "CUSTOMS_SIGNING_KEY": str(key), "CUSTOMS_SIGNING_CERT": str(cert),
               "CUSTOMS_AUTHORITY_CERT": str(workdir / "sim" / "cert.pem"),
               "CUSTOMS_AUTHORITY_URL": f"{proxy.url}/v1/batches",
               "CUSTOMS_AUTHORITY_POLL_URL": f"{proxy.url}/v1/decisions",
               "CUSTOMS_AUTHORITY_TIMEOUT_SECONDS": "5", "CUSTOMS_BATCH_SIZE": "7",
               "CUSTOMS_SUBMIT_BACKOFF_SECONDS": "0.05",
               "CUSTOMS_SUBMIT_BACKOFF_MAX_SECONDS": "0.5", "CUSTOMS_SUBMIT_LEASE_SECONDS": "2",
               "CUSTOMS_SUBMIT_MAX_ATTEMPTS": "1000", "PYTHONPATH": str(ROOT),
               "CUSTOMS_WEBHOOK_ALLOW_PRIVATE_URLS": "true",
               "CUSTOMS_WEBHOOK_RETRY_BASE_SECONDS": "0.2",
               "CUSTOMS_WEBHOOK_RETRY_MAX_SECONDS": "1", "CUSTOMS_WEBHOOK_LEASE_SECONDS": "5",
               "CUSTOMS_WEBHOOK_CONNECT_TIMEOUT_SECONDS": "1",
               "CUSTOMS_WEBHOOK_TIMEOUT_SECONDS": "2"}
        pool = Supervisor(env, plan.workers)
        try:
            proxies = [p for p in (proxy, db_proxy) if p is not None]
            _faulty_phase(customs, sim, pool, plan, rng, hook_url,
                          lambda: sum(_injected(p.faults) for p in proxies))
            figures.link_faults = dict(proxy.faults)
            proxy.chooser, proxy.fault, sim.mode = None, PASS, "ok"
            if db_proxy is not None:
                figures.db_faults = dict(db_proxy.faults)
                db_proxy.chooser = None
                figures.problems += db_proxy.errors[:5]
            figures.problems += proxy.errors[:5]
            started = time.monotonic()
            _finish(customs, sim, pool, plan, receiver)
            figures.finish_seconds = round(time.monotonic() - started, 1)
        finally:
            figures.kills, figures.exits = pool.kills, pool.exits
            pool.stop()
        count(customs, _expected(sim), sim, figures, receiver.seen)
    customs.close()
    return figures


class Supervisor:
    """Keeps `size` workers running: restarts any that ended, kills one on demand."""

    def __init__(self, env: dict[str, str], size: int) -> None:
        self.env, self.size = env, size
        self.procs: list[subprocess.Popen[bytes]] = []
        self.deaths: dict[int, float] = {}  # pid -> when it is to be killed
        self.kills = self.exits = 0

    def tend(self, lifetime: tuple[float, float] | None = None,
             rng: random.Random | None = None) -> None:
        """Restart workers that ended; with `lifetime`, first kill those whose time is up
        (each new worker gets a time, so every one does some work before it dies)."""
        now = time.monotonic()
        for proc in list(self.procs):
            if lifetime and proc.poll() is None and self.deaths.get(proc.pid, now + 1) <= now:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
                self.kills += 1
                self.procs.remove(proc)
        for proc in list(self.procs):
            if proc.poll() is not None:
                self.procs.remove(proc)
                if proc.returncode != -signal.SIGKILL:
                    self.exits += 1
        while len(self.procs) < self.size:
            proc = subprocess.Popen(
                [sys.executable, "-m", "api.cli", "worker", "--force-seal", "--interval",
                 "0.1"], cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
            self.procs.append(proc)
            if lifetime and rng:
                self.deaths[proc.pid] = now + rng.uniform(*lifetime)

    def stop(self) -> None:
        for proc in self.procs:
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs = []


def _injected(faults: dict[str, int]) -> int:
    return sum(n for kind, n in faults.items() if kind != "pass")


def _faulty_phase(customs: Application, sim: Any, pool: Supervisor, plan: Plan,
                  rng: random.Random, hook_url: str, injected: Any) -> None:
    """`plan.seconds` of faults, longer (up to three times) until `plan.min_faults` were
    injected: on a loaded machine workers start slowly and meet fewer faults."""
    tenant = customs.access.authenticate(customs.access.create_api_key("acme", "marketplace")[1])
    customs.webhooks.create_webhook(tenant, hook_url, from_start=True)
    start = time.monotonic()
    submitted = poisoned = 0
    down_at = plan.seconds * 0.4
    while (elapsed := time.monotonic() - start) < plan.seconds or (
            injected() < plan.min_faults and elapsed < 3 * plan.seconds):
        pool.tend(plan.lifetime, rng)
        if submitted < plan.manifests and elapsed >= submitted * plan.seconds / (
                plan.manifests + 1):
            _submit(customs, tenant.tenant_id, submitted, plan.parcels)
            submitted += 1
        if poisoned < plan.poison and elapsed >= (poisoned + 1) * plan.seconds / (
                plan.poison + 2):
            with sim.lock:
                sim.outbox.append(POISON[poisoned % len(POISON)] + str(poisoned).encode())
            poisoned += 1
        sim.mode = "down" if down_at <= elapsed < down_at + plan.down_for else "ok"
        time.sleep(0.1)
    while submitted < plan.manifests:
        _submit(customs, tenant.tenant_id, submitted, plan.parcels)
        submitted += 1


def _submit(customs: Application, tenant_id: int, n: int, count: int) -> None:
    parcels = [parcel(f"F{n:03d}-{i:05d}", value="300.00" if i % 4 == 0 else "12.50",
                      items=[item(hs="9302000000")] if i % 29 == 0 else None)
               for i in range(count)]
    customs.intake.submit_manifest(SubmitManifest(tenant_id, f"fault-{n}", manifest(
        *parcels, ref=f"FAULT-{n}"), "marketplace:acme"))


def _finish(customs: Application, sim: Any, pool: Supervisor, plan: Plan,
            receiver: Receiver) -> None:
    deadline = time.monotonic() + plan.finish_seconds
    while time.monotonic() < deadline:
        pool.tend()
        if not _open_parcels(customs, sim) and _all_messages_read(customs, sim) and \
                _all_delivered(customs, receiver):
            return
        time.sleep(0.3)


def _all_delivered(customs: Application, receiver: Receiver) -> bool:
    with customs.resources.engine.connect() as conn:
        events = conn.exec_driver_sql("SELECT count(*) FROM parcel_events").scalar() or 0
    with receiver.lock:
        return len(receiver.seen) >= events


def _expected(sim: Any) -> dict[str, str]:
    with sim.lock:
        return {d["tracking_number"]: d["code"] for d in sim.decisions.values()}


def _open_parcels(customs: Application, sim: Any) -> int:
    expected = _expected(sim)
    with customs.resources.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT tracking_number, status FROM parcels "
                                    "WHERE status <> 'REJECTED'").all()
    return sum(1 for number, status in rows
               if number not in expected or status_of(expected[number]) != status)


def _all_messages_read(customs: Application, sim: Any) -> bool:
    with customs.resources.engine.connect() as conn:
        cursor = conn.exec_driver_sql("SELECT position FROM poll_cursors").scalar()
    with sim.lock:
        return cursor is not None and int(cursor) >= len(sim.outbox)
