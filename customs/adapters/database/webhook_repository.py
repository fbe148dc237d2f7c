"""Webhooks and their deliveries in SQL.

Fan-out is idempotent: a delivery row per (webhook, event) (unique), inserted in the same
transaction that moves the webhook's cursor, and only if the cursor is still where the caller
read it (another worker that got there first wins; the loser rolls back). Sending is claimed
with a lease re-checked in the UPDATE, so two workers never hold the same delivery.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from customs.adapters.database.columns import iso, utc
from customs.adapters.database.tables import (
    ApiKey,
    ParcelEvent,
    ParcelRow,
    Tenant,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from customs.adapters.database.view_records import feed_change
from customs.adapters.database.view_repository import HORIZON, feed_select
from customs.domain.feed import FeedPosition
from customs.services.ports import FeedItem, Principal
from customs.services.read_models.feed import FeedChange
from customs.services.read_models.webhooks import (
    AttemptView,
    DeliveryView,
    WebhookScope,
    WebhookView,
)
from customs.services.webhook_ports import (
    DueDelivery,
    NewWebhook,
    SendResult,
    StoredSecrets,
    WebhookTarget,
)

W = Webhook.__table__  # type: ignore[attr-defined]
D = WebhookDelivery.__table__  # type: ignore[attr-defined]
E = ParcelEvent.__table__  # type: ignore[attr-defined]
P = ParcelRow.__table__  # type: ignore[attr-defined]
T = Tenant.__table__  # type: ignore[attr-defined]
K = ApiKey.__table__  # type: ignore[attr-defined]
A = WebhookAttempt.__table__  # type: ignore[attr-defined]
PUBLIC = (W.c.id, W.c.url, W.c.role, W.c.courier, W.c.offices, W.c.created_at,
          W.c.previous_secret_until, W.c.events)
DELIVERY = (D.c.id, D.c.event_id, D.c.status, D.c.attempts, D.c.created_at,
            D.c.first_attempt_at, D.c.next_attempt_at, D.c.delivered_at, D.c.last_status,
            D.c.last_error, D.c.event_type)


class SqlWebhookRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def add(self, hook: NewWebhook) -> None:
        who = hook.owner
        self.session.execute(sa.insert(W).values(
            id=hook.id, tenant_id=who.tenant_id, api_key_id=who.key_id,
            scope_key=who.scope_key, role=who.role, courier=who.courier,
            offices=list(who.offices) if who.role == "officer" else None, url=hook.url,
            secret=hook.secret, cursor=hook.cursor, created_at=hook.at,
            events=None if hook.events is None else list(hook.events)))

    def count(self, tenant_id: int) -> int:
        return int(self.session.execute(sa.select(sa.func.count()).select_from(W).where(
            W.c.tenant_id == tenant_id, W.c.deleted_at.is_(None))).scalar_one())

    def get(self, who: Principal, webhook_id: str) -> WebhookView | None:
        row = self.session.execute(sa.select(*PUBLIC).where(
            W.c.id == webhook_id, *_mine(who), W.c.deleted_at.is_(None))).mappings().first()
        return None if row is None else _public(row)

    def page(self, who: Principal, after: str | None, limit: int) -> list[WebhookView]:
        query = sa.select(*PUBLIC).where(*_mine(who), W.c.deleted_at.is_(None))
        if after is not None:
            query = query.where(W.c.id > after)
        rows = self.session.execute(query.order_by(W.c.id).limit(limit)).mappings()
        return [_public(r) for r in rows]

    def delete(self, webhook_id: str, at: datetime) -> None:
        self.session.execute(sa.update(W).where(W.c.id == webhook_id).values(deleted_at=at))

    def secret(self, webhook_id: str) -> str:
        return str(self.session.execute(
            sa.select(W.c.secret).where(W.c.id == webhook_id)).scalar_one())

    def rotate(self, webhook_id: str, secret: str, previous: str | None,
               previous_until: datetime | None) -> None:
        self.session.execute(sa.update(W).where(W.c.id == webhook_id).values(
            secret=secret, previous_secret=previous, previous_secret_until=previous_until))

    def stored_secrets(self, after: str, limit: int) -> list[StoredSecrets]:
        """Every webhook's stored secrets (deleted ones too: they still hold a secret), by id."""
        rows = self.session.execute(
            sa.select(W.c.id, W.c.secret, W.c.previous_secret).where(W.c.id > after)
            .order_by(W.c.id).limit(limit))
        return [StoredSecrets(r[0], r[1], r[2]) for r in rows]

    def replace_secrets(self, before: StoredSecrets, after: StoredSecrets) -> bool:
        """Compare and set: False when the webhook's secrets changed meanwhile (a rotation)."""
        previous = (W.c.previous_secret.is_(None) if before.previous_secret is None
                    else W.c.previous_secret == before.previous_secret)
        done = self.session.execute(sa.update(W).where(
            W.c.id == before.webhook_id, W.c.secret == before.secret, previous).values(
            secret=after.secret, previous_secret=after.previous_secret))
        return done.rowcount == 1

    def replay(self, webhook_id: str, since: datetime | None, at: datetime) -> int:
        query = sa.update(D).where(D.c.webhook_id == webhook_id, D.c.status == "failed")
        if since is not None:
            query = query.where(D.c.created_at >= since)
        done = self.session.execute(query.values(
            status="pending", attempts=0, first_attempt_at=None, next_attempt_at=at,
            lease_until=None))
        return int(done.rowcount)

    def deliveries(self, webhook_id: str, status: str | None, before: int | None,
                   limit: int) -> list[DeliveryView]:
        query = sa.select(*DELIVERY).where(D.c.webhook_id == webhook_id)
        if status is not None:
            query = query.where(D.c.status == status)
        if before is not None:
            query = query.where(D.c.id < before)
        rows = self.session.execute(query.order_by(D.c.id.desc()).limit(limit)).mappings()
        return [_delivery(r) for r in rows]

    def delivery(self, webhook_id: str, delivery_id: int) -> DeliveryView | None:
        row = self.session.execute(sa.select(*DELIVERY).where(
            D.c.webhook_id == webhook_id, D.c.id == delivery_id)).mappings().first()
        return None if row is None else _delivery(row)

    def attempts(self, delivery_id: int, limit: int) -> list[AttemptView]:
        rows = self.session.execute(
            sa.select(A.c.at, A.c.status_code, A.c.duration_ms, A.c.error)
            .where(A.c.delivery_id == delivery_id).order_by(A.c.id).limit(limit))
        return [AttemptView(iso(r.at), r.status_code, r.duration_ms, r.error) for r in rows]

    def add_delivery(self, webhook_id: str, event_id: int, event_type: str, at: datetime,
                     lease_until: datetime, owner: str) -> int:
        return int(self.session.execute(sa.insert(D).values(
            webhook_id=webhook_id, event_id=event_id, event_type=event_type, status="pending",
            attempts=0, created_at=at, next_attempt_at=at, lease_until=lease_until,
            lease_owner=owner).returning(D.c.id)).scalar_one())

    def feed_end(self) -> FeedPosition:
        """The last position every later event will come after (no backfill)."""
        query = sa.select(E.c.txid, E.c.id)
        if self.dialect == "postgresql":
            query = query.where(E.c.txid < self.session.execute(HORIZON).scalar_one())
        row = self.session.execute(
            query.order_by(E.c.txid.desc(), E.c.id.desc()).limit(1)).first()
        return FeedPosition() if row is None else FeedPosition(int(row[0]), int(row[1]))

    def active(self, limit: int, at: datetime) -> list[WebhookTarget]:
        rows = self.session.execute(
            sa.select(W, T.c.name.label("tenant")).join(T, T.c.id == W.c.tenant_id)
            .join(K, K.c.id == W.c.api_key_id)
            .where(W.c.deleted_at.is_(None), *_key_valid(at)).order_by(W.c.id).limit(limit)
        ).mappings()
        return [WebhookTarget(r["id"], _scope(r["id"], r), r["cursor"],
                              None if r["events"] is None else tuple(r["events"]))
                for r in rows]

    def enqueue(self, target: WebhookTarget, items: Sequence[FeedItem], cursor: str,
                at: datetime) -> bool:
        moved = self.session.execute(sa.update(W).where(
            W.c.id == target.id, W.c.cursor == target.cursor, W.c.deleted_at.is_(None))
            .values(cursor=cursor))
        if moved.rowcount != 1:
            return False  # another worker moved it first (or it was deleted)
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        self.session.execute(insert(D).on_conflict_do_nothing(), [
            {"webhook_id": target.id, "event_id": item.position.event_id, "status": "pending",
             "attempts": 0, "created_at": at, "next_attempt_at": at} for item in items])
        return True

    def claim_due(self, at: datetime, lease_until: datetime, limit: int,
                  owner: str) -> list[DueDelivery]:
        free = (D.c.status == "pending", D.c.next_attempt_at <= at,
                sa.or_(D.c.lease_until.is_(None), D.c.lease_until < at))
        ids = self.session.execute(
            sa.select(D.c.id).join(W, W.c.id == D.c.webhook_id)
            .join(K, K.c.id == W.c.api_key_id)
            .where(*free, W.c.deleted_at.is_(None), *_key_valid(at))
            .order_by(D.c.next_attempt_at, D.c.id).limit(limit)).scalars().all()
        if not ids:
            return []
        # Re-checked under the row lock: a delivery another worker claimed meanwhile drops out.
        claimed = self.session.execute(
            sa.update(D).where(D.c.id.in_(ids), *free).values(lease_until=lease_until,
                                                              lease_owner=owner)
            .returning(D.c.id)).scalars().all()
        return self._due(D.c.id.in_(claimed))

    def claimed(self, delivery_id: int) -> DueDelivery | None:
        found = self._due(D.c.id == delivery_id)
        return found[0] if found else None

    def _due(self, where: Any) -> list[DueDelivery]:
        rows = self.session.execute(
            sa.select(D.c.id, D.c.webhook_id, D.c.event_id, D.c.event_type, D.c.attempts,
                      D.c.first_attempt_at, W.c.url, W.c.tenant_id, W.c.role, W.c.courier,
                      W.c.offices, W.c.secret, W.c.previous_secret, W.c.previous_secret_until,
                      T.c.name.label("tenant"))
            .join(W, W.c.id == D.c.webhook_id).join(T, T.c.id == W.c.tenant_id)
            .where(where).order_by(D.c.next_attempt_at, D.c.id)).mappings()
        return [DueDelivery(
            id=r["id"], webhook_id=r["webhook_id"], event_id=int(r["event_id"]),
            attempts=int(r["attempts"]), first_attempt_at=utc(r["first_attempt_at"]),
            url=r["url"], scope=_scope(r["webhook_id"], r), secret=r["secret"],
            previous_secret=r["previous_secret"],
            previous_secret_until=utc(r["previous_secret_until"]),
            event_type=r["event_type"]) for r in rows]

    def event_fields(self, event_id: int) -> FeedChange | None:
        row = self.session.execute(feed_select().where(E.c.id == event_id)).mappings().first()
        return None if row is None else feed_change(row)

    def renew(self, delivery_id: int, owner: str, lease_until: datetime) -> bool:
        """Extend this worker's lease just before sending; False if another took it over."""
        moved = self.session.execute(sa.update(D).where(
            D.c.id == delivery_id, D.c.lease_owner == owner, D.c.status == "pending")
            .values(lease_until=lease_until))
        return bool(moved.rowcount)

    def outcome(self, delivery_id: int, *, status: str, result: SendResult, at: datetime,
                next_attempt_at: datetime | None, owner: str) -> None:
        """Record the attempt (in the history too) if this worker still holds the delivery."""
        done = self.session.execute(sa.update(D).where(
            D.c.id == delivery_id, D.c.lease_owner == owner).values(
            status=status, attempts=D.c.attempts + 1, lease_until=None, lease_owner=None,
            first_attempt_at=sa.func.coalesce(D.c.first_attempt_at, at),
            next_attempt_at=next_attempt_at, last_status=result.status,
            last_error=None if result.error is None else result.error[:2000],
            delivered_at=at if status == "delivered" else None))
        if done.rowcount:
            self.session.execute(sa.insert(A).values(
                delivery_id=delivery_id, at=at, status_code=result.status,
                duration_ms=result.duration_ms,
                error=None if result.error is None else result.error[:2000]))

    def release(self, delivery_ids: Sequence[int], next_attempt_at: datetime,
                at: datetime, owner: str) -> None:
        """Give back claimed deliveries unsent (their receiver just failed): no attempt, but
        their retry window starts."""
        if delivery_ids:
            self.session.execute(sa.update(D).where(
                D.c.id.in_(delivery_ids), D.c.lease_owner == owner).values(
                lease_until=None, lease_owner=None, next_attempt_at=next_attempt_at,
                first_attempt_at=sa.func.coalesce(D.c.first_attempt_at, at)))


def _mine(who: Principal) -> tuple[Any, ...]:
    """A webhook is managed by the keys of the scope that registered it (same tenant)."""
    return (W.c.tenant_id == who.tenant_id, W.c.scope_key == who.scope_key)


def _key_valid(at: datetime) -> tuple[Any, ...]:
    """The registering key is neither revoked nor expired: otherwise the webhook is silent."""
    return (K.c.revoked_at.is_(None), sa.or_(K.c.expires_at.is_(None), K.c.expires_at > at))


def _scope(webhook_id: str, r: Any) -> Principal:
    return Principal(key_id=f"webhook:{webhook_id}", tenant_id=int(r["tenant_id"]),
                     tenant=r["tenant"], role=r["role"], courier=r["courier"],
                     offices=tuple(r["offices"] or ()))


def _public(r: Any) -> WebhookView:
    return WebhookView(r["id"], r["url"],
                       WebhookScope(r["role"], r["courier"], list(r["offices"] or [])),
                       iso(r["created_at"]), iso(r["previous_secret_until"]),
                       events=r["events"])


def _delivery(r: Any) -> DeliveryView:
    return DeliveryView(**{k: iso(v) if isinstance(v, datetime) else v for k, v in r.items()})
