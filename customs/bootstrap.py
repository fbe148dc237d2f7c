"""The composition root: settings → adapters → customs.usecases.Application. It only wires:
the adapters are built here (the declarer, batch builder, signer, reader once), and the use
cases get them as fields."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from customs import usecases
from customs.adapters.accounts.credentials import Argon2Credentials
from customs.adapters.authority.batch_envelope import BatchEnvelopeBuilder
from customs.adapters.authority.inbox import PinnedAuthorityInbox
from customs.adapters.authority.poller import HttpDecisionSource
from customs.adapters.database import migrate
from customs.adapters.database.engine import make_engine
from customs.adapters.database.operational_reads import SqlOperationalReads
from customs.adapters.database.unit_of_work import SqlUnitOfWork
from customs.adapters.documents.declaration_check import DeclarationCheck
from customs.adapters.documents.declarer import DeclarationPipeline, DestinationDeclarer
from customs.adapters.documents.json_manifest_reader import JsonManifestReader, JsonReaderLimits
from customs.adapters.documents.manifest_reader import ReaderLimits, XmlManifestReader
from customs.adapters.documents.profiles import ProfileBuilder, load_album, load_ceb
from customs.adapters.documents.profiles.generic import GenericProfile
from customs.adapters.documents.signer import EnvelopedSigner, key_ring, signing_configured
from customs.adapters.reference import files
from customs.adapters.webhooks.http_sender import HttpWebhookSender, resolve
from customs.adapters.webhooks.secret_box import MISSING, FernetSecretBox, is_plaintext, parse_keys
from customs.domain.accounts import Lockout, SessionPolicy
from customs.domain.regimes import DestinationRules
from customs.services import access, intake, operations, quotes
from customs.services.accounts import AccountRules
from customs.services.authority_ports import DecisionSource
from customs.services.operations_ports import OperationalReads
from customs.services.ports import BatchBuilder, Clock, ManifestReader, Transport
from customs.services.unit_of_work import UnitOfWork
from customs.services.webhook_ports import WebhookSender
from customs.settings import Settings

if TYPE_CHECKING:
    from customs.adapters.documents.samples import SampleManifest


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Wiring:
    """The adapters built from settings (bench/pipeline drives them directly)."""

    settings: Settings
    reader: XmlManifestReader
    rules: DestinationRules
    signer: EnvelopedSigner | None
    declarer: DestinationDeclarer | None
    batch_builder: BatchBuilder | None
    album: Any  # schemas.ru_fts.Album when the ru-fts-express profile is on
    uow_factory: Callable[[], UnitOfWork]
    read_uow_factory: Callable[[], UnitOfWork]
    engine: Any = None  # None with fakes
    read_engine: Any = None
    ceb: Any = None  # (schemas.cn_ceb.CebSchemas, CebConfig) when the cn-ceb profile is on
    json_reader: JsonManifestReader | None = None

    def readers(self) -> dict[str, ManifestReader]:
        """The manifest readers by the media type they read."""
        found: dict[str, ManifestReader] = {self.reader.media_type: self.reader}
        if self.json_reader is not None:
            found[self.json_reader.media_type] = self.json_reader
        return found

    def close(self) -> None:
        usecases.Resources(self.engine, self.read_engine).close()


def wire(settings: Settings, *, uow_factory: Callable[[], UnitOfWork] | None = None,
         read_uow_factory: Callable[[], UnitOfWork] | None = None,
         signer: EnvelopedSigner | None = None) -> Wiring:
    album = load_album(settings)  # before anything else: the profile refuses to start without
    ceb = load_ceb(settings)  # likewise
    parse_keys(settings.secrets_key)  # a bad CUSTOMS_SECRETS_KEY stops the start
    engine = read_engine = None
    if uow_factory is None:
        engine = make_engine(settings.database_url)
        read_engine = make_engine(settings.database_url, read_only=True)
        uow_factory = lambda: SqlUnitOfWork(engine)  # noqa: E731
        read_uow_factory = lambda: SqlUnitOfWork(read_engine)  # noqa: E731
    if signer is None and signing_configured(settings):
        signer = EnvelopedSigner(key_ring(settings))
    reader = XmlManifestReader(limits=ReaderLimits(max_parcels=settings.max_parcels))
    rules = files.load_destination_rules(settings.destination_rules)
    # a leg rule is in force only where an export profile declares the origin's exports
    rules = replace(rules, legs=rules.legs.only({"CN"} if ceb is not None else set()))
    json_reader = JsonManifestReader(JsonReaderLimits(max_parcels=settings.max_parcels))
    return Wiring(settings, reader, rules, signer, _build_declarer(settings, signer, album, ceb),
                  _build_batch_builder(settings, signer, album, ceb), album, uow_factory,
                  read_uow_factory or uow_factory, engine, read_engine, ceb, json_reader)


def _build_declarer(s: Settings, signer: EnvelopedSigner | None, album: Any,
                    ceb: Any) -> DestinationDeclarer | None:
    if signer is None:
        return None
    by_destination = {}
    if album is not None:
        from customs.adapters.documents.profiles.ru_fts_express import RuFtsExpressProfile

        by_destination["RU"] = DeclarationPipeline(
            RuFtsExpressProfile(album, s.ru_fts_broker_name, s.ru_fts_sender), signer)
    exports = {}
    if ceb is not None:
        from customs.adapters.documents.profiles.cn_ceb import CnCebProfile
        from customs.adapters.documents.profiles.cn_ceb_export import CnCebExportProfile

        by_destination["CN"] = DeclarationPipeline(CnCebProfile(*ceb), signer)
        exports["CN"] = DeclarationPipeline(CnCebExportProfile(*ceb), signer)
    return DestinationDeclarer(DeclarationPipeline(GenericProfile(s.declarant), signer),
                               by_destination, exports)


def _build_batch_builder(s: Settings, signer: EnvelopedSigner | None, album: Any,
                         ceb: Any) -> BatchBuilder | None:
    """The envelope builder for each profile (generic batch, FTS registry, CEB621 message)."""
    if signer is None:
        return None
    generic = BatchEnvelopeBuilder(signer, s.sender_id)
    by_profile: dict[str, Any] = {}
    if album is not None:
        from customs.adapters.authority.ru_fts_envelope import RuFtsRegistryBuilder

        by_profile["ru-fts-express"] = RuFtsRegistryBuilder(signer, album, s.ru_fts_sender,
                                                            s.ru_fts_broker_name)
    if ceb is not None:
        from customs.adapters.authority.cn_ceb_message import (
            CebExportMessageBuilder,
            CebMessageBuilder,
        )

        by_profile["cn-ceb"] = CebMessageBuilder(signer, *ceb)
        by_profile["cn-ceb-export"] = CebExportMessageBuilder(signer, *ceb)
    return ProfileBuilder(generic, by_profile) if by_profile else generic


def _build_transport(s: Settings) -> Transport | None:
    from customs.adapters.authority.transports import DirectoryTransport, HttpTransport

    if s.authority_url:
        return HttpTransport(s.authority_url, s.authority_timeout_seconds,
                             s.authority_client_cert, s.authority_client_key)
    return DirectoryTransport(s.authority_dir) if s.authority_dir else None


def _build_source(s: Settings) -> DecisionSource | None:
    return HttpDecisionSource(s.authority_poll_url) if s.authority_poll_url else None


def _build_webhooks(w: Wiring, clock: Clock, sender: WebhookSender | None) -> usecases.Webhooks:
    s = w.settings
    box = FernetSecretBox(parse_keys(s.secrets_key))
    sender = sender or HttpWebhookSender(s.webhook_connect_timeout_seconds,
                                         s.webhook_timeout_seconds)
    return usecases.Webhooks(s, w.uow_factory, clock, box, None if s.secrets_key else MISSING,
                             is_plaintext, resolve, sender)


def bootstrap(settings: Settings | None = None, *,
              uow_factory: Callable[[], UnitOfWork] | None = None,
              read_uow_factory: Callable[[], UnitOfWork] | None = None,
              signer: EnvelopedSigner | None = None, transport: Transport | None = None,
              clock: Clock | None = None, new_id: Callable[[], str] = new_id,
              webhook_sender: WebhookSender | None = None,
              operational_reads: OperationalReads | None = None) -> usecases.Application:
    """The application, wired. Settings that tests and operators change while the process runs
    (the authority's address and certificate, caps, URL policy) are read where they are used."""
    s = settings or Settings()
    w = wire(s, uow_factory=uow_factory, read_uow_factory=read_uow_factory, signer=signer)
    clock = clock or SystemClock()
    reads = operational_reads or (operations.NoDatabase() if w.engine is None
                                  else SqlOperationalReads(w.engine, w.read_engine))
    inbox = PinnedAuthorityInbox(lambda: s.authority_cert, w.album,
                                 None if w.ceb is None else w.ceb[0])
    outbound = usecases.Outbound(
        s, w.uow_factory, clock, new_id, w.declarer, w.batch_builder,
        (lambda: transport) if transport else lambda: _build_transport(s), inbox.ack_check)
    duty = intake.DutyContext(files.load_duty_rules(s.duty_rules),
                              timedelta(days=s.rate_max_age_days))
    uows = (w.uow_factory, w.read_uow_factory)
    tables = quotes.RateTables()
    return usecases.Application(
        s, clock, usecases.Resources(w.engine, w.read_engine),
        intake=usecases.Intake(s, *uows, clock, new_id, w.reader, w.rules, duty, outbound,
                               w.declarer, w.readers()),
        outbound=outbound,
        authority=usecases.Authority(*uows, clock, inbox, lambda: _build_source(s), reads),
        parcels=usecases.Parcels(*uows, clock, DeclarationCheck(w.signer),
                                 timedelta(days=s.feed_cursor_max_age_days)),
        webhooks=_build_webhooks(w, clock, webhook_sender),
        access=usecases.Access(*uows, clock, access.KeyCache(s.api_key_cache_seconds),
                               access.CursorKey(s.cursor_key)),
        reference=usecases.Reference(w.uow_factory, clock, usecases.reference.ReferenceFiles(
            files.read_nomenclature, files.read_rates, files.parse_rates), tables.forget),
        operations=usecases.Operations(w.read_uow_factory, clock, reads, w.signer,
                                       operations.FinalCounts(),
                                       lambda: migrate.upgrade(s.database_url)),
        accounts=usecases.Accounts(w.uow_factory, clock, account_rules(s)),
        replies=usecases.Replies(s, w.uow_factory, clock),
        quotes=usecases.Quotes(w.read_uow_factory, clock, duty, tables))


def account_rules(s: Settings) -> AccountRules:
    """How console sign-in behaves, from the CUSTOMS_CONSOLE_* settings."""
    return AccountRules(
        Argon2Credentials(),
        Lockout(s.console_lockout_attempts, timedelta(seconds=s.console_lockout_seconds)),
        SessionPolicy(timedelta(minutes=s.console_idle_minutes),
                      timedelta(hours=s.console_session_hours)),
        s.console_totp_required)


def generate_sample(parcels: int, seed: int, **options: Any) -> SampleManifest:
    """A generated manifest (customs.adapters.documents.samples) for demos, tests, benchmarks."""
    from customs.adapters.documents.samples import generate_manifest

    return generate_manifest(parcels, seed, **options)


def generate_secrets_key() -> str:
    """A new key for CUSTOMS_SECRETS_KEY."""
    from customs.adapters.webhooks.secret_box import generate_key

    return generate_key()
