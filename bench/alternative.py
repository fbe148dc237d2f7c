"""The obvious alternative a team would write without us: xmlschema validation, signxml
signing, one ORM object added per row (see bench.pipeline for ours and the limit)."""

from __future__ import annotations

import io

from lxml import etree

from bench.common import Databases, Measure, best_of, measure, timed
from bench.pipeline import ACTOR, NOW, Keys, Parsed, manifest_for, new_id, tenant_of
from customs.adapters.database.engine import make_engine
from customs.adapters.database.parcel_repository import parcel_row
from customs.bootstrap import bootstrap
from customs.settings import Settings


def alternative(dbs: Databases, keys: Keys, document: bytes, n: int,
                parsed: Parsed) -> dict[str, Measure]:
    import xmlschema
    from signxml import XMLSigner
    from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod

    from schemas import manifest_xsd_path

    stages: dict[str, Measure] = {}
    schema = xmlschema.XMLSchema(str(manifest_xsd_path()))
    stages["parse_validate"], _ = timed(n, lambda: schema.validate(io.BytesIO(document)))
    signer = XMLSigner(signature_algorithm=SignatureMethod.ECDSA_SHA256,
                       digest_algorithm=DigestAlgorithm.SHA256,
                       c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)
    key, cert = keys.key.read_bytes(), keys.cert.read_text()
    elements = parsed.elements[:n]
    stages["declare_sign"], _ = timed(len(elements), lambda: [
        etree.tostring(signer.sign(e, key=key, cert=cert)) for e in elements])
    stages["store"], _ = best_of(lambda: (_orm_store(dbs.fresh(), document, parsed, n), None))
    return stages


def _orm_store(url: str, document: bytes, parsed: Parsed, n: int) -> Measure:
    """One ORM object added per row; the parcel is flushed to learn its id for its events.
    The same rows as ours: parcel, 3 events, goods (HS codes), full text on SQLite (an FTS5
    table, which has no ORM class: one INSERT), declaration."""
    import sqlalchemy as sa
    from sqlmodel import Session

    from customs.adapters.database.tables import (
        Declaration,
        Manifest,
        ManifestDocument,
        ParcelEvent,
        ParcelGoods,
        ParcelRow,
    )

    customs = bootstrap(Settings(database_url=url))
    tenant = tenant_of(customs)
    customs.close()
    manifest = manifest_for(tenant, document, parsed)
    accepted = [o for o in parsed.outcomes if o.accepted][:n]
    engine = make_engine(url)
    with measure(len(accepted)) as m, Session(engine) as session:
        session.add(Manifest(
            id=manifest.id, tenant_id=tenant, ref=parsed.header.ref,
            issued_at=parsed.header.issued_at, received_at=NOW,
            destination_country=parsed.header.destination_country,
            customs_office=parsed.header.customs_office, document_sha256=manifest.document_sha256,
            document_size=len(document), parcel_count=len(accepted), accepted_count=len(accepted),
            rejected_count=0))
        session.add(ManifestDocument(manifest_id=manifest.id, content=document))
        session.flush()
        for o, s in zip(accepted, parsed.signed, strict=False):
            parcel = ParcelRow(**parcel_row(manifest, o))
            session.add(parcel)
            session.flush()
            for status in ("RECEIVED", "VALIDATED", "DECLARED"):
                session.add(ParcelEvent(parcel_id=parcel.id, status=status, at=NOW,
                                        actor=ACTOR, source="INTAKE"))
            assert o.parcel is not None
            for code in sorted({i.hs_code for i in o.parcel.items}):
                session.add(ParcelGoods(parcel_id=parcel.id, hs_code=code))
            if url.startswith("sqlite"):
                session.execute(sa.text("INSERT INTO parcel_text (rowid, words) VALUES (:i, :w)"),
                                {"i": parcel.id, "w": " ".join(i.description
                                                               for i in o.parcel.items)})
            session.add(Declaration(id=new_id(), parcel_id=parcel.id, profile="generic-1",
                                    document=s.document, document_sha256=s.sha256,
                                    signer_fingerprint="-", signature_algorithm="-",
                                    created_at=NOW))
            parcel.status = "DECLARED"
        session.commit()
    engine.dispose()
    return m
