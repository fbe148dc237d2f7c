"""Use case: every VALIDATED parcel becomes a signed declaration (status DECLARED).

Rendering and signing happen outside any transaction; the write is guarded (VALIDATED →
DECLARED only if still VALIDATED), so two workers never declare one parcel twice. A parcel
whose declaration fails stays VALIDATED with the reason, and is tried again on the next run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from customs.domain.model import ManifestHeader, ParcelOutcome
from customs.services.ports import (
    Clock,
    DeclarationFailed,
    Declarer,
    IntakeDeclaration,
    PendingParcel,
    SignedDocument,
)
from customs.services.unit_of_work import UnitOfWork

ACTOR = "system:declarer"


@dataclass
class DeclareReport:
    declared: int = 0
    failed: int = 0
    skipped: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


def declare_pending(
    *, uow: UnitOfWork, declarer: Declarer, clock: Clock, new_id: Callable[[], str],
    manifest_id: str | None = None, batch: int = 500, max_batches: int = 1000,
) -> DeclareReport:
    """Declare pending parcels (of one manifest, or all) in batches until none is left."""
    report = DeclareReport()
    failed_ids: set[int] = set()
    for _ in range(max_batches):
        with uow:
            pending = [p for p in uow.declarations.pending(batch + len(failed_ids), manifest_id)
                       if p.parcel_id not in failed_ids][:batch]
        if not pending:
            break
        _declare_batch(pending, report, failed_ids, uow=uow, declarer=declarer, clock=clock,
                       new_id=new_id)
    return report


def declare_outcomes(
    header: ManifestHeader, outcomes: list[ParcelOutcome], *, declarer: Declarer,
    at: datetime, new_id: Callable[[], str], limit: int, legs: Mapping[int, str] | None = None,
) -> dict[int, IntakeDeclaration]:
    """The declarations of a manifest's first `limit` accepted parcels, by position, made
    before any row exists (intake stores them with the parcels); a parcel whose first leg is
    in `legs` (by position) is declared for that leg (its export at origin)."""
    chosen = [o for o in outcomes if o.parcel is not None and o.accepted][:limit]
    ids = [new_id() for _ in chosen]
    legs = legs or {}
    leg_headers = {leg: replace(header, leg=leg) for leg in set(legs.values())}
    results = declarer.declare_many(
        [(o.parcel, leg_headers.get(legs.get(o.position, ""), header), i)
         for o, i in zip(chosen, ids, strict=True) if o.parcel is not None], at)
    made: dict[int, IntakeDeclaration] = {}
    for outcome, declaration_id, result in zip(chosen, ids, results, strict=True):
        if isinstance(result, DeclarationFailed):
            made[outcome.position] = IntakeDeclaration(declaration_id, ACTOR, error=str(result))
        else:
            signed = result if result.profile else replace(result, profile=declarer.profile)
            made[outcome.position] = IntakeDeclaration(declaration_id, ACTOR, signed)
    return made


def _declare_batch(
    pending: list[PendingParcel], report: DeclareReport, failed_ids: set[int], *,
    uow: UnitOfWork, declarer: Declarer, clock: Clock, new_id: Callable[[], str],
) -> None:
    now = clock.now()
    done: list[tuple[PendingParcel, str, SignedDocument]] = []
    failures: list[tuple[PendingParcel, str]] = []
    ids = [new_id() for _ in pending]
    results = declarer.declare_many(
        [(item.parcel, item.header, i) for item, i in zip(pending, ids, strict=True)], now)
    for item, declaration_id, result in zip(pending, ids, results, strict=True):
        if isinstance(result, DeclarationFailed):
            failures.append((item, str(result)))
        else:
            done.append((item, declaration_id, result))
    with uow:
        moved = uow.declarations.add_all(done, declarer.profile, now, ACTOR) if done else set()
        report.declared += len(moved)
        report.skipped += len(done) - len(moved)
        for item, reason in failures:
            uow.declarations.fail(item.parcel_id, reason, now)
            failed_ids.add(item.parcel_id)
            report.failed += 1
            report.reasons[reason] = report.reasons.get(reason, 0) + 1
        uow.commit()
