"""Webhook events other than parcel status changes (customs.domain.events), stored as they
happen, in the transaction of what they tell."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customs.adapters.database.columns import utc
from customs.adapters.database.tables import (
    ApiKey,
    Batch,
    ParcelRow,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)
from customs.domain.events import MARKETPLACE, BatchShare, NewEvent, StoredEvent, reaches

V = WebhookEvent.__table__  # type: ignore[attr-defined]
P = ParcelRow.__table__  # type: ignore[attr-defined]
W = Webhook.__table__  # type: ignore[attr-defined]
D = WebhookDelivery.__table__  # type: ignore[attr-defined]
K = ApiKey.__table__  # type: ignore[attr-defined]
B = Batch.__table__  # type: ignore[attr-defined]


class SqlEventRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, events: Sequence[NewEvent]) -> list[int]:
        """Fan-out on write: an event's deliveries are queued with it, in one transaction,
        so none is missed whatever order concurrent transactions commit in."""
        ids = []
        for e in events:  # a few per call: one statement each, ids back on both engines
            event_id = int(self.session.execute(sa.insert(V).values(
                type=e.type, at=e.at, audience=e.audience, tenant_id=e.tenant_id,
                customs_office=e.customs_office, webhook_id=e.webhook_id, data=e.data)
                .returning(V.c.id)).scalar_one())
            ids.append(event_id)
            if e.webhook_id is None:  # a ping's delivery is made by its sender
                self._queue(e, event_id)
        return ids

    def _queue(self, e: NewEvent, event_id: int) -> None:
        query = sa.select(W.c.id, W.c.role, W.c.tenant_id, W.c.offices, W.c.events).join(
            K, K.c.id == W.c.api_key_id).where(
            W.c.deleted_at.is_(None), K.c.revoked_at.is_(None),
            sa.or_(K.c.expires_at.is_(None), K.c.expires_at > e.at))
        if e.audience == MARKETPLACE:
            query = query.where(W.c.tenant_id == e.tenant_id)
        rows = self.session.execute(query.order_by(W.c.id)).all()
        queued = [{"webhook_id": r.id, "event_id": event_id, "event_type": e.type,
                   "status": "pending", "attempts": 0, "created_at": e.at,
                   "next_attempt_at": e.at} for r in rows
                  if reaches(e, webhook_id=r.id, role=r.role, tenant_id=r.tenant_id,
                             offices=r.offices or (), events=r.events)]
        if queued:
            self.session.execute(sa.insert(D), queued)

    def get(self, event_id: int) -> StoredEvent | None:
        row = self.session.execute(sa.select(V.c.id, V.c.type, V.c.at, V.c.data)
                                   .where(V.c.id == event_id)).first()
        return None if row is None else StoredEvent(int(row.id), row.type, utc(row.at) or row.at,
                                                    row.data)

    def batch_audience(self, batch_id: str) -> tuple[str, list[BatchShare]]:
        office = self.session.execute(sa.select(B.c.customs_office).where(
            B.c.id == batch_id)).scalar()
        rows = self.session.execute(
            sa.select(P.c.tenant_id, P.c.tracking_number).where(P.c.batch_id == batch_id)
            .order_by(P.c.tenant_id, P.c.id))
        shares: dict[int, list[str]] = defaultdict(list)
        for tenant_id, tracking_number in rows:
            shares[int(tenant_id)].append(tracking_number or "")
        return office or "", [BatchShare(t, numbers) for t, numbers in shares.items()]
