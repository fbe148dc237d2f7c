"""Several processes submit manifests at once against one database: writers wait instead of
failing, and each open tracking number is accepted exactly once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SUBMITTER = r"""
import json, sys
from customs.bootstrap import bootstrap
from customs.services.intake import SubmitManifest
from customs.settings import Settings
from tests.manifests import manifest, parcel

url, tenant_id, worker = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
customs = bootstrap(Settings(database_url=url))
results = []
for round_ in range(3):
    # every worker sends the same 20 tracking numbers, plus 5 of its own
    shared = [parcel(f"SHARED-{n:03d}") for n in range(20)]
    own = [parcel(f"W{worker}-R{round_}-{n}") for n in range(5)]
    body = manifest(*shared, *own, ref=f"w{worker}-r{round_}")
    receipt = customs.intake.submit_manifest(SubmitManifest(tenant_id, f"w{worker}-r{round_}", body,
                                                            "t"))
    results.append([receipt.body["accepted"], receipt.body["rejected"]])
print(json.dumps(results))
"""


def test_processes_share_the_database_without_losing_or_doubling(customs, database_url):
    customs.access.create_api_key("acme", "marketplace")
    root = Path(__file__).resolve().parents[2]
    procs = [subprocess.Popen([sys.executable, "-c", SUBMITTER, database_url, "1", str(w)],
                              cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for w in range(4)]
    outputs = [p.communicate(timeout=240) for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err[-2000:]
    totals = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    accepted = sum(a for worker in totals for a, _ in worker)
    assert accepted == 20 + 4 * 3 * 5  # each shared number once, every own parcel
    with customs.resources.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT tracking_number, count(*) FROM parcels WHERE status = 'VALIDATED' "
            "GROUP BY tracking_number HAVING count(*) > 1").all()
        manifests = conn.exec_driver_sql("SELECT count(*) FROM manifests").scalar()
    assert rows == []
    assert manifests == 12
