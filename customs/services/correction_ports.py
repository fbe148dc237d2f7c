"""The ports that corrections need (the SQL adapter:
customs.adapters.database.correction_repository)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from customs.domain.corrections import CorrectionReference, CorrectionRequest
from customs.domain.lifecycle import ParcelStatus
from customs.domain.model import ManifestHeader, Parcel
from customs.services.ports import DeclarationFailed, SignedDocument


@dataclass(frozen=True, slots=True)
class CorrectionTarget:
    """A marketplace's parcel as a correction finds it: its current version, its manifest's
    header and, when one is open, the authority's request."""

    parcel_id: int
    status: ParcelStatus
    parcel: Parcel | None  # None: rejected at intake, nothing to correct
    header: ManifestHeader
    versions: int  # 1 + the corrections made so far
    request_id: int | None = None  # the open request
    registration_number: str | None = None
    doc_kind: str | None = None


@dataclass(frozen=True, slots=True)
class StoredCorrection:
    request_sha256: str
    response: dict[str, Any]


@dataclass(frozen=True, slots=True)
class NewCorrection:
    """Everything one correction writes, in one transaction."""

    target: CorrectionTarget
    parcel: Parcel
    reference: CorrectionReference
    declaration_id: str
    signed: SignedDocument
    profile: str
    tenant_id: int
    idempotency_key: str
    request_sha256: str
    document: bytes
    response: dict[str, Any]
    actor: str
    at: datetime


class CorrectionRepository(Protocol):
    def requested(self, parcel_id: int, message_id: str, declaration_id: str,
                  request: CorrectionRequest, at: datetime) -> None:
        """Keep what a correction request says about a parcel (once per message)."""
        ...

    def target(self, tenant_id: int, tracking_number: str) -> CorrectionTarget | None:
        """The tenant's newest parcel with this tracking number (no other tenant's)."""
        ...

    def stored(self, tenant_id: int, idempotency_key: str) -> StoredCorrection | None: ...

    def ordinal(self, registration_number: str) -> int:
        """NumPP for a new correction of that registry: the one its corrections not yet sealed
        share, else one more than the last one sealed (1 for the first)."""
        ...

    def record(self, correction: NewCorrection) -> bool:
        """The new version, its declaration (the earlier one marked replaced), the move
        HELD → DECLARED with its event, the request answered; False (nothing written) when the
        parcel no longer awaits this correction."""
        ...


class CorrectionDeclarer(Protocol):
    def declare_correction(self, parcel: Parcel, header: ManifestHeader, declaration_id: str,
                           at: datetime, ref: CorrectionReference,
                           ) -> SignedDocument | DeclarationFailed:
        """The signed declaration of a correction in the destination's profile, or why it
        cannot be made (returned, not raised)."""
        ...
