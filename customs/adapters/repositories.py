"""SQL repositories: rows are built here, from domain objects, with bulk inserts."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from customs.adapters import bulk
from customs.adapters.declaration_rows import declaration_row, declared_event
from customs.adapters.events import role_of
from customs.adapters.search_index import search_columns, stage_search_rows
from customs.adapters.tables import (
    ApiKey,
    Declaration,
    HsCode,
    IdempotencyRecord,
    Manifest,
    ManifestDocument,
    ParcelEvent,
    ParcelRow,
    Tenant,
)
from customs.domain.duty import Estimate
from customs.domain.lifecycle import ParcelStatus
from customs.domain.model import ParcelOutcome
from customs.domain.money import decimal_text
from customs.services.ports import (
    ConcurrentWrite,
    IntakeDeclaration,
    NewManifest,
    Page,
    Principal,
    StoredResponse,
)
from customs.services.read_models.manifest import ManifestParcelLine, ManifestView
from customs.services.read_models.parcel import Amount, Destination
from customs.services.read_models.reference import ApiKeyView

CHUNK = 1000
STAGE_AHEAD = 10_000  # parcels whose rows are all prepared before the write begins
P = ParcelRow.__table__  # type: ignore[attr-defined]
E = ParcelEvent.__table__  # type: ignore[attr-defined]
D = Declaration.__table__  # type: ignore[attr-defined]


def _utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes: they were stored as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # as _utc, without a new datetime per value (feed pages: 100s)
        return value.isoformat() + "+00:00"
    return value.isoformat()


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
            manifest_id=m.id, content=m.document))

    def get(self, tenant_id: int, manifest_id: str) -> ManifestView | None:
        row = self.session.get(Manifest, manifest_id)
        if row is None or row.tenant_id != tenant_id:
            return None
        return ManifestView(
            row.id, row.ref, _iso(row.issued_at), _iso(row.received_at),
            Destination(row.destination_country, row.customs_office), row.transport,
            row.document_sha256, row.document_size, row.parcel_count, row.accepted_count,
            row.rejected_count)

    def document(self, tenant_id: int, manifest_id: str) -> bytes | None:
        if self.get(tenant_id, manifest_id) is None:
            return None
        doc = self.session.get(ManifestDocument, manifest_id)
        return None if doc is None else doc.content


def _estimate_columns(estimate: Estimate | None) -> dict[str, Any]:
    if estimate is None:
        return {"estimate_status": None, "estimate_amount": None, "estimate_currency": None,
                "estimate_rule": None, "estimate": None}
    amount = estimate.amount
    return {"estimate_status": estimate.status.value,
            "estimate_amount": None if amount is None else decimal_text(amount.amount),
            "estimate_currency": None if amount is None else amount.currency,
            "estimate_rule": estimate.rule_id, "estimate": estimate.to_document()}


def _status(o: ParcelOutcome, declaration: IntakeDeclaration | None) -> ParcelStatus:
    if not o.accepted:
        return ParcelStatus.REJECTED
    if declaration is not None and declaration.signed is not None:
        return ParcelStatus.DECLARED
    return ParcelStatus.VALIDATED


def _parcel_row(m: NewManifest, o: ParcelOutcome, estimate: Estimate | None = None,
                declaration: IntakeDeclaration | None = None) -> dict[str, Any]:
    p = o.parcel
    accepted = o.accepted
    return {**_estimate_columns(estimate),
        "manifest_id": m.id, "tenant_id": m.tenant_id, "position": o.position,
        "tracking_number": (o.tracking_number or None) and o.tracking_number[:64],
        "courier": p.courier if p else None,
        "destination_country": m.header.destination_country,
        "customs_office": m.header.customs_office,
        "status": _status(o, declaration).value,
        "declaration_error": declaration.error[:2000] if accepted and declaration is not None
        and declaration.error else None,
        "declared_value": decimal_text(p.declared_value.amount) if p else None,
        "currency": p.declared_value.currency if p else None,
        "gross_weight": decimal_text(p.gross_weight) if p else None,
        "data": p.to_document() if p else None,
        "violations": None if accepted else [v.to_document() for v in o.violations],
        "created_at": m.received_at, "updated_at": m.received_at,
        **search_columns(p, m.header),
    }


class SqlParcelRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def open_tracking_numbers(self, tenant_id: int, numbers: Sequence[str]) -> set[str]:
        final = [s.value for s in (ParcelStatus.REJECTED, ParcelStatus.RELEASED,
                                   ParcelStatus.RETURNED, ParcelStatus.CANCELLED)]
        found: set[str] = set()
        for start in range(0, len(numbers), CHUNK):
            chunk = list(numbers[start : start + CHUNK])
            query = sa.select(P.c.tracking_number).where(
                P.c.tenant_id == tenant_id, P.c.tracking_number.in_(chunk),
                P.c.status.not_in(final))
            found.update(self.session.execute(query).scalars())
        return found

    def stage(self, m: NewManifest, outcomes: Sequence[ParcelOutcome], actor: str,
              estimates: Mapping[int, Estimate] | None = None,
              declarations: Mapping[int, IntakeDeclaration] | None = None) -> StagedParcels:
        """The rows of the parcels, their events, search rows and the declarations made at
        intake, converted for the driver by chunks, without any statement (so without any
        lock). Up to STAGE_AHEAD parcels are prepared now; a larger manifest's chunks are
        prepared as they are written (its rows are never all in memory)."""
        dialect = self.session.get_bind().dialect
        estimates = estimates or {}
        declarations = declarations or {}

        def chunks() -> Iterator[tuple[int, list[bulk.Staged]]]:
            for start in range(0, len(outcomes), CHUNK):
                chunk = outcomes[start : start + CHUNK]
                yield len(chunk), _stage_chunk(dialect, m, chunk, actor, estimates,
                                               declarations)

        return StagedParcels(list(chunks()) if len(outcomes) <= STAGE_AHEAD else chunks())

    def add_staged(self, staged: StagedParcels) -> None:
        """Write staged parcels: their ids first (sequence, or after the highest on SQLite)."""
        for count, blocks in staged.chunks:
            ids = bulk.allocate_ids(self.session, P, count)
            try:
                bulk.write(self.session, blocks, ids)
            except IntegrityError as exc:
                raise ConcurrentWrite(str(exc.orig)) from exc

    def add_from_manifest(self, m: NewManifest, outcomes: Sequence[ParcelOutcome],
                          actor: str, estimates: Mapping[int, Estimate] | None = None,
                          declarations: Mapping[int, IntakeDeclaration] | None = None,
                          ) -> None:
        self.add_staged(self.stage(m, outcomes, actor, estimates, declarations))

    def page(self, tenant_id: int, manifest_id: str, status: str | None, after: int,
             limit: int) -> Page:
        query = sa.select(P).where(P.c.tenant_id == tenant_id, P.c.manifest_id == manifest_id,
                                   P.c.position > after)
        if status is not None:
            query = query.where(P.c.status == status)
        rows = self.session.execute(query.order_by(P.c.position).limit(limit + 1)).mappings()
        items = [parcel_line(r) for r in rows]
        more = len(items) > limit
        items = items[:limit]
        return Page(items, items[-1].position if more else None)

    def counts_by_status(self, statuses: Collection[str] | None = None) -> dict[str, int]:
        """Parcels by status; only these statuses when given (an index-only scan of them)."""
        query = sa.select(P.c.status, sa.func.count()).group_by(P.c.status)
        if statuses is not None:
            query = query.where(P.c.status.in_(sorted(statuses)))
        return {status: int(count) for status, count in self.session.execute(query)}



@dataclass(slots=True)
class StagedParcels:
    """A manifest's parcel rows ready for the driver: (parcels, blocks) per chunk."""

    chunks: Iterable[tuple[int, list[bulk.Staged]]]


def _stage_chunk(dialect: Dialect, m: NewManifest, chunk: Sequence[ParcelOutcome], actor: str,
                 estimates: Mapping[int, Estimate],
                 declarations: Mapping[int, IntakeDeclaration]) -> list[bulk.Staged]:
    """Rows keyed by the parcel's index in the chunk (its id is known only when written)."""
    made = [declarations.get(o.position) if o.accepted else None for o in chunk]
    rows = [{**_parcel_row(m, o, estimates.get(o.position), d), "id": n}
            for n, (o, d) in enumerate(zip(chunk, made, strict=True))]
    indices = range(len(chunk))
    signed = [(n, d.declaration_id, d.signed) for n, d in enumerate(made)
              if d is not None and d.signed is not None]
    return [
        *bulk.stage(dialect, P, rows, key="id"),
        *bulk.stage(dialect, E, [e | {"role": role_of(e["actor"])} for e in _events(
            indices, rows, chunk, m.received_at, actor, made)], key="parcel_id"),
        *stage_search_rows(dialect, chunk),
        *bulk.stage(dialect, D, [declaration_row(n, d, s, "", m.received_at)
                                 for n, d, s in signed], key="parcel_id"),
    ]


def _events(ids: Sequence[int], rows: Sequence[dict[str, Any]],
            outcomes: Sequence[ParcelOutcome], at: datetime, actor: str,
            made: Sequence[IntakeDeclaration | None]) -> list[dict[str, Any]]:
    events = []
    for parcel_id, row, o, d in zip(ids, rows, outcomes, made, strict=True):
        scope = {"tenant_id": row["tenant_id"], "courier": row["courier"],
                 "customs_office": row["customs_office"]}
        events.append({"parcel_id": parcel_id, "status": ParcelStatus.RECEIVED.value,
                       "previous_status": None, "at": at, "actor": actor,
                       "source": "INTAKE", "reason": "received in manifest", **scope})
        final = ParcelStatus.VALIDATED if o.accepted else ParcelStatus.REJECTED
        reason = ("schema and business rules passed" if o.accepted
                  else "; ".join(sorted({v.code for v in o.violations})))
        events.append({"parcel_id": parcel_id, "status": final.value,
                       "previous_status": ParcelStatus.RECEIVED.value, "at": at,
                       "actor": actor, "source": "INTAKE", "reason": reason, **scope})
        if d is not None and d.signed is not None:
            events.append(declared_event(parcel_id, d.declaration_id, d.signed, "", at,
                                         d.actor) | scope)
    return events


def parcel_line(row: Any) -> ManifestParcelLine:
    """A parcel as its manifest's page lists it (the one builder of that view)."""
    value = None
    if row["declared_value"] is not None:
        value = Amount(row["declared_value"], row["currency"])
    return ManifestParcelLine(
        row["position"], row["tracking_number"], row["manifest_id"], row["courier"],
        row["status"], Destination(row["destination_country"], row["customs_office"]), value,
        row["gross_weight"], row["violations"] or [], _iso(row["updated_at"]))


def _event(row: Any) -> dict[str, Any]:
    return {"status": row["status"], "previous_status": row["previous_status"],
            "at": _iso(row["at"]), "actor": row["actor"], "source": row["source"],
            "reason": row["reason"]}


class SqlIdempotencyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, tenant_id: int, key: str) -> StoredResponse | None:
        row = self.session.get(IdempotencyRecord, (tenant_id, key))
        if row is None:
            return None
        return StoredResponse(row.request_sha256, row.manifest_id, row.response)

    def add(self, tenant_id: int, key: str, response: StoredResponse, at: datetime) -> None:
        """A racing request with the same key conflicts here, at the INSERT (PostgreSQL waits
        for the other transaction, SQLite for its write lock), not at the commit: raised as
        ConcurrentWrite so that intake reads the stored key again (replay or reused)."""
        try:
            self.session.execute(sa.insert(IdempotencyRecord.__table__).values(  # type: ignore[attr-defined]
                tenant_id=tenant_id, key=key, request_sha256=response.request_sha256,
                manifest_id=response.manifest_id, response=response.body, created_at=at))
        except IntegrityError as exc:
            raise ConcurrentWrite(str(exc.orig)) from exc


class SqlNomenclatureRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def codes(self) -> frozenset[str] | None:
        codes = frozenset(self.session.execute(sa.select(HsCode.code)).scalars())  # type: ignore[arg-type]
        return codes or None

    def replace(self, rows: Iterable[tuple[str, str]]) -> int:
        table = HsCode.__table__  # type: ignore[attr-defined]
        self.session.execute(sa.delete(table))
        values = [{"code": code, "description": text} for code, text in rows]
        if values:
            self.session.execute(sa.insert(table), values)
        return len(values)


class SqlKeyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def tenant_id(self, name: str, create_at: datetime | None = None) -> int | None:
        found = self.session.execute(
            sa.select(Tenant.id).where(Tenant.name == name)).scalar()  # type: ignore[arg-type]
        if found is not None or create_at is None:
            return found
        result = self.session.execute(sa.insert(Tenant.__table__).values(  # type: ignore[attr-defined]
            name=name, created_at=create_at))
        return int(result.inserted_primary_key[0])

    def add(self, key_id: str, tenant_id: int, role: str, key_hash: str, at: datetime,
            expires_at: datetime | None, label: str | None, *, courier: str | None = None,
            offices: list[str] | None = None) -> None:
        self.session.execute(sa.insert(ApiKey.__table__).values(  # type: ignore[attr-defined]
            id=key_id, tenant_id=tenant_id, role=role, key_hash=key_hash, created_at=at,
            expires_at=expires_at, label=label, courier=courier, offices=offices))

    def find(self, key_hash: str, at: datetime) -> Principal | None:
        query = sa.select(ApiKey, Tenant.name).join(Tenant).where(ApiKey.key_hash == key_hash)
        row = self.session.execute(query).first()
        if row is None:
            return None
        key, tenant = row
        expires = _utc(key.expires_at)
        if key.revoked_at is not None or (expires is not None and expires <= at):
            return None
        return Principal(key.id, key.tenant_id, tenant, key.role, key.courier,
                         tuple(key.offices or ()), expires)

    def list(self, tenant_id: int | None) -> list[ApiKeyView]:
        query = sa.select(ApiKey, Tenant.name).join(Tenant).order_by(ApiKey.created_at)
        if tenant_id is not None:
            query = query.where(ApiKey.tenant_id == tenant_id)
        return [ApiKeyView(k.id, name, k.role, k.label, k.courier, k.offices,
                           _iso(k.created_at), _iso(k.expires_at), _iso(k.revoked_at))
                for k, name in self.session.execute(query)]

    def revoke(self, key_id: str, at: datetime) -> bool:
        result = self.session.execute(
            sa.update(ApiKey.__table__).where(  # type: ignore[attr-defined]
                ApiKey.id == key_id, ApiKey.revoked_at.is_(None)).values(revoked_at=at))  # type: ignore[union-attr]
        return bool(result.rowcount)
