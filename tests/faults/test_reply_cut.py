"""The issue's deterministic case: the authority registers a batch, its reply is cut after 150
bytes, the worker cannot record the outcome, and the decisions arrive while the service still
thinks the batch unsent. The decisions must reach every parcel all the same, and the resend
must be answered "already registered" and counted as receipt, never as a second batch."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from customs.services.intake import SubmitManifest
from tests.faults.proxy import PASS, Fault, FaultProxy
from tests.manifests import manifest, parcel

ROOT = Path(__file__).resolve().parents[2]


def _worker_once(env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-m", "api.cli", "worker", "--once", "--force-seal"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.parametrize("cut_after", [150, 400])  # in the headers; in the signed Ack
def test_decisions_after_a_cut_reply_reach_every_parcel(signed_customs, database_url,
                                                        dev_signing_key, tmp_path, cut_after):
    from api.cli_demo import serving
    from simulator.app import create_sim_app, make_state

    sim = make_state(dev_signing_key[1], tmp_path / "sim", delay=0)
    tenant = signed_customs.access.authenticate(signed_customs.access.create_api_key("acme",
                                                                                     "marketplace")[1])
    body = manifest(*[parcel(f"CUT-{n:04d}") for n in range(10)])
    signed_customs.intake.submit_manifest(SubmitManifest(tenant.tenant_id, "k", body, "t"))
    with serving(create_sim_app(sim)) as sim_base:
        host, port = sim_base.removeprefix("http://").split(":")
        with FaultProxy((host, int(port)), fault=Fault(cut_after=cut_after)) as proxy:
            env = {**os.environ, "CUSTOMS_DATABASE_URL": database_url,
                   "CUSTOMS_SIGNING_KEY": str(dev_signing_key[0]),
                   "CUSTOMS_SIGNING_CERT": str(dev_signing_key[1]),
                   "CUSTOMS_AUTHORITY_CERT": str(tmp_path / "sim" / "cert.pem"),
                   "CUSTOMS_AUTHORITY_URL": f"{proxy.url}/v1/batches",
                   "CUSTOMS_AUTHORITY_POLL_URL": f"{sim_base}/v1/decisions",
                   "CUSTOMS_SUBMIT_BACKOFF_SECONDS": "600"}  # the resend is not due at once
            _worker_once(env)  # sends; the reply is cut: the outcome is not recorded
            _wait_for(lambda: len(sim.outbox) == 1)
            _worker_once(env)  # polls the decisions while the batch waits for its resend
            assert len(sim.registered) == 1
            assert _statuses(signed_customs) == _decided(sim)
            proxy.fault = PASS
            with signed_customs.resources.engine.begin() as conn:  # the resend falls due
                conn.exec_driver_sql("UPDATE batches SET next_attempt_at = submitted_at")
                conn.exec_driver_sql("UPDATE batches SET next_attempt_at = sealed_at "
                                     "WHERE next_attempt_at IS NULL")
            _worker_once(env)
    assert (len(sim.registered), sim.resends) == (1, 0)  # received: nothing left to resend
    assert _statuses(signed_customs) == _decided(sim)


def _statuses(customs) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with customs.resources.engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT tracking_number, status FROM parcels").all())


def _decided(sim) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {d["tracking_number"]: d["code"] for d in sim.decisions.values()}


def _wait_for(condition, seconds: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
