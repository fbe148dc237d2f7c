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
            rejected_count=m.rejected))
        self.session.execute(sa.insert(ManifestDocument.__table__).values(  # type: ignore[attr-defined]
            manifest_id=m.id, content=m.document, media_type=m.media_type))

    def get(self, tenant_id: int, manifest_id: str) -> ManifestView | None:
        row = self.session.get(Manifest, manifest_id)
        if row is None or row.tenant_id != tenant_id:
            return None
        return ManifestView(
            row.id, row.ref, iso(row.issued_at), iso(row.received_at),
            Destination(row.destination_country, row.customs_office), row.transport,
            row.document_sha256, row.document_size, row.parcel_count, row.accepted_count,
            row.rejected_count)

    def document(self, tenant_id: int, manifest_id: str) -> StoredDocument | None:
        if self.get(tenant_id, manifest_id) is None:
            return None
        doc = self.session.get(ManifestDocument, manifest_id)
        return None if doc is None else StoredDocument(doc.content, doc.media_type)
