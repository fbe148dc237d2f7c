"""The audit log: appended to, never rewritten."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customs.adapters.database.tables import AuditEntry
from customs.services.ports import Principal

A = AuditEntry.__table__  # type: ignore[attr-defined]


class SqlAuditRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, who: Principal | None, actor: str, action: str, object_type: str,
               object_id: str, before: dict[str, Any] | None, after: dict[str, Any] | None,
               at: datetime) -> None:
        self.session.execute(sa.insert(A).values(
            at=at, actor=actor[:100], role=None if who is None else who.role,
            tenant_id=None if who is None else who.tenant_id, action=action,
            object_type=object_type, object_id=object_id[:64], before=before, after=after))

    def history(self, object_type: str, object_id: str, limit: int = 500) -> list[dict[str, Any]]:
        rows = self.session.execute(
            sa.select(A).where(A.c.object_type == object_type, A.c.object_id == object_id)
            .order_by(A.c.id).limit(limit)).mappings()
        return [dict(r) for r in rows]
