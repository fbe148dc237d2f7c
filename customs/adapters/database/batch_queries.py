"""Batches as an operator lists them (`customs batch list`): newest first, bounded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from customs.adapters.database.tables import Batch

B = Batch.__table__  # type: ignore[attr-defined]
BATCH_STATUSES = ("SEALING", "SEALED", "SENDING", "RETRY", "ACKNOWLEDGED", "TRANSMISSION_FAILED")


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


def list_batches(engine: sa.Engine, statuses: tuple[str, ...], limit: int) -> list[BatchSummary]:
    query = (sa.select(B.c.id, B.c.message_id, B.c.status, B.c.customs_office, B.c.parcel_count,
                       B.c.attempts, B.c.sealed_at, B.c.last_error)
             .order_by(B.c.sealed_at.desc(), B.c.id.desc()).limit(limit))
    if statuses:
        query = query.where(B.c.status.in_(statuses))
    with engine.connect() as conn:
        return [BatchSummary(*row) for row in conn.execute(query).all()]
