"""Manifests in: intake (validated, estimated, stored, declared inline when configured), the
offline check (`customs validate`), and the manifest reads."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from customs.domain.model import ManifestHeader, ParcelOutcome
from customs.domain.regimes import DestinationRules
from customs.gcpause import paused_gc
from customs.services import corrections, intake, manifest_jobs, queries
from customs.services.correction_ports import CorrectionDeclarer
from customs.services.ports import XML, Clock, ManifestReader, Page, StoredDocument
from customs.services.read_models.manifest import ManifestJobView, ManifestView, RejectedParcel
from customs.services.unit_of_work import UnitOfWork
from customs.settings import Settings
from customs.usecases.outbound import Outbound


@dataclass(frozen=True)
class Intake:
    settings: Settings  # declare_inline and its cap are read per call (tests turn them)
    uow_factory: Callable[[], UnitOfWork]
    read_uow_factory: Callable[[], UnitOfWork]
    clock: Clock
    new_id: Callable[[], str]
    reader: ManifestReader
    rules: DestinationRules
    duty: intake.DutyContext | None
    outbound: Outbound  # declares what inline declaration left VALIDATED
    corrector: CorrectionDeclarer | None = None  # declares corrections (None: no signer)
    readers: Mapping[str, ManifestReader] = field(default_factory=dict)  # by media type

    def reader_for(self, media_type: str) -> ManifestReader:
        """The reader of a media type (`reader` reads XML); KeyError for one none reads."""
        if media_type == XML:
            return self.readers.get(XML, self.reader)
        return self.readers[media_type]

    def submit_manifest(self, cmd: intake.SubmitManifest) -> intake.Receipt:
        """Intake; with `declare_inline` (and a signer) the accepted parcels are declared in
        the same call: the first `declare_inline_max` within intake's own transaction, the
        rest right after."""
        declarer = self.outbound.declarer if self.settings.declare_inline else None
        inline = None if declarer is None else intake.InlineDeclaration(
            declarer, self.settings.declare_inline_max)
        with paused_gc():  # see customs.gcpause
            receipt = intake.submit_manifest(
                cmd, uow=self.uow_factory(), reader=self.reader_for(cmd.media_type),
                rules=self.rules,
                clock=self.clock, new_id=self.new_id, duty=self.duty, inline=inline,
                read_uow=self.read_uow_factory(),
                replies_ttl=timedelta(hours=self.settings.idempotency_ttl_hours))
            if inline is not None and not receipt.replayed and \
                    receipt.body["accepted"] > inline.max_parcels:
                self.outbound.declare_pending(manifest_id=receipt.manifest_id)
        return receipt

    def correct_parcel(self, cmd: corrections.CorrectParcel) -> corrections.CorrectionReceipt:
        """A marketplace's correction of a parcel the authority asked it to correct: checked
        as at intake, declared as the correction of its registry, stored as a new version."""
        return corrections.correct_parcel(
            cmd, uow=self.uow_factory(), reader=self.reader, rules=self.rules,
            declarer=self.corrector, clock=self.clock, new_id=self.new_id)

    def submit_manifest_async(self, cmd: intake.SubmitManifest) -> intake.Receipt:
        """Store the manifest for a worker and answer at once (`processing`); a known key
        replays what it answered."""
        return manifest_jobs.accept(cmd, uow=self.uow_factory(), reads=self.read_uow_factory(),
                                    clock=self.clock, new_id=self.new_id)

    def process_manifest_jobs(self, max_jobs: int = 10) -> manifest_jobs.JobReport:
        """The worker's stage: process stored manifests, each exactly once."""
        declarer = self.outbound.declarer if self.settings.declare_inline else None
        inline = None if declarer is None else intake.InlineDeclaration(
            declarer, self.settings.declare_inline_max)
        uow = self.uow_factory()

        def run(cmd: intake.SubmitManifest, digest: str, reads: UnitOfWork,
                lease: intake.JobLease) -> intake.Receipt:
            with paused_gc():
                return intake.submit_stored(
                    cmd, digest, lease, uow=uow, reads=reads,
                    reader=self.reader_for(cmd.media_type), rules=self.rules,
                    clock=self.clock, new_id=self.new_id, duty=self.duty, inline=inline)

        policy = manifest_jobs.JobPolicy(
            timedelta(seconds=self.settings.manifest_job_lease_seconds),
            self.settings.manifest_job_max_attempts)
        return manifest_jobs.process_due(manifest_jobs.Processing(
            uow, self.read_uow_factory(), self.uow_factory(), self.clock, run, policy),
            max_jobs=max_jobs)

    def validate_offline(self, document: bytes, progress: Callable[[int], None] | None = None,
                         media_type: str = XML) -> tuple[ManifestHeader, list[ParcelOutcome]]:
        """Schema and rules of every parcel, without a database (`customs validate`); raises
        ManifestRefused for the whole."""
        return intake.check_offline(document, reader=self.reader_for(media_type),
                                    rules=self.rules,
                                    today=self.clock.now().date(), progress=progress)

    def get_manifest(self, tenant_id: int, manifest_id: str,
                     ) -> ManifestView | ManifestJobView:
        """The manifest, or while it waits for a worker (or was refused there) its job."""
        return queries.get_manifest(tenant_id, manifest_id, uow=self.read_uow_factory())

    def latest_manifests(self, tenant_id: int, after_id: str | None,
                         limit: int) -> list[ManifestView]:
        return queries.latest_manifests(tenant_id, after_id, limit, uow=self.read_uow_factory())

    def manifest_rejections(self, tenant_id: int, manifest_id: str, *, after: int,
                            limit: int) -> list[RejectedParcel]:
        return queries.manifest_rejections(tenant_id, manifest_id, after=after, limit=limit,
                                           uow=self.read_uow_factory())

    def get_manifest_document(self, tenant_id: int, manifest_id: str) -> StoredDocument:
        return queries.get_manifest_document(tenant_id, manifest_id,
                                             uow=self.read_uow_factory())

    def list_manifest_parcels(self, tenant_id: int, manifest_id: str, *, status: str | None,
                              after: int, limit: int) -> Page:
        return queries.list_manifest_parcels(tenant_id, manifest_id, status=status, after=after,
                                             limit=limit, uow=self.read_uow_factory())
