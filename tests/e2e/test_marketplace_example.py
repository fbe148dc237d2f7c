"""examples/marketplace_integration.py, run as a user runs it (its own process), against the
live service over HTTP with a worker delivering webhooks meanwhile: it registers a webhook,
submits the manifest, receives manifest.processed with a valid signature, quotes a basket and
reads the parcels' statuses; a second run is answered from the idempotency keys."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from api import create_app
from api.worker_loop import WorkerPass
from customs.bootstrap import bootstrap
from customs.settings import Settings
from tests.live_server import serving

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "marketplace_integration.py"


@pytest.fixture
def live(database_url: str) -> Iterator[tuple[str, str]]:
    """The service on the real clock (webhook signatures carry the real time), its worker
    passing every 0.2 s in a thread."""
    customs = bootstrap(Settings(database_url=database_url, webhook_allow_private_urls=True))
    key = customs.access.create_api_key("acme", "marketplace")[1]
    stop = threading.Event()

    def work() -> None:
        while not stop.wait(0.2):
            WorkerPass(customs, force_seal=False, backoff_base=1, backoff_cap=1).run()

    worker = threading.Thread(target=work, daemon=True)
    with serving(create_app(customs=customs)) as url:
        worker.start()
        try:
            yield url, key
        finally:
            stop.set()
            worker.join(timeout=30)
            customs.close()


def _run(url: str, key: str, *more: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, str(EXAMPLE), "--url", url, "--key", key, *more],
                          capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.slow
def test_the_example_integration_runs_end_to_end(live):
    url, key = live
    done = _run(url, key, "--webhook-wait", "30")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("webhook ") for line in lines)
    assert any(line.startswith("XML manifest ") and "3 accepted, 0 rejected" in line
               for line in lines), done.stdout
    assert "manifest.processed received, signature verified: 3 accepted" in lines
    assert any(line.startswith("quote: ") for line in lines)
    assert sum(line.startswith("parcel pcl_") and line.endswith(": VALIDATED")
               for line in lines) == 3

    again = _run(url, key, "--async")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "(replayed)" in again.stdout  # the same document, the same key: the stored receipt


def test_a_service_that_is_not_there_is_one_line_and_exit_1():
    done = _run("http://127.0.0.1:9", "key")
    assert done.returncode == 1
    assert done.stderr.startswith("marketplace_integration: TransportError") and len(
        done.stderr.splitlines()) == 1
