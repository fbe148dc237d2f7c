"""Use case: seal declared parcels into batches (the outbox), each parcel in exactly one.

A batch is sealed per (profile, customs office) when the group reaches the size cap (the
smaller of the policy's and what the profile's message holds: 100 inventories for cn-ceb) or
the byte cap, or when its oldest parcel has waited `max_age`. One transaction per batch: open the
batch row, claim the parcels with a guarded update (only rows still DECLARED and in no batch),
build and sign the envelope, store it. A worker killed anywhere leaves either a whole sealed
batch or nothing; two workers never put one parcel in two batches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta

from customs.services.ports import BatchBuilder, Clock, DeclaredGroup
from customs.services.unit_of_work import UnitOfWork

ACTOR = "system:batcher"


@dataclass(frozen=True)
class BatchPolicy:
    size: int = 500
    max_bytes: int = 20 * 1024 * 1024
    max_age: timedelta = timedelta(seconds=60)


@dataclass
class SealReport:
    sealed: list[str] = field(default_factory=list)
    parcels: int = 0
    errors: list[str] = field(default_factory=list)


def seal_batches(
    *, uow: UnitOfWork, builder: BatchBuilder, clock: Clock, new_id: Callable[[], str],
    policy: BatchPolicy, force: bool = False, max_batches: int = 1000,
) -> SealReport:
    report = SealReport()
    with uow:
        groups = uow.batches.declared_groups()
    for group in groups:
        sized = replace(policy, size=_size(builder, group.profile, policy.size))
        while len(report.sealed) < max_batches:
            current = _group_now(uow, group)
            if current is None or not _due(current, sized, clock, force):
                break
            try:
                sealed = _seal_one(current, uow=uow, builder=builder, clock=clock,
                                   new_id=new_id, policy=sized)
            except ValueError as exc:  # the envelope could not be built or signed
                report.errors.append(f"{group.profile}/{group.office}/{group.key or ''}: {exc}")
                break
            if sealed is None:
                break
            report.sealed.append(sealed[0])
            report.parcels += sealed[1]
    return report


def _size(builder: BatchBuilder, profile: str, size: int) -> int:
    """The policy's size, or less when the profile's message holds fewer declarations."""
    capacity_for = getattr(builder, "capacity_for", None)
    largest = capacity_for(profile) if capacity_for is not None else None
    return min(size, largest) if largest else size


def _group_now(uow: UnitOfWork, group: DeclaredGroup) -> DeclaredGroup | None:
    with uow:
        for current in uow.batches.declared_groups():
            if (current.profile, current.office, current.key) == (
                    group.profile, group.office, group.key):
                return current
    return None


def _due(group: DeclaredGroup, policy: BatchPolicy, clock: Clock, force: bool) -> bool:
    return force or group.count >= policy.size or clock.now() - group.oldest >= policy.max_age


def _seal_one(
    group: DeclaredGroup, *, uow: UnitOfWork, builder: BatchBuilder, clock: Clock,
    new_id: Callable[[], str], policy: BatchPolicy,
) -> tuple[str, int] | None:
    now = clock.now()
    with uow:
        ids = uow.batches.candidates(group.profile, group.office, policy.size, policy.max_bytes,
                                     key=group.key)
        if not ids:
            return None
        batch_id, message_id = new_id(), new_id()
        uow.batches.open_batch(batch_id, message_id, group.profile, group.office, now)
        claimed = uow.batches.claim(batch_id, ids, now)
        if not claimed:
            return None  # another sealer took them; leaving rolls the empty batch back
        signed = builder.build(message_id, group.office, group.profile, now,
                               uow.batches.declarations(claimed))
        uow.batches.seal(batch_id, claimed, signed, now, ACTOR)
        uow.commit()
    return batch_id, len(claimed)
