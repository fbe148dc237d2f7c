"""What operators read about the service itself (health, readiness, /metrics, the demo's
message dump), as a port: the SQL lives in an adapter, the arithmetic in services.operations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol


class ExchangedMessage(NamedTuple):
    """A message kept in the message log (a tuple, so `for n, d, k, m, doc in ...` still reads)."""

    number: int
    direction: str
    kind: str
    message_id: str
    document: bytes


@dataclass(frozen=True)
class BatchSummary:
    id: str
    message_id: str
    status: str
    customs_office: str
    parcels: int
    attempts: int
    sealed_at: datetime
    last_error: str | None

    def as_json(self) -> dict[str, object]:
        return {**self.__dict__, "sealed_at": self.sealed_at.isoformat()}


class OperationalReads(Protocol):
    def database_ok(self) -> bool:
        """The database answers a trivial query (never raises)."""
        ...

    def schema_revision(self) -> str | None:
        """The migration the database is at (None: not migrated)."""
        ...

    def schema_head(self) -> str | None:
        """The migration this release expects."""
        ...

    def batches(self) -> dict[str, tuple[int, int]]:
        """Batches by status: (count, submission attempts)."""
        ...

    def unbatched(self) -> tuple[int, datetime | None]:
        """DECLARED parcels (in no batch yet) and when the first in line was last updated."""
        ...

    def list_batches(self, statuses: tuple[str, ...], limit: int) -> list[BatchSummary]:
        """The newest batches first, in these statuses (all when empty)."""
        ...

    def exchanged_messages(self) -> list[ExchangedMessage]:
        """Every message kept with its document, in the order they were kept."""
        ...
