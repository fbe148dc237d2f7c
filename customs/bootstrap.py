"""The composition root: the one place that builds engines, readers and clocks from settings."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from customs.adapters.authority.batch_envelope import BatchEnvelopeBuilder
from customs.adapters.database import migrate
from customs.adapters.database.engine import make_engine
from customs.adapters.database.metrics_figures import OperationalFigures
from customs.adapters.database.unit_of_work import SqlUnitOfWork
from customs.adapters.documents.declarer import DeclarationPipeline, DestinationDeclarer
from customs.adapters.documents.manifest_reader import ReaderLimits, XmlManifestReader
from customs.adapters.documents.profiles import ProfileBuilder, load_album
from customs.adapters.documents.profiles.generic import GenericProfile
from customs.adapters.documents.signer import EnvelopedSigner, key_ring, signing_configured
from customs.adapters.reference.files import (
    load_destination_rules,
    load_duty_rules,
    read_nomenclature,
    read_rates,
)
from customs.adapters.webhooks.secret_box import parse_keys
from customs.bootstrap_authority import AuthorityFacade
from customs.bootstrap_views import ViewsFacade
from customs.bootstrap_webhooks import WebhooksFacade
from customs.domain.regimes import DestinationRules
from customs.gcpause import paused_gc
from customs.services import (
    access,
    batching,
    declare,
    intake,
    queries,
    rates,
    reference,
    submission,
)
from customs.services.ports import Clock, Page, Principal
from customs.services.read_models.manifest import ManifestView
from customs.services.read_models.parcel import ParcelView
from customs.services.read_models.reference import ApiKeyView, RateView
from customs.services.unit_of_work import UnitOfWork
from customs.settings import Settings


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class Customs(ViewsFacade, WebhooksFacade, AuthorityFacade):
    """The application, wired: delivery layers (HTTP, CLI) call only this."""

    settings: Settings
    engine: Engine
    rules: DestinationRules
    clock: Clock = field(default_factory=SystemClock)
    signer: EnvelopedSigner | None = None
    duty: intake.DutyContext | None = None
    album: Any = None  # schemas.ru_fts.Album when the ru-fts-express profile is on
    read_engine: Engine | None = None  # reads only (SQLite: DEFERRED; PostgreSQL: autocommit)
    reader: XmlManifestReader = field(init=False)
    key_cache: access.KeyCache = field(init=False)
    figures: OperationalFigures = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.reader = XmlManifestReader(limits=ReaderLimits(max_parcels=self.settings.max_parcels))
        self.key_cache = access.KeyCache(self.settings.api_key_cache_seconds)
        self.figures = OperationalFigures(self.read_engine or self.engine, self.read_uow,
                                          self.clock)

    @property
    def declarer(self) -> DestinationDeclarer | None:
        if self.signer is None:
            return None
        generic = DeclarationPipeline(GenericProfile(self.settings.declarant), self.signer)
        by_destination = {}
        if self.album is not None:
            from customs.adapters.documents.profiles.ru_fts_express import RuFtsExpressProfile

            by_destination["RU"] = DeclarationPipeline(
                RuFtsExpressProfile(self.album, self.settings.ru_fts_broker_name), self.signer)
        return DestinationDeclarer(generic, by_destination)

    def batch_builder(self) -> Any:
        """The envelope builder for each profile (generic batch, or FTS registry)."""
        assert self.signer is not None
        generic = BatchEnvelopeBuilder(self.signer, self.settings.sender_id)
        if self.album is None:
            return generic
        from customs.adapters.authority.ru_fts_envelope import RuFtsRegistryBuilder

        registry = RuFtsRegistryBuilder(self.signer, self.album, self.settings.ru_fts_sender,
                                        self.settings.ru_fts_broker_name)
        return ProfileBuilder(generic, {"ru-fts-express": registry})

    def uow(self) -> UnitOfWork:
        return SqlUnitOfWork(self.engine)

    def read_uow(self) -> UnitOfWork:
        """For use cases that only read (lookups, lists, authentication, counts)."""
        return SqlUnitOfWork(self.read_engine or self.engine)

    def submit_manifest(self, cmd: intake.SubmitManifest) -> intake.Receipt:
        """Intake; with `declare_inline` (and a signer) the accepted parcels are declared in
        the same call: the first `declare_inline_max` within intake's own transaction, the
        rest right after."""
        declarer = self.declarer if self.settings.declare_inline else None
        inline = None if declarer is None else intake.InlineDeclaration(
            declarer, self.settings.declare_inline_max)
        with paused_gc():  # see customs.gcpause: 17 % of a 10,000-parcel intake
            receipt = intake.submit_manifest(cmd, uow=self.uow(), reader=self.reader,
                                             rules=self.rules, clock=self.clock, new_id=new_id,
                                             duty=self.duty, inline=inline,
                                             read_uow=self.read_uow())
            if inline is not None and not receipt.replayed and \
                    receipt.body["accepted"] > inline.max_parcels:
                self.declare_pending(manifest_id=receipt.manifest_id)
        return receipt

    def declare_pending(self, manifest_id: str | None = None) -> declare.DeclareReport:
        """Declare VALIDATED parcels; without a configured signer they wait (nothing unsigned)."""
        declarer = self.declarer
        if declarer is None:
            return declare.DeclareReport()
        with paused_gc():
            return declare.declare_pending(uow=self.uow(), declarer=declarer, clock=self.clock,
                                           new_id=new_id, manifest_id=manifest_id)

    def parcel_counts(self) -> dict[str, int]:
        return queries.parcel_counts(uow=self.read_uow())

    def seal_batches(self, force: bool = False) -> batching.SealReport:
        """Seal declared parcels into signed batches (size, byte and age caps from settings)."""
        if self.signer is None:
            return batching.SealReport(errors=["no signing key: batches cannot be signed"])
        policy = batching.BatchPolicy(
            size=self.settings.batch_size, max_bytes=self.settings.batch_max_bytes,
            max_age=timedelta(seconds=self.settings.batch_max_age_seconds))
        return batching.seal_batches(uow=self.uow(), builder=self.batch_builder(),
                                     clock=self.clock,
                                     new_id=new_id, policy=policy, force=force)

    def transport(self) -> Any:
        from customs.adapters.authority.transports import DirectoryTransport, HttpTransport

        s = self.settings
        if s.authority_url:
            return HttpTransport(s.authority_url, s.authority_timeout_seconds,
                                 s.authority_client_cert, s.authority_client_key)
        if s.authority_dir:
            return DirectoryTransport(s.authority_dir)
        return None

    def submit_batches(self, transport: Any = None) -> submission.SubmitReport:
        """Send due batches; without a configured authority they wait SEALED."""
        transport = transport or self.transport()
        if transport is None:
            return submission.SubmitReport()
        s = self.settings
        policy = submission.RetryPolicy(
            max_attempts=s.submit_max_attempts,
            base=timedelta(seconds=s.submit_backoff_seconds),
            cap=timedelta(seconds=s.submit_backoff_max_seconds),
            lease=timedelta(seconds=s.submit_lease_seconds))
        return submission.submit_due(uow=self.uow(), transport=transport, clock=self.clock,
                                     policy=policy, rng=random.Random(),  # noqa: S311
                                     ack_check=self._ack_check())

    def _ack_check(self) -> Any:
        """A verified Ack from the authority (pinned certificate), or no check at all."""
        if self.settings.authority_cert is None:
            return None
        import signing
        from customs.adapters.authority.messages import read_acknowledgement

        verifier = signing.Verifier([signing.load_certificate(self.settings.authority_cert)])
        if self.album is None:
            return lambda body, message_id: read_acknowledgement(body, verifier, message_id)
        from customs.adapters.authority.ru_fts_replies import is_ru_envelope, read_ru_receipt

        return lambda body, message_id: (
            read_ru_receipt(body, verifier, message_id) if is_ru_envelope(body)
            else read_acknowledgement(body, verifier, message_id))

    def exchanged_messages(self) -> list[tuple[int, str, str, str, bytes]]:
        """(number, direction, kind, message id, document) of every message kept."""
        with self.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT id, direction, kind, coalesce(message_id, ''), document FROM messages "
                "WHERE document IS NOT NULL ORDER BY id").all()
        return [(int(r[0]), r[1], r[2], r[3], bytes(r[4])) for r in rows]

    def list_batches(self, statuses: tuple[str, ...] = (), limit: int = 100) -> list[Any]:
        """The newest batches (adapters.database.batch_queries.BatchSummary), for operators."""
        from customs.adapters.database.batch_queries import list_batches

        return list_batches(self.engine, statuses, limit)

    def retry_batch(self, batch_id: str) -> bool:
        return submission.retry_batch(batch_id, uow=self.uow(), clock=self.clock)

    def signing_status(self) -> dict[str, Any]:
        if self.signer is None:
            return {"configured": False}
        return {"configured": True, **self.signer.status(self.clock.now())}

    def validate_offline(self, document: bytes,
                         progress: Callable[[int], None] | None = None) -> Any:
        """Schema and rules without a database (customs.offline, `customs validate`)."""
        from customs.offline import OfflineValidator

        return OfflineValidator(self.reader, self.rules, self.clock).validate(document,
                                                                               progress)

    def get_manifest(self, tenant_id: int, manifest_id: str) -> ManifestView:
        return queries.get_manifest(tenant_id, manifest_id, uow=self.read_uow())

    def get_manifest_document(self, tenant_id: int, manifest_id: str) -> bytes:
        return queries.get_manifest_document(tenant_id, manifest_id, uow=self.read_uow())

    def list_manifest_parcels(self, tenant_id: int, manifest_id: str, *, status: str | None,
                              after: int, limit: int) -> Page:
        return queries.list_manifest_parcels(tenant_id, manifest_id, status=status, after=after,
                                             limit=limit, uow=self.read_uow())

    def get_parcel(self, tenant_id: int, tracking_number: str) -> ParcelView:
        """A marketplace's parcel as its own key would read it (CLI, tests)."""
        who = Principal("internal", tenant_id, "", "marketplace")
        return self.parcel(who, tracking_number)

    def authenticate(self, token: str) -> Principal | None:
        return access.authenticate(token, uow=self.read_uow(), clock=self.clock,
                                   cache=self.key_cache)

    def create_api_key(self, tenant: str, role: str, days: int | None = None,
                       label: str | None = None, courier: str | None = None,
                       offices: list[str] | None = None) -> tuple[str, str]:
        return access.create_api_key(tenant, role, uow=self.uow(), clock=self.clock, days=days,
                                     label=label, courier=courier, offices=offices)

    def list_api_keys(self, tenant: str | None) -> list[ApiKeyView]:
        return access.list_api_keys(tenant, uow=self.uow())

    def revoke_api_key(self, key_id: str) -> bool:
        return access.revoke_api_key(key_id, uow=self.uow(), clock=self.clock,
                                     cache=self.key_cache)

    def load_nomenclature(self, path: Path) -> int:
        rows: Iterable[tuple[str, str]] = list(read_nomenclature(path))
        return reference.load_nomenclature(rows, uow=self.uow())

    def load_rates_file(self, path: Path, actor: str = "operator:cli") -> int:
        """Load a rates CSV (date,currency,base,rate); all rows or none."""
        return rates.load_rates(read_rates(path), uow=self.uow(), clock=self.clock, actor=actor)

    def load_rates_text(self, text: str, actor: str) -> int:
        from customs.adapters.reference.files import parse_rates

        return rates.load_rates(parse_rates(text, "body"), uow=self.uow(), clock=self.clock,
                                actor=actor)

    def list_rates(self, first: Any, last: Any) -> list[RateView]:
        return rates.list_rates(first, last, uow=self.uow())

    def database_ok(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except Exception:
            return False
        return True

    def operational_figures(self) -> dict[str, Any]:
        """Parcels by status, batches by status, the backlog: for /metrics, read from the
        database (customs.adapters.database.metrics_figures says what each scrape costs)."""
        return self.figures.read()

    def readiness(self) -> dict[str, Any]:
        """Ready to serve: the database answers, its schema is at this release's head, and a
        configured signing certificate is in force."""
        checks: dict[str, Any] = {"database": self.database_ok()}
        current = migrate.revision(self.engine) if checks["database"] else None
        checks["schema"] = current == migrate.head()
        checks["schema_revision"] = current
        signing = self.signing_status()
        checks["signing"] = not signing["configured"] or not signing.get("expired", False)
        return checks

    def upgrade_database(self) -> None:
        migrate.upgrade(self.settings.database_url)

    def close(self) -> None:
        self.engine.dispose()
        if self.read_engine is not None:
            self.read_engine.dispose()


def generate_sample(parcels: int, seed: int, **options: Any) -> Any:
    """A generated manifest (customs.adapters.sample_manifest) for demos, tests, benchmarks."""
    from customs.adapters.documents.samples import generate_manifest

    return generate_manifest(parcels, seed, **options)


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None) -> Customs:
    settings = settings or Settings()
    album = load_album(settings)  # before anything else: the profile refuses to start without
    parse_keys(settings.secrets_key)  # a bad CUSTOMS_SECRETS_KEY stops the start
    engine = make_engine(settings.database_url)
    read_engine = make_engine(settings.database_url, read_only=True)
    rules = load_destination_rules(settings.destination_rules)
    signer = EnvelopedSigner(key_ring(settings)) if signing_configured(settings) else None
    duty = intake.DutyContext(load_duty_rules(settings.duty_rules),
                              timedelta(days=settings.rate_max_age_days))
    return Customs(settings=settings, engine=engine, rules=rules, clock=clock or SystemClock(),
                   signer=signer, duty=duty, album=album, read_engine=read_engine)
