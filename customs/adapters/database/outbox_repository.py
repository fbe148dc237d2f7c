"""Sending sealed batches: leases so that one worker sends a batch at a time, statuses after."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customs.adapters.database.parcel_events import insert_events
from customs.adapters.database.tables import Batch, Message, ParcelEvent, ParcelRow
from customs.domain.lifecycle import ParcelStatus, received_from
from customs.services.ports import DueBatch

P = ParcelRow.__table__  # type: ignore[attr-defined]
B = Batch.__table__  # type: ignore[attr-defined]
E = ParcelEvent.__table__  # type: ignore[attr-defined]
M = Message.__table__  # type: ignore[attr-defined]
SENDABLE = ("SEALED", "RETRY", "SENDING")
# Not yet known to be with the authority: an outcome recorded by a sender may still change these.
UNCONFIRMED = (*SENDABLE, "SUBMITTED", "TRANSMISSION_FAILED")


class SqlOutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim_due(self, at: datetime, lease_until: datetime) -> DueBatch | None:
        """The oldest due batch whose lease is free; a crashed sender's lease expires."""
        due = (sa.select(B.c.id).where(
            B.c.status.in_(SENDABLE), B.c.next_attempt_at <= at,
            sa.or_(B.c.lease_until.is_(None), B.c.lease_until < at))
            .order_by(B.c.sealed_at, B.c.id).limit(1))
        for _ in range(5):  # another worker may take it between select and update
            batch_id = self.session.execute(due).scalar()
            if batch_id is None:
                return None
            row = self.session.execute(
                sa.update(B).where(B.c.id == batch_id, B.c.status.in_(SENDABLE),
                                   sa.or_(B.c.lease_until.is_(None), B.c.lease_until < at))
                .values(status="SENDING", lease_until=lease_until, attempts=B.c.attempts + 1)
                .returning(B.c.id, B.c.message_id, B.c.document, B.c.attempts)).first()
            if row is not None:
                return DueBatch(row[0], row[1], row[2], int(row[3]))
        return None

    def record(self, direction: str, kind: str, message_id: str | None, batch_id: str | None,
               status: int | None, error: str | None, document: bytes | None,
               at: datetime) -> None:
        self.session.execute(sa.insert(M).values(
            direction=direction, kind=kind, message_id=message_id, batch_id=batch_id,
            http_status=status, error=error, document=document, at=at))

    def submitted(self, batch_id: str, at: datetime, actor: str,
                  acknowledged: bool = False) -> int:
        # A batch that evidence already showed received stays ACKNOWLEDGED.
        self.session.execute(sa.update(B).where(B.c.id == batch_id,
                                                B.c.status.in_(UNCONFIRMED)).values(
            status="ACKNOWLEDGED" if acknowledged else "SUBMITTED", submitted_at=at,
            lease_until=None, last_error=None))
        moved = self._move(batch_id, ParcelStatus.SUBMITTED, at, actor, "batch delivered")
        if acknowledged:
            self._move(batch_id, ParcelStatus.ACKNOWLEDGED, at, "authority",
                       "registered by the authority (signed Ack)",
                       before=(ParcelStatus.SUBMITTED.value,))
        return moved

    def retry_later(self, batch_id: str, at: datetime, error: str) -> None:
        """Only while this sender holds it: evidence of receipt meanwhile wins."""
        self.session.execute(sa.update(B).where(B.c.id == batch_id, B.c.status == "SENDING")
                             .values(status="RETRY", next_attempt_at=at, lease_until=None,
                                     last_error=error[:2000]))

    def failed(self, batch_id: str, at: datetime, error: str, actor: str) -> int:
        done = self.session.execute(
            sa.update(B).where(B.c.id == batch_id, B.c.status == "SENDING")
            .values(status="TRANSMISSION_FAILED", lease_until=None, last_error=error[:2000]))
        if not done.rowcount:
            return 0
        return self._move(batch_id, ParcelStatus.TRANSMISSION_FAILED, at, actor, error)

    def received(self, batch_id: str, at: datetime, source: str, evidence: str) -> int:
        """The authority has this batch (its Ack, its decisions, its "already registered"):
        the batch is ACKNOWLEDGED and each of its parcels still waiting for receipt moves
        there from its own status (lifecycle: moves on evidence), the evidence on the event."""
        self.session.execute(
            sa.update(B).where(B.c.id == batch_id, B.c.status != "ACKNOWLEDGED")
            .values(status="ACKNOWLEDGED", lease_until=None, last_error=None,
                    submitted_at=sa.func.coalesce(B.c.submitted_at, at)))
        moved = 0
        for before in received_from(ParcelStatus.ACKNOWLEDGED):
            rows = self.session.execute(
                sa.update(P).where(P.c.batch_id == batch_id, P.c.status == before.value)
                .values(status=ParcelStatus.ACKNOWLEDGED.value, updated_at=at)
                .returning(P.c.id)).scalars().all()
            insert_events(self.session, [
                {"parcel_id": i, "status": ParcelStatus.ACKNOWLEDGED.value,
                 "previous_status": before.value, "at": at, "actor": "authority",
                 "source": source[:40],
                 "reason": f"batch {batch_id}: received by the authority ({evidence})"[:500]}
                for i in rows])
            moved += len(rows)
        return moved

    def reopen(self, batch_id: str, at: datetime) -> bool:
        moved = self.session.execute(
            sa.update(B).where(B.c.id == batch_id, B.c.status == "TRANSMISSION_FAILED")
            .values(status="RETRY", attempts=0, next_attempt_at=at, last_error=None))
        return bool(moved.rowcount)

    def _move(self, batch_id: str, status: ParcelStatus, at: datetime, actor: str,
              reason: str, before: tuple[str, ...] = (ParcelStatus.BATCHED.value,
                                                      ParcelStatus.TRANSMISSION_FAILED.value),
              ) -> int:
        """Move the batch's parcels that are in one of the `before` statuses, one statement per
        status, so that each event names the status its parcel left (RETURNING gives the new
        values only, on both engines)."""
        moved = 0
        for previous in before:
            if previous == status.value:
                continue
            rows = self.session.execute(
                sa.update(P).where(P.c.batch_id == batch_id, P.c.status == previous)
                .values(status=status.value, updated_at=at)
                .returning(P.c.id)).scalars().all()
            if rows:
                insert_events(self.session, [
                    {"parcel_id": i, "status": status.value, "previous_status": previous,
                     "at": at, "actor": actor, "source": "SUBMISSION",
                     "reason": f"batch {batch_id}: {reason}"[:500]}
                    for i in rows])
            moved += len(rows)
        return moved
