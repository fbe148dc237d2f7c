"""Benchmark: the cn-ceb flow's throughput, stage by stage, on SQLite, in one process.

    python -m bench.bench_cn_ceb [--parcels 2000] [--schemas ../shared/schemas/cn-gacc-ceb-2022-05]

(as a module, from the repository root: bench/http.py would shadow the standard library's
`http` for a script run from its folder.)

A generated RU->CN manifest (all parcels valid) goes through the service as in production:
  intake    POST-equivalent use case: read, validate, business rules and buyer limits, then
            each parcel's CEB621 rendered, validated (libxml2), signed (ECDSA P-256) and
            checked as signed, stored;
  seal      CEB621Messages of 100: built, validated by libxml2 AND xmlschema, signed, stored;
  submit    each message to the simulated GACC in process (it verifies the signature and
            validates with both validators, answers a signed DxpMsg/CEB622 that the service
            verifies and validates);
  receipts  the simulator's receipts (every inventory registered, then released or held...)
            applied through the authority use case, verified, validated, mapped per inventory.
Figures: seconds and parcels per second of each stage, and of the whole. Run it under
`flock /tmp/bench.lock` (docs/performance.md).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

import signing
from customs.adapters.database.migrate import upgrade
from customs.bootstrap import bootstrap, generate_sample
from customs.services.intake import SubmitManifest
from customs.services.ports import TransportResult
from customs.settings import Settings
from simulator.app import create_sim_app, make_state

ROOT = Path(__file__).resolve().parents[1]
TENANT = ROOT / "examples" / "cn-ceb-tenant.toml"


class InProcess:
    """The Transport port over the simulator's WSGI app, without a socket."""

    def __init__(self, client) -> None:  # type: ignore[no-untyped-def]
        self.client = client

    def send(self, message_id: str, document: bytes) -> TransportResult:
        reply = self.client.post("/v1/batches", data=document)
        ok = 200 <= reply.status_code < 300
        return TransportResult(ok, reply.status_code, reply.data, False,
                               None if ok else reply.text)


def run(parcels: int, schemas: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        key, cert = signing.generate_dev_key("ecdsa-p256", work / "keys")
        sim = make_state(cert, work / "sim", delay=0, ceb=schemas, hold_share=0.05)
        database = f"sqlite:///{work / 'customs.db'}"
        upgrade(database)
        app = bootstrap(Settings(database_url=database, signing_key=key, signing_cert=cert,
                                 cn_profile="cn-ceb", cn_ceb_schemas=schemas,
                                 cn_ceb_config=TENANT, authority_cert=work / "sim" / "cert.pem",
                                 declare_inline_max=50_000))
        _, token = app.access.create_api_key("bench", "marketplace")
        tenant = app.access.authenticate(token).tenant_id
        sample = generate_sample(parcels, 20, destination="CN", customs_office="3700")
        accepted = sum(code is None for code in sample.expected)
        times: dict[str, float] = {}
        t0 = time.perf_counter()
        app.intake.submit_manifest(SubmitManifest(tenant, str(uuid.uuid4()), sample.xml, "b"))
        times["intake"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        sealed = app.outbound.seal_batches(force=True)
        times["seal"] = time.perf_counter() - t0
        assert not sealed.errors, sealed.errors
        t0 = time.perf_counter()
        app.outbound.submit_batches(InProcess(create_sim_app(sim).test_client()))
        times["submit"] = time.perf_counter() - t0
        expected = 2 * len(sealed.sealed)
        while len(sim.outbox) < expected:  # the simulator makes its receipts in a thread
            time.sleep(0.01)
        t0 = time.perf_counter()
        for document in list(sim.outbox):
            app.authority.receive_decisions(document)
        times["receipts"] = time.perf_counter() - t0
        app.close()
        times["parcels"] = accepted
        times["messages"] = len(sealed.sealed)
        return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=2000)
    parser.add_argument("--schemas", type=Path,
                        default=ROOT.parent / "shared" / "schemas" / "cn-gacc-ceb-2022-05")
    args = parser.parse_args()
    times = run(args.parcels, args.schemas)
    count = times.pop("parcels")
    messages = times.pop("messages")
    print(f"{count:.0f} parcels accepted, {messages:.0f} CEB621Messages")
    print(f"{'stage':<10} {'seconds':>8} {'parcels/s':>10}")
    for stage, seconds in times.items():
        print(f"{stage:<10} {seconds:8.2f} {count / seconds:10.0f}")
    total = sum(times.values())
    print(f"{'flow':<10} {total:8.2f} {count / total:10.0f}")


if __name__ == "__main__":
    main()
