"""`customs worker` outlives its database connections being killed: each kill is one logged
line, the worker keeps running and does its work afterwards (PostgreSQL: pg_terminate_backend
on the worker's own backends while they are inside a statement)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from customs.services.intake import SubmitManifest
from tests.conftest import TEST_DB
from tests.manifests import manifest, parcel

pytestmark = pytest.mark.skipif(not TEST_DB, reason="killing server backends: PostgreSQL")
ROOT = Path(__file__).resolve().parents[2]
KILLS = 5


def _until(check, what: str, seconds: float = 30):  # type: ignore[no-untyped-def]
    """Poll `check` until it returns something true (a bounded wait, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def _kill_mid_statement(admin: sa.engine.Engine, app_name: str,
                        proc: subprocess.Popen) -> int:  # type: ignore[type-arg]
    """Hold an exclusive lock on parcels until the worker waits on it, then terminate the
    worker's backends: the fault lands inside a statement, not in an idle pooled connection."""
    with admin.connect() as locker:
        locker.exec_driver_sql("BEGIN")
        locker.exec_driver_sql("LOCK TABLE parcels IN ACCESS EXCLUSIVE MODE")

        def waiting() -> int:
            assert proc.poll() is None, "the worker exited"
            with admin.connect() as conn:
                return int(conn.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
                    "AND wait_event_type = 'Lock'", (app_name,)).scalar() or 0)

        _until(waiting, "the worker to wait on the lock")
        with admin.connect() as conn:
            killed = conn.exec_driver_sql(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = %s", (app_name,)).scalar()
        locker.exec_driver_sql("ROLLBACK")
    return int(killed or 0)


def test_worker_survives_killed_connections_and_works_after(customs, database_url,
                                                            dev_signing_key, tmp_path):
    app_name = f"customs-worker-test-{uuid.uuid4().hex[:8]}"
    worker_url = sa.engine.make_url(database_url).update_query_dict(
        {"application_name": app_name}).render_as_string(hide_password=False)
    env = {**os.environ, "CUSTOMS_DATABASE_URL": worker_url,
           "CUSTOMS_SIGNING_KEY": str(dev_signing_key[0]),
           "CUSTOMS_SIGNING_CERT": str(dev_signing_key[1]),
           "CUSTOMS_WORKER_BACKOFF_SECONDS": "0.05", "CUSTOMS_WORKER_BACKOFF_MAX_SECONDS": "0.2"}
    log = tmp_path / "worker.log"
    admin = sa.create_engine(database_url, poolclass=sa.pool.NullPool,
                             isolation_level="AUTOCOMMIT")
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--force-seal",
                                 "--interval", "0.1"], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        killed = [_kill_mid_statement(admin, app_name, proc) for _ in range(KILLS)]
        assert all(killed)
        assert proc.poll() is None, log.read_text()[-3000:]

        tenant = customs.access.authenticate(customs.access.create_api_key("acme",
                                                                           "marketplace")[1])
        body = manifest(*[parcel(f"F-{n:03d}") for n in range(5)], ref="after-faults")
        customs.intake.submit_manifest(SubmitManifest(tenant.tenant_id, "after", body, "t"))

        def batched() -> bool:
            with customs.resources.engine.connect() as conn:
                return conn.exec_driver_sql(
                    "SELECT count(*) FROM parcels WHERE status = 'BATCHED'").scalar() == 5

        _until(batched, "the worker to declare and seal the new parcels")
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
        admin.dispose()
    text = log.read_text()
    assert code == 0, text[-3000:]
    assert "Traceback" not in text
    failures = [line for line in text.splitlines() if "worker stage" in line and "failed (" in line]
    assert len(failures) >= KILLS, text[-3000:]
    assert all("terminat" in line or "connection" in line.lower() for line in failures), failures
