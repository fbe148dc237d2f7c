"""Read-side use cases: manifests and parcels as their owner sees them."""

from __future__ import annotations

from collections.abc import Collection
from typing import TypeVar

from customs.domain.errors import BadQuery, NotFound
from customs.domain.lifecycle import ParcelStatus
from customs.services.ports import Page, StoredDocument
from customs.services.read_models.manifest import ManifestJobView, ManifestView, RejectedParcel
from customs.services.unit_of_work import UnitOfWork

T = TypeVar("T")


def _found(value: T | None, what: str) -> T:
    """Not found and not yours answer alike: the caller cannot tell them apart."""
    if value is None:
        raise NotFound(f"no {what}")
    return value


def get_manifest(tenant_id: int, manifest_id: str, *,
                 uow: UnitOfWork) -> ManifestView | ManifestJobView:
    """The manifest; until a worker has written it, its job (processing, refused, failed)."""
    with uow:
        found = uow.manifests.get(tenant_id, manifest_id)
        if found is not None:
            return found
        return _found(uow.manifest_jobs.get(tenant_id, manifest_id), f"manifest {manifest_id}")


def latest_manifests(tenant_id: int, after_id: str | None, limit: int, *,
                     uow: UnitOfWork) -> list[ManifestView]:
    """The tenant's manifests, newest first (a page after the manifest `after_id`)."""
    with uow:
        return uow.manifests.latest(tenant_id, after_id, limit)


def get_manifest_document(tenant_id: int, manifest_id: str, *,
                          uow: UnitOfWork) -> StoredDocument:
    with uow:
        return _found(uow.manifests.document(tenant_id, manifest_id), f"manifest {manifest_id}")


def list_manifest_parcels(
    tenant_id: int, manifest_id: str, *, status: str | None, after: int, limit: int,
    uow: UnitOfWork,
) -> Page:
    if status is not None and status not in ParcelStatus.__members__:
        raise BadQuery(f"unknown status {status!r}; one of {', '.join(ParcelStatus)}")
    with uow:
        if uow.manifests.get(tenant_id, manifest_id) is None:
            raise NotFound(f"no manifest {manifest_id}")
        return uow.parcels.page(tenant_id, manifest_id, status, after, limit)


def manifest_rejections(tenant_id: int, manifest_id: str, *, after: int, limit: int,
                        uow: UnitOfWork) -> list[RejectedParcel]:
    """A page of the manifest's rejected parcels and their violations, in manifest order."""
    with uow:
        if not uow.manifests.exists(tenant_id, manifest_id):
            raise NotFound(f"no manifest {manifest_id}")
        return uow.parcels.rejected(tenant_id, manifest_id, after, limit)


def parcel_counts(*, uow: UnitOfWork, statuses: Collection[str] | None = None) -> dict[str, int]:
    with uow:
        return uow.parcels.counts_by_status(statuses)
