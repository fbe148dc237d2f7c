"""In-memory fakes of the webhook event store and of the stored manifests' jobs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from customs.domain.events import BatchShare, NewEvent, StoredEvent
from customs.services.ports import ClaimedJob, ConcurrentWrite, NewJob
from customs.services.read_models.manifest import ManifestJobView


class FakeEvents:
    def __init__(self, state: Any) -> None:
        self.state = state

    def add(self, events: Sequence[NewEvent]) -> list[int]:
        start = len(self.state.events) + 1
        self.state.events.extend(events)
        return list(range(start, start + len(events)))

    def get(self, event_id: int) -> StoredEvent | None:
        if not 0 < event_id <= len(self.state.events):
            return None
        e = self.state.events[event_id - 1]
        return StoredEvent(event_id, e.type, e.at, e.data)

    def batch_audience(self, batch_id: str) -> tuple[str, list[BatchShare]]:
        shares: dict[int, list[str]] = {}
        for p in self.state.parcels:
            if p.get("batch_id") == batch_id:
                shares.setdefault(p["tenant_id"], []).append(p["tracking_number"] or "")
        batch = self.state.batches.get(batch_id, {})
        return batch.get("office", ""), [BatchShare(t, n) for t, n in shares.items()]


class FakeManifestJobs:
    def __init__(self, state: Any) -> None:
        self.state = state

    def add(self, job: NewJob) -> None:
        if any((j["job"].tenant_id, j["job"].idempotency_key) == (job.tenant_id,
                                                                   job.idempotency_key)
               for j in self.state.jobs.values()):
            raise ConcurrentWrite("key taken")
        self.state.jobs[job.id] = {"job": job, "status": "processing", "attempts": 0,
                                   "owner": None, "lease_until": None, "problem": None}

    def _view(self, j: dict[str, Any]) -> ManifestJobView:
        import hashlib

        job = j["job"]
        return ManifestJobView(job.id, j["status"], job.received_at.isoformat(),
                               hashlib.sha256(job.document).hexdigest(), len(job.document),
                               j["attempts"], j["problem"])

    def by_key(self, tenant_id: int, key: str) -> ManifestJobView | None:
        for j in self.state.jobs.values():
            if (j["job"].tenant_id, j["job"].idempotency_key) == (tenant_id, key):
                return self._view(j)
        return None

    def get(self, tenant_id: int, job_id: str) -> ManifestJobView | None:
        j = self.state.jobs.get(job_id)
        return None if j is None or j["job"].tenant_id != tenant_id else self._view(j)

    def waiting(self, at: datetime) -> bool:
        return any(j["status"] == "processing" and (j["lease_until"] is None
                                                    or j["lease_until"] < at)
                   for j in self.state.jobs.values())

    def claim(self, at: datetime, lease_until: datetime, owner: str) -> ClaimedJob | None:
        for j in self.state.jobs.values():
            if j["status"] == "processing" and (j["lease_until"] is None
                                                or j["lease_until"] < at):
                j.update(owner=owner, lease_until=lease_until, attempts=j["attempts"] + 1)
                return ClaimedJob(j["job"], j["attempts"])
        return None

    def renew(self, job_id: str, owner: str, lease_until: datetime) -> bool:
        j = self.state.jobs[job_id]
        if j["owner"] != owner or j["status"] != "processing":
            return False
        j["lease_until"] = lease_until
        return True

    def finish(self, job_id: str, owner: str, status: str, at: datetime,
               problem: dict[str, Any] | None = None) -> bool:
        j = self.state.jobs[job_id]
        if j["owner"] != owner or j["status"] != "processing":
            return False
        j.update(status=status, problem=problem, lease_until=None)
        if status == "processed":
            j["job"] = replace(j["job"], document=b"")
        return True
