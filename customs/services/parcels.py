"""Use cases across parcels for every role: look up, search, dossier, decide, statistics.

Every read goes through the caller's scope (ViewRepository); what is shown is shaped by role:
a courier gets what delivery needs (status, duty to collect, where to deliver), never the goods,
values, seller or the recipient's identity documents.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from customs.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from customs.domain.legs import LegKind, decided_at_destination, legs_of
from customs.domain.lifecycle import ParcelStatus
from customs.domain.officer import OfficerDecision
from customs.domain.public_ids import is_parcel_id
from customs.services.ports import Clock, Principal, SearchFilters
from customs.services.read_models.dossier import (
    Dossier,
    SignedDeclaration,
)
from customs.services.read_models.feed import StatsView
from customs.services.read_models.parcel import (
    CourierParcel,
    DeliverTo,
    LegView,
    MarketplaceParcel,
    ParcelRecord,
    ParcelSummary,
    ParcelView,
)
from customs.services.unit_of_work import UnitOfWork

MAX_STATS_PERIOD = timedelta(days=366)
AMBIGUOUS_LISTED = 10  # ids named when a tracking number matches several parcels
NO_ESTIMATE = {"status": "NONE", "reason": "no estimate was made for this parcel (rejected, or "
                                           "received before estimates existed)"}
Keyset = tuple[object, int]  # the sort value and id of a page's last row


def summary(p: ParcelRecord) -> ParcelSummary:
    """The one summary builder: search pages and the head of the full view."""
    return ParcelSummary(p.public_id, p.tracking_number, p.manifest_id, p.position, p.marketplace,
                         p.courier, p.status, p.destination, p.declared_value, p.gross_weight,
                         p.duty, _iso(p.created_at), _iso(p.updated_at))


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return str(value.isoformat())


def legs(p: ParcelRecord) -> tuple[LegView, ...]:
    """Each leg's status, derived from the parcel's row (customs.domain.legs.legs_of); the
    export leg's country is the seller's (when the view read the parcel's data)."""
    origin = ((p.data or {}).get("seller") or {}).get("country")
    found = legs_of(None if p.leg is None else LegKind(p.leg), ParcelStatus(p.status),
                    origin or "", p.destination.country)
    return tuple(LegView(s.leg.kind.value, s.leg.country or None, s.status) for s in found)


def courier_view(p: ParcelRecord) -> CourierParcel:
    recipient = (p.data or {}).get("recipient") or {}
    return CourierParcel(
        p.public_id, p.tracking_number, p.house_waybill, p.courier, p.status, p.duty, p.destination,
        p.gross_weight, p.estimate_brief,
        DeliverTo(recipient.get("name"), recipient.get("address"), recipient.get("phone")),
        _iso(p.updated_at), p.history, legs(p))


def full_view(p: ParcelRecord, who: Principal) -> MarketplaceParcel:
    return MarketplaceParcel(summary(p), p.house_waybill, p.master_waybill, p.violations or [],
                             p.data, p.declaration_error, p.history,
                             p.estimate or NO_ESTIMATE, p.duty, who.role, p.versions,
                             p.correction_request, legs(p))


def view_for(who: Principal, p: ParcelRecord) -> ParcelView:
    return courier_view(p) if who.role == "courier" else full_view(p, who)


def find(who: Principal, key: str, uow: UnitOfWork,
         marketplace: str | None = None) -> ParcelRecord:
    """The one parcel in scope with this public id (`pcl_...`) or tracking number. A tracking
    number that several parcels in scope carry (a marketplace's number used again after the
    first parcel was final, or two marketplaces' numbers) is TRACKING_NUMBER_AMBIGUOUS, with
    their ids: never silently the newest."""
    if len(key) > 64 or not key.isprintable():
        raise NotFound(f"no parcel {key!r}")  # no such number can exist
    rows = uow.views.find_parcels(who, key, by_public_id=is_parcel_id(key),
                                  marketplace=marketplace, limit=AMBIGUOUS_LISTED)
    if not rows:
        raise NotFound(f"no parcel {key}")
    if len(rows) > 1:
        raise Conflict("TRACKING_NUMBER_AMBIGUOUS",
                       f"{len(rows) if len(rows) < AMBIGUOUS_LISTED else 'several'} parcels "
                       f"in your scope have tracking number {key}: ask for one by its id",
                       ids=[r.public_id for r in rows])
    return rows[0]


def get_parcel(who: Principal, tracking_number: str, *, uow: UnitOfWork,
               marketplace: str | None = None) -> ParcelView:
    with uow:
        return view_for(who, find(who, tracking_number, uow, marketplace))


def search(who: Principal, filters: SearchFilters, limit: int, *,
           uow: UnitOfWork) -> tuple[list[ParcelSummary | CourierParcel], Keyset | None]:
    """A page of parcels and the keyset of its last row when there may be more."""
    with uow:
        rows = uow.views.search(who, filters, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    after = None
    if more:
        last = rows[-1]
        by_value = filters.sort.lstrip("-") == "value"
        after = (last.declared_amount if by_value else last.created_at, last.id)
    if who.role == "courier":
        return [courier_view(r) for r in rows], after
    return [summary(r) for r in rows], after


def declaration(who: Principal, tracking_number: str, *, uow: UnitOfWork,
                marketplace: str | None = None) -> bytes:
    with uow:
        row = find(who, tracking_number, uow, marketplace)
        signed = uow.views.dossier(row.id).declaration
    if signed is None:
        raise NotFound(f"no declaration for parcel {tracking_number}")
    return signed.document


def message_document(who: Principal, tracking_number: str, message_id: int, *,
                     uow: UnitOfWork, marketplace: str | None = None) -> bytes:
    """A message exchanged about the parcel's batch, as sent or received."""
    with uow:
        row = find(who, tracking_number, uow, marketplace)
        document = uow.views.message_document(row.id, message_id)
    if document is None:
        raise NotFound(f"no message {message_id} for parcel {tracking_number}")
    return document


def dossier(who: Principal, tracking_number: str, *, uow: UnitOfWork,
            verify: Callable[[bytes], dict[str, Any]], marketplace: str | None = None,
            ) -> Dossier:
    """Everything about one parcel: data, history, signed declaration (verified now), batch,
    the messages exchanged with the authority, the decisions and the duty."""
    with uow:
        row = find(who, tracking_number, uow, marketplace)
        extra = uow.views.dossier(row.id)
    stored = extra.declaration
    signed = None
    if stored is not None:
        signed = SignedDeclaration(
            stored.id, stored.profile, stored.sha256, stored.signer_fingerprint,
            stored.signature_algorithm, stored.created_at, stored.document.decode("utf-8"),
            verify(stored.document))
    return Dossier(full_view(row, who), signed, extra.batch, extra.messages)


def version_of(p: ParcelRecord | ParcelView) -> str:
    """The parcel's version (its ETag): it changes with every event, and the history only
    grows. If-Match on a decision names the version the officer decided on."""
    return f"{p.public_id if isinstance(p, ParcelRecord) else p.id}.{len(p.history)}"


def decide(who: Principal, tracking_number: str, decision: OfficerDecision, *,
           uow: UnitOfWork, clock: Clock, marketplace: str | None = None,
           expected: str | None = None,
           if_match: tuple[str, ...] | None = None) -> ParcelView:
    """An officer's decision: checked against the lifecycle, recorded with who and why.
    `if_match` (the API): the versions the caller decided on ("*": any); another current
    version is PRECONDITION_FAILED with the current state. `expected` (the console): the
    status the officer saw; a parcel that moved meanwhile is not decided on. Either way two
    officers never overwrite each other silently; the move is also guarded by the parcel's
    status and `updated_at` as read here."""
    now = clock.now()
    with uow:
        row = find(who, tracking_number, uow, marketplace)
        version = version_of(row)
        if if_match is not None and "*" not in if_match and version not in if_match:
            raise PreconditionFailed(
                "PRECONDITION_FAILED", "the parcel changed since the version in If-Match: "
                "read the current state (in `parcel`, its version in `version`) and decide "
                "again", version=version, parcel=view_for(who, row).to_json())
        if expected is not None and row.status != expected:
            raise Conflict("CONCURRENT_CHANGE", f"the parcel is {row.status} now, no longer "
                                                f"{expected}: read it again before deciding")
        current = ParcelStatus(row.status)
        if not decided_at_destination(None if row.leg is None else LegKind(row.leg)):
            raise Conflict("EXPORT_NOT_CLEARED", "the parcel is on its export leg: the origin's "
                                                 "customs decide until it is cleared for export")
        decision.check(current)
        paid = any(e.status == ParcelStatus.PAID for e in row.history)
        if decision.status is ParcelStatus.RELEASED and row.duty and not paid:
            raise Conflict("DUTY_UNPAID", f"duty of {row.duty.amount} {row.duty.currency} "
                                          "was assessed and is not paid: the parcel cannot "
                                          "be released before it is")
        if not uow.officer.move(row.id, current, decision.status, at=now,
                                actor=who.actor, source=decision.source,
                                reason=decision.reason, duty=decision.duty,
                                unchanged_since=row.updated_at):
            raise Conflict("CONCURRENT_CHANGE", "the parcel changed while the decision was "
                                                "recorded; read it again and retry")
        uow.commit()
    return get_parcel(who, tracking_number, uow=uow, marketplace=marketplace)


def stats(who: Principal, start: datetime, end: datetime, *, uow: UnitOfWork) -> StatsView:
    if end <= start or end - start > MAX_STATS_PERIOD:
        raise Invalid("INVALID_PERIOD", "the period must end after it starts and span at most "
                                        f"{MAX_STATS_PERIOD.days} days")
    with uow:
        raw = uow.views.stats(who, start, end)
    by_status: dict[str, int] = {}
    by_office: dict[str, dict[str, int]] = {}
    for office, status, count in raw.counts:
        by_status[status] = by_status.get(status, 0) + count
        by_office.setdefault(office, {})[status] = count
    clearance = raw.clearance
    return StatsView(_iso(start), _iso(end), sum(by_status.values()), by_status, by_office,
                     {k: None if v is None else (round(float(v), 3) if k != "count" else int(v))
                      for k, v in clearance.items()})
