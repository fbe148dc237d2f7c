"""Workers killed with SIGKILL at random moments while sealing and submitting: afterwards no
parcel is lost, none is in two batches, no half-sealed batch remains, and the authority
(simulator) registered each batch once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from customs.services.intake import SubmitManifest
from tests.manifests import manifest, parcel

ROOT = Path(__file__).resolve().parents[2]


def test_sigkilled_workers_lose_and_double_nothing(signed_customs, database_url,
                                                   dev_signing_key, tmp_path):
    """Killed while sealing and while submitting to the simulator: afterwards every parcel is in
    exactly one batch and the simulator registered each batch once."""
    from api.cli_demo import serving
    from simulator.app import create_sim_app, make_state

    sim = make_state(dev_signing_key[1], tmp_path / "sim", delay=60)
    with serving(create_sim_app(sim)) as sim_base:
        _run(signed_customs, database_url, dev_signing_key, f"{sim_base}/v1/batches")
    with signed_customs.resources.engine.connect() as conn:
        batches = conn.exec_driver_sql("SELECT message_id, parcel_count FROM batches").all()
    assert dict(batches) == sim.registered  # each batch registered once, with all its parcels


def _run(signed_customs, database_url, dev_signing_key, authority_url):  # type: ignore[no-untyped-def]
    tenant = signed_customs.access.authenticate(signed_customs.access.create_api_key("acme",
                                                                                     "marketplace")[1])
    for n in range(6):
        body = manifest(*[parcel(f"K{n}-{i:04d}") for i in range(50)], ref=f"m{n}")
        signed_customs.intake.submit_manifest(SubmitManifest(tenant.tenant_id, f"k{n}", body, "t"))
    env = {**os.environ, "CUSTOMS_DATABASE_URL": database_url,
           "CUSTOMS_SIGNING_KEY": str(dev_signing_key[0]),
           "CUSTOMS_SIGNING_CERT": str(dev_signing_key[1]), "CUSTOMS_BATCH_SIZE": "7",
           "CUSTOMS_AUTHORITY_URL": authority_url, "CUSTOMS_SUBMIT_BACKOFF_SECONDS": "0.1",
           "CUSTOMS_SUBMIT_LEASE_SECONDS": "1"}
    rng = random.Random(20261123)
    kills = 0
    for _ in range(10):  # start two workers, kill both at a random moment
        procs = [subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--force-seal",
                                   "--interval", "0.1"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for _ in range(2)]
        if kills == 0:  # first round: kill only once the workers are at work
            _wait_for_a_batch(signed_customs)
            time.sleep(rng.uniform(0, 0.3))
        else:
            time.sleep(rng.uniform(0.8, 2.0))  # a worker needs ~0.7 s to start
        for proc in procs:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            kills += 1
    with signed_customs.resources.engine.connect() as conn:
        sealed_by_killed_workers = conn.exec_driver_sql("SELECT count(*) FROM batches").scalar()
    assert sealed_by_killed_workers > 0  # the killed workers were at work, not just starting
    time.sleep(1.5)  # leases held by killed senders expire, then one worker finishes the work
    for _ in range(10):
        finisher = subprocess.run([sys.executable, "-m", "api.cli", "worker", "--once",
                                   "--force-seal"], cwd=ROOT, env=env, capture_output=True,
                                  text=True, timeout=300)
        assert finisher.returncode == 0, finisher.stdout + finisher.stderr
        with signed_customs.resources.engine.connect() as conn:
            if conn.exec_driver_sql("SELECT count(*) FROM batches WHERE status <> "
                                    "'SUBMITTED'").scalar() == 0:
                break
        time.sleep(0.5)
    with signed_customs.resources.engine.connect() as conn:
        def one(sql: str):  # type: ignore[no-untyped-def]
            return conn.exec_driver_sql(sql).scalar()

        assert one("SELECT count(*) FROM parcels") == 300
        assert one("SELECT count(*) FROM parcels WHERE status = 'SUBMITTED' "
                   "AND batch_id IS NOT NULL") == 300
        assert one("SELECT sum(parcel_count) FROM batches") == 300
        assert one("SELECT count(*) FROM batches WHERE status <> 'SUBMITTED'") == 0
        assert one("SELECT count(*) FROM (SELECT parcel_id FROM parcel_events WHERE "
                   "status = 'BATCHED' GROUP BY parcel_id HAVING count(*) > 1) d") == 0
        assert one("SELECT count(*) FROM (SELECT p.batch_id, count(*) c, b.parcel_count FROM "
                   "parcels p JOIN batches b ON b.id = p.batch_id GROUP BY p.batch_id, "
                   "b.parcel_count HAVING count(*) <> b.parcel_count) m") == 0
    assert kills == 20


def _wait_for_a_batch(customs, seconds: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with customs.resources.engine.connect() as conn:
            if conn.exec_driver_sql("SELECT count(*) FROM batches").scalar():
                return
        time.sleep(0.05)
