"""A manifest as its marketplace reads it back, and the lines of its parcels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from customs.services.read_models import JsonObject
from customs.services.read_models.parcel import Amount, Destination


@dataclass(frozen=True, slots=True)
class ManifestView:
    id: str
    ref: str
    issued_at: str | None
    received_at: str | None
    destination: Destination
    transport: str | None
    document_sha256: str
    document_size: int
    parcels: int
    accepted: int
    rejected: int
    receipt: JsonObject | None = None  # None for manifests stored before receipts were kept

    def to_json(self) -> JsonObject:
        return {"id": self.id, "status": "processed", "ref": self.ref,
                "issued_at": self.issued_at,
                "received_at": self.received_at, "destination": self.destination.to_json(),
                "transport": self.transport, "document_sha256": self.document_sha256,
                "document_size": self.document_size, "parcels": self.parcels,
                "accepted": self.accepted, "rejected": self.rejected,
                "receipt": self.receipt}


@dataclass(frozen=True, slots=True)
class ManifestJobView:
    """A manifest accepted for processing later, until its manifest exists: `processing`,
    or `refused` / `failed` with the problem (then it never will)."""

    id: str
    status: str
    received_at: str | None
    document_sha256: str
    document_size: int
    attempts: int
    problem: JsonObject | None

    def to_json(self) -> JsonObject:
        shown: JsonObject = {"id": self.id, "status": self.status,
                             "received_at": self.received_at,
                             "document_sha256": self.document_sha256,
                             "document_size": self.document_size}
        if self.problem is not None:
            shown["problem"] = self.problem
        return shown


@dataclass(frozen=True, slots=True)
class ManifestParcelLine:
    """One parcel of a manifest, in manifest order, with why it was rejected if it was."""

    id: str
    position: int
    tracking_number: str
    manifest_id: str
    courier: str
    status: str
    destination: Destination
    declared_value: Amount | None
    gross_weight: Any  # as stored: a number, or null when the manifest gave none
    violations: list[JsonObject]
    updated_at: str | None

    def to_json(self) -> JsonObject:
        return {"id": self.id, "position": self.position, "tracking_number": self.tracking_number,
                "manifest_id": self.manifest_id, "courier": self.courier,
                "status": self.status, "destination": self.destination.to_json(),
                "declared_value": (None if self.declared_value is None
                                   else self.declared_value.to_json()),
                "gross_weight": self.gross_weight, "violations": self.violations,
                "updated_at": self.updated_at}



@dataclass(frozen=True, slots=True)
class RejectedParcel:
    """A rejected parcel of a manifest and only why: what the receipt's rejections list."""

    position: int
    tracking_number: str | None
    violations: list[JsonObject]
