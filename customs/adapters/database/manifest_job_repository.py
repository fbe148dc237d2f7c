"""Manifests waiting to be processed: stored, claimed with a lease, finished once.

Claiming: PostgreSQL picks the row with SELECT ... FOR UPDATE SKIP LOCKED (two workers never
wait on each other's job); SQLite's writers are serialised by BEGIN IMMEDIATE, and the
UPDATE re-checks the lease, so of two claims one changes the row. Finishing re-checks the
owner in the transaction that writes the manifest: a worker whose lease was taken over
(it stalled past it) changes nothing and rolls back, so a manifest is written once.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from customs.adapters.database.columns import iso, utc
from customs.adapters.database.tables import ManifestJob
from customs.services.ports import ClaimedJob, ConcurrentWrite, NewJob
from customs.services.read_models.manifest import ManifestJobView

J = ManifestJob.__table__  # type: ignore[attr-defined]
PROCESSING = "processing"
VIEW = (J.c.id, J.c.status, J.c.received_at, J.c.request_sha256, J.c.document_size,
        J.c.attempts, J.c.problem)


class SqlManifestJobRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, job: NewJob) -> None:
        try:
            self.session.execute(sa.insert(J).values(
                id=job.id, tenant_id=job.tenant_id, idempotency_key=job.idempotency_key,
                request_sha256=job.request_sha256, content_type=job.content_type[:100],
                actor=job.actor[:100], document=job.document, document_size=len(job.document),
                status=PROCESSING, attempts=0, received_at=job.received_at))
        except IntegrityError as exc:
            raise ConcurrentWrite(str(exc.orig)) from exc

    def by_key(self, tenant_id: int, key: str) -> ManifestJobView | None:
        return self._view(J.c.tenant_id == tenant_id, J.c.idempotency_key == key)

    def get(self, tenant_id: int, job_id: str) -> ManifestJobView | None:
        return self._view(J.c.tenant_id == tenant_id, J.c.id == job_id)

    def _view(self, *where: sa.ColumnElement[bool]) -> ManifestJobView | None:
        row = self.session.execute(sa.select(*VIEW).where(*where)).first()
        if row is None:
            return None
        return ManifestJobView(row.id, row.status, iso(row.received_at), row.request_sha256,
                               int(row.document_size), int(row.attempts), row.problem)

    def waiting(self, at: datetime) -> bool:
        return self.session.execute(sa.select(J.c.id).where(*_free(at)).limit(1)).first() \
            is not None

    def claim(self, at: datetime, lease_until: datetime, owner: str) -> ClaimedJob | None:
        free = _free(at)
        pick = sa.select(J.c.id).where(*free).order_by(J.c.received_at, J.c.id).limit(1)
        if self.session.get_bind().dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        job_id = self.session.execute(pick).scalar()
        if job_id is None:
            return None
        row = self.session.execute(
            sa.update(J).where(J.c.id == job_id, *free)
            .values(lease_owner=owner, lease_until=lease_until, attempts=J.c.attempts + 1)
            .returning(J.c.id, J.c.tenant_id, J.c.idempotency_key, J.c.request_sha256,
                       J.c.content_type, J.c.actor, J.c.document, J.c.attempts,
                       J.c.received_at)).first()
        if row is None:
            return None
        return ClaimedJob(NewJob(*row[:7], received_at=utc(row[8]) or row[8]),
                          attempts=int(row[7]))

    def renew(self, job_id: str, owner: str, lease_until: datetime) -> bool:
        moved = self.session.execute(sa.update(J).where(
            J.c.id == job_id, J.c.lease_owner == owner, J.c.status == PROCESSING)
            .values(lease_until=lease_until))
        return bool(moved.rowcount)

    def finish(self, job_id: str, owner: str, status: str, at: datetime,
               problem: dict | None = None) -> bool:
        values: dict = {"status": status, "finished_at": at, "lease_until": None,
                        "problem": problem}
        if status == "processed":
            values["document"] = b""  # the manifest's document holds it now
        moved = self.session.execute(sa.update(J).where(
            J.c.id == job_id, J.c.lease_owner == owner, J.c.status == PROCESSING)
            .values(**values))
        return bool(moved.rowcount)


def _free(at: datetime) -> tuple[sa.ColumnElement[bool], ...]:
    """Not finished, and its lease free: never held, or expired (its worker died)."""
    return (J.c.status == PROCESSING, sa.or_(J.c.lease_until.is_(None), J.c.lease_until < at))
