"""The officer's dossier of one parcel."""

from __future__ import annotations

from dataclasses import dataclass

from customs.services.read_models import JsonObject
from customs.services.read_models.parcel import HistoryEvent, MarketplaceParcel


@dataclass(frozen=True, slots=True)
class SignedDeclaration:
    id: str
    profile: str
    sha256: str
    signer_fingerprint: str | None
    signature_algorithm: str | None
    created_at: str | None
    document: str
    verification: JsonObject  # checked now, against our pinned certificates

    def to_json(self) -> JsonObject:
        return {"id": self.id, "profile": self.profile, "sha256": self.sha256,
                "signer_fingerprint": self.signer_fingerprint,
                "signature_algorithm": self.signature_algorithm,
                "created_at": self.created_at, "document": self.document,
                "verification": self.verification}


@dataclass(frozen=True, slots=True)
class BatchBrief:
    id: str
    message_id: str
    status: str
    profile: str
    parcel_count: int
    sealed_at: str | None
    submitted_at: str | None
    attempts: int
    last_error: str | None
    document_sha256: str | None

    def to_json(self) -> JsonObject:
        return {"id": self.id, "message_id": self.message_id, "status": self.status,
                "profile": self.profile, "parcel_count": self.parcel_count,
                "sealed_at": self.sealed_at, "submitted_at": self.submitted_at,
                "attempts": self.attempts, "last_error": self.last_error,
                "document_sha256": self.document_sha256}


@dataclass(frozen=True, slots=True)
class MessageBrief:
    """One message exchanged with the authority about the parcel's batch (not its body)."""

    id: int
    direction: str
    kind: str
    message_id: str | None
    http_status: int | None
    error: str | None
    at: str | None
    size: int | None

    def to_json(self) -> JsonObject:
        return {"id": self.id, "direction": self.direction, "kind": self.kind,
                "message_id": self.message_id, "http_status": self.http_status,
                "error": self.error, "at": self.at, "size": self.size}


DECISION_SOURCES = ("AUTH:", "OFFICER:", "FTS:")


@dataclass(frozen=True, slots=True)
class Dossier:
    """Everything about one parcel for an officer: the full view, the signed declaration
    (verified when read), its batch, the messages exchanged and the decisions taken."""

    parcel: MarketplaceParcel
    declaration: SignedDeclaration | None
    batch: BatchBrief | None
    messages: tuple[MessageBrief, ...]

    @property
    def decisions(self) -> tuple[HistoryEvent, ...]:
        return tuple(e for e in self.parcel.history
                     if (e.source or "").startswith(DECISION_SOURCES))

    def to_json(self) -> JsonObject:
        role = self.parcel.viewer_role
        return self.parcel.to_json() | {
            "declaration": None if self.declaration is None else self.declaration.to_json(),
            "batch": None if self.batch is None else self.batch.to_json(),
            "messages": [m.to_json() for m in self.messages],
            "decisions": [e.to_json(role) for e in self.decisions]}


@dataclass(frozen=True, slots=True)
class StoredDeclaration:
    """The parcel's latest signed declaration as stored (verified when the dossier is read)."""

    id: str
    profile: str
    sha256: str
    signer_fingerprint: str | None
    signature_algorithm: str | None
    created_at: str | None
    document: bytes


@dataclass(frozen=True, slots=True)
class DossierRecord:
    """What the view repository reads for a dossier besides the parcel itself."""

    declaration: StoredDeclaration | None
    batch: BatchBrief | None
    messages: tuple[MessageBrief, ...]
