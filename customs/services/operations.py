"""The figures operators read: /metrics, /health, /ready.

/metrics is read from the database at each scrape, so every process on every machine reports
the same. Parcels in open statuses are counted each time; those in final statuses (most of a
large table, and growing) at most every FINAL_COUNTS_SECONDS per process, so what a scrape
reads grows with the work in flight, not with the history.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from customs.domain.lifecycle import FINAL_STATUSES as _FINAL
from customs.domain.lifecycle import ParcelStatus
from customs.services import queries
from customs.services.operations_ports import BatchSummary, ExchangedMessage, OperationalReads
from customs.services.ports import Clock
from customs.services.unit_of_work import UnitOfWork

FINAL_STATUSES = frozenset(s.value for s in _FINAL)
OPEN_STATUSES = frozenset(s.value for s in ParcelStatus) - FINAL_STATUSES
FINAL_COUNTS_SECONDS = 300  # how stale the count of finished parcels may be
WAITING_BATCHES = ("SEALED", "RETRY", "SENDING")


@dataclass(frozen=True, slots=True)
class OperationalFigures:
    parcels: dict[str, int]  # by status
    batches: dict[str, tuple[int, int]]  # by status: (count, attempts)
    backlog: dict[str, int]  # by next step: declare, batch, submit_batches
    oldest_unbatched_seconds: float


@dataclass(frozen=True, slots=True)
class SigningStatus:
    configured: bool
    fingerprint: str | None = None
    subject: str | None = None
    not_after: str | None = None
    days_left: float | None = None
    expiring: bool = False
    expired: bool = False

    def to_json(self) -> dict[str, object]:
        if not self.configured:
            return {"configured": False}
        return {"configured": True, "fingerprint": self.fingerprint, "subject": self.subject,
                "not_after": self.not_after, "days_left": self.days_left,
                "expiring": self.expiring, "expired": self.expired}


@dataclass(frozen=True, slots=True)
class Readiness:
    """Ready to serve: the database answers, its schema is at this release's head, and a
    configured signing certificate is in force."""

    database: bool
    schema: bool
    schema_revision: str | None
    signing: bool

    @property
    def ready(self) -> bool:
        return self.database and self.schema and self.signing

    def to_json(self) -> dict[str, object]:
        return {"database": self.database, "schema": self.schema,
                "schema_revision": self.schema_revision, "signing": self.signing}


class FinalCounts:
    """Counts of parcels in final statuses, re-read at most every `seconds` (per process)."""

    def __init__(self, seconds: float = FINAL_COUNTS_SECONDS,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.seconds, self.monotonic = seconds, monotonic
        self.cached: tuple[float, dict[str, int]] | None = None  # (monotonic, counts)

    def read(self, uow: UnitOfWork) -> dict[str, int]:
        now = self.monotonic()
        if self.cached is None or now - self.cached[0] > self.seconds:
            self.cached = (now, queries.parcel_counts(uow=uow, statuses=FINAL_STATUSES))
        return self.cached[1]


def figures(*, reads: OperationalReads, read_uow: Callable[[], UnitOfWork],
            final_counts: FinalCounts, clock: Clock) -> OperationalFigures:
    """Parcels by status, batches (count and attempts) by status, the backlog."""
    counts = {**final_counts.read(read_uow()),
              **queries.parcel_counts(uow=read_uow(), statuses=OPEN_STATUSES)}
    batches = reads.batches()
    unbatched, oldest = reads.unbatched()
    waiting = sum(batches.get(s, (0, 0))[0] for s in WAITING_BATCHES)
    return OperationalFigures(
        parcels=counts, batches=batches,
        backlog={"declare": counts.get("VALIDATED", 0), "batch": unbatched,
                 "submit_batches": waiting},
        oldest_unbatched_seconds=_age(oldest, clock.now()))


def _age(oldest: datetime | None, now: datetime) -> float:
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return max(0.0, (now - oldest).total_seconds())


def readiness(reads: OperationalReads, signing: SigningStatus) -> Readiness:
    database = reads.database_ok()
    current = reads.schema_revision() if database else None
    return Readiness(database=database, schema=current == reads.schema_head(),
                     schema_revision=current,
                     signing=not signing.configured or not signing.expired)


class NoDatabase:
    """OperationalReads without a database (use cases run on fakes): nothing to read."""

    def database_ok(self) -> bool:
        return False

    def schema_revision(self) -> str | None:
        return None

    def schema_head(self) -> str | None:
        return None

    def batches(self) -> dict[str, tuple[int, int]]:
        return {}

    def unbatched(self) -> tuple[int, datetime | None]:
        return 0, None

    def list_batches(self, statuses: tuple[str, ...], limit: int) -> list[BatchSummary]:
        return []

    def exchanged_messages(self) -> list[ExchangedMessage]:
        return []
