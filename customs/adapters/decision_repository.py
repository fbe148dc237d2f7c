"""Applying authority decisions: each message once, each parcel under a status guard."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customs.adapters.events import insert_events, move_parcel
from customs.adapters.tables import (
    Batch,
    Declaration,
    InboundMessage,
    OrphanDecision,
    ParcelEvent,
    ParcelRow,
    PollCursor,
)
from customs.domain.decisions import Decision
from customs.domain.lifecycle import ParcelStatus

P = ParcelRow.__table__  # type: ignore[attr-defined]
D = Declaration.__table__  # type: ignore[attr-defined]
E = ParcelEvent.__table__  # type: ignore[attr-defined]
I = InboundMessage.__table__  # type: ignore[attr-defined]  # noqa: E741
O = OrphanDecision.__table__  # type: ignore[attr-defined]  # noqa: E741
B = Batch.__table__  # type: ignore[attr-defined]


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
        self.session.execute(sa.insert(I).values(message_id=message_id, kind=kind,
                                                 received_at=at, applied=0, ignored=0,
                                                 orphaned=0))

    def parcel_for(self, decision: Decision) -> tuple[int, ParcelStatus] | None:
        """The parcel a decision names: its declaration id and tracking number, and when the
        decision answers a message (FTS InitialEnvelopeID), the batch sent under that id."""
        query = (sa.select(P.c.id, P.c.status, P.c.tracking_number)
                 .join(D, D.c.parcel_id == P.c.id).where(D.c.id == decision.declaration_id))
        if decision.envelope_id is not None:
            query = query.join(B, B.c.id == P.c.batch_id).where(
                B.c.message_id == decision.envelope_id)
        row = self.session.execute(query).first()
        if row is None or row[2] != decision.tracking_number:
            return None
        return int(row[0]), ParcelStatus(row[1])

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

    def orphan(self, message_id: str, decision: Decision, at: datetime) -> None:
        self.session.execute(sa.insert(O).values(
            message_id=message_id, declaration_id=decision.declaration_id[:64],
            tracking_number=decision.tracking_number[:64], code=decision.code[:24],
            reason=decision.reason, received_at=at))

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
