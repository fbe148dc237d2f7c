"""Use case: a marketplace submits a manifest; every parcel is accepted or rejected with reasons."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from customs.domain.duty import DutyRules, Estimate, RateTable
from customs.domain.duty_estimate import estimate_duty
from customs.domain.errors import IdempotencyConflict, ManifestRefused
from customs.domain.events import manifest_processed
from customs.domain.model import VALUE_CHARS, ManifestHeader, ParcelOutcome, Violation, shorten
from customs.domain.regimes import DestinationRules
from customs.domain.rules import RuleContext, check_parcel, is_country
from customs.domain.tracking import awb_is_valid, looks_like_awb
from customs.services.declare import declare_outcomes
from customs.services.limits import check_buyer_limits
from customs.services.ports import XML as XML_MEDIA_TYPE
from customs.services.ports import (
    Clock,
    ConcurrentWrite,
    Declarer,
    ManifestReader,
    NewManifest,
    StoredResponse,
)
from customs.services.unit_of_work import UnitOfWork

MAX_ATTEMPTS = 3
VIOLATIONS_PER_RECEIPT = 10_000


@dataclass(frozen=True, slots=True)
class DutyContext:
    """The dated duty rules, and how old an exchange rate may be to be used."""

    rules: DutyRules
    rate_max_age: timedelta = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class InlineDeclaration:
    """Declare the accepted parcels during intake: rendered and signed before the write
    transaction (no lock held meanwhile), stored DECLARED in it, with no second pass reading
    the parcels back. At most `max_parcels` per manifest, so the signed documents of a huge
    manifest are not all held in memory; the rest stay VALIDATED for `declare_pending`."""

    declarer: Declarer
    max_parcels: int = 10_000


@dataclass(frozen=True, slots=True)
class SubmitManifest:
    tenant_id: int
    idempotency_key: str
    document: bytes
    actor: str
    media_type: str = XML_MEDIA_TYPE  # the reader that reads it; stored with the document


@dataclass(frozen=True, slots=True)
class Receipt:
    manifest_id: str
    body: dict[str, Any]
    replayed: bool
    processing: bool = False  # stored for a worker: `body` is its status, not the receipt


@dataclass(frozen=True, slots=True)
class JobLease:
    """Intake of a stored manifest by the worker holding its lease: the manifest gets the
    job's id, and the job is finished in the transaction that writes the manifest (or not at
    all: LeaseLost, when another worker took it over)."""

    job_id: str
    owner: str
    received_at: datetime


class LeaseLost(Exception):
    """The worker no longer holds the job's lease: it wrote nothing."""


def submit_manifest(
    cmd: SubmitManifest, *, uow: UnitOfWork, reader: ManifestReader, rules: DestinationRules,
    clock: Clock, new_id: Callable[[], str], duty: DutyContext | None = None,
    inline: InlineDeclaration | None = None, read_uow: UnitOfWork | None = None,
    replies_ttl: timedelta | None = None,
) -> Receipt:
    """Validate every parcel and store the manifest once per (tenant, Idempotency-Key); each
    accepted parcel gets its duty estimate (when duty rules are given) and, with `inline`,
    its signed declaration. `read_uow` serves the reads before the write (on SQLite a write
    unit of work takes the database's write lock at its first statement). A receipt stored
    more than `replies_ttl` ago has expired: the key is free again (services.replies)."""
    digest = hashlib.sha256(cmd.document).hexdigest()
    reads = read_uow or uow
    for attempt in range(1, MAX_ATTEMPTS + 1):
        expired = None if replies_ttl is None else clock.now() - replies_ttl
        known = replay(cmd, digest, reads, not_before=expired)
        if known is not None:
            return known
        try:
            return accept(cmd, digest, uow=uow, reads=reads, reader=reader, rules=rules,
                          clock=clock, new_id=new_id, duty=duty, inline=inline,
                          replace_before=expired)
        except ConcurrentWrite:
            if attempt == MAX_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def submit_stored(
    cmd: SubmitManifest, digest: str, lease: JobLease, *, uow: UnitOfWork, reads: UnitOfWork,
    reader: ManifestReader, rules: DestinationRules, clock: Clock, new_id: Callable[[], str],
    duty: DutyContext | None = None, inline: InlineDeclaration | None = None,
) -> Receipt:
    """Intake of a manifest stored for a worker (services.manifest_jobs), by the worker that
    holds its lease. Its key answered `processing` so far: a receipt stored meanwhile under
    the same key (a racing synchronous request) is an IdempotencyConflict."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return accept(cmd, digest, uow=uow, reads=reads, reader=reader, rules=rules,
                          clock=clock, new_id=new_id, duty=duty, inline=inline, lease=lease)
        except ConcurrentWrite:
            with reads:
                stored = reads.idempotency.get(cmd.tenant_id, cmd.idempotency_key)
            if stored is not None:
                raise IdempotencyConflict(
                    f"this Idempotency-Key got manifest {stored.manifest_id} from another "
                    "request meanwhile") from None
            if attempt == MAX_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def replay(cmd: SubmitManifest, digest: str, reads: UnitOfWork,
           not_before: datetime | None = None) -> Receipt | None:
    """What the tenant's key already answered: a receipt (stored after `not_before`: older
    ones have expired), or a manifest stored for a worker (its current status);
    IdempotencyConflict for another body or a key another request used; None for a new key."""
    with reads:
        stored = reads.idempotency.get(cmd.tenant_id, cmd.idempotency_key,
                                       not_before=not_before)
        job = None if stored is not None else reads.manifest_jobs.by_key(
            cmd.tenant_id, cmd.idempotency_key)
    if stored is not None:
        _same_body(stored.request_sha256 if stored.manifest_id is not None else "", digest)
        return Receipt(stored.manifest_id, stored.body, replayed=True)
    if job is not None:
        _same_body(job.document_sha256, digest)
        return Receipt(job.id, job.to_json(), replayed=True, processing=True)
    return None


def _same_body(stored_sha256: str, digest: str) -> None:
    if stored_sha256 != digest:
        raise IdempotencyConflict(
            "this Idempotency-Key was used with a different manifest; use a new key")


def read_and_check(
    document: bytes, *, reader: ManifestReader, ctx_for: Callable[[ManifestHeader], RuleContext],
    progress: Callable[[int], None] | None = None,
) -> tuple[ManifestHeader, list[ParcelOutcome]]:
    """Schema and business rules for every parcel; raises ManifestRefused for the whole.
    `progress` is told the number of parcels checked so far, after each one."""
    stream = reader.open(document)
    header = stream.header
    try:
        check_header(header)
    except ManifestRefused as exc:
        exc.violations = [_located(v, reader) for v in exc.violations]
        raise
    ctx = ctx_for(header)
    outcomes = []
    for outcome in stream.parcels():
        if outcome.parcel is not None:
            base = f"/Manifest/Parcel[{outcome.position}]"
            found = check_parcel(outcome.parcel, header, ctx, base)
            outcome.violations.extend(_located(v, reader, outcome.line) for v in found)
        outcomes.append(outcome)
        if progress is not None:
            progress(len(outcomes))
    mark_duplicates(outcomes, reader)
    for outcome in outcomes:
        outcome.cap_violations()
    return header, outcomes


def _located(violation: Violation, reader: ManifestReader, line: int | None = None,
             ) -> Violation:
    """A rule's violation with its path in the reader's syntax (rules name XML paths)."""
    path = violation.path and reader.locate(violation.path)
    return replace(violation, path=path, line=line if line is not None else violation.line)


def check_offline(document: bytes, *, reader: ManifestReader, rules: DestinationRules,
                  today: date, progress: Callable[[int], None] | None = None,
                  ) -> tuple[ManifestHeader, list[ParcelOutcome]]:
    """Schema and rules of every parcel without a database (`customs validate`): the dated
    destination rules of `today`, no nomenclature; raises ManifestRefused for the whole."""

    def ctx_for(_header: ManifestHeader) -> RuleContext:
        return RuleContext(today=today, rules=rules)

    return read_and_check(document, reader=reader, ctx_for=ctx_for, progress=progress)


def check_header(header: ManifestHeader) -> None:
    if not is_country(header.destination_country):
        raise ManifestRefused(
            "MANIFEST_DESTINATION_UNKNOWN",
            f"destination {header.destination_country} is not an ISO 3166-1 country code")
    waybill = header.transport.master_waybill if header.transport else None
    if waybill and header.transport and header.transport.mode == "air" and looks_like_awb(
            waybill) and not awb_is_valid(waybill):
        raise ManifestRefused(
            "MANIFEST_WAYBILL_CHECK_DIGIT",
            f"master air waybill {waybill} has a wrong check digit (serial mod 7)",
            [Violation("MANIFEST_WAYBILL_CHECK_DIGIT", "wrong check digit",
                       "/Manifest/Transport/MasterWaybill", value=waybill)])


def mark_duplicates(outcomes: list[ParcelOutcome],
                    reader: ManifestReader | None = None) -> None:
    """Every occurrence of a tracking number used twice is rejected: we cannot tell which is
    the real parcel. (Paths in the reader's syntax; XML without one.)"""
    positions: dict[str, list[ParcelOutcome]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.tracking_number:
            positions[outcome.tracking_number].append(outcome)
    for number, same in positions.items():
        if len(same) > 1:
            message = f"tracking number {number} appears at parcels {_positions(same)}"
            for outcome in same:
                path = f"/Manifest/Parcel[{outcome.position}]/TrackingNumber"
                outcome.violations.append(Violation(
                    "TRACKING_DUPLICATE_IN_MANIFEST", message,
                    path if reader is None else reader.locate(path), outcome.line, number))


def _positions(same: list[ParcelOutcome], largest: int = 10) -> str:
    """The first positions only: listing all of them in each copy's message was quadratic."""
    where = ", ".join(str(o.position) for o in same[:largest])
    return where if len(same) <= largest else f"{where} and {len(same) - largest} more"


def accept(
    cmd: SubmitManifest, digest: str, *, uow: UnitOfWork, reads: UnitOfWork,
    reader: ManifestReader, rules: DestinationRules, clock: Clock, new_id: Callable[[], str],
    duty: DutyContext | None = None, inline: InlineDeclaration | None = None,
    lease: JobLease | None = None,
    replace_before: datetime | None = None,
) -> Receipt:
    """Read, check, estimate, declare, then write the manifest, its parcels, its idempotency
    record and its `manifest.processed` event in one transaction (with `lease`: as the
    stored job's manifest, finishing the job in that transaction)."""
    now = clock.now() if lease is None else lease.received_at
    with reads:
        nomenclature = reads.nomenclature.codes()
        rates = None if duty is None else RateTable(
            reads.rates.window(now.date() - duty.rate_max_age, now.date()),
            max_age=duty.rate_max_age)

    def ctx_for(_header: ManifestHeader) -> RuleContext:
        return RuleContext(today=now.date(), rules=rules, nomenclature=nomenclature)

    header, outcomes = read_and_check(cmd.document, reader=reader, ctx_for=ctx_for)
    if duty is not None and rates is not None:
        check_buyer_limits(cmd.tenant_id, header, outcomes, now, duty.rules, rates, reads)
    legs = first_legs(header, outcomes, rules, now.date())
    declarations = {} if inline is None else declare_outcomes(
        header, outcomes, declarer=inline.declarer, at=now, new_id=new_id,
        limit=inline.max_parcels, legs=legs)
    manifest_id = new_id() if lease is None else lease.job_id

    def stage() -> tuple[NewManifest, Any]:
        """The manifest and its parcels' rows, prepared without any statement."""
        accepted = sum(1 for o in outcomes if o.accepted)
        manifest = NewManifest(manifest_id, cmd.tenant_id, header, now, cmd.document, digest,
                               accepted, len(outcomes) - accepted, legs=legs,
                               media_type=cmd.media_type)
        return manifest, uow.parcels.stage(
            manifest, outcomes, cmd.actor,
            estimates=_estimates(header, outcomes, now, duty, rates), declarations=declarations)

    with uow:
        # Rows are prepared before the first statement: on SQLite that is when the write lock
        # is taken, and other writers wait for it until the commit.
        manifest, rows = stage()
        if _reject_open_duplicates(uow, cmd.tenant_id, outcomes, reader):
            manifest, rows = stage()  # again, with those rejections
        body = receipt_body(manifest, outcomes)
        done = clock.now()
        # First: on PostgreSQL the job's row is locked from here, so no other worker claims it.
        if lease is not None and not uow.manifest_jobs.finish(lease.job_id, lease.owner,
                                                              "processed", done):
            raise LeaseLost(lease.job_id)
        uow.manifests.add(replace(manifest, receipt=body))
        uow.parcels.add_staged(rows)
        uow.idempotency.add(cmd.tenant_id, cmd.idempotency_key,
                            StoredResponse(digest, manifest.id, body), now,
                            replace_before=replace_before)
        uow.events.add([manifest_processed(body, cmd.tenant_id, done)])
        uow.commit()
    return Receipt(manifest.id, body, replayed=False)


def first_legs(header: ManifestHeader, outcomes: list[ParcelOutcome], rules: DestinationRules,
               day: date) -> dict[int, str]:
    """By position, the first leg of each accepted parcel that has two (the leg rules, by its
    seller's country and the manifest's destination)."""
    found = {}
    for o in outcomes:
        if o.accepted and o.parcel is not None:
            leg = rules.legs.first_leg(o.parcel.seller.country, header.destination_country, day)
            if leg is not None:
                found[o.position] = leg.value
    return found


def _estimates(header: ManifestHeader, outcomes: list[ParcelOutcome], now: Any,
               duty: DutyContext | None, rates: RateTable | None) -> dict[int, Estimate]:
    if duty is None or rates is None:
        return {}
    return {o.position: estimate_duty(
        country=header.destination_country, day=now.date(), value=o.parcel.declared_value,
        gross_weight=o.parcel.gross_weight, hs_codes=[i.hs_code for i in o.parcel.items],
        rules=duty.rules, rates=rates) for o in outcomes if o.accepted and o.parcel is not None}


def _reject_open_duplicates(uow: UnitOfWork, tenant_id: int, outcomes: list[ParcelOutcome],
                            reader: ManifestReader) -> bool:
    """Reject parcels whose tracking number an open parcel of the tenant has; True if any."""
    candidates = [o for o in outcomes if o.accepted and o.tracking_number]
    numbers = [o.tracking_number for o in candidates if o.tracking_number]
    taken = uow.parcels.open_tracking_numbers(tenant_id, numbers)
    for outcome in candidates:
        if outcome.tracking_number in taken:
            outcome.violations.append(Violation(
                "TRACKING_DUPLICATE_OPEN",
                f"an open parcel with tracking number {outcome.tracking_number} already exists",
                reader.locate(f"/Manifest/Parcel[{outcome.position}]/TrackingNumber"),
                outcome.line, outcome.tracking_number))
            outcome.cap_violations()
    return bool(taken)


def rejection(outcome: ParcelOutcome, listed: int | None = None) -> dict[str, Any]:
    """One rejected parcel; `listed` caps how many of its violations are written out."""
    shown = outcome.violations if listed is None else outcome.violations[:listed]
    number = outcome.tracking_number
    return {
        "position": outcome.position,
        "tracking_number": None if number is None else shorten(number, VALUE_CHARS),
        "line": outcome.line,
        "violations": [v.to_document() for v in shown],
        "violations_omitted": outcome.violations_omitted + len(outcome.violations) - len(shown),
    }


def rejections(outcomes: list[ParcelOutcome], largest: int = VIOLATIONS_PER_RECEIPT,
               ) -> list[dict[str, Any]]:
    """Every rejected parcel, with its violations until `largest` are listed in all: the reply
    (also stored as the idempotent reply) stays bounded whatever the manifest holds."""
    found, left = [], largest
    for outcome in outcomes:
        if not outcome.accepted:
            found.append(rejection(outcome, left))
            left = max(0, left - len(outcome.violations))
    return found


def receipt_body(manifest: NewManifest, outcomes: list[ParcelOutcome]) -> dict[str, Any]:
    listed = rejections(outcomes)
    return {
        "id": manifest.id,
        "ref": manifest.header.ref,
        "received_at": manifest.received_at.isoformat(),
        "destination": {"country": manifest.header.destination_country,
                        "customs_office": manifest.header.customs_office},
        "document_sha256": manifest.document_sha256,
        "parcels": len(outcomes),
        "accepted": manifest.accepted,
        "rejected": manifest.rejected,
        "rejections": listed,
        "violations_omitted": sum(r["violations_omitted"] for r in listed),
    }
