"""The service about itself: liveness, readiness, /metrics figures, the signing key, the schema,
and signing a document with our key (`customs sign`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from customs.services import operations, queries
from customs.services.operations_ports import BatchSummary, OperationalReads
from customs.services.ports import Clock
from customs.services.unit_of_work import UnitOfWork


class KeyHolder(Protocol):
    """Our signing key: its certificate's state, and a document signed with it."""

    def status(self, at: datetime) -> dict[str, Any]: ...
    def sign_document(self, document: bytes) -> bytes: ...


@dataclass(frozen=True)
class Operations:
    read_uow_factory: Callable[[], UnitOfWork]
    clock: Clock
    reads: OperationalReads
    signer: KeyHolder | None
    final_counts: operations.FinalCounts
    upgrade: Callable[[], None]  # migrate the database to this release's head

    def database_ok(self) -> bool:
        return self.reads.database_ok()

    def signing_status(self) -> operations.SigningStatus:
        if self.signer is None:
            return operations.SigningStatus(configured=False)
        return operations.SigningStatus(configured=True, **self.signer.status(self.clock.now()))

    def readiness(self) -> operations.Readiness:
        return operations.readiness(self.reads, self.signing_status())

    def operational_figures(self) -> operations.OperationalFigures:
        """Parcels by status, batches by status, the backlog: for /metrics."""
        return operations.figures(reads=self.reads, read_uow=self.read_uow_factory,
                                  final_counts=self.final_counts, clock=self.clock)

    def parcel_counts(self) -> dict[str, int]:
        return queries.parcel_counts(uow=self.read_uow_factory())

    def list_batches(self, statuses: tuple[str, ...] = (), limit: int = 100) -> list[BatchSummary]:
        """The newest batches, for operators (`customs batch list`)."""
        return self.reads.list_batches(statuses, limit)

    def upgrade_database(self) -> None:
        self.upgrade()

    def sign_document(self, document: bytes) -> bytes | None:
        """The document signed with our current key (enveloped); None without a key."""
        return None if self.signer is None else self.signer.sign_document(document)
