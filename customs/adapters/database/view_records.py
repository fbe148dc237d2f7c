"""Rows of the view queries as the read models the services take (one builder per record)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from customs.adapters.database.columns import iso
from customs.services.read_models.feed import FeedChange
from customs.services.read_models.parcel import (
    Amount,
    Destination,
    EstimateBrief,
    HistoryEvent,
    ParcelRecord,
)


def amount_of(amount: str | None, currency: str) -> Amount | None:
    return None if amount is None else Amount(amount, currency)


def parcel_record(r: Any, history: tuple[HistoryEvent, ...] = ()) -> ParcelRecord:
    """A parcel row as the views read it; the columns a query left out stay None."""
    get = r.get
    return ParcelRecord(
        int(r["id"]), r["manifest_id"], r["position"], r["tracking_number"], r["marketplace"],
        r["courier"], Destination(r["destination_country"], r["customs_office"]), r["status"],
        amount_of(r["declared_value"], r["currency"]), r["gross_weight"],
        amount_of(r["duty_amount"], r["duty_currency"]), r["created_at"], r["updated_at"],
        r["house_waybill"], r["master_waybill"], r["declaration_error"], estimate_brief(r),
        r["public_id"], get("declared_amount"), get("data"), get("violations"), get("estimate"),
        history, leg=get("leg"))


def with_iso(row: Any) -> dict[str, Any]:
    return {k: iso(v) if isinstance(v, datetime) else v for k, v in row.items()}


def feed_change(r: Any) -> FeedChange:
    duty = None
    if r["duty_amount"] is not None:
        duty = Amount(r["duty_amount"], r["duty_currency"])
    return FeedChange(int(r["id"]), r["public_id"], r["tracking_number"], r["house_waybill"],
                      r["marketplace"],
                      r["courier"], r["customs_office"], r["status"], r["previous_status"],
                      iso(r["at"]), r["source"], r["reason"], duty, estimate_brief(r),
                      r["actor"], r["role"], r.get("leg"))


def estimate_brief(r: Any) -> EstimateBrief | None:
    """The parcel's duty estimate made at intake (docs/duty.md), in short."""
    if r["estimate_status"] is None:
        return None
    return EstimateBrief(r["estimate_status"], r["estimate_amount"], r["estimate_currency"])
