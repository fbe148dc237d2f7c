"""Measure one hostile shape through the HTTP app: status, CPU seconds, peak memory, reply size.

    PYTHONPATH=$PWD python3 -m tests.hostile_probe attributes 500000

Runs in a fresh process per call (peak RSS is the process's); prints one JSON line. Used for
the figures in docs/performance.md ("Hostile input"); the tests assert on work, not on time.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path


def main(shape: str, n: int) -> dict:
    from api import create_app
    from customs.adapters.database.migrate import upgrade
    from customs.bootstrap import bootstrap
    from customs.settings import Settings
    from tests.hostile import SHAPES

    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'probe.db'}"
    upgrade(url)
    customs = bootstrap(Settings(database_url=url, declare_inline=False,
                                 max_manifest_bytes=1 << 30))
    client = create_app(customs=customs).test_client()
    token = customs.access.create_api_key("probe", "marketplace")[1]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/xml"}
    client.post("/v1/manifests", data=SHAPES["valid"](1) if "valid" in SHAPES else b"",
                headers={**headers, "Idempotency-Key": "warm"})
    body = SHAPES[shape](n)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu = time.process_time()
    wall = time.perf_counter()
    reply = client.post("/v1/manifests", data=body, headers={**headers, "Idempotency-Key": "p"})
    return {"shape": shape, "n": n, "body_bytes": len(body), "status": reply.status_code,
            "cpu_s": round(time.process_time() - cpu, 3),
            "wall_s": round(time.perf_counter() - wall, 3),
            "peak_growth_mib": round(
                (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024, 1),
            "reply_bytes": len(reply.data),
            "code": (reply.get_json(silent=True) or {}).get("code")}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
