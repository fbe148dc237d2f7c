"""The parcel views: a summary (search pages), the full view (its marketplace, officers) and
the courier's delivery view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from customs.services.read_models import JsonObject
from customs.services.read_models.corrections import CorrectionRequestView, ParcelVersion

DECIDERS = ("officer", "authority")


@dataclass(frozen=True, slots=True)
class Amount:
    amount: str
    currency: str

    def to_json(self) -> JsonObject:
        return {"amount": self.amount, "currency": self.currency}


def _json(value: Amount | None) -> JsonObject | None:
    return None if value is None else value.to_json()


@dataclass(frozen=True, slots=True)
class Destination:
    country: str
    customs_office: str

    def to_json(self) -> JsonObject:
        return {"country": self.country, "customs_office": self.customs_office}


@dataclass(frozen=True, slots=True)
class EstimateBrief:
    """The duty estimate made at intake, in short (courier views, feed changes)."""

    status: str
    amount: str | None
    currency: str | None

    def to_json(self) -> JsonObject:
        return {"status": self.status, "amount": self.amount, "currency": self.currency}


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    status: str
    previous_status: str | None
    at: str | None
    actor: str
    source: str | None
    reason: str | None
    role: str | None
    leg: str | None = None  # the leg of a two-leg parcel it belongs to (export, import)

    def shown_actor(self, viewer_role: str) -> str:
        """Officers see who acted; everyone else the role of an officer or authority."""
        if viewer_role != "officer" and self.role in DECIDERS:
            return str(self.role)
        return self.actor

    def to_json(self, viewer_role: str) -> JsonObject:
        return {"status": self.status, "previous_status": self.previous_status, "at": self.at,
                "actor": self.shown_actor(viewer_role), "source": self.source,
                "reason": self.reason, "role": self.role, "leg": self.leg}

    def delivery_json(self) -> JsonObject:
        """A courier's line: no actor, no role."""
        return {"status": self.status, "previous_status": self.previous_status, "at": self.at,
                "source": self.source, "reason": self.reason, "leg": self.leg}


@dataclass(frozen=True, slots=True)
class LegView:
    """One leg of a parcel (customs.domain.legs): where it is cleared, and its status."""

    leg: str  # export, import
    country: str | None
    status: str  # a parcel status, or WAITING (not started)

    def to_json(self) -> JsonObject:
        return {"leg": self.leg, "country": self.country, "status": self.status}


@dataclass(frozen=True, slots=True)
class ParcelSummary:
    """A parcel in a list (search pages) and the head of the full view; `id` is its public id."""

    id: str
    tracking_number: str
    manifest_id: str
    position: int
    marketplace: str
    courier: str
    status: str
    destination: Destination
    declared_value: Amount | None
    gross_weight: Any  # as stored: a number, or null when the manifest gave none
    duty: Amount | None
    received_at: str | None
    updated_at: str | None

    def to_json(self) -> JsonObject:
        return {
            "id": self.id,
            "tracking_number": self.tracking_number, "manifest_id": self.manifest_id,
            "position": self.position, "marketplace": self.marketplace,
            "courier": self.courier, "status": self.status,
            "destination": self.destination.to_json(),
            "declared_value": _json(self.declared_value), "gross_weight": self.gross_weight,
            "duty": _json(self.duty), "received_at": self.received_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True, slots=True)
class MarketplaceParcel:
    """The full view of one parcel, for its marketplace and for officers (`viewer_role` decides
    whether the actors of decisions are named)."""

    summary: ParcelSummary
    house_waybill: str | None
    master_waybill: str | None
    violations: list[JsonObject]
    data: JsonObject | None
    declaration_error: str | None
    history: tuple[HistoryEvent, ...]
    duty_estimate: JsonObject
    assessed_duty: Amount | None
    viewer_role: str
    versions: tuple[ParcelVersion, ...] = ()  # empty until a first correction
    correction_request: CorrectionRequestView | None = None
    legs: tuple[LegView, ...] = ()

    @property
    def status(self) -> str:
        return self.summary.status

    @property
    def id(self) -> str:
        return self.summary.id

    def to_json(self) -> JsonObject:
        request = self.correction_request
        return self.summary.to_json() | {
            "house_waybill": self.house_waybill, "master_waybill": self.master_waybill,
            "violations": self.violations, "data": self.data,
            "declaration_error": self.declaration_error,
            "history": [e.to_json(self.viewer_role) for e in self.history],
            "duty_estimate": self.duty_estimate, "assessed_duty": _json(self.assessed_duty),
            "versions": [v.to_json() for v in self.versions],
            "correction_request": None if request is None else request.to_json(),
            "legs": [leg.to_json() for leg in self.legs]}


@dataclass(frozen=True, slots=True)
class DeliverTo:
    name: str | None
    address: str | None
    phone: str | None

    def to_json(self) -> JsonObject:
        return {"name": self.name, "address": self.address, "phone": self.phone}


@dataclass(frozen=True, slots=True)
class CourierParcel:
    """What delivery needs: status, duty to collect, where to deliver; never the goods, values,
    seller or the recipient's identity documents."""

    id: str
    tracking_number: str
    house_waybill: str | None
    courier: str
    status: str
    duty: Amount | None
    destination: Destination
    gross_weight: Any
    duty_estimate: EstimateBrief | None
    deliver_to: DeliverTo
    updated_at: str | None
    history: tuple[HistoryEvent, ...]
    legs: tuple[LegView, ...] = ()

    def to_json(self) -> JsonObject:
        return {
            "id": self.id,
            "tracking_number": self.tracking_number, "house_waybill": self.house_waybill,
            "courier": self.courier, "status": self.status, "duty": _json(self.duty),
            "destination": self.destination.to_json(), "gross_weight": self.gross_weight,
            "duty_estimate": None if self.duty_estimate is None else self.duty_estimate.to_json(),
            "deliver_to": self.deliver_to.to_json(), "updated_at": self.updated_at,
            "history": [e.delivery_json() for e in self.history],
            "legs": [leg.to_json() for leg in self.legs],
        }


ParcelView = MarketplaceParcel | CourierParcel



@dataclass(frozen=True, slots=True)
class ParcelRecord:
    """A parcel as the view repository reads it, for the views above to pick from. Search
    pages leave the heavy parts out (data, violations, estimate: None) except a courier's data
    (where to deliver); look-ups carry the history."""

    id: int
    manifest_id: str
    position: int
    tracking_number: str
    marketplace: str
    courier: str
    destination: Destination
    status: str
    declared_value: Amount | None
    gross_weight: Any
    duty: Amount | None
    created_at: datetime  # raw as read: also the keyset of a search sorted by reception
    updated_at: datetime | None
    house_waybill: str | None
    master_waybill: str | None
    declaration_error: str | None
    estimate_brief: EstimateBrief | None
    public_id: str
    declared_amount: object = None  # the keyset of a search sorted by value
    data: JsonObject | None = None
    violations: list[JsonObject] | None = None
    estimate: JsonObject | None = None
    history: tuple[HistoryEvent, ...] = ()
    versions: tuple[ParcelVersion, ...] = ()
    correction_request: CorrectionRequestView | None = None
    leg: str | None = None  # the current leg of a two-leg parcel (customs.domain.legs)
