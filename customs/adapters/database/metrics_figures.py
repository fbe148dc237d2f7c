"""The figures /metrics reads from the database at each scrape, so every process on every
machine reports the same.

What a scrape reads grows with the work in flight, not with the parcels' history: parcels in
open statuses are counted each time (an index-only scan of those statuses); parcels in final
statuses (most of a large table, and growing) at most every FINAL_COUNTS_SECONDS per process;
the batch backlog is an index-only count plus one keyed read; batches are few.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine

from customs.domain.lifecycle import FINAL_STATUSES as _FINAL
from customs.domain.lifecycle import ParcelStatus
from customs.services import queries
from customs.services.ports import Clock
from customs.services.unit_of_work import UnitOfWork

FINAL_STATUSES = frozenset(s.value for s in _FINAL)
OPEN_STATUSES = frozenset(s.value for s in ParcelStatus) - FINAL_STATUSES
FINAL_COUNTS_SECONDS = 300  # how stale the count of finished parcels may be


class OperationalFigures:
    def __init__(self, engine: Engine, read_uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self.engine, self.read_uow, self.clock = engine, read_uow, clock
        self.final_counts: tuple[float, dict[str, int]] | None = None  # (monotonic, counts)

    def read(self) -> dict[str, Any]:
        """Parcels by status, batches (count and attempts) by status, the backlog."""
        counts = {**self._final_counts(), **queries.parcel_counts(
            uow=self.read_uow(), statuses=OPEN_STATUSES)}
        with self.engine.connect() as conn:
            batches = {status: (int(n), int(tries)) for status, n, tries in conn.exec_driver_sql(
                "SELECT status, count(*), coalesce(sum(attempts), 0) FROM batches "
                "GROUP BY status")}
            # DECLARED parcels are in no batch (sealing moves them to BATCHED). count(*) keeps
            # the plan an index-only scan of the DECLARED entries; the first in line (lowest
            # id, as the sealer takes them) is then read by its key: no heap read per parcel.
            unbatched, oldest = conn.exec_driver_sql(
                "SELECT waiting.n, (SELECT updated_at FROM parcels WHERE id = waiting.first) "
                "FROM (SELECT count(*) AS n, min(id) AS first FROM parcels "
                "WHERE status = 'DECLARED') AS waiting").one()
        waiting = sum(batches.get(s, (0, 0))[0] for s in ("SEALED", "RETRY", "SENDING"))
        return {
            "parcels": counts, "batches": batches,
            "backlog": {"declare": counts.get("VALIDATED", 0), "batch": int(unbatched),
                        "submit_batches": waiting},
            "oldest_unbatched_seconds": self._age(oldest),
        }

    def _final_counts(self) -> dict[str, int]:
        now = time.monotonic()
        if self.final_counts is None or now - self.final_counts[0] > FINAL_COUNTS_SECONDS:
            counts = queries.parcel_counts(uow=self.read_uow(), statuses=FINAL_STATUSES)
            self.final_counts = (now, counts)
        return self.final_counts[1]

    def _age(self, oldest: Any) -> float:
        if oldest is None:
            return 0.0
        if isinstance(oldest, str):  # SQLite keeps the UTC text
            oldest = datetime.fromisoformat(oldest)
        if oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        return max(0.0, (self.clock.now() - oldest).total_seconds())
