"""Parcels at intake: their rows, events, search rows and declarations are
staged from domain objects and written with bulk inserts; a manifest's parcel pages."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from customs.adapters.database import bulk
from customs.adapters.database.columns import iso
from customs.adapters.database.declaration_rows import declaration_row, declared_event
from customs.adapters.database.parcel_events import role_of
from customs.adapters.database.search_index import search_columns, stage_search_rows
from customs.adapters.database.tables import Declaration, ParcelEvent, ParcelRow
from customs.domain import public_ids
from customs.domain.buyer_limits import NOT_SPENT, key_of
from customs.domain.duty import Estimate
from customs.domain.intake import intake_status, intake_steps
from customs.domain.lifecycle import FINAL_STATUSES, ParcelStatus
from customs.domain.model import ParcelOutcome
from customs.domain.money import Money, decimal_text
from customs.services.ports import ConcurrentWrite, IntakeDeclaration, NewManifest, Page
from customs.services.read_models.manifest import ManifestParcelLine, RejectedParcel
from customs.services.read_models.parcel import Amount, Destination

CHUNK = 1000
STAGE_AHEAD = 10_000  # parcels whose rows are all prepared before the write begins
P = ParcelRow.__table__  # type: ignore[attr-defined]
E = ParcelEvent.__table__  # type: ignore[attr-defined]
D = Declaration.__table__  # type: ignore[attr-defined]


def _estimate_columns(estimate: Estimate | None) -> dict[str, Any]:
    if estimate is None:
        return {"estimate_status": None, "estimate_amount": None, "estimate_currency": None,
                "estimate_rule": None, "estimate": None}
    amount = estimate.amount
    return {"estimate_status": estimate.status.value,
            "estimate_amount": None if amount is None else decimal_text(amount.amount),
            "estimate_currency": None if amount is None else amount.currency,
            "estimate_rule": estimate.rule_id, "estimate": estimate.to_document()}


def _declared(declaration: IntakeDeclaration | None) -> bool:
    return declaration is not None and declaration.signed is not None


def _status(o: ParcelOutcome, declaration: IntakeDeclaration | None) -> ParcelStatus:
    return intake_status(o.accepted, _declared(declaration))


def parcel_row(m: NewManifest, o: ParcelOutcome, estimate: Estimate | None = None,
                declaration: IntakeDeclaration | None = None) -> dict[str, Any]:
    p = o.parcel
    accepted = o.accepted
    return {**_estimate_columns(estimate), "public_id": public_ids.parcel_id(
        os.urandom(public_ids.RANDOM_BYTES)),
        "manifest_id": m.id, "tenant_id": m.tenant_id, "position": o.position,
        "tracking_number": (o.tracking_number or None) and o.tracking_number[:64],
        "courier": p.courier if p else None,
        "destination_country": m.header.destination_country,
        "customs_office": m.header.customs_office,
        "status": _status(o, declaration).value,
        "leg": m.legs.get(o.position) if accepted else None,
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
        final = [s.value for s in sorted(FINAL_STATUSES)]
        found: set[str] = set()
        for start in range(0, len(numbers), CHUNK):
            chunk = list(numbers[start : start + CHUNK])
            query = sa.select(P.c.tracking_number).where(
                P.c.tenant_id == tenant_id, P.c.tracking_number.in_(chunk),
                P.c.status.not_in(final))
            found.update(self.session.execute(query).scalars())
        return found

    def buyer_spending(self, tenant_id: int, country: str, since: datetime,
                       numbers: Sequence[str]) -> list[tuple[str, Money]]:
        """Read from the parcels' stored documents (JSON paths; no index: the tenant's parcels
        to `country` since `since` are scanned once per manifest that has buyer limits)."""
        kind = P.c.data[("recipient", "personal_id", "type")].as_string()
        number = P.c.data[("recipient", "personal_id", "value")].as_string()
        excluded = sorted(s.value for s in NOT_SPENT)
        found: list[tuple[str, Money]] = []
        for start in range(0, len(numbers), CHUNK):
            query = sa.select(kind, number, P.c.declared_value, P.c.currency).where(
                P.c.tenant_id == tenant_id, P.c.destination_country == country,
                P.c.created_at >= since, P.c.status.not_in(excluded),
                number.in_(list(numbers[start : start + CHUNK])))
            found += [(key_of(k, n), Money.of(value, currency))
                      for k, n, value, currency in self.session.execute(query)]
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

    def rejected(self, tenant_id: int, manifest_id: str, after: int,
                 limit: int) -> list[RejectedParcel]:
        """The manifest's rejected parcels after position `after`: only the columns a
        receipt shows (the parcels' documents stay unread)."""
        rows = self.session.execute(
            sa.select(P.c.position, P.c.tracking_number, P.c.violations)
            .where(P.c.tenant_id == tenant_id, P.c.manifest_id == manifest_id,
                   P.c.status == "REJECTED", P.c.position > after)
            .order_by(P.c.position).limit(limit)).all()
        return [RejectedParcel(position, number, violations or [])
                for position, number, violations in rows]

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
    rows = [{**parcel_row(m, o, estimates.get(o.position), d), "id": n}
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
    """Each parcel's history as the domain has it (intake_steps); the DECLARED event names the
    declaration signed at intake."""
    events = []
    for parcel_id, row, o, d in zip(ids, rows, outcomes, made, strict=True):
        scope = {"tenant_id": row["tenant_id"], "courier": row["courier"],
                 "customs_office": row["customs_office"], "leg": row["leg"]}
        for step in intake_steps(o.accepted, (v.code for v in o.violations), _declared(d)):
            if step.reason is None:  # DECLARED: the declaration is the reason
                assert d is not None and d.signed is not None
                events.append(declared_event(parcel_id, d.declaration_id, d.signed, "", at,
                                             d.actor) | scope)
                continue
            events.append({"parcel_id": parcel_id, "status": step.status.value,
                           "previous_status": step.previous and step.previous.value, "at": at,
                           "actor": actor, "source": "INTAKE", "reason": step.reason, **scope})
    return events


def parcel_line(row: Any) -> ManifestParcelLine:
    """A parcel as its manifest's page lists it (the one builder of that view)."""
    value = None
    if row["declared_value"] is not None:
        value = Amount(row["declared_value"], row["currency"])
    return ManifestParcelLine(
        row["public_id"], row["position"], row["tracking_number"], row["manifest_id"],
        row["courier"],
        row["status"], Destination(row["destination_country"], row["customs_office"]), value,
        row["gross_weight"], row["violations"] or [], iso(row["updated_at"]))
