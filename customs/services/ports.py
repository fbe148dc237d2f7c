"""The ports that services need; adapters (and test fakes) implement them."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from customs.domain.duty import Estimate, Rate
from customs.domain.model import ManifestHeader, Parcel, ParcelOutcome
from customs.domain.money import Money
from customs.services.read_models.dossier import DossierRecord
from customs.services.read_models.feed import FeedChange, StatsCounts
from customs.services.read_models.manifest import (
    ManifestJobView,
    ManifestParcelLine,
    ManifestView,
    RejectedParcel,
)
from customs.services.read_models.parcel import ParcelRecord
from customs.services.read_models.reference import ApiKeyView


class ConcurrentWrite(Exception):
    """Another transaction wrote the same unique thing first; the caller may retry."""


class Clock(Protocol):
    def now(self) -> datetime: ...


class ManifestStream(Protocol):
    header: ManifestHeader

    def parcels(self) -> Iterator[ParcelOutcome]: ...


class ManifestReader(Protocol):
    """One syntax of manifest v1 (XML, JSON). Business rules name a field by its XML path
    ('/Manifest/Parcel[2]/Item[1]/HSCode'); `locate` gives that field's path in this syntax."""

    def open(self, data: bytes) -> ManifestStream: ...
    def locate(self, path: str) -> str: ...


XML = "application/xml"


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A manifest as received, with the media type it was sent as."""

    content: bytes
    media_type: str = XML

    def read_parcel(self, data: bytes) -> ParcelOutcome:
        """A Parcel document alone (a correction), read as a manifest's parcel would be."""
        ...


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
    receipt: dict[str, Any] | None = None  # set by intake once the receipt is made
    # position -> the first leg of a parcel with two (customs.domain.legs: "export")
    legs: Mapping[int, str] = field(default_factory=dict)
    media_type: str = XML


@dataclass(frozen=True, slots=True)
class Principal:
    """Who calls, and what they may see: a marketplace its tenant's parcels, a courier the
    parcels whose Courier is its code, an officer the parcels of its customs offices."""

    key_id: str
    tenant_id: int
    tenant: str
    role: str
    courier: str | None = None
    offices: tuple[str, ...] = ()
    # When the key stops working (None: never); kept so a cached key still expires on time.
    expires_at: datetime | None = field(default=None, compare=False)
    # The person signed in to the console (an e-mail), None for an API key.
    user: str | None = None

    @property
    def scope_key(self) -> str:
        if self.role == "courier":
            return f"courier:{self.courier}"
        if self.role == "officer":
            return f"officer:{','.join(sorted(self.offices))}"
        if self.role == "operator":
            return f"operator:{self.tenant_id}"  # never a marketplace's: it sees no parcel
        return f"marketplace:{self.tenant_id}"

    @property
    def cursor_owner(self) -> str:
        """Whose cursors these are: the key (a cursor is not usable with another key, even of
        the same scope) and its scope."""
        return f"{self.key_id}/{self.scope_key}"

    @property
    def actor(self) -> str:
        """Who acts, in events and the audit: the key's tenant, or the console's person."""
        return f"{self.role}:{self.user or self.tenant}"


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """A POST's stored reply: a manifest's receipt (`manifest_id`), or any other POST's
    status, body and headers. `body` None: claimed, the request is still running."""

    request_sha256: str
    manifest_id: str | None
    body: Any
    status: int | None = None
    headers: dict[str, str] | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Page:
    items: list[ManifestParcelLine]
    next_after: int | None  # the last position shown, when there may be more


class ManifestRepository(Protocol):
    def add(self, manifest: NewManifest) -> None: ...
    def get(self, tenant_id: int, manifest_id: str) -> ManifestView | None: ...
    def exists(self, tenant_id: int, manifest_id: str) -> bool:
        """The tenant's manifest is stored (its row is not read: the receipt it holds is
        large for a large manifest)."""
        ...
    def latest(self, tenant_id: int, after_id: str | None, limit: int,
               ) -> list[ManifestView]: ...
    def document(self, tenant_id: int, manifest_id: str) -> StoredDocument | None: ...


class ParcelRepository(Protocol):
    def open_tracking_numbers(self, tenant_id: int, numbers: Sequence[str]) -> set[str]: ...
    def stage(self, manifest: NewManifest, outcomes: Sequence[ParcelOutcome], actor: str,
              estimates: Mapping[int, Estimate] | None = None,
              declarations: Mapping[int, IntakeDeclaration] | None = None) -> Any:
        """Prepare the parcels' rows without touching the database (no lock is taken): by
        position, their estimates, and the declarations made at intake (a signed parcel is
        stored DECLARED with its declaration and event, a failed one VALIDATED with the
        reason). The result is only for `add_staged` of the same unit of work."""
        ...
    def add_staged(self, staged: Any) -> None: ...
    def add_from_manifest(self, manifest: NewManifest, outcomes: Sequence[ParcelOutcome],
                          actor: str, estimates: Mapping[int, Estimate] | None = None,
                          declarations: Mapping[int, IntakeDeclaration] | None = None,
                          ) -> None:
        """`stage` then `add_staged`."""
        ...
    def page(self, tenant_id: int, manifest_id: str, status: str | None, after: int,
             limit: int) -> Page: ...
    def rejected(self, tenant_id: int, manifest_id: str, after: int,
                 limit: int) -> list[RejectedParcel]: ...
    def counts_by_status(self, statuses: Collection[str] | None = None) -> dict[str, int]: ...
    def buyer_spending(self, tenant_id: int, country: str, since: datetime,
                       numbers: Sequence[str]) -> list[tuple[str, Money]]:
        """(buyer key, declared value) of the tenant's parcels to `country` received since
        `since` whose recipient's PersonalId number is one of `numbers`, except those
        rejected, refused, returned or cancelled (customs.domain.buyer_limits)."""
        ...


@dataclass(frozen=True, slots=True)
class NewJob:
    """A manifest stored for processing later; `id` becomes the manifest's id."""

    id: str
    tenant_id: int
    idempotency_key: str
    request_sha256: str
    content_type: str
    actor: str
    document: bytes
    received_at: datetime


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    job: NewJob
    attempts: int  # claims so far, this one included


class ManifestJobRepository(Protocol):
    def add(self, job: NewJob) -> None:
        """Raises ConcurrentWrite when the tenant's key is taken (a racing request)."""
        ...
    def by_key(self, tenant_id: int, key: str) -> ManifestJobView | None: ...
    def get(self, tenant_id: int, job_id: str) -> ManifestJobView | None: ...
    def claim(self, at: datetime, lease_until: datetime, owner: str) -> ClaimedJob | None:
        """The oldest job not finished whose lease is free (never held, or expired: its
        worker died); one worker only gets it (PostgreSQL: SKIP LOCKED; SQLite: the
        conditional UPDATE under the write lock)."""
        ...
    def waiting(self, at: datetime) -> bool:
        """Whether a job may be claimed at `at` (a read, no lock)."""
        ...
    def renew(self, job_id: str, owner: str, lease_until: datetime) -> bool: ...
    def finish(self, job_id: str, owner: str, status: str, at: datetime,
               problem: dict[str, Any] | None = None) -> bool:
        """Mark it finished if `owner` still holds it (False: the lease was lost, the caller
        rolls back); a processed job's document is dropped (the manifest keeps it)."""
        ...


class IdempotencyRepository(Protocol):
    def get(self, tenant_id: int, key: str,
            not_before: datetime | None = None) -> StoredResponse | None: ...
    def add(self, tenant_id: int, key: str, response: StoredResponse, at: datetime,
            replace_before: datetime | None = None) -> None: ...
    def claim(self, tenant_id: int, key: str, request_sha256: str, at: datetime, *,
              expired_before: datetime, abandoned_before: datetime) -> None: ...
    def complete(self, tenant_id: int, key: str, status: int, body: Any,
                 headers: dict[str, str]) -> None: ...
    def release(self, tenant_id: int, key: str) -> None: ...
    def purge(self, before: datetime, limit: int) -> int: ...


class NomenclatureRepository(Protocol):
    def codes(self) -> frozenset[str] | None: ...
    def replace(self, rows: Iterable[tuple[str, str]]) -> int: ...


class KeyRepository(Protocol):
    def server_secret(self, name: str, candidate: str, at: datetime) -> str: ...
    def tenant_id(self, name: str, create_at: datetime | None = None) -> int | None: ...
    def add(self, key_id: str, tenant_id: int, role: str, key_hash: str, at: datetime,
            expires_at: datetime | None, label: str | None, *, courier: str | None = None,
            offices: list[str] | None = None) -> None: ...
    def find(self, key_hash: str, at: datetime) -> Principal | None: ...
    def list(self, tenant_id: int | None) -> list[ApiKeyView]: ...
    def revoke(self, key_id: str, at: datetime) -> bool: ...


class DeclarationFailed(Exception):
    """A parcel could not be rendered, validated or signed; it stays VALIDATED and is retried."""


@dataclass(frozen=True, slots=True)
class SignedDocument:
    document: bytes
    sha256: str
    signer_fingerprint: str
    signature_algorithm: str
    profile: str | None = None  # when one declarer serves several profiles
    group_key: str | None = None  # parcels with the same key are batched together


@dataclass(frozen=True, slots=True)
class IntakeDeclaration:
    """A parcel's declaration made during intake, before its row exists: signed, or the
    reason it could not be (the parcel then stays VALIDATED and is retried by the workers)."""

    declaration_id: str
    actor: str  # who declared: the DECLARED event's actor
    signed: SignedDocument | None = None
    error: str | None = None


# What a declaration is made from: the parcel, its manifest's header, the declaration's id.
DeclarationRequest = tuple[Parcel, ManifestHeader, str]


class Declarer(Protocol):
    """Renders, validates and signs parcels' declarations in an authority's format."""

    profile: str

    def declare_many(self, requests: Sequence[DeclarationRequest],
                     at: datetime) -> list[SignedDocument | DeclarationFailed]:
        """One result per request, in order: the signed declaration, or why it could not be
        made (a DeclarationFailed, returned, not raised)."""
        ...


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


@dataclass(frozen=True, slots=True)
class DeclaredGroup:
    profile: str
    office: str
    count: int
    oldest: datetime
    key: str | None = None  # DeclarationRepository group key (ru-fts-express: master waybill)


class BatchRepository(Protocol):
    def declared_groups(self) -> list[DeclaredGroup]: ...
    def candidates(self, profile: str, office: str, limit: int, max_bytes: int,
                   key: str | None = None) -> list[int]: ...
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
    def received(self, batch_id: str, at: datetime, source: str, evidence: str) -> int: ...


class BatchBuilder(Protocol):
    def build(self, message_id: str, office: str, profile: str, at: datetime,
              declarations: list[bytes]) -> SignedDocument: ...


class DecisionRepository(Protocol):
    def seen(self, message_id: str) -> bool: ...
    def batch_of(self, message_id: str) -> str | None: ...
    def register(self, message_id: str, kind: str, at: datetime) -> None: ...
    def parcel_for(self, decision: Any, batch_message_id: str) -> tuple[int, Any] | str: ...
    def status_of(self, parcel_id: int) -> Any: ...
    def hand_over(self, parcel_id: int, at: datetime, actor: str) -> bool:
        """A two-leg parcel RELEASED on its export leg starts its import leg (VALIDATED);
        False for any other parcel."""
        ...
    def keep(self, message_id: str, parcel_id: int, decision: Any, at: datetime) -> None: ...
    def kept_for(self, parcel_ids: list[int]) -> list[tuple[int, int, Any]]: ...
    def drop_kept(self, kept_id: int) -> None: ...
    def parcels_with_kept(self, limit: int) -> list[int]: ...
    def kept_count(self) -> int: ...
    def orphan_count(self) -> int: ...
    def apply(self, parcel_id: int, current: Any, decision: Any, at: datetime,
              actor: str, status: Any = None) -> bool: ...
    def note(self, parcel_id: int, current: Any, decision: Any, at: datetime,
             actor: str) -> None: ...
    def orphan(self, message_id: str, decision: Any, at: datetime,
               why: str | None = None) -> None: ...
    def finish(self, message_id: str, applied: int, ignored: int, orphaned: int) -> None: ...
    def cursor(self, name: str) -> str | None: ...
    def save_cursor(self, name: str, position: str, at: datetime) -> None: ...


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Officer search (every field optional; all given ones must hold)."""

    statuses: tuple[str, ...] = ()
    office: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    marketplace: str | None = None
    hs_prefix: str | None = None
    value_min: Any = None
    value_max: Any = None
    currency: str | None = None
    words: tuple[str, ...] = ()
    tracking_number: str | None = None
    waybill: str | None = None
    sort: str = "-received_at"
    after: tuple[Any, int] | None = None  # keyset: (sort value, parcel id) of the last row


@dataclass(frozen=True, slots=True)
class FeedItem:
    position: Any  # FeedPosition
    change: FeedChange


class ViewRepository(Protocol):
    """Reads across parcels, always inside the caller's scope."""

    def find_parcels(self, who: Principal, key: str, *, by_public_id: bool,
                     marketplace: str | None = None, limit: int = 10) -> list[ParcelRecord]:
        """The parcels in scope whose public id (or tracking number) is `key`, newest first, at
        most `limit`; the history is read only when exactly one matches."""
        ...
    def search(self, who: Principal, filters: SearchFilters, limit: int) -> list[ParcelRecord]:
        ...
    def dossier(self, parcel_id: int) -> DossierRecord: ...
    def latest_events(self, parcel_ids: Sequence[int]) -> dict[int, Any]:
        """Each parcel's newest HistoryEvent (the parcels are already known to be in scope)."""
        ...
    def status_counts(self, who: Principal, statuses: Collection[str]) -> dict[str, int]: ...
    def message_document(self, parcel_id: int, message_id: int) -> bytes | None: ...
    def stats(self, who: Principal, start: datetime, end: datetime) -> StatsCounts: ...
    def feed(self, who: Principal, after: Any, limit: int) -> list[FeedItem]: ...


class OfficerRepository(Protocol):
    def move(self, parcel_id: int, current: Any, new: Any, *, at: datetime, actor: str,
             source: str, reason: str | None, duty: Any,
             unchanged_since: datetime | None = None) -> bool: ...


class AuditRepository(Protocol):
    def record(self, who: Principal | None, actor: str, action: str, object_type: str,
               object_id: str, before: dict[str, Any] | None, after: dict[str, Any] | None,
               at: datetime) -> None: ...


class RateRepository(Protocol):
    def upsert(self, rates: Sequence[Rate], at: datetime, actor: str) -> int: ...
    def window(self, first: date, last: date) -> list[Rate]: ...


@dataclass(frozen=True)
class QuarantineItem:
    """An authority message set aside (read model; the document itself is read apart)."""

    id: int
    received_at: datetime
    channel: str
    origin: str | None
    code: str
    detail: str
    sha256: str
    size: int
    status: str  # QUARANTINED, or REPLAYED once applied
    attempts: int
    resolved_at: datetime | None
    result: str | None


class QuarantineRepository(Protocol):
    def add(self, at: datetime, channel: str, origin: str | None, code: str, detail: str,
            document: bytes) -> int: ...
    def document(self, item_id: int) -> bytes | None: ...
    def get(self, item_id: int) -> QuarantineItem | None: ...
    def page(self, status: str | None, after: int, limit: int) -> list[QuarantineItem]: ...
    def resolved(self, item_id: int, at: datetime, result: str) -> None: ...
    def failed_again(self, item_id: int, code: str, detail: str) -> None: ...
    def counts(self) -> dict[str, int]: ...
