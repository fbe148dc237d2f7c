"""The unit of work: one transaction over every repository (ports and webhook ports).

It sits apart from ports.py so that the ports do not import the webhook ports, which
import them."""

from __future__ import annotations

from typing import Protocol

from customs.services.account_ports import (
    SavedViewRepository,
    SessionRepository,
    UserRepository,
)
from customs.services.correction_ports import CorrectionRepository
from customs.services.dashboard_ports import DashboardReads
from customs.services.ports import (
    AuditRepository,
    BatchRepository,
    DecisionRepository,
    DeclarationRepository,
    IdempotencyRepository,
    KeyRepository,
    ManifestJobRepository,
    ManifestRepository,
    NomenclatureRepository,
    OfficerRepository,
    OutboxRepository,
    ParcelRepository,
    QuarantineRepository,
    RateRepository,
    ViewRepository,
)
from customs.services.webhook_ports import EventRepository, WebhookRepository


class UnitOfWork(Protocol):
    corrections: CorrectionRepository
    quarantine: QuarantineRepository
    views: ViewRepository
    dashboard: DashboardReads
    webhooks: WebhookRepository
    events: EventRepository
    manifest_jobs: ManifestJobRepository
    officer: OfficerRepository
    audit: AuditRepository
    rates: RateRepository
    decisions: DecisionRepository
    batches: BatchRepository
    outbox: OutboxRepository
    declarations: DeclarationRepository
    manifests: ManifestRepository
    parcels: ParcelRepository
    idempotency: IdempotencyRepository
    nomenclature: NomenclatureRepository
    keys: KeyRepository
    users: UserRepository
    console_sessions: SessionRepository
    saved_views: SavedViewRepository

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, *args: object) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
