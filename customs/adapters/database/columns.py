"""Column conversions the SQL repositories share (SQLite returns naive datetimes)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


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
