"""`customs authority-sim` keeps serving (Flask ignores app.run() under its own CLI, so the
command used to print its address and exit at once) and answers as the authority."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import requests

from tests.e2e.servers import background, free_port

ROOT = Path(__file__).resolve().parents[2]


def test_authority_sim_stays_up_and_answers(tmp_path, dev_signing_key):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "api.cli", "authority-sim", "--port", str(port),
               "--service-cert", str(dev_signing_key[1]), "--key-dir", str(tmp_path / "sim")]
    with background(command, url=f"{base}/v1/decisions", cwd=ROOT) as process:
        time.sleep(1)  # still there a moment later: it serves rather than returning
        assert process.poll() is None
        assert requests.get(f"{base}/v1/decisions?after=0", timeout=10).status_code == 204
        refused = requests.post(f"{base}/v1/batches", data=b"<not-signed/>", timeout=10)
        assert refused.status_code == 400
        assert requests.get(f"{base}/admin/stats", timeout=10).json()["registered"] == 0
    assert (tmp_path / "sim" / "cert.pem").is_file()
