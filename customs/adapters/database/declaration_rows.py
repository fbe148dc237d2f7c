"""The rows a signed declaration adds: its own, and its parcel's DECLARED event.

Shared by the declarers (parcels read back, then declared) and by intake (parcels declared
before their rows exist), so both leave the same trace.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from customs.domain.lifecycle import ParcelStatus
from customs.services.ports import SignedDocument


def declaration_row(parcel_id: int, declaration_id: str, signed: SignedDocument, profile: str,
                    at: datetime) -> dict[str, Any]:
    return {"id": declaration_id, "parcel_id": parcel_id, "profile": signed.profile or profile,
            "document": signed.document, "document_sha256": signed.sha256,
            "signer_fingerprint": signed.signer_fingerprint,
            "signature_algorithm": signed.signature_algorithm, "created_at": at,
            "group_key": signed.group_key}


def declared_event(parcel_id: int, declaration_id: str, signed: SignedDocument, profile: str,
                   at: datetime, actor: str) -> dict[str, Any]:
    return {"parcel_id": parcel_id, "status": ParcelStatus.DECLARED.value,
            "previous_status": ParcelStatus.VALIDATED.value, "at": at, "actor": actor,
            "source": f"PROFILE:{signed.profile or profile}",
            "reason": f"declaration {declaration_id} signed, sha256 {signed.sha256[:16]}…"}
