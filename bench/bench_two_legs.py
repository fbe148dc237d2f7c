"""Benchmark: the two-leg flow's throughput (issue 20), stage by stage, on SQLite, in one process.

    python -m bench.bench_two_legs [--parcels 2000] [--schemas PATH]  (as bench_cn_ceb)

A generated RU manifest (all parcels valid, every one with its order number) whose parcels from
Chinese sellers are cleared on two legs (customs.domain.legs), the others on the one import leg:
  intake          read, validate, rules; each parcel's first declaration made and signed
                  (CEB603 for the export leg, the generic declaration for the rest), stored;
  export seal     CEB603Messages of 100 (both validators, signed) and the generic batch;
  export submit   to the simulated authorities in process (they verify and validate, and
                  answer: signed CEB604 receipts from the GACC, Decisions from the other);
  export receipts applied: the parcels released for export hand over to their import leg;
  import declare  the import declarations of the handed-over parcels, signed;
  import seal, import submit, import decisions: as for the first leg.
Figures: wall and CPU seconds (this process, the simulator's thread included) per stage, and
two-leg parcels per CPU second of the whole flow. Run it under `flock /tmp/bench.lock`.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path

from bench.bench_cn_ceb import InProcess, Stages, arguments, service
from customs.bootstrap import generate_sample
from customs.services.intake import SubmitManifest
from simulator.app import create_sim_app

ROOT = Path(__file__).resolve().parents[1]


def run(parcels: int, schemas: Path) -> tuple[int, int, dict[str, tuple[float, float]]]:
    """(two-leg parcels released at destination, parcels accepted, stage times)."""
    with tempfile.TemporaryDirectory() as folder:
        app, sim, tenant = service(Path(folder), schemas, 0.0)
        sample = generate_sample(parcels, 21, destination="RU", customs_office="10005020",
                                 order_refs=True)
        client = create_sim_app(sim).test_client()
        stages = Stages()
        stages.timed("intake", lambda: app.intake.submit_manifest(
            SubmitManifest(tenant, str(uuid.uuid4()), sample.xml, "b")))

        def leg(name: str) -> None:
            report = stages.timed(f"{name} seal", lambda: app.outbound.seal_batches(force=True))
            assert not report.errors, report.errors  # type: ignore[attr-defined]
            before = len(sim.outbox)

            def submit_and_wait() -> None:  # the simulator answers in a thread
                app.outbound.submit_batches(InProcess(client))
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    settled = len(sim.outbox)
                    time.sleep(0.05)
                    if len(sim.outbox) == settled > before:
                        break

            stages.timed(f"{name} submit", submit_and_wait)
            stages.timed(f"{name} answers", lambda: [app.authority.receive_decisions(d)
                                                     for d in list(sim.outbox)[before:]])

        leg("export")
        stages.timed("import declare", lambda: app.outbound.declare_pending())
        leg("import")
        with app.resources.engine.connect() as conn:
            two = conn.exec_driver_sql("SELECT count(*) FROM parcels WHERE leg = 'import' "
                                       "AND status IN ('RELEASED', 'DUTY_DUE')").scalar()
            accepted = conn.exec_driver_sql("SELECT count(*) FROM parcels WHERE status <> "
                                            "'REJECTED'").scalar()
        app.close()
        return int(two or 0), int(accepted or 0), stages.times


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    two, accepted, times = run(args.parcels, args.schemas)
    print(f"{accepted} parcels accepted, {two} cleared on both legs (released or duty due at RU)")
    print(f"{'stage':<16} {'wall s':>8} {'CPU s':>8}")
    for stage, (wall, cpu) in times.items():
        print(f"{stage:<16} {wall:8.2f} {cpu:8.2f}")
    wall = sum(w for w, _ in times.values())
    cpu = sum(c for _, c in times.values())
    print(f"{'flow':<16} {wall:8.2f} {cpu:8.2f}   {two / cpu:.0f} two-leg parcels per CPU s, "
          f"{accepted / cpu:.0f} parcels per CPU s")


if __name__ == "__main__":
    main()
