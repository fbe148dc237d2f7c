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
from customs.services.ports import Clock, Principal, SearchFilters
from customs.services.unit_of_work import UnitOfWork

MAX_STATS_PERIOD = timedelta(days=366)


def _duty(row: dict[str, Any]) -> dict[str, str] | None:
    """The duty assessed (by the authority or an officer): what is to be collected."""
    if row.get("duty_amount") is None:
        return None
    return {"amount": row["duty_amount"], "currency": row["duty_currency"]}


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    value = None
    if row["declared_value"] is not None:
        value = {"amount": row["declared_value"], "currency": row["currency"]}
    return {
        "tracking_number": row["tracking_number"], "manifest_id": row["manifest_id"],
        "position": row["position"], "marketplace": row["marketplace"],
        "courier": row["courier"], "status": row["status"],
        "destination": {"country": row["destination_country"],
                        "customs_office": row["customs_office"]},
        "declared_value": value, "gross_weight": row["gross_weight"], "duty": _duty(row),
        "received_at": _iso(row["created_at"]), "updated_at": _iso(row["updated_at"]),
    }


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return str(value.isoformat())


def courier_view(row: dict[str, Any]) -> dict[str, Any]:
    recipient = (row.get("data") or {}).get("recipient") or {}
    return {
        "tracking_number": row["tracking_number"], "house_waybill": row.get("house_waybill"),
        "courier": row["courier"], "status": row["status"], "duty": _duty(row),
        "destination": {"country": row["destination_country"],
                        "customs_office": row["customs_office"]},
        "gross_weight": row["gross_weight"],
        "duty_estimate": None if row.get("estimate_status") is None else {
            "status": row["estimate_status"], "amount": row.get("estimate_amount"),
            "currency": row.get("estimate_currency")},
        "deliver_to": {"name": recipient.get("name"), "address": recipient.get("address"),
                       "phone": recipient.get("phone")},
        "updated_at": _iso(row["updated_at"]),
        "history": [{k: e[k] for k in ("status", "previous_status", "at", "source", "reason")}
                    for e in row.get("history", [])],
    }


def full_view(row: dict[str, Any], who: Principal) -> dict[str, Any]:
    view = _summary(row) | {
        "house_waybill": row.get("house_waybill"), "master_waybill": row.get("master_waybill"),
        "violations": row["violations"] or [], "data": row["data"],
        "declaration_error": row["declaration_error"], "history": row.get("history", []),
        "duty_estimate": row.get("estimate") or {
            "status": "NONE", "reason": "no estimate was made for this parcel (rejected, or "
                                        "received before estimates existed)"},
        "assessed_duty": _duty(row)}
    if who.role != "officer":  # officers see who acted; marketplaces see the role
        for event in view["history"]:
            if event.get("role") in ("officer", "authority"):
                event["actor"] = event["role"]
    return view


def view_for(who: Principal, row: dict[str, Any]) -> dict[str, Any]:
    return courier_view(row) if who.role == "courier" else full_view(row, who)


def find(who: Principal, tracking_number: str, uow: UnitOfWork,
         marketplace: str | None = None) -> dict[str, Any]:
    if len(tracking_number) > 64 or not tracking_number.isprintable():
        raise NotFound(f"no parcel {tracking_number!r}")  # no such number can exist
    row = uow.views.find_parcel(who, tracking_number, marketplace)
    if row is None:
        raise NotFound(f"no parcel {tracking_number}")
    return row


def get_parcel(who: Principal, tracking_number: str, *, uow: UnitOfWork,
               marketplace: str | None = None) -> dict[str, Any]:
    with uow:
        return view_for(who, find(who, tracking_number, uow, marketplace))


def search(who: Principal, filters: SearchFilters, limit: int, *,
           uow: UnitOfWork) -> tuple[list[dict[str, Any]], tuple[Any, int] | None]:
    """A page of parcels and the keyset of its last row when there may be more."""
    with uow:
        rows = uow.views.search(who, filters, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    column = {"received_at": "created_at",
              "value": "declared_amount"}[filters.sort.lstrip("-")]
    after = (rows[-1][column], int(rows[-1]["id"])) if more else None
    shape = courier_view if who.role == "courier" else _summary
    return [shape(r) for r in rows], after


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
            ) -> dict[str, Any]:
    """Everything about one parcel: data, history, signed declaration (verified now), batch,
    the messages exchanged with the authority, the decisions and the duty."""
    with uow:
        row = find(who, tracking_number, uow, marketplace)
        extra = uow.views.dossier(int(row["id"]))
    declaration = extra["declaration"]
    signed = None
    if declaration is not None:
        document = bytes(declaration["document"])
        signed = {"id": declaration["id"], "profile": declaration["profile"],
                  "sha256": declaration["document_sha256"],
                  "signer_fingerprint": declaration["signer_fingerprint"],
                  "signature_algorithm": declaration["signature_algorithm"],
                  "created_at": _iso(declaration["created_at"]),
                  "document": document.decode("utf-8"), "verification": verify(document)}
    view = full_view(row, who)
    decisions = [e for e in view["history"]
                 if (e.get("source") or "").startswith(("AUTH:", "OFFICER:", "FTS:"))]
    return view | {"declaration": signed, "batch": extra["batch"],
                   "messages": extra["messages"], "decisions": decisions}


def decide(who: Principal, tracking_number: str, decision: OfficerDecision, *,
           uow: UnitOfWork, clock: Clock, marketplace: str | None = None) -> dict[str, Any]:
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


def stats(who: Principal, start: datetime, end: datetime, *, uow: UnitOfWork) -> dict[str, Any]:
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
    return {"from": _iso(start), "to": _iso(end), "parcels": sum(by_status.values()),
            "by_status": by_status, "by_office": by_office,
            "clearance_seconds": {k: None if v is None else (round(float(v), 3) if k != "count"
                                                             else int(v))
                                  for k, v in clearance.items()}}
