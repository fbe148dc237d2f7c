"""Fault loops longer than the test suite's, for the figures in docs/performance.md ("Faults").

    flock /tmp/bench.lock python3 -m bench.faults --kind kill --seconds 300
    flock /tmp/bench.lock python3 -m bench.faults --kind link --seconds 120

Runs tests/faults/harness.py (needs the source checkout, not an installed wheel) on a fresh
SQLite database, or on CUSTOMS_BENCH_DATABASE_URL (PostgreSQL; it is wiped). Kinds: `kill`
(workers killed with SIGKILL and restarted, no link faults), `link` (the proxy cuts, delays,
resets and refuses the authority link, no kills), `db` (PostgreSQL only: the workers'
database link is cut at a random point of each connection, reset or refused; workers that
exit are restarted), `all` (kills and link faults, and the authority down for a while).
The authority's own faults (duplicates, reordering, unknown codes, poison) are on in every
kind. Prints one line of figures per run."""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from pathlib import Path

KINDS = {"kill": {"link_faults": False, "down_for": 0.0, "lifetime": (3.0, 6.0)},
         "db": {"link_faults": False, "down_for": 0.0, "lifetime": None, "db_faults": True},
         "link": {"link_faults": True, "down_for": 0.0, "lifetime": None},
         "all": {"link_faults": True, "down_for": 10.0, "lifetime": (3.0, 7.0)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=sorted(KINDS), default="all")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261207)
    args = parser.parse_args()
    from customs.adapters.database.migrate import upgrade, wipe_postgres
    from signing import generate_dev_key
    from tests.faults.harness import Plan, run

    logging.disable(logging.INFO)  # the servers' access lines
    workdir = Path(tempfile.mkdtemp(prefix="customs-faults-"))
    if not os.environ.get("CUSTOMS_SECRETS_KEY"):  # the harness registers a webhook
        from cryptography.fernet import Fernet

        os.environ["CUSTOMS_SECRETS_KEY"] = Fernet.generate_key().decode()  # this run only
    key, cert = generate_dev_key("ecdsa-p256", workdir / "key")
    url = os.environ.get("CUSTOMS_BENCH_DATABASE_URL") or f"sqlite:///{workdir}/customs.db"
    upgrade(url)
    if url.startswith("postgresql"):
        wipe_postgres(url)
    plan = Plan(seconds=args.seconds, manifests=max(4, int(args.seconds / 6)), parcels=30,
                workers=args.workers, seed=args.seed, finish_seconds=300, **KINDS[args.kind])
    started = time.monotonic()
    f = run(url, key, cert, workdir, plan)
    faults = sum(n for kind, n in f.link_faults.items() if kind != "pass")
    print(f"kind={args.kind} engine={url.split(':')[0]} seconds={args.seconds:.0f} "
          f"accepted={f.accepted} sent={f.registered_parcels} decided={f.decided} "
          f"lost={f.lost} sent_twice={f.sent_twice} quarantined={f.quarantined} "
          f"set_aside={f.set_aside} messages={f.messages} applied={f.applied_messages} "
          f"unaccounted={f.unaccounted_messages} batches={f.batches} "
          f"registered={f.registered_batches} resends={f.resends} kills={f.kills} "
          f"exits={f.exits} link_faults={faults} {dict(f.link_faults)} "
          f"db_faults={sum(n for k, n in f.db_faults.items() if k != 'pass')} "
          f"{dict(f.db_faults)} "
          f"evidence_moves={f.evidence_moves} kept_then_applied={f.paid_after_release} "
          f"feed_repeats={f.feed_repeats} feed_behind={f.feed_behind} "
          f"webhook_missing={f.webhook_missing} webhook_repeats={f.webhook_repeats} "
          f"finish={f.finish_seconds}s total={time.monotonic() - started:.0f}s "
          f"problems={f.problems}")


if __name__ == "__main__":
    main()
