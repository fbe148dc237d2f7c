"""Declarations: pending parcels in, signed documents stored, statuses moved under a guard."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customs.adapters import pg_copy
from customs.adapters.events import insert_events
from customs.adapters.repositories import _utc
from customs.adapters.tables import Declaration, Manifest, ParcelEvent, ParcelRow
from customs.domain.lifecycle import ParcelStatus
from customs.domain.model import ManifestHeader, Transport, parcel_from_document
from customs.services.ports import PendingParcel, SignedDocument

P = ParcelRow.__table__  # type: ignore[attr-defined]
M = Manifest.__table__  # type: ignore[attr-defined]
D = Declaration.__table__  # type: ignore[attr-defined]
E = ParcelEvent.__table__  # type: ignore[attr-defined]
VALIDATED = ParcelStatus.VALIDATED.value


def _header(row: Any) -> ManifestHeader:
    transport = None
    raw = row["transport"]
    if raw:
        arrival = raw.get("expected_arrival")
        transport = Transport(raw["mode"], raw.get("master_waybill"), raw.get("carrier"),
                              date.fromisoformat(arrival) if arrival else None)
    issued = _utc(row["issued_at"])
    assert issued is not None
    return ManifestHeader(row["ref"], issued, row["destination_country"], row["customs_office"],
                          transport)


class SqlDeclarationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def pending(self, limit: int, manifest_id: str | None = None) -> list[PendingParcel]:
        query = (sa.select(P.c.id, P.c.data, M.c.ref, M.c.issued_at, M.c.destination_country,
                           M.c.customs_office, M.c.transport)
                 .join(M, M.c.id == P.c.manifest_id).where(P.c.status == VALIDATED))
        if manifest_id is not None:
            query = query.where(P.c.manifest_id == manifest_id)
        rows = self.session.execute(query.order_by(P.c.id).limit(limit)).mappings()
        headers: dict[tuple, ManifestHeader] = {}
        found = []
        for row in rows:
            key = (row["ref"], row["issued_at"], row["customs_office"])
            header = headers.get(key) or headers.setdefault(key, _header(row))
            found.append(PendingParcel(row["id"], parcel_from_document(row["data"]), header))
        return found

    def add(self, pending: PendingParcel, declaration_id: str, profile: str,
            signed: SignedDocument, at: datetime, actor: str) -> bool:
        moved = self.session.execute(
            sa.update(P).where(P.c.id == pending.parcel_id, P.c.status == VALIDATED)
            .values(status=ParcelStatus.DECLARED.value, declaration_error=None, updated_at=at))
        if moved.rowcount != 1:
            return False
        self.session.execute(sa.insert(D).values(
            id=declaration_id, parcel_id=pending.parcel_id, profile=profile,
            document=signed.document, document_sha256=signed.sha256,
            signer_fingerprint=signed.signer_fingerprint,
            signature_algorithm=signed.signature_algorithm, created_at=at,
            group_key=signed.group_key))
        insert_events(self.session, [dict(
            parcel_id=pending.parcel_id, status=ParcelStatus.DECLARED.value,
            previous_status=VALIDATED, at=at, actor=actor, source=f"PROFILE:{profile}",
            reason=f"declaration {declaration_id} signed, sha256 {signed.sha256[:16]}…")])
        return True

    def add_all(self, done: Sequence[tuple[PendingParcel, str, SignedDocument]], profile: str,
                at: datetime, actor: str) -> set[int]:
        """One guarded UPDATE ... RETURNING for the lot, then multi-row inserts (COPY on
        PostgreSQL) for the parcels it moved: a few statements per batch, not per parcel.
        A signed document may name its own profile and group (ru-fts-express)."""
        moved = set(self.session.execute(
            sa.update(P).where(P.c.id.in_([p.parcel_id for p, _, _ in done]),
                               P.c.status == VALIDATED)
            .values(status=ParcelStatus.DECLARED.value, declaration_error=None, updated_at=at)
            .returning(P.c.id)).scalars())
        mine = [(p, i, s, s.profile or profile) for p, i, s in done if p.parcel_id in moved]
        declarations = [
            {"id": i, "parcel_id": p.parcel_id, "profile": kind, "document": s.document,
             "document_sha256": s.sha256, "signer_fingerprint": s.signer_fingerprint,
             "signature_algorithm": s.signature_algorithm, "created_at": at,
             "group_key": s.group_key}
            for p, i, s, kind in mine]
        if declarations and pg_copy.is_postgresql(self.session):
            pg_copy.copy_rows(self.session, D, declarations)
        elif declarations:
            self.session.execute(sa.insert(D), declarations)
        insert_events(self.session, [
            {"parcel_id": p.parcel_id, "status": ParcelStatus.DECLARED.value,
             "previous_status": VALIDATED, "at": at, "actor": actor,
             "source": f"PROFILE:{kind}",
             "reason": f"declaration {i} signed, sha256 {s.sha256[:16]}…"}
            for p, i, s, kind in mine])
        return moved

    def fail(self, parcel_id: int, reason: str, at: datetime) -> None:
        self.session.execute(
            sa.update(P).where(P.c.id == parcel_id, P.c.status == VALIDATED)
            .values(declaration_error=reason[:2000], updated_at=at))
