"""Idempotency keys: a POST's stored reply, replayed for the same key (services.replies).

A manifest's receipt is written in the manifest's own transaction (`add`); any other POST
claims its key first (`claim`: a row without a response), then `complete`s it with the reply
or `release`s it. Rows older than the reply lifetime count as absent and are replaced or
purged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from customs.adapters.database.columns import utc
from customs.adapters.database.tables import IdempotencyRecord
from customs.services.ports import ConcurrentWrite, StoredResponse

K = IdempotencyRecord.__table__  # type: ignore[attr-defined]


def _this(tenant_id: int, key: str) -> Any:
    return sa.and_(K.c.tenant_id == tenant_id, K.c.key == key)


class SqlIdempotencyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, tenant_id: int, key: str,
            not_before: datetime | None = None) -> StoredResponse | None:
        """The stored reply (or claim); one created before `not_before` has expired: None."""
        row = self.session.execute(sa.select(K).where(_this(tenant_id, key))).mappings().first()
        if row is None or (not_before is not None and utc(row["created_at"]) < not_before):
            return None
        return StoredResponse(row["request_sha256"], row["manifest_id"], row["response"],
                              status=row["status_code"], headers=row["headers"],
                              created_at=utc(row["created_at"]))

    def add(self, tenant_id: int, key: str, response: StoredResponse, at: datetime,
            replace_before: datetime | None = None) -> None:
        """A racing request with the same key conflicts here, at the INSERT (PostgreSQL waits
        for the other transaction, SQLite for its write lock), not at the commit: raised as
        ConcurrentWrite so that intake reads the stored key again (replay or reused). A reply
        of the key stored before `replace_before` (expired) is replaced."""
        if replace_before is not None:
            self.session.execute(sa.delete(K).where(_this(tenant_id, key),
                                                    K.c.created_at < replace_before))
        self._insert(tenant_id=tenant_id, key=key, request_sha256=response.request_sha256,
                     manifest_id=response.manifest_id, response=response.body,
                     status_code=response.status, headers=response.headers, created_at=at)

    def claim(self, tenant_id: int, key: str, request_sha256: str, at: datetime, *,
              expired_before: datetime, abandoned_before: datetime) -> None:
        """Take the key for a request about to run: ConcurrentWrite if another holds it. An
        expired reply, or a claim older than `abandoned_before` that never completed (its
        process died), gives way."""
        self.session.execute(sa.delete(K).where(_this(tenant_id, key), sa.or_(
            K.c.created_at < expired_before,
            sa.and_(K.c.response.is_(None), K.c.created_at < abandoned_before))))
        self._insert(tenant_id=tenant_id, key=key, request_sha256=request_sha256,
                     created_at=at)

    def complete(self, tenant_id: int, key: str, status: int, body: Any,
                 headers: dict[str, str]) -> None:
        self.session.execute(sa.update(K).where(_this(tenant_id, key), K.c.response.is_(None))
                             .values(response=body, status_code=status, headers=headers))

    def release(self, tenant_id: int, key: str) -> None:
        """Forget a claim whose request did not succeed: the same key may run again."""
        self.session.execute(sa.delete(K).where(_this(tenant_id, key), K.c.response.is_(None)))

    def purge(self, before: datetime, limit: int) -> int:
        """Delete the oldest replies created before `before`, about `limit` of them (rows
        created in the same instant as the last go too); how many were."""
        edge = self.session.execute(
            sa.select(K.c.created_at).where(K.c.created_at < before)
            .order_by(K.c.created_at).offset(limit - 1).limit(1)).scalar()
        doomed = [K.c.created_at < before]
        if edge is not None:
            doomed.append(K.c.created_at <= edge)
        return int(self.session.execute(sa.delete(K).where(*doomed)).rowcount)

    def _insert(self, **values: Any) -> None:
        try:
            self.session.execute(sa.insert(K).values(**values))
        except IntegrityError as exc:
            raise ConcurrentWrite(str(exc.orig)) from exc
