"""The outbox: declared parcels claimed into batches under a guard, exactly once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customs.adapters.database.columns import utc
from customs.adapters.database.parcel_events import insert_events
from customs.adapters.database.tables import Batch, Declaration, ParcelEvent, ParcelRow
from customs.domain.lifecycle import ParcelStatus, sources
from customs.services.ports import DeclaredGroup, SignedDocument

P = ParcelRow.__table__  # type: ignore[attr-defined]
D = Declaration.__table__  # type: ignore[attr-defined]
B = Batch.__table__  # type: ignore[attr-defined]
E = ParcelEvent.__table__  # type: ignore[attr-defined]
DECLARED = ParcelStatus.DECLARED.value
BATCHED = ParcelStatus.BATCHED.value
CLAIMABLE = [s.value for s in sources(ParcelStatus.BATCHED)]  # the lifecycle's guard


class SqlBatchRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def declared_groups(self) -> list[DeclaredGroup]:
        query = (sa.select(D.c.profile, P.c.customs_office, sa.func.count(),
                           sa.func.min(P.c.updated_at), D.c.group_key)
                 .join(D, D.c.parcel_id == P.c.id)
                 .where(P.c.status == DECLARED, P.c.batch_id.is_(None),
                        D.c.replaced_at.is_(None))
                 .group_by(D.c.profile, P.c.customs_office, D.c.group_key))
        return [DeclaredGroup(profile, office, int(count), utc(oldest), key)  # type: ignore[arg-type]
                for profile, office, count, oldest, key in self.session.execute(query)]

    def candidates(self, profile: str, office: str, limit: int,
                   max_bytes: int, key: str | None = None) -> list[int]:
        """Oldest declared parcels of the group, as many as fit the count and byte caps.

        On PostgreSQL the rows are locked here and rows locked by another sealer are skipped,
        so concurrent sealers fill different batches instead of queueing on the same rows
        (SQLite serializes writers; the clause compiles to nothing there)."""
        query = (sa.select(P.c.id, sa.func.length(D.c.document))
                 .join(D, D.c.parcel_id == P.c.id)
                 .where(P.c.status == DECLARED, P.c.batch_id.is_(None),
                        D.c.replaced_at.is_(None),
                        P.c.customs_office == office, D.c.profile == profile,
                        D.c.group_key.is_(None) if key is None else D.c.group_key == key)
                 .order_by(P.c.id).limit(limit).with_for_update(of=P, skip_locked=True))
        chosen, total = [], 0
        for parcel_id, size in self.session.execute(query):
            if chosen and total + int(size) > max_bytes:
                break
            chosen.append(int(parcel_id))
            total += int(size)
        return chosen

    def open_batch(self, batch_id: str, message_id: str, profile: str, office: str,
                   at: datetime) -> None:
        self.session.execute(sa.insert(B).values(
            id=batch_id, message_id=message_id, profile=profile, customs_office=office,
            status="SEALING", parcel_count=0, document=b"", document_sha256="", sealed_at=at,
            attempts=0))

    def claim(self, batch_id: str, parcel_ids: list[int], at: datetime) -> list[int]:
        """DECLARED → BATCHED for those still DECLARED and in no batch; returns the claimed ids
        (a concurrent sealer's rows are skipped: on PostgreSQL the WHERE is re-checked after
        its lock wait; on SQLite writers are serialized)."""
        claimed = self.session.execute(
            sa.update(P).where(P.c.id.in_(parcel_ids), P.c.status.in_(CLAIMABLE),
                               P.c.batch_id.is_(None))
            .values(status=BATCHED, batch_id=batch_id, updated_at=at)
            .returning(P.c.id)).scalars().all()
        return sorted(int(i) for i in claimed)

    def declarations(self, parcel_ids: list[int]) -> list[bytes]:
        rows = self.session.execute(
            sa.select(D.c.parcel_id, D.c.document).where(D.c.parcel_id.in_(parcel_ids),
                                                         D.c.replaced_at.is_(None))
            .order_by(D.c.parcel_id, D.c.created_at)).all()
        latest = {parcel_id: document for parcel_id, document in rows}
        return [latest[i] for i in parcel_ids]

    def seal(self, batch_id: str, parcel_ids: list[int], signed: SignedDocument,
             at: datetime, actor: str) -> None:
        self.session.execute(sa.update(B).where(B.c.id == batch_id).values(
            status="SEALED", parcel_count=len(parcel_ids), document=signed.document,
            document_sha256=signed.sha256, next_attempt_at=at))
        insert_events(self.session, [
            {"parcel_id": i, "status": BATCHED, "previous_status": DECLARED, "at": at,
             "actor": actor, "source": "BATCH", "reason": f"batch {batch_id}"}
            for i in parcel_ids])

    def get(self, batch_id: str) -> dict[str, Any] | None:
        row = self.session.execute(sa.select(B).where(B.c.id == batch_id)).mappings().first()
        return None if row is None else dict(row)
