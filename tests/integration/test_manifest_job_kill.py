"""A worker killed with SIGKILL in the middle of a large asynchronous manifest: after a restart
the manifest is processed exactly once (one manifest row, one set of parcels), and a worker that
lost its lease writes nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from customs.bootstrap import generate_sample
from customs.services import intake
from customs.services.intake import SubmitManifest

ROOT = Path(__file__).resolve().parents[2]
PARCELS = 12_000


def _one(customs, sql: str):  # type: ignore[no-untyped-def]
    with customs.resources.engine.connect() as conn:
        return conn.exec_driver_sql(sql).scalar()


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--interval", "0.2"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _wait(customs, sql: str, seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not _one(customs, sql):
        assert time.monotonic() < deadline, f"still not true after {seconds} s: {sql}"
        time.sleep(0.05)


def test_a_worker_killed_midway_leaves_the_manifest_to_be_processed_once(
        signed_customs, database_url, dev_signing_key):
    who = signed_customs.access.authenticate(
        signed_customs.access.create_api_key("acme", "marketplace")[1])
    body = generate_sample(PARCELS, 18).xml
    # Received now, by the real clock the worker processes with (its purge stage drops replies
    # older than CUSTOMS_IDEMPOTENCY_TTL_HOURS: the fixture's fixed date is weeks ago).
    signed_customs.clock.current = datetime.now(UTC)
    job = signed_customs.intake.submit_manifest_async(SubmitManifest(who.tenant_id, "big", body,
                                                                     "marketplace:acme"))
    env = {**os.environ, "CUSTOMS_DATABASE_URL": database_url,
           "CUSTOMS_SIGNING_KEY": str(dev_signing_key[0]),
           "CUSTOMS_SIGNING_CERT": str(dev_signing_key[1]),
           "CUSTOMS_MANIFEST_JOB_LEASE_SECONDS": "1.5"}
    for kill_after in (0.5, 2.5):  # twice: early (reading), later (declaring or writing)
        victim = _worker(env)
        _wait(signed_customs, "SELECT count(*) FROM manifest_jobs WHERE lease_owner IS NOT NULL "
                              "AND lease_until IS NOT NULL")
        time.sleep(kill_after)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        assert _one(signed_customs, "SELECT status FROM manifest_jobs") == "processing", \
            "the worker finished before it was killed: make the manifest larger"
        assert _one(signed_customs, "SELECT count(*) FROM parcels") == 0
        assert _one(signed_customs, "SELECT count(*) FROM manifests") == 0
        with signed_customs.resources.engine.begin() as conn:  # to see the next claim come
            conn.exec_driver_sql("UPDATE manifest_jobs SET lease_owner = NULL")
    time.sleep(1.6)  # the killed worker's lease runs out
    finisher = subprocess.run([sys.executable, "-m", "api.cli", "worker", "--once"], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=600)
    assert "manifests 1 processed" in finisher.stdout, finisher.stdout + finisher.stderr
    assert _one(signed_customs, "SELECT count(*) FROM manifests") == 1
    assert _one(signed_customs, "SELECT count(*) FROM parcels") == PARCELS
    assert _one(signed_customs, "SELECT count(DISTINCT position) FROM parcels") == PARCELS
    assert _one(signed_customs, "SELECT count(*) FROM idempotency_keys") == 1
    assert _one(signed_customs, "SELECT attempts FROM manifest_jobs") == 3
    assert _one(signed_customs, "SELECT count(*) FROM webhook_events "
                                "WHERE type = 'manifest.processed'") == 1
    shown = signed_customs.intake.get_manifest(who.tenant_id, job.manifest_id)
    assert shown.receipt is not None and shown.receipt["parcels"] == PARCELS


def test_a_worker_that_lost_its_lease_writes_nothing(customs, clock):
    who = customs.access.authenticate(customs.access.create_api_key("acme", "marketplace")[1])
    from tests.manifests import manifest, parcel

    job = customs.intake.submit_manifest_async(SubmitManifest(who.tenant_id, "k",
                                                              manifest(parcel()), "t"))
    uow = customs.intake.uow_factory()
    with uow:  # worker A claims, then stalls past its lease; worker B takes over
        uow.manifest_jobs.claim(clock.now(), clock.now() + timedelta(seconds=1), "A")
        uow.commit()
    clock.current += timedelta(seconds=2)
    with uow:
        assert uow.manifest_jobs.claim(clock.now(), clock.now() + timedelta(seconds=60), "B")
        uow.commit()
    cmd = SubmitManifest(who.tenant_id, "k", manifest(parcel()), "t")
    with pytest.raises(intake.LeaseLost):
        intake.submit_stored(
            cmd, "", intake.JobLease(job.manifest_id, "A", clock.now()), uow=uow,
            reads=customs.intake.read_uow_factory(), reader=customs.intake.reader,
            rules=customs.intake.rules, clock=clock, new_id=customs.intake.new_id)
    assert _one(customs, "SELECT count(*) FROM parcels") == 0
    assert _one(customs, "SELECT count(*) FROM manifests") == 0
    # B's own process_manifest_jobs would find it held: nothing is free to claim
    assert customs.intake.process_manifest_jobs().done == 0


def test_a_manifest_that_kills_every_worker_is_failed_after_the_attempts(customs, clock):
    who = customs.access.authenticate(customs.access.create_api_key("acme", "marketplace")[1])
    from tests.manifests import manifest, parcel

    job = customs.intake.submit_manifest_async(SubmitManifest(who.tenant_id, "k",
                                                              manifest(parcel()), "t"))
    customs.settings.manifest_job_max_attempts = 2
    uow = customs.intake.uow_factory()
    for owner in ("A", "B"):  # two workers died holding it
        with uow:
            uow.manifest_jobs.claim(clock.now(), clock.now() + timedelta(seconds=1), owner)
            uow.commit()
        clock.current += timedelta(seconds=2)
    assert customs.intake.process_manifest_jobs().failed == [job.manifest_id]
    shown = customs.intake.get_manifest(who.tenant_id, job.manifest_id)
    assert shown.status == "failed" and shown.problem["code"] == "MANIFEST_PROCESSING_FAILED"
    assert _one(customs, "SELECT count(*) FROM webhook_events WHERE type = "
                         "'manifest.refused'") == 1
