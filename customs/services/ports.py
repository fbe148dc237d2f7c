"""The ports that services need; adapters (and test fakes) implement them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from customs.domain.model import ManifestHeader, Parcel, ParcelOutcome


class ConcurrentWrite(Exception):
    """Another transaction wrote the same unique thing first; the caller may retry."""


class Clock(Protocol):
    def now(self) -> datetime: ...


class ManifestStream(Protocol):
    header: ManifestHeader

    def parcels(self) -> Iterator[ParcelOutcome]: ...


class ManifestReader(Protocol):
    def open(self, data: bytes) -> ManifestStream: ...


@dataclass(frozen=True, slots=True)
class NewManifest:
    id: str
    tenant_id: int
    header: ManifestHeader
    received_at: datetime
    document: bytes
    document_sha256: str
    accepted: int
    rejected: int


@dataclass(frozen=True, slots=True)
class Principal:
    key_id: str
    tenant_id: int
    tenant: str
    role: str


@dataclass(frozen=True, slots=True)
class StoredResponse:
    request_sha256: str
    manifest_id: str
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    next_after: int | None


class ManifestRepository(Protocol):
    def add(self, manifest: NewManifest) -> None: ...
    def get(self, tenant_id: int, manifest_id: str) -> dict[str, Any] | None: ...
    def document(self, tenant_id: int, manifest_id: str) -> bytes | None: ...


class ParcelRepository(Protocol):
    def open_tracking_numbers(self, tenant_id: int, numbers: Sequence[str]) -> set[str]: ...
    def add_from_manifest(self, manifest: NewManifest, outcomes: Sequence[ParcelOutcome],
                          actor: str) -> None: ...
    def page(self, tenant_id: int, manifest_id: str, status: str | None, after: int,
             limit: int) -> Page: ...
    def latest_by_tracking(self, tenant_id: int, tracking_number: str) -> dict[str, Any] | None:
        ...
    def counts_by_status(self) -> dict[str, int]: ...


class IdempotencyRepository(Protocol):
    def get(self, tenant_id: int, key: str) -> StoredResponse | None: ...
    def add(self, tenant_id: int, key: str, response: StoredResponse, at: datetime) -> None: ...


class NomenclatureRepository(Protocol):
    def codes(self) -> frozenset[str] | None: ...
    def replace(self, rows: Iterable[tuple[str, str]]) -> int: ...


class KeyRepository(Protocol):
    def tenant_id(self, name: str, create_at: datetime | None = None) -> int | None: ...
    def add(self, key_id: str, tenant_id: int, role: str, key_hash: str, at: datetime,
            expires_at: datetime | None, label: str | None) -> None: ...
    def find(self, key_hash: str, at: datetime) -> Principal | None: ...
    def list(self, tenant_id: int | None) -> list[dict[str, Any]]: ...
    def revoke(self, key_id: str, at: datetime) -> bool: ...


class DeclarationFailed(Exception):
    """A parcel could not be rendered, validated or signed; it stays VALIDATED and is retried."""


@dataclass(frozen=True, slots=True)
class SignedDocument:
    document: bytes
    sha256: str
    signer_fingerprint: str
    signature_algorithm: str


class Declarer(Protocol):
    """Renders, validates and signs one parcel's declaration in an authority's format."""

    profile: str

    def declare(self, parcel: Parcel, header: ManifestHeader, declaration_id: str,
                at: datetime) -> SignedDocument: ...


@dataclass(frozen=True, slots=True)
class PendingParcel:
    parcel_id: int
    parcel: Parcel
    header: ManifestHeader


class DeclarationRepository(Protocol):
    def pending(self, limit: int, manifest_id: str | None = None) -> list[PendingParcel]: ...
    def add(self, pending: PendingParcel, declaration_id: str, profile: str,
            signed: SignedDocument, at: datetime, actor: str) -> bool: ...
    def add_all(self, done: Sequence[tuple[PendingParcel, str, SignedDocument]], profile: str,
                at: datetime, actor: str) -> set[int]:
        """Store many at once (statements per batch, not per parcel); returns the parcel ids
        moved VALIDATED → DECLARED (another declarer's are left alone)."""
        ...
    def fail(self, parcel_id: int, reason: str, at: datetime) -> None: ...
    def document(self, tenant_id: int, tracking_number: str) -> bytes | None: ...


@dataclass(frozen=True, slots=True)
class DeclaredGroup:
    profile: str
    office: str
    count: int
    oldest: datetime


class BatchRepository(Protocol):
    def declared_groups(self) -> list[DeclaredGroup]: ...
    def candidates(self, profile: str, office: str, limit: int, max_bytes: int) -> list[int]:
        ...
    def open_batch(self, batch_id: str, message_id: str, profile: str, office: str,
                   at: datetime) -> None: ...
    def claim(self, batch_id: str, parcel_ids: list[int], at: datetime) -> list[int]: ...
    def declarations(self, parcel_ids: list[int]) -> list[bytes]: ...
    def seal(self, batch_id: str, parcel_ids: list[int], signed: SignedDocument,
             at: datetime, actor: str) -> None: ...
    def get(self, batch_id: str) -> dict[str, Any] | None: ...


@dataclass(frozen=True, slots=True)
class TransportResult:
    accepted: bool
    status: int | None
    body: bytes | None
    retryable: bool
    error: str | None


class Transport(Protocol):
    def send(self, message_id: str, document: bytes) -> TransportResult: ...


@dataclass(frozen=True, slots=True)
class DueBatch:
    id: str
    message_id: str
    document: bytes
    attempts: int


class OutboxRepository(Protocol):
    def claim_due(self, at: datetime, lease_until: datetime) -> DueBatch | None: ...
    def record(self, direction: str, kind: str, message_id: str | None, batch_id: str | None,
               status: int | None, error: str | None, document: bytes | None,
               at: datetime) -> None: ...
    def submitted(self, batch_id: str, at: datetime, actor: str,
                  acknowledged: bool = False) -> int: ...
    def retry_later(self, batch_id: str, at: datetime, error: str) -> None: ...
    def failed(self, batch_id: str, at: datetime, error: str, actor: str) -> int: ...
    def reopen(self, batch_id: str, at: datetime) -> bool: ...


class BatchBuilder(Protocol):
    def build(self, message_id: str, office: str, profile: str, at: datetime,
              declarations: list[bytes]) -> SignedDocument: ...


class DecisionRepository(Protocol):
    def seen(self, message_id: str) -> bool: ...
    def register(self, message_id: str, kind: str, at: datetime) -> None: ...
    def parcel_for(self, decision: Any) -> tuple[int, Any] | None: ...
    def apply(self, parcel_id: int, current: Any, decision: Any, at: datetime,
              actor: str) -> bool: ...
    def orphan(self, message_id: str, decision: Any, at: datetime) -> None: ...
    def finish(self, message_id: str, applied: int, ignored: int, orphaned: int) -> None: ...
    def cursor(self, name: str) -> str | None: ...
    def save_cursor(self, name: str, position: str, at: datetime) -> None: ...


class UnitOfWork(Protocol):
    decisions: DecisionRepository
    batches: BatchRepository
    outbox: OutboxRepository
    declarations: DeclarationRepository
    manifests: ManifestRepository
    parcels: ParcelRepository
    idempotency: IdempotencyRepository
    nomenclature: NomenclatureRepository
    keys: KeyRepository

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, *args: object) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
