"""Declarations: pending parcels in, signed documents stored, statuses moved under a guard."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customs.adapters.database import bulk
from customs.adapters.database.columns import manifest_header
from customs.adapters.database.declaration_rows import declaration_row, declared_event
from customs.adapters.database.parcel_events import insert_events
from customs.adapters.database.tables import Declaration, Manifest, ParcelEvent, ParcelRow
from customs.domain.legs import LegKind
from customs.domain.lifecycle import ParcelStatus, sources
from customs.domain.model import ManifestHeader, parcel_from_document
from customs.services.ports import PendingParcel, SignedDocument

P = ParcelRow.__table__  # type: ignore[attr-defined]
M = Manifest.__table__  # type: ignore[attr-defined]
D = Declaration.__table__  # type: ignore[attr-defined]
E = ParcelEvent.__table__  # type: ignore[attr-defined]
VALIDATED = ParcelStatus.VALIDATED.value
DECLARABLE = [s.value for s in sources(ParcelStatus.DECLARED)]  # the lifecycle's guard


class SqlDeclarationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def pending(self, limit: int, manifest_id: str | None = None) -> list[PendingParcel]:
        query = (sa.select(P.c.id, P.c.data, P.c.leg, M.c.ref, M.c.issued_at,
                           M.c.destination_country, M.c.customs_office, M.c.transport)
                 .join(M, M.c.id == P.c.manifest_id).where(P.c.status == VALIDATED))
        if manifest_id is not None:
            query = query.where(P.c.manifest_id == manifest_id)
        rows = self.session.execute(query.order_by(P.c.id).limit(limit)).mappings()
        headers: dict[tuple, ManifestHeader] = {}
        found = []
        for row in rows:
            # the export leg is declared at the origin; the import leg (or the one leg) here
            leg = row["leg"] if row["leg"] == LegKind.EXPORT else None
            key = (row["ref"], row["issued_at"], row["customs_office"], leg)
            header = headers.get(key) or headers.setdefault(
                key, replace(manifest_header(row), leg=leg))
            found.append(PendingParcel(row["id"], parcel_from_document(row["data"]), header))
        return found

    def add(self, pending: PendingParcel, declaration_id: str, profile: str,
            signed: SignedDocument, at: datetime, actor: str) -> bool:
        return pending.parcel_id in self.add_all([(pending, declaration_id, signed)], profile,
                                                  at, actor)

    def add_all(self, done: Sequence[tuple[PendingParcel, str, SignedDocument]], profile: str,
                at: datetime, actor: str) -> set[int]:
        """One guarded UPDATE ... RETURNING for the lot, then multi-row inserts (COPY on
        PostgreSQL) for the parcels it moved: a few statements per batch, not per parcel.
        A signed document may name its own profile and group (ru-fts-express)."""
        moved = set(self.session.execute(
            sa.update(P).where(P.c.id.in_([p.parcel_id for p, _, _ in done]),
                               P.c.status.in_(DECLARABLE))
            .values(status=ParcelStatus.DECLARED.value, declaration_error=None, updated_at=at)
            .returning(P.c.id)).scalars())
        mine = [(p.parcel_id, i, s) for p, i, s in done if p.parcel_id in moved]
        declarations = [declaration_row(pid, i, s, profile, at) for pid, i, s in mine]
        bulk.insert_rows(self.session, D, declarations)
        insert_events(self.session, [declared_event(pid, i, s, profile, at, actor)
                                     for pid, i, s in mine])
        return moved

    def fail(self, parcel_id: int, reason: str, at: datetime) -> None:
        self.session.execute(
            sa.update(P).where(P.c.id == parcel_id, P.c.status == VALIDATED)
            .values(declaration_error=reason[:2000], updated_at=at))
