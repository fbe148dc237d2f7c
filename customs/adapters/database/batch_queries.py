"""Batches as an operator lists them (`customs batch list`): newest first, bounded."""

from __future__ import annotations

import sqlalchemy as sa

from customs.adapters.database.tables import Batch
from customs.services.operations_ports import BatchSummary

B = Batch.__table__  # type: ignore[attr-defined]
BATCH_STATUSES = ("SEALING", "SEALED", "SENDING", "RETRY", "ACKNOWLEDGED", "TRANSMISSION_FAILED")


def list_batches(engine: sa.Engine, statuses: tuple[str, ...], limit: int) -> list[BatchSummary]:
    query = (sa.select(B.c.id, B.c.message_id, B.c.status, B.c.customs_office, B.c.parcel_count,
                       B.c.attempts, B.c.sealed_at, B.c.last_error)
             .order_by(B.c.sealed_at.desc(), B.c.id.desc()).limit(limit))
    if statuses:
        query = query.where(B.c.status.in_(statuses))
    with engine.connect() as conn:
        return [BatchSummary(*row) for row in conn.execute(query).all()]
