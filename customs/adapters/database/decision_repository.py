"""Applying authority decisions: each message once, each parcel under a status guard."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from customs.adapters.database.parcel_events import hand_over, insert_events, move_parcel
from customs.adapters.database.tables import (
    Batch,
    Declaration,
    InboundMessage,
    OrphanDecision,
    ParcelEvent,
    ParcelRow,
    PendingDecision,
    PollCursor,
)
from customs.domain.decisions import Decision
from customs.domain.lifecycle import ParcelStatus
from customs.domain.money import Money
from customs.services.ports import ConcurrentWrite

P = ParcelRow.__table__  # type: ignore[attr-defined]
D = Declaration.__table__  # type: ignore[attr-defined]
E = ParcelEvent.__table__  # type: ignore[attr-defined]
I = InboundMessage.__table__  # type: ignore[attr-defined]  # noqa: E741
O = OrphanDecision.__table__  # type: ignore[attr-defined]  # noqa: E741
B = Batch.__table__  # type: ignore[attr-defined]
K = PendingDecision.__table__  # type: ignore[attr-defined]


class SqlDecisionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def seen(self, message_id: str) -> bool:
        return self.session.get(InboundMessage, message_id) is not None

    def batch_of(self, message_id: str) -> str | None:
        """The batch sent with this message id (what a reply answers), if it is ours."""
        table = Batch.__table__  # type: ignore[attr-defined]
        return self.session.execute(sa.select(table.c.id).where(
            table.c.message_id == message_id)).scalar()

    def register(self, message_id: str, kind: str, at: datetime) -> None:
        """A concurrent delivery of the same message conflicts here (PostgreSQL waits for the
        other transaction, then refuses): it is a duplicate, not an error."""
        try:
            self.session.execute(sa.insert(I).values(message_id=message_id, kind=kind,
                                                     received_at=at, applied=0, ignored=0,
                                                     orphaned=0))
        except IntegrityError as exc:
            raise ConcurrentWrite(str(exc.orig)) from exc

    def parcel_for(self, decision: Decision,
                   batch_message_id: str) -> tuple[int, ParcelStatus] | str:
        """The parcel a decision names (its declaration id and tracking number) if the batch
        sent under `batch_message_id` carried it; else why it matches none (an orphan)."""
        query = (sa.select(P.c.id, P.c.status, P.c.tracking_number, B.c.message_id)
                 .join(D, D.c.parcel_id == P.c.id).outerjoin(B, B.c.id == P.c.batch_id)
                 .where(D.c.id == decision.declaration_id))
        row = self.session.execute(query).first()
        if row is None:
            return "no declaration with this id"
        if row[2] != decision.tracking_number:
            return "the declaration is for another tracking number"
        if row[3] != batch_message_id:
            return f"the parcel was not in the batch sent as {batch_message_id[:64]}"
        return int(row[0]), ParcelStatus(row[1])

    def status_of(self, parcel_id: int) -> ParcelStatus:
        return ParcelStatus(self.session.execute(
            sa.select(P.c.status).where(P.c.id == parcel_id)).scalar_one())

    def keep(self, message_id: str, parcel_id: int, decision: Decision, at: datetime) -> None:
        """A decision that cannot apply yet, kept until its parcel gets there."""
        duty = decision.duty
        self.session.execute(sa.insert(K).values(
            message_id=message_id, parcel_id=parcel_id,
            declaration_id=decision.declaration_id[:64],
            tracking_number=decision.tracking_number[:64], code=decision.code[:24],
            duty_amount=None if duty is None else str(duty.amount),
            duty_currency=None if duty is None else duty.currency, reason=decision.reason,
            envelope_id=decision.envelope_id, received_at=at))

    def kept_for(self, parcel_ids: list[int]) -> list[tuple[int, int, Decision]]:
        if not parcel_ids:
            return []
        rows = self.session.execute(sa.select(K).where(K.c.parcel_id.in_(parcel_ids))
                                    .order_by(K.c.id)).mappings().all()
        return [(int(r["id"]), int(r["parcel_id"]), Decision(
            r["declaration_id"], r["tracking_number"], r["code"],
            duty=None if r["duty_amount"] is None else Money.of(r["duty_amount"],
                                                                r["duty_currency"]),
            reason=r["reason"], envelope_id=r["envelope_id"])) for r in rows]

    def drop_kept(self, kept_id: int) -> None:
        self.session.execute(sa.delete(K).where(K.c.id == kept_id))

    def orphan_count(self) -> int:
        return int(self.session.execute(sa.select(sa.func.count()).select_from(O)).scalar_one())

    def kept_count(self) -> int:
        return int(self.session.execute(sa.select(sa.func.count()).select_from(K)).scalar_one())

    def parcels_with_kept(self, limit: int) -> list[int]:
        return [int(i) for i in self.session.execute(
            sa.select(K.c.parcel_id).distinct().order_by(K.c.parcel_id).limit(limit)).scalars()]

    def note(self, parcel_id: int, current: ParcelStatus, decision: Decision, at: datetime,
             actor: str) -> None:
        """A decision that moves nothing is still on the parcel's history, with its code."""
        insert_events(self.session, [{
            "parcel_id": parcel_id, "status": current.value, "previous_status": current.value,
            "at": at, "actor": actor, "source": decision.source[:40],
            "reason": (decision.reason or decision.code)[:2000]}])

    def apply(self, parcel_id: int, current: ParcelStatus, decision: Decision, at: datetime,
              actor: str, status: ParcelStatus | None = None) -> bool:
        target = status or decision.status
        assert target is not None
        duty = f" duty {decision.duty}" if decision.duty else ""
        return move_parcel(self.session, parcel_id, current, target, at=at, actor=actor,
                           source=decision.source[:40], duty=decision.duty,
                           reason=((decision.reason or decision.code) + duty))

    def hand_over(self, parcel_id: int, at: datetime, actor: str) -> bool:
        return hand_over(self.session, parcel_id, at=at, actor=actor)

    def orphan(self, message_id: str, decision: Decision, at: datetime,
               why: str | None = None) -> None:
        self.session.execute(sa.insert(O).values(
            message_id=message_id, declaration_id=decision.declaration_id[:64],
            tracking_number=decision.tracking_number[:64], code=decision.code[:24],
            reason=decision.reason, received_at=at, why=None if why is None else why[:200]))

    def finish(self, message_id: str, applied: int, ignored: int, orphaned: int) -> None:
        self.session.execute(sa.update(I).where(I.c.message_id == message_id).values(
            applied=applied, ignored=ignored, orphaned=orphaned))

    def cursor(self, name: str) -> str | None:
        row = self.session.get(PollCursor, name)
        return None if row is None else row.position

    def save_cursor(self, name: str, position: str, at: datetime) -> None:
        table = PollCursor.__table__  # type: ignore[attr-defined]
        moved = self.session.execute(sa.update(table).where(table.c.name == name)
                                     .values(position=position, updated_at=at))
        if moved.rowcount == 0:
            self.session.execute(sa.insert(table).values(name=name, position=position,
                                                         updated_at=at))
