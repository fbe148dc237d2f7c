"""Changes over time: the feed of status changes and the statistics of a period."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from customs.services.read_models import JsonObject
from customs.services.read_models.parcel import DECIDERS, Amount, EstimateBrief


@dataclass(frozen=True, slots=True)
class StatsView:
    """Parcels received in a period, by status and by office, and how long clearance took."""

    start: str | None
    end: str | None
    parcels: int
    by_status: dict[str, int]
    by_office: dict[str, dict[str, int]]
    clearance_seconds: dict[str, float | int | None]  # count, p50, p90, p99

    def to_json(self) -> JsonObject:
        return {"from": self.start, "to": self.end, "parcels": self.parcels,
                "by_status": self.by_status, "by_office": self.by_office,
                "clearance_seconds": self.clearance_seconds}


@dataclass(frozen=True, slots=True)
class FeedChange:
    """One status change of a parcel in the caller's scope (feed items, webhook payloads)."""

    event_id: int
    parcel_id: str  # the parcel's public id
    tracking_number: str
    house_waybill: str | None
    marketplace: str
    courier: str
    customs_office: str
    status: str
    previous_status: str | None
    at: str | None
    source: str | None
    reason: str | None
    duty: Amount | None
    duty_estimate: EstimateBrief | None
    actor: str
    role: str | None
    leg: str | None = None  # the leg of a two-leg parcel the change belongs to

    def to_json(self, viewer_role: str) -> JsonObject:
        """Couriers see no actors or marketplaces; marketplaces the role (not the name) of the
        officer or authority that decided."""
        duty = None if self.duty is None else self.duty.to_json()
        estimate = None if self.duty_estimate is None else self.duty_estimate.to_json()
        if viewer_role == "courier":
            return {"event_id": self.event_id, "parcel_id": self.parcel_id,
                    "tracking_number": self.tracking_number,
                    "house_waybill": self.house_waybill, "courier": self.courier,
                    "customs_office": self.customs_office, "status": self.status,
                    "previous_status": self.previous_status, "at": self.at,
                    "source": self.source, "reason": self.reason, "duty": duty,
                    "duty_estimate": estimate, "leg": self.leg}
        actor = self.actor
        if viewer_role == "marketplace" and self.role in DECIDERS:
            actor = str(self.role)
        return {"event_id": self.event_id, "parcel_id": self.parcel_id,
                    "tracking_number": self.tracking_number,
                "house_waybill": self.house_waybill, "marketplace": self.marketplace,
                "courier": self.courier, "customs_office": self.customs_office,
                "status": self.status, "previous_status": self.previous_status, "at": self.at,
                "source": self.source, "reason": self.reason, "duty": duty,
                "duty_estimate": estimate, "actor": actor, "role": self.role, "leg": self.leg}


@dataclass(frozen=True, slots=True)
class FeedPage:
    """A page of changes and the cursor to resume from (returned even when the page is
    empty: poll it)."""

    items: tuple[FeedChange, ...]
    next_cursor: str
    has_more: bool
    viewer_role: str

    def to_json(self) -> JsonObject:
        return {"items": [i.to_json(self.viewer_role) for i in self.items],
                "next_cursor": self.next_cursor, "has_more": self.has_more}


@dataclass(frozen=True, slots=True)
class StatsCounts:
    """What the view repository counts for a period: parcels per (office, status), and the
    clearance times as count, p50, p90, p99 (seconds, as the engine computed them)."""

    counts: list[tuple[str, str, int]]
    clearance: dict[str, Any]
