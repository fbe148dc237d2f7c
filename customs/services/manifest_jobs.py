"""Use case: a large manifest answered at once and processed by a worker, exactly once.

1. Accept: the body is stored as received with its idempotency key, in one transaction (the
   job row is the key's record until the receipt exists); the reply says `processing`.
2. Process: a worker claims the oldest waiting job with a lease and keeps renewing it while it
   works; intake runs as for any manifest, and its one write transaction also finishes the job
   (guarded by the lease owner). A worker killed anywhere leaves either nothing written (the
   lease expires, another worker claims the job again) or everything (the job is finished):
   never a second set of parcels.
3. A manifest refused as a whole finishes its job `refused` with the problem; a job claimed
   `max_attempts` times without finishing (it kills its worker) is `failed`. Both send a
   `manifest.refused` event; a receipt sends `manifest.processed` (see intake).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from customs.domain.errors import IdempotencyConflict, ManifestRefused
from customs.domain.events import manifest_refused
from customs.services import intake
from customs.services.ports import ClaimedJob, Clock, ConcurrentWrite, NewJob
from customs.services.read_models.manifest import ManifestJobView
from customs.services.unit_of_work import UnitOfWork

log = logging.getLogger("customs.manifests")


@dataclass(frozen=True, slots=True)
class JobPolicy:
    lease: timedelta
    max_attempts: int


@dataclass
class JobReport:
    processed: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)  # taken over by another worker meanwhile

    @property
    def done(self) -> int:
        return len(self.processed) + len(self.refused) + len(self.failed) + len(self.lost)


def accept(cmd: intake.SubmitManifest, *, uow: UnitOfWork, reads: UnitOfWork, clock: Clock,
           new_id: Callable[[], str]) -> intake.Receipt:
    """Store the manifest for a worker (or replay what the key already answered)."""
    digest = hashlib.sha256(cmd.document).hexdigest()
    for attempt in range(1, intake.MAX_ATTEMPTS + 1):
        known = intake.replay(cmd, digest, reads)
        if known is not None:
            return known
        job = NewJob(new_id(), cmd.tenant_id, cmd.idempotency_key, digest, cmd.media_type,
                     cmd.actor, cmd.document, clock.now())
        try:
            with uow:
                uow.manifest_jobs.add(job)
                uow.commit()
        except ConcurrentWrite:  # a racing request with the same key: replay it
            if attempt == intake.MAX_ATTEMPTS:
                raise
            continue
        view = ManifestJobView(job.id, "processing", job.received_at.isoformat(), digest,
                               len(cmd.document), 0, None)
        return intake.Receipt(job.id, view.to_json(), replayed=False, processing=True)
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Processing:
    """What processing a job needs: intake's collaborators, and a unit of work of its own
    for the lease's heartbeat (it runs beside intake's)."""

    uow: UnitOfWork
    reads: UnitOfWork
    heartbeat_uow: UnitOfWork
    clock: Clock
    intake: Callable[[intake.SubmitManifest, str, UnitOfWork, intake.JobLease],
                     intake.Receipt]
    policy: JobPolicy


def process_due(p: Processing, *, max_jobs: int = 10,
                budget: timedelta = timedelta(seconds=10)) -> JobReport:
    """Claim and process waiting jobs, one at a time, until none is free, `max_jobs` are
    done, or `budget` has passed (no new claim after it: the worker's other stages wait for
    this one)."""
    report = JobReport()
    started = p.clock.now()
    with p.reads as reads:  # a read first: on SQLite a claim takes the write lock
        if not reads.manifest_jobs.waiting(started):
            return report
    for _ in range(max_jobs):
        owner = secrets.token_hex(8)
        now = p.clock.now()
        if now - started > budget:
            break
        with p.uow as uow:
            job = uow.manifest_jobs.claim(now, now + p.policy.lease, owner)
            uow.commit()
        if job is None:
            break
        _process(job, owner, p, report)
    return report


def _process(claimed: ClaimedJob, owner: str, p: Processing, report: JobReport) -> None:
    job = claimed.job
    if claimed.attempts > p.policy.max_attempts:
        _give_up(job, owner, p, report, {
            "code": "MANIFEST_PROCESSING_FAILED",
            "detail": f"processing did not finish in {p.policy.max_attempts} attempts"})
        return
    cmd = intake.SubmitManifest(job.tenant_id, job.idempotency_key, job.document, job.actor,
                                media_type=job.content_type)
    lease = intake.JobLease(job.id, owner, job.received_at)
    try:
        with _heartbeat(job.id, owner, p):
            p.intake(cmd, job.request_sha256, p.reads, lease)
    except intake.LeaseLost:
        log.warning("manifest %s was taken over by another worker; nothing written", job.id)
        report.lost.append(job.id)
        return
    except ManifestRefused as exc:
        _give_up(job, owner, p, report, {
            "code": exc.code, "detail": exc.detail,
            "violations": [v.to_document() for v in exc.violations]}, refused=True)
        return
    except IdempotencyConflict as exc:
        _give_up(job, owner, p, report, {"code": "IDEMPOTENCY_KEY_REUSED",
                                         "detail": str(exc)}, refused=True)
        return
    report.processed.append(job.id)


def _give_up(job: NewJob, owner: str, p: Processing, report: JobReport,
             problem: dict[str, Any], *, refused: bool = False) -> None:
    now = p.clock.now()
    status = "refused" if refused else "failed"
    with p.uow as uow:
        if not uow.manifest_jobs.finish(job.id, owner, status, now, problem):
            report.lost.append(job.id)
            return
        uow.events.add([manifest_refused(job.id, problem, job.tenant_id, now)])
        uow.commit()
    (report.refused if refused else report.failed).append(job.id)


@contextmanager
def _heartbeat(job_id: str, owner: str, p: Processing) -> Iterator[None]:
    """Renew the lease every third of it while the body runs (a live worker keeps its job; a
    dead one's lease runs out). A renewal that fails is logged and tried again: the lease is
    checked when the job finishes, so nothing depends on it."""
    stop = threading.Event()
    every = p.policy.lease.total_seconds() / 3

    def renew() -> None:
        while not stop.wait(every):
            try:
                with p.heartbeat_uow as uow:
                    held = uow.manifest_jobs.renew(job_id, owner, p.clock.now() + p.policy.lease)
                    uow.commit()
            except Exception as exc:
                log.warning("manifest %s: lease renewal failed (%s)", job_id,
                            type(exc).__name__)
                continue
            if not held:
                return

    thread = threading.Thread(target=renew, name=f"lease-{job_id[:8]}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
