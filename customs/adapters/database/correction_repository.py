"""Corrections: the authority's requests kept with their parcel, the marketplace's corrections
stored as new versions (the earlier data and declaration kept), and the reads the parcel views
make of both."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from customs.adapters.database import bulk
from customs.adapters.database.columns import iso, manifest_header
from customs.adapters.database.declaration_rows import declaration_row
from customs.adapters.database.parcel_events import move_parcel
from customs.adapters.database.search_index import search_columns
from customs.adapters.database.tables import (
    CorrectionRequestRow,
    Declaration,
    Manifest,
    ParcelCorrection,
    ParcelGoods,
    ParcelRow,
)
from customs.domain.corrections import CorrectionRequest
from customs.domain.lifecycle import ParcelStatus
from customs.domain.model import parcel_from_document
from customs.domain.money import decimal_text
from customs.services.correction_ports import CorrectionTarget, NewCorrection, StoredCorrection
from customs.services.read_models.corrections import CorrectionRequestView, ParcelVersion

P = ParcelRow.__table__  # type: ignore[attr-defined]
M = Manifest.__table__  # type: ignore[attr-defined]
D = Declaration.__table__  # type: ignore[attr-defined]
G = ParcelGoods.__table__  # type: ignore[attr-defined]
R = CorrectionRequestRow.__table__  # type: ignore[attr-defined]
C = ParcelCorrection.__table__  # type: ignore[attr-defined]
SOURCE = "CORRECTION"  # the source of a correction's event
TOUCHED_BY = ("FTS:REQ-CORRECT", SOURCE)  # history sources that mean there is more to read
_TEXT = sa.table("parcel_text", sa.column("rowid"), sa.column("words"))  # SQLite FTS5


class SqlCorrectionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def requested(self, parcel_id: int, message_id: str, declaration_id: str,
                  request: CorrectionRequest, at: datetime) -> None:
        """Once per message and parcel (a message naming a waybill twice keeps the first)."""
        if self.session.execute(sa.select(R.c.id).where(
                R.c.message_id == message_id[:64], R.c.parcel_id == parcel_id)).first():
            return
        self.session.execute(sa.insert(R).values(
            parcel_id=parcel_id, message_id=message_id[:64],
            declaration_id=declaration_id[:64],
            registration_number=request.registration_number[:40],
            correct_doc_type=request.correct_doc_type[:1], doc_kind=request.doc_kind[:1],
            limit_at=request.limit_at, violations=list(request.violations),
            reason=request.reason, changes=[c.to_json() for c in request.changes],
            received_at=at))

    def target(self, tenant_id: int, tracking_number: str) -> CorrectionTarget | None:
        row = self.session.execute(
            sa.select(P.c.id, P.c.status, P.c.data, M.c.ref, M.c.issued_at,
                      M.c.destination_country, M.c.customs_office, M.c.transport)
            .join(M, M.c.id == P.c.manifest_id)
            .where(P.c.tenant_id == tenant_id, P.c.tracking_number == tracking_number)
            .order_by(P.c.id.desc()).limit(1)).mappings().first()
        if row is None:
            return None
        parcel_id = int(row["id"])
        corrections = self.session.execute(sa.select(sa.func.count()).select_from(C).where(
            C.c.parcel_id == parcel_id)).scalar_one()
        request = self.session.execute(
            sa.select(R.c.id, R.c.registration_number, R.c.doc_kind)
            .where(R.c.parcel_id == parcel_id, R.c.corrected_at.is_(None))
            .order_by(R.c.id.desc()).limit(1)).first()
        return CorrectionTarget(
            parcel_id, ParcelStatus(row["status"]),
            None if row["data"] is None else parcel_from_document(row["data"]),
            manifest_header(row), 1 + int(corrections), *(
                (int(request[0]), request[1], request[2]) if request else (None, None, None)))

    def stored(self, tenant_id: int, idempotency_key: str) -> StoredCorrection | None:
        row = self.session.execute(sa.select(C.c.request_sha256, C.c.response).where(
            C.c.tenant_id == tenant_id, C.c.idempotency_key == idempotency_key)).first()
        return None if row is None else StoredCorrection(row[0], dict(row[1]))

    def ordinal(self, registration_number: str) -> int:
        rows = self.session.execute(
            sa.select(C.c.ordinal, P.c.status, P.c.batch_id).join(P, P.c.id == C.c.parcel_id)
            .where(C.c.registration_number == registration_number)).all()
        waiting = [o for o, status, batch in rows if status == "DECLARED" and batch is None]
        if waiting:
            return max(waiting)
        return 1 + max((int(o) for o, _, _ in rows), default=0)

    def record(self, correction: NewCorrection) -> bool:
        c, target = correction, correction.target
        ref = c.reference
        if not move_parcel(
                self.session, target.parcel_id, ParcelStatus.HELD, ParcelStatus.DECLARED,
                at=c.at, actor=c.actor, source=SOURCE, correction=True,
                reason=f"version {target.versions + 1}: correction {ref.ordinal} of registry "
                       f"{ref.registration_number}, declaration {c.declaration_id}"):
            return False
        self._new_version(c)
        self.session.execute(sa.update(D).where(D.c.parcel_id == target.parcel_id,
                                                D.c.replaced_at.is_(None))
                             .values(replaced_at=c.at))
        bulk.insert_rows(self.session, D, [declaration_row(
            target.parcel_id, c.declaration_id, c.signed, c.profile, c.at)])
        self.session.execute(sa.update(R).where(R.c.id == target.request_id)
                             .values(corrected_at=c.at))
        self.session.execute(sa.insert(C).values(
            parcel_id=target.parcel_id, request_id=target.request_id,
            version=target.versions + 1, tenant_id=c.tenant_id,
            idempotency_key=c.idempotency_key, request_sha256=c.request_sha256,
            document=c.document, previous_data=c.reference.previous.to_document(),
            data=c.parcel.to_document(), declaration_id=c.declaration_id,
            registration_number=str(ref.registration_number), ordinal=ref.ordinal,
            changes="".join(ref.codes.letters()), response=c.response, created_at=c.at,
            actor=c.actor))
        return True

    def _new_version(self, c: NewCorrection) -> None:
        """The parcel's row, goods and words now say what the correction says."""
        parcel, parcel_id, before = c.parcel, c.target.parcel_id, c.target.parcel
        assert before is not None  # a parcel awaiting a correction was accepted
        self.session.execute(sa.update(P).where(P.c.id == parcel_id).values(
            data=parcel.to_document(), declared_value=decimal_text(parcel.declared_value.amount),
            currency=parcel.declared_value.currency, gross_weight=decimal_text(parcel.gross_weight),
            declaration_error=None, batch_id=None,
            **search_columns(parcel, c.target.header)))
        self.session.execute(sa.delete(G).where(G.c.parcel_id == parcel_id))
        bulk.insert_rows(self.session, G, [{"parcel_id": parcel_id, "hs_code": code} for code
                                           in sorted({i.hs_code for i in parcel.items})])
        if self.session.get_bind().dialect.name == "sqlite":  # contentless: delete by value
            words = " ".join(i.description for i in before.items)
            self.session.execute(sa.text(
                "INSERT INTO parcel_text(parcel_text, rowid, words) VALUES ('delete', :id, :w)"),
                {"id": parcel_id, "w": words})
            self.session.execute(sa.insert(_TEXT).values(
                rowid=parcel_id, words=" ".join(i.description for i in parcel.items)))


def correction_reads(conn: Connection, parcel: Any, sources: set[str | None],
                     ) -> tuple[tuple[ParcelVersion, ...], CorrectionRequestView | None]:
    """A parcel's versions and latest correction request, read only when its history shows
    one (`sources`): a look-up of any other parcel makes no query more."""
    if not sources.intersection(TOUCHED_BY):
        return (), None
    parcel_id = int(parcel["id"])
    request = conn.execute(sa.select(R).where(R.c.parcel_id == parcel_id)
                           .order_by(R.c.id.desc()).limit(1)).mappings().first()
    rows = conn.execute(sa.select(C).where(C.c.parcel_id == parcel_id)
                        .order_by(C.c.version)).mappings().all()
    versions: list[ParcelVersion] = []
    if rows:
        versions.append(ParcelVersion(1, iso(parcel["created_at"]),
                                      f"manifest {parcel['manifest_id']}", None,
                                      rows[0]["previous_data"], None, None, None, None))
    versions += [ParcelVersion(int(r["version"]), iso(r["created_at"]), "correction",
                               r["actor"], r["data"], r["declaration_id"],
                               r["registration_number"], int(r["ordinal"]), r["changes"])
                 for r in rows]
    view = None if request is None else CorrectionRequestView(
        request["registration_number"], request["correct_doc_type"], request["doc_kind"],
        iso(request["limit_at"]), tuple(request["violations"] or ()), request["reason"],
        tuple(request["changes"] or ()), iso(request["received_at"]),
        iso(request["corrected_at"]))
    return tuple(versions), view
