"""Idempotency keys: a submission's stored response, replayed for the same key."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from customs.adapters.database.tables import IdempotencyRecord
from customs.services.ports import ConcurrentWrite, StoredResponse


class SqlIdempotencyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, tenant_id: int, key: str) -> StoredResponse | None:
        row = self.session.get(IdempotencyRecord, (tenant_id, key))
        if row is None:
            return None
        return StoredResponse(row.request_sha256, row.manifest_id, row.response)

    def add(self, tenant_id: int, key: str, response: StoredResponse, at: datetime) -> None:
        """A racing request with the same key conflicts here, at the INSERT (PostgreSQL waits
        for the other transaction, SQLite for its write lock), not at the commit: raised as
        ConcurrentWrite so that intake reads the stored key again (replay or reused)."""
        try:
            self.session.execute(sa.insert(IdempotencyRecord.__table__).values(  # type: ignore[attr-defined]
                tenant_id=tenant_id, key=key, request_sha256=response.request_sha256,
                manifest_id=response.manifest_id, response=response.body, created_at=at))
        except IntegrityError as exc:
            raise ConcurrentWrite(str(exc.orig)) from exc
