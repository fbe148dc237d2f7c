"""Quarantined authority messages: kept whole with the reason, listed, replayed."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customs.adapters.database.tables import QuarantinedMessage
from customs.services.ports import QuarantineItem

Q = QuarantinedMessage.__table__  # type: ignore[attr-defined]
OPEN = "QUARANTINED"


class SqlQuarantineRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, at: datetime, channel: str, origin: str | None, code: str, detail: str,
            document: bytes) -> int:
        """One row per distinct document still open: the same bytes again (a pushed message
        retried, a poll repeated) count as another attempt instead of filling the table."""
        digest = hashlib.sha256(document).hexdigest()
        known = self.session.execute(sa.select(Q.c.id).where(
            Q.c.document_sha256 == digest, Q.c.status == OPEN).limit(1)).scalar()
        if known is not None:
            self.session.execute(sa.update(Q).where(Q.c.id == known).values(
                attempts=Q.c.attempts + 1, code=code[:40], detail=detail[:4000]))
            return int(known)
        return int(self.session.execute(sa.insert(Q).values(
            received_at=at, channel=channel[:16], origin=None if origin is None else origin[:200],
            code=code[:40], detail=detail[:4000], document=document, document_sha256=digest,
            status=OPEN, attempts=1).returning(Q.c.id)).scalar_one())

    def document(self, item_id: int) -> bytes | None:
        row = self.session.execute(sa.select(Q.c.document).where(Q.c.id == item_id)).first()
        return None if row is None else bytes(row[0])

    def get(self, item_id: int) -> QuarantineItem | None:
        rows = self._items(sa.select(*_COLUMNS).where(Q.c.id == item_id))
        return rows[0] if rows else None

    def page(self, status: str | None, after: int, limit: int) -> list[QuarantineItem]:
        query = sa.select(*_COLUMNS).where(Q.c.id > after).order_by(Q.c.id).limit(limit)
        if status is not None:
            query = query.where(Q.c.status == status)
        return self._items(query)

    def resolved(self, item_id: int, at: datetime, result: str) -> None:
        self.session.execute(sa.update(Q).where(Q.c.id == item_id).values(
            status="REPLAYED", resolved_at=at, result=result[:2000]))

    def failed_again(self, item_id: int, code: str, detail: str) -> None:
        self.session.execute(sa.update(Q).where(Q.c.id == item_id).values(
            attempts=Q.c.attempts + 1, code=code[:40], detail=detail[:4000]))

    def counts(self) -> dict[str, int]:
        return {status: int(n) for status, n in self.session.execute(
            sa.select(Q.c.status, sa.func.count()).group_by(Q.c.status))}

    def _items(self, query: sa.Select) -> list[QuarantineItem]:
        return [QuarantineItem(int(r.id), _utc(r.received_at), r.channel, r.origin, r.code,
                               r.detail, r.document_sha256, int(r.size), r.status,
                               int(r.attempts), None if r.resolved_at is None else
                               _utc(r.resolved_at), r.result)
                for r in self.session.execute(query)]


def _utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes: they were stored as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


_COLUMNS = (Q.c.id, Q.c.received_at, Q.c.channel, Q.c.origin, Q.c.code, Q.c.detail,
            Q.c.document_sha256, sa.func.length(Q.c.document).label("size"), Q.c.status,
            Q.c.attempts, Q.c.resolved_at, Q.c.result)
