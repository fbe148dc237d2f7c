"""Unit of work over SQLAlchemy: rolls back unless committed (cosmicpython style)."""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from customs.adapters.database.account_repository import (
    SqlSavedViewRepository,
    SqlSessionRepository,
    SqlUserRepository,
)
from customs.adapters.database.audit_repository import SqlAuditRepository
from customs.adapters.database.batch_repository import SqlBatchRepository
from customs.adapters.database.correction_repository import SqlCorrectionRepository
from customs.adapters.database.dashboard_repository import SqlDashboardRepository
from customs.adapters.database.decision_repository import SqlDecisionRepository
from customs.adapters.database.declaration_repository import SqlDeclarationRepository
from customs.adapters.database.event_repository import SqlEventRepository
from customs.adapters.database.idempotency_repository import SqlIdempotencyRepository
from customs.adapters.database.key_repository import SqlKeyRepository
from customs.adapters.database.manifest_job_repository import SqlManifestJobRepository
from customs.adapters.database.manifest_repository import SqlManifestRepository
from customs.adapters.database.nomenclature_repository import SqlNomenclatureRepository
from customs.adapters.database.officer_repository import SqlOfficerRepository
from customs.adapters.database.outbox_repository import SqlOutboxRepository
from customs.adapters.database.parcel_repository import SqlParcelRepository
from customs.adapters.database.quarantine_repository import SqlQuarantineRepository
from customs.adapters.database.rate_repository import SqlRateRepository
from customs.adapters.database.view_repository import SqlViewRepository
from customs.adapters.database.webhook_repository import SqlWebhookRepository
from customs.services.ports import ConcurrentWrite

_FACTORIES: WeakKeyDictionary[Engine, sessionmaker[Session]] = WeakKeyDictionary()


def _factory(engine: Engine) -> sessionmaker[Session]:
    """One session factory per engine: building one sets up event dispatch, a visible share
    of a status lookup's time when it was done for every unit of work (docs/performance.md)."""
    factory = _FACTORIES.get(engine)
    if factory is None:
        factory = _FACTORIES[engine] = sessionmaker(bind=engine, expire_on_commit=False)
    return factory


class SqlUnitOfWork:
    def __init__(self, engine: Engine) -> None:
        self._factory = _factory(engine)
        self.session: Session | None = None

    def __enter__(self) -> SqlUnitOfWork:
        session = self._factory()
        self.session = session
        self.manifests = SqlManifestRepository(session)
        self.parcels = SqlParcelRepository(session)
        self.idempotency = SqlIdempotencyRepository(session)
        self.nomenclature = SqlNomenclatureRepository(session)
        self.keys = SqlKeyRepository(session)
        self.declarations = SqlDeclarationRepository(session)
        self.batches = SqlBatchRepository(session)
        self.outbox = SqlOutboxRepository(session)
        self.decisions = SqlDecisionRepository(session)
        self.views = SqlViewRepository(session)
        self.dashboard = SqlDashboardRepository(session)
        self.officer = SqlOfficerRepository(session)
        self.audit = SqlAuditRepository(session)
        self.webhooks = SqlWebhookRepository(session)
        self.rates = SqlRateRepository(session)
        self.quarantine = SqlQuarantineRepository(session)
        self.users = SqlUserRepository(session)
        self.console_sessions = SqlSessionRepository(session)
        self.saved_views = SqlSavedViewRepository(session)
        self.corrections = SqlCorrectionRepository(session)
        self.events = SqlEventRepository(session)
        self.manifest_jobs = SqlManifestJobRepository(session)
        return self

    def __exit__(self, *args: Any) -> None:
        assert self.session is not None
        if self.session.identity_map or self.session.new:
            self.session.rollback()  # ORM objects left: expired, as after any rollback
        self.session.close()  # ends the transaction: rolls back whatever was not committed
        self.session = None

    def commit(self) -> None:
        assert self.session is not None
        try:
            self.session.commit()
        except IntegrityError as exc:
            self.session.rollback()
            raise ConcurrentWrite(str(exc.orig)) from exc

    def rollback(self) -> None:
        assert self.session is not None
        self.session.rollback()
