"""Use cases across parcels for every role: look up, search, dossier, decide, statistics.

Every read goes through the caller's scope (ViewRepository); what is shown is shaped by role:
a courier gets what delivery needs (status, duty to collect, where to deliver), never the goods,
values, seller or the recipient's identity documents.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from customs.domain.errors import Conflict, Invalid, NotFound
from customs.domain.lifecycle import ParcelStatus
from customs.domain.officer import OfficerDecision
from customs.services.ports import Clock, Principal, SearchFilters, UnitOfWork
from customs.services.read_models.dossier import (
    BatchBrief,
    Dossier,
    MessageBrief,
    SignedDeclaration,
)
from customs.services.read_models.feed import StatsView
from customs.services.read_models.parcel import (
    Amount,
    CourierParcel,
    DeliverTo,
    Destination,
    EstimateBrief,
    HistoryEvent,
    MarketplaceParcel,
    ParcelSummary,
    ParcelView,
)

MAX_STATS_PERIOD = timedelta(days=366)
NO_ESTIMATE = {"status": "NONE", "reason": "no estimate was made for this parcel (rejected, or "
                                           "received before estimates existed)"}
Row = dict[str, Any]  # a parcel row as the view repository reads it
Keyset = tuple[object, int]  # the sort value and id of a page's last row


def _amount(amount: str | None, currency: str) -> Amount | None:
    return None if amount is None else Amount(amount, currency)


def _destination(row: Row) -> Destination:
    return Destination(row["destination_country"], row["customs_office"])


def _history(row: Row) -> tuple[HistoryEvent, ...]:
    return tuple(HistoryEvent(e["status"], e["previous_status"], e["at"], e["actor"],
                              e["source"], e["reason"], e.get("role"))
                 for e in row.get("history", []))


def summary(row: Row) -> ParcelSummary:
    """The one summary builder: search pages and the head of the full view."""
    return ParcelSummary(
        row["tracking_number"], row["manifest_id"], row["position"], row["marketplace"],
        row["courier"], row["status"], _destination(row),
        _amount(row["declared_value"], row["currency"]), row["gross_weight"],
        _amount(row.get("duty_amount"), row.get("duty_currency")),
        _iso(row["created_at"]), _iso(row["updated_at"]))


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return str(value.isoformat())


def courier_view(row: Row) -> CourierParcel:
    recipient = (row.get("data") or {}).get("recipient") or {}
    estimate = None
    if row.get("estimate_status") is not None:
        estimate = EstimateBrief(row["estimate_status"], row.get("estimate_amount"),
                                 row.get("estimate_currency"))
    return CourierParcel(
        row["tracking_number"], row.get("house_waybill"), row["courier"], row["status"],
        _amount(row.get("duty_amount"), row.get("duty_currency")), _destination(row),
        row["gross_weight"], estimate,
        DeliverTo(recipient.get("name"), recipient.get("address"), recipient.get("phone")),
        _iso(row["updated_at"]), _history(row))


def full_view(row: Row, who: Principal) -> MarketplaceParcel:
    return MarketplaceParcel(
        summary(row), row.get("house_waybill"), row.get("master_waybill"),
        row["violations"] or [], row["data"], row["declaration_error"], _history(row),
        row.get("estimate") or NO_ESTIMATE,
        _amount(row.get("duty_amount"), row.get("duty_currency")), who.role)


def view_for(who: Principal, row: Row) -> ParcelView:
    return courier_view(row) if who.role == "courier" else full_view(row, who)


def find(who: Principal, tracking_number: str, uow: UnitOfWork,
         marketplace: str | None = None) -> Row:
    if len(tracking_number) > 64 or not tracking_number.isprintable():
        raise NotFound(f"no parcel {tracking_number!r}")  # no such number can exist
    row = uow.views.find_parcel(who, tracking_number, marketplace)
    if row is None:
        raise NotFound(f"no parcel {tracking_number}")
    return row


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
    column = {"received_at": "created_at",
              "value": "declared_amount"}[filters.sort.lstrip("-")]
    after = (rows[-1][column], int(rows[-1]["id"])) if more else None
    if who.role == "courier":
        return [courier_view(r) for r in rows], after
    return [summary(r) for r in rows], after


def declaration(who: Principal, tracking_number: str, *, uow: UnitOfWork,
                marketplace: str | None = None) -> bytes:
    with uow:
        row = find(who, tracking_number, uow, marketplace)
        signed = uow.views.dossier(int(row["id"]))["declaration"]
    if signed is None:
        raise NotFound(f"no declaration for parcel {tracking_number}")
    return bytes(signed["document"])


def dossier(who: Principal, tracking_number: str, *, uow: UnitOfWork,
            verify: Callable[[bytes], dict[str, Any]], marketplace: str | None = None,
            ) -> Dossier:
    """Everything about one parcel: data, history, signed declaration (verified now), batch,
    the messages exchanged with the authority, the decisions and the duty."""
    with uow:
        row = find(who, tracking_number, uow, marketplace)
        extra = uow.views.dossier(int(row["id"]))
    declaration = extra["declaration"]
    signed = None
    if declaration is not None:
        document = bytes(declaration["document"])
        signed = SignedDeclaration(
            declaration["id"], declaration["profile"], declaration["document_sha256"],
            declaration["signer_fingerprint"], declaration["signature_algorithm"],
            _iso(declaration["created_at"]), document.decode("utf-8"), verify(document))
    batch = None if extra["batch"] is None else BatchBrief(**extra["batch"])
    return Dossier(full_view(row, who), signed, batch,
                   tuple(MessageBrief(**m) for m in extra["messages"]))


def decide(who: Principal, tracking_number: str, decision: OfficerDecision, *,
           uow: UnitOfWork, clock: Clock, marketplace: str | None = None) -> ParcelView:
    """An officer's decision: checked against the lifecycle, recorded with who and why."""
    now = clock.now()
    with uow:
        row = find(who, tracking_number, uow, marketplace)
        current = ParcelStatus(row["status"])
        decision.check(current)
        paid = any(e["status"] == ParcelStatus.PAID for e in row.get("history", []))
        if decision.status is ParcelStatus.RELEASED and row["duty_amount"] and not paid:
            raise Conflict("DUTY_UNPAID", f"duty of {row['duty_amount']} "
                                          f"{row['duty_currency']} was assessed and is not "
                                          "paid: the parcel cannot be released before it is")
        if not uow.officer.move(int(row["id"]), current, decision.status, at=now,
                                actor=who.actor, source=decision.source,
                                reason=decision.reason, duty=decision.duty):
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
    for office, status, count in raw["counts"]:
        by_status[status] = by_status.get(status, 0) + count
        by_office.setdefault(office, {})[status] = count
    clearance = raw["clearance"]
    return StatsView(_iso(start), _iso(end), sum(by_status.values()), by_status, by_office,
                     {k: None if v is None else (round(float(v), 3) if k != "count" else int(v))
                      for k, v in clearance.items()})
