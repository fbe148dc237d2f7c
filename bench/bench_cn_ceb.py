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
Figures: wall and CPU seconds (this process, the simulator's thread included) of each stage, and
parcels per CPU second: on a loaded machine the CPU figure is the one to compare. Run it under
`flock /tmp/bench.lock` (docs/performance.md).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import signing
from customs.adapters.database.migrate import upgrade
from customs.bootstrap import bootstrap, generate_sample
from customs.services.intake import SubmitManifest
from customs.services.ports import TransportResult
from customs.settings import Settings
from simulator.app import SimState, create_sim_app, make_state

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


class Stages:
    """Wall and CPU seconds per stage."""

    def __init__(self) -> None:
        self.times: dict[str, tuple[float, float]] = {}

    def timed(self, name: str, work) -> object:  # type: ignore[no-untyped-def]
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        self.times[name] = (time.perf_counter() - wall, time.process_time() - cpu)
        return result


def service(work: Path, schemas: Path, hold_share: float) -> tuple[Any, SimState, int]:
    """The service with the cn-ceb profile on a new SQLite database in `work`, the simulator
    beside it, and a marketplace's tenant id."""
    key, cert = signing.generate_dev_key("ecdsa-p256", work / "keys")
    sim = make_state(cert, work / "sim", delay=0, ceb=schemas, hold_share=hold_share)
    database = f"sqlite:///{work / 'customs.db'}"
    upgrade(database)
    app = bootstrap(Settings(database_url=database, signing_key=key, signing_cert=cert,
                             cn_profile="cn-ceb", cn_ceb_schemas=schemas,
                             cn_ceb_config=TENANT, authority_cert=work / "sim" / "cert.pem",
                             declare_inline_max=50_000))
    _, token = app.access.create_api_key("bench", "marketplace")
    return app, sim, app.access.authenticate(token).tenant_id


def run(parcels: int, schemas: Path) -> tuple[int, int, dict[str, tuple[float, float]]]:
    with tempfile.TemporaryDirectory() as folder:
        app, sim, tenant = service(Path(folder), schemas, 0.05)
        sample = generate_sample(parcels, 20, destination="CN", customs_office="3700")
        accepted = sum(code is None for code in sample.expected)
        stages = Stages()
        stages.timed("intake", lambda: app.intake.submit_manifest(
            SubmitManifest(tenant, str(uuid.uuid4()), sample.xml, "b")))
        report = stages.timed("seal", lambda: app.outbound.seal_batches(force=True))
        assert not report.errors, report.errors  # type: ignore[attr-defined]
        messages = len(report.sealed)  # type: ignore[attr-defined]

        def submit_and_wait() -> None:  # the simulator makes its receipts in a thread
            app.outbound.submit_batches(InProcess(create_sim_app(sim).test_client()))
            while len(sim.outbox) < 2 * messages:
                time.sleep(0.01)

        stages.timed("submit", submit_and_wait)
        stages.timed("receipts", lambda: [app.authority.receive_decisions(d)
                                          for d in list(sim.outbox)])
        app.close()
        return accepted, messages, stages.times


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--parcels", type=int, default=2000)
    parser.add_argument("--schemas", type=Path,
                        default=ROOT.parent / "shared" / "schemas" / "cn-gacc-ceb-2022-05")
    return parser.parse_args()


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    count, messages, times = run(args.parcels, args.schemas)
    print(f"{count} parcels accepted, {messages} CEB621Messages")
    print(f"{'stage':<10} {'wall s':>8} {'CPU s':>8} {'parcels/CPU s':>14}")
    for stage, (wall, cpu) in [*times.items(), ("flow", (sum(w for w, _ in times.values()),
                                                         sum(c for _, c in times.values())))]:
        print(f"{stage:<10} {wall:8.2f} {cpu:8.2f} {count / cpu:14.0f}")


if __name__ == "__main__":
    main()
