"""Column conversions the SQL repositories share (SQLite returns naive datetimes)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from customs.domain.model import ManifestHeader, Transport


def utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes: they were stored as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # as utc, without a new datetime per value (feed pages: 100s)
        return value.isoformat() + "+00:00"
    return value.isoformat()


def event_fields(row: Any) -> dict[str, Any]:
    return {"status": row["status"], "previous_status": row["previous_status"],
            "at": iso(row["at"]), "actor": row["actor"], "source": row["source"],
            "reason": row["reason"]}


def manifest_header(row: Any) -> ManifestHeader:
    """A manifest's header from its row's columns (transport kept as JSON)."""
    transport = None
    raw = row["transport"]
    if raw:
        arrival = raw.get("expected_arrival")
        transport = Transport(raw["mode"], raw.get("master_waybill"), raw.get("carrier"),
                              date.fromisoformat(arrival) if arrival else None)
    issued = utc(row["issued_at"])
    assert issued is not None
    return ManifestHeader(row["ref"], issued, row["destination_country"], row["customs_office"],
                          transport)
