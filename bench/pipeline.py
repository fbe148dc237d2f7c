"""The pipeline in process: our stages, the limit and the obvious alternative, on one workload.

ours         the service's own code: reader (pull parse + XSD per parcel + domain objects),
             business rules, declaration pipeline (render + XSD + sign + serialize), the
             repositories (intake rows, then the declarations), the batch envelope builder;
             and the whole `submit_manifest` with inline declaration on a fresh database.
limit        the bare work with nothing of ours around it: lxml parse + XSD validation of the
             manifest, exclusive C14N + SHA-256 + the raw signature per declaration, and one
             bulk insert of the same rows (executemany on SQLite, COPY on PostgreSQL).
alternative  what a team would write without us: xmlschema validation, signxml signing, one
             ORM object added per row.
Per-item costs add up, so a pipeline rate is 1 / (sum of 1 / stage rate).
"""

from __future__ import annotations

import hashlib
import operator
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from lxml import etree

from bench.common import Databases, Measure, best_of, combined, measure, timed
from customs.adapters.database.parcel_repository import parcel_row
from customs.adapters.database.unit_of_work import SqlUnitOfWork
from customs.bootstrap import Wiring, bootstrap
from customs.domain.lifecycle import ParcelStatus
from customs.domain.model import ManifestHeader, ParcelOutcome
from customs.domain.rules import RuleContext, check_parcel
from customs.services import intake
from customs.services.ports import (
    DeclarationFailed,
    IntakeDeclaration,
    NewManifest,
    SignedDocument,
    StoredResponse,
)
from customs.settings import Settings
from customs.usecases import Application

NOW = datetime.now(UTC)  # within the validity of the freshly made certificate
ACTOR = "bench"
BATCH = 500


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class Keys:
    key: Path
    cert: Path

    def settings(self, url: str, **extra: Any) -> Settings:
        return Settings(database_url=url, signing_key=self.key, signing_cert=self.cert, **extra)


@dataclass
class Parsed:
    header: ManifestHeader
    outcomes: list[ParcelOutcome]
    signed: list[SignedDocument]
    elements: list[Any]  # the rendered, unsigned declarations (for the limit and signxml)


def tenant_of(customs: Application) -> int:
    principal = customs.access.authenticate(customs.access.create_api_key("bench",
                                                                          "marketplace")[1])
    assert principal is not None
    return principal.tenant_id


def ours(wiring: Wiring, document: bytes, n: int, dbs: Databases,
         keys: Keys) -> tuple[dict[str, Measure], Parsed]:
    """Each stage of ours, timed alone on the same parcels."""
    chooser = wiring.declarer
    assert chooser is not None and wiring.signer is not None
    reader, declarer = wiring.reader, chooser.default  # the generic profile

    def parse() -> tuple[ManifestHeader, list[ParcelOutcome]]:
        stream = reader.open(document)
        return stream.header, list(stream.parcels())

    stages: dict[str, Measure] = {}
    stages["parse_validate"], (header, outcomes) = timed(n, parse)
    ctx = RuleContext(today=NOW.date(), rules=wiring.rules)

    def rules() -> None:
        intake.check_header(header)
        for o in outcomes:
            if o.parcel is not None:
                o.violations.extend(check_parcel(o.parcel, header, ctx,
                                                 f"/Manifest/Parcel[{o.position}]"))
        intake.mark_duplicates(outcomes)

    stages["rules"], _ = timed(n, rules)
    accepted = [o for o in outcomes if o.accepted and o.parcel is not None]
    ids = [new_id() for _ in accepted]
    stages["declare_sign"], made = timed(len(accepted), lambda: declarer.declare_many(
        [(o.parcel, header, i) for o, i in zip(accepted, ids, strict=True)], NOW))
    failed = [s for s in made if isinstance(s, DeclarationFailed)]
    if failed:
        raise RuntimeError(f"bench: {len(failed)} declarations failed, first: {failed[0]}")
    signed = [s for s in made if isinstance(s, SignedDocument)]
    elements = [declarer.profile_impl.render(o.parcel, header, i, NOW)
                for o, i in zip(accepted, ids, strict=True)]
    parsed = Parsed(header, outcomes, signed, elements)
    stages["store"], _ = best_of(lambda: (_ours_store(dbs.fresh(), keys, document, parsed), None))
    builder = wiring.batch_builder  # the generic profile's envelope (no ru-fts album here)
    assert builder is not None
    documents = [s.document for s in signed]

    def build() -> None:
        for start in range(0, len(documents), BATCH):
            builder.build(new_id(), header.customs_office, declarer.profile, NOW,
                          documents[start:start + BATCH])

    stages["batch_build_sign"], _ = timed(len(documents), build)
    return stages, parsed


def manifest_for(tenant_id: int, document: bytes, parsed: Parsed) -> NewManifest:
    accepted = sum(1 for o in parsed.outcomes if o.accepted)
    return NewManifest(new_id(), tenant_id, parsed.header, NOW, document,
                       hashlib.sha256(document).hexdigest(), accepted,
                       len(parsed.outcomes) - accepted)


def _ours_store(url: str, keys: Keys, document: bytes, parsed: Parsed) -> Measure:
    """Our repositories: intake's one write transaction, the parcels stored with their
    declarations (as `submit_manifest` with inline declaration does)."""
    customs = bootstrap(keys.settings(url))
    try:
        manifest = manifest_for(tenant_of(customs), document, parsed)
        accepted = [o for o in parsed.outcomes if o.accepted]
        declarations = {o.position: IntakeDeclaration(new_id(), ACTOR, s)
                        for o, s in zip(accepted, parsed.signed, strict=True)}
        uow = SqlUnitOfWork(customs.resources.engine)
        with measure(manifest.accepted) as m, uow:
            uow.manifests.add(manifest)
            uow.parcels.add_from_manifest(manifest, parsed.outcomes, ACTOR,
                                          declarations=declarations)
            uow.idempotency.add(manifest.tenant_id, "bench", StoredResponse(
                manifest.document_sha256, manifest.id, {}), NOW)
            uow.commit()
    finally:
        customs.close()
    return m


def pipeline(url: str, keys: Keys, document: bytes, n: int) -> tuple[Measure, dict[str, Any]]:
    """The whole submission in process: intake → validated → declared → signed → stored."""
    customs = bootstrap(keys.settings(url))
    try:
        tenant = tenant_of(customs)
        with measure(n) as m:  # once: a second submission would be an idempotent replay
            receipt = customs.intake.submit_manifest(
                intake.SubmitManifest(tenant, "bench-pipeline", document, ACTOR))
        counts = customs.operations.parcel_counts()
    finally:
        customs.close()
    return m, {"accepted": receipt.body["accepted"], "rejected": receipt.body["rejected"],
               "declared": counts.get(ParcelStatus.DECLARED.value, 0)}


# --- the limit ---------------------------------------------------------------------------------

def limit(wiring: Wiring, dbs: Databases, document: bytes, n: int,
          parsed: Parsed) -> dict[str, Measure]:
    from schemas import compiled, manifest_xsd_path

    schema = compiled(manifest_xsd_path())
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=True)
    stages: dict[str, Measure] = {}

    def parse_validate() -> None:
        if not schema.validate(etree.fromstring(document, parser)):
            raise RuntimeError(f"limit: manifest invalid: {schema.error_log.last_error}")

    stages["parse_validate"], _ = timed(n, parse_validate)
    assert wiring.signer is not None
    key = wiring.signer.ring.current._key
    blob = b"x" * 620  # about the size of our canonical SignedInfo

    def sign() -> None:
        for element in parsed.elements:
            hashlib.sha256(etree.tostring(element, method="c14n", exclusive=True)).digest()
            if isinstance(key, ec.EllipticCurvePrivateKey):
                key.sign(blob, ec.ECDSA(hashes.SHA256()))
            else:
                key.sign(blob, padding.PKCS1v15(), hashes.SHA256())

    stages["declare_sign"], _ = timed(len(parsed.elements), sign)
    stages["store"], _ = best_of(lambda: (_bulk_store(dbs.fresh(), document, parsed, wiring),
                                          None))
    return stages


def _rows(manifest: NewManifest, parsed: Parsed, fingerprint: str,
          algorithm: str) -> dict[str, list[dict]]:
    """The rows intake writes, as plain dicts: parcels, their 3 events (with the scope columns
    the feed reads), goods (HS codes) and full-text rows for search, and the declarations."""
    rows: dict[str, list[dict]] = {"parcels": [], "parcel_events": [], "parcel_goods": [],
                                   "parcel_text": [], "declarations": []}
    accepted = [o for o in parsed.outcomes if o.accepted]
    for number, (o, s) in enumerate(zip(accepted, parsed.signed, strict=True), start=1):
        row = parcel_row(manifest, o)
        row.update(id=number, status=ParcelStatus.DECLARED.value)
        rows["parcels"].append(row)
        for status, before in (("RECEIVED", None), ("VALIDATED", "RECEIVED"),
                               ("DECLARED", "VALIDATED")):
            rows["parcel_events"].append({
                "parcel_id": number, "status": status, "previous_status": before, "at": NOW,
                "actor": ACTOR, "role": "marketplace", "source": "INTAKE", "reason": status,
                "tenant_id": row["tenant_id"], "courier": row["courier"],
                "customs_office": row["customs_office"]})
        assert o.parcel is not None
        rows["parcel_goods"].extend({"parcel_id": number, "hs_code": code}
                                    for code in sorted({i.hs_code for i in o.parcel.items}))
        rows["parcel_text"].append(
            {"rowid": number, "words": " ".join(i.description for i in o.parcel.items)})
        rows["declarations"].append({
            "id": new_id(), "parcel_id": number, "profile": "generic-1",
            "document": s.document, "document_sha256": s.sha256,
            "signer_fingerprint": fingerprint, "signature_algorithm": algorithm,
            "created_at": NOW})
    return rows


def _bulk_store(url: str, document: bytes, parsed: Parsed, wiring: Wiring) -> Measure:
    target = bootstrap(Settings(database_url=url))
    tenant = tenant_of(target)
    manifest = manifest_for(tenant, document, parsed)
    assert wiring.signer is not None
    rows = _rows(manifest, parsed, wiring.signer.fingerprint, wiring.signer.algorithm)
    if not url.startswith("sqlite"):  # PostgreSQL's full text is an index on parcels
        del rows["parcel_text"]
    head = {"id": manifest.id, "tenant_id": tenant, "ref": manifest.header.ref,
            "issued_at": manifest.header.issued_at, "received_at": NOW,
            "destination_country": manifest.header.destination_country,
            "customs_office": manifest.header.customs_office, "transport": None,
            "document_sha256": manifest.document_sha256, "document_size": len(document),
            "parcel_count": len(parsed.outcomes), "accepted_count": manifest.accepted,
            "rejected_count": manifest.rejected}
    tables = [("manifests", [head]),
              ("manifest_documents", [{"manifest_id": manifest.id, "content": document}]),
              *rows.items()]
    raw = target.resources.engine.raw_connection()
    try:
        with measure(len(rows["parcels"])) as m:
            if url.startswith("sqlite"):
                _sqlite_bulk(raw, tables)
            else:
                _copy_bulk(raw, tables)
    finally:
        raw.close()
        target.close()
    return m


def _converters(row: dict[str, Any], sqlite: bool) -> list[Callable[[Any], Any] | None]:
    """Per column, what the driver needs done to the value (judged on the first row): JSON
    text by orjson, on SQLite datetimes as UTC text and decimals as text; nothing else."""
    def convert(value: Any) -> Callable[[Any], Any] | None:
        if isinstance(value, dict | list):
            return lambda v: None if v is None else orjson.dumps(v).decode()
        if sqlite and isinstance(value, datetime):
            return lambda v: v.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
        if sqlite and isinstance(value, Decimal):
            return lambda v: None if v is None else str(v)
        return None

    return [convert(v) for v in row.values()]


def _tuples(rows: list[dict], sqlite: bool) -> list[tuple]:
    """The rows as the driver takes them, converting only the columns that need it."""
    converters = _converters(rows[0], sqlite)
    get = operator.itemgetter(*rows[0])
    plain = [get(r) for r in rows] if len(rows[0]) > 1 else [(get(r),) for r in rows]
    todo = [(i, f) for i, f in enumerate(converters) if f is not None]
    if not todo:
        return plain
    out = []
    for values in plain:
        listed = list(values)
        for i, f in todo:
            listed[i] = f(listed[i])
        out.append(tuple(listed))
    return out


def _sqlite_bulk(raw: Any, tables: list[tuple[str, list[dict]]]) -> None:
    cursor = raw.cursor()
    cursor.execute("BEGIN")
    for name, rows in tables:
        columns = list(rows[0])
        cursor.executemany(
            f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            _tuples(rows, True))
    cursor.execute("COMMIT")


def _copy_bulk(raw: Any, tables: list[tuple[str, list[dict]]]) -> None:
    cursor = raw.cursor()
    for name, rows in tables:
        columns = list(rows[0])
        with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
            for values in _tuples(rows, False):
                copy.write_row(values)
    raw.commit()


def pipeline_rates(stages: dict[str, Measure]) -> float:
    return combined(*(stages[s].rate for s in ("parse_validate", "declare_sign", "store")))
