"""Manifests and their documents, stored as received."""

from __future__ import annotations

from datetime import UTC

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customs.adapters.database.columns import iso
from customs.adapters.database.tables import Manifest, ManifestDocument
from customs.services.ports import NewManifest, StoredDocument
from customs.services.read_models.manifest import ManifestView
from customs.services.read_models.parcel import Destination


class SqlManifestRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, m: NewManifest) -> None:
        transport = m.header.transport
        self.session.execute(sa.insert(Manifest.__table__).values(  # type: ignore[attr-defined]
            id=m.id, tenant_id=m.tenant_id, ref=m.header.ref,
            issued_at=m.header.issued_at.astimezone(UTC),
            received_at=m.received_at, destination_country=m.header.destination_country,
            customs_office=m.header.customs_office,
            transport=None if transport is None else {
                "mode": transport.mode, "master_waybill": transport.master_waybill,
                "carrier": transport.carrier,
                "expected_arrival": transport.expected_arrival and
                transport.expected_arrival.isoformat()},
            document_sha256=m.document_sha256, document_size=len(m.document),
            parcel_count=m.accepted + m.rejected, accepted_count=m.accepted,
            rejected_count=m.rejected, receipt=m.receipt))
        self.session.execute(sa.insert(ManifestDocument.__table__).values(  # type: ignore[attr-defined]
            manifest_id=m.id, content=m.document, media_type=m.media_type))

    def get(self, tenant_id: int, manifest_id: str) -> ManifestView | None:
        row = self.session.get(Manifest, manifest_id)
        if row is None or row.tenant_id != tenant_id:
            return None
        return _view(row)

    def exists(self, tenant_id: int, manifest_id: str) -> bool:
        table = Manifest.__table__  # type: ignore[attr-defined]
        return self.session.execute(sa.select(table.c.id).where(
            table.c.id == manifest_id, table.c.tenant_id == tenant_id)).first() is not None

    def latest(self, tenant_id: int, after_id: str | None, limit: int) -> list[ManifestView]:
        """The tenant's manifests, newest first: a keyset page on (received_at, id) after the
        manifest `after_id` (the last one shown; not the tenant's: the first page)."""
        table = Manifest.__table__  # type: ignore[attr-defined]
        query = sa.select(Manifest).where(table.c.tenant_id == tenant_id)
        last = None if after_id is None else self.session.get(Manifest, after_id)
        if last is not None and last.tenant_id == tenant_id:
            query = query.where(sa.tuple_(table.c.received_at, table.c.id)
                                < (last.received_at, last.id))
        rows = self.session.execute(query.order_by(table.c.received_at.desc(),
                                                   table.c.id.desc()).limit(limit)).scalars()
        return [_view(row) for row in rows]

    def document(self, tenant_id: int, manifest_id: str) -> StoredDocument | None:
        if self.get(tenant_id, manifest_id) is None:
            return None
        doc = self.session.get(ManifestDocument, manifest_id)
        return None if doc is None else StoredDocument(doc.content, doc.media_type)


def _view(row: Manifest) -> ManifestView:
    return ManifestView(
        row.id, row.ref, iso(row.issued_at), iso(row.received_at),
        Destination(row.destination_country, row.customs_office), row.transport,
        row.document_sha256, row.document_size, row.parcel_count, row.accepted_count,
        row.rejected_count, row.receipt)

