"""Use case: a marketplace corrects a parcel that the authority asked it to correct.

Only the marketplace's own parcel, only while it awaits a correction (HELD with an open
request: customs.domain.corrections), else NotFound / PARCEL_NOT_AWAITING_CORRECTION. The
corrected Parcel passes the same schema and rules as at intake (its manifest's header, today's
rules), keeps its tracking number and must change something. It is declared again as the
profile's correction of the registry the request names (signed before any write), then one
transaction stores the new version (the earlier one kept), the declaration (the earlier one
kept, marked replaced) and the move HELD → DECLARED under its guard; the worker seals and sends
it like any declaration. Once per (tenant, Idempotency-Key): a replay returns the stored reply.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from customs.domain.corrections import (
    MAX_CORRECTIONS,
    CorrectionReference,
    RegistrationNumber,
    awaits_correction,
    parcel_changes,
)
from customs.domain.errors import (
    Conflict,
    CorrectionRefused,
    IdempotencyConflict,
    ManifestRefused,
    NotFound,
    Unprocessable,
)
from customs.domain.model import Parcel, Violation
from customs.domain.regimes import DestinationRules
from customs.domain.rules import RuleContext, check_parcel
from customs.services.correction_ports import (
    CorrectionDeclarer,
    CorrectionTarget,
    NewCorrection,
    StoredCorrection,
)
from customs.services.ports import Clock, ConcurrentWrite, DeclarationFailed, ManifestReader
from customs.services.unit_of_work import UnitOfWork

BASE = "/Parcel"


@dataclass(frozen=True, slots=True)
class CorrectParcel:
    tenant_id: int
    tracking_number: str
    idempotency_key: str
    document: bytes
    actor: str


@dataclass(frozen=True, slots=True)
class CorrectionReceipt:
    body: dict[str, Any]
    replayed: bool


def correct_parcel(cmd: CorrectParcel, *, uow: UnitOfWork, reader: ManifestReader,
                   rules: DestinationRules, declarer: CorrectionDeclarer | None, clock: Clock,
                   new_id: Callable[[], str]) -> CorrectionReceipt:
    digest = hashlib.sha256(cmd.document).hexdigest()
    with uow:
        stored = uow.corrections.stored(cmd.tenant_id, cmd.idempotency_key)
        target = None if stored else uow.corrections.target(cmd.tenant_id, cmd.tracking_number)
        nomenclature = uow.nomenclature.codes()
        ordinal = uow.corrections.ordinal(target.registration_number) \
            if target is not None and target.registration_number else 1
    if stored is not None:
        return _replay(stored, digest)
    if target is None:
        raise NotFound(f"no parcel {cmd.tracking_number}")
    if target.parcel is None or not awaits_correction(target.status,
                                                      target.request_id is not None):
        raise Conflict("PARCEL_NOT_AWAITING_CORRECTION",
                       f"parcel {cmd.tracking_number} is {target.status}, with no correction "
                       "requested by the authority open: only such a parcel can be corrected")
    now = clock.now()
    parcel = _checked(cmd, target, reader, RuleContext(now.date(), rules, nomenclature))
    ref = _reference(target, parcel, ordinal)
    if declarer is None:
        raise Unprocessable("CORRECTION_NOT_DECLARABLE", "the service has no signing key: "
                                                         "no correction can be declared")
    declaration_id = new_id()
    signed = declarer.declare_correction(parcel, target.header, declaration_id, now, ref)
    if isinstance(signed, DeclarationFailed):
        raise Unprocessable("CORRECTION_NOT_DECLARABLE", f"the correction cannot be declared: "
                                                         f"{signed}")
    body = {"tracking_number": parcel.tracking_number, "version": target.versions + 1,
            "status": "DECLARED", "declaration_id": declaration_id,
            "registration_number": str(ref.registration_number), "ordinal": ref.ordinal,
            "change_codes": "".join(ref.codes.letters()), "received_at": now.isoformat()}
    new = NewCorrection(target, parcel, ref, declaration_id, signed, signed.profile or "",
                        cmd.tenant_id, cmd.idempotency_key, digest, cmd.document, body,
                        cmd.actor, now)
    try:
        with uow:
            if not uow.corrections.record(new):
                raise Conflict("PARCEL_NOT_AWAITING_CORRECTION", "the parcel changed while "
                                                                 "the correction was made")
            uow.commit()
    except ConcurrentWrite:  # the same key, at the same time: the first one's reply
        with uow:
            again = uow.corrections.stored(cmd.tenant_id, cmd.idempotency_key)
        if again is None:
            raise
        return _replay(again, digest)
    return CorrectionReceipt(body, replayed=False)


def _replay(stored: StoredCorrection, digest: str) -> CorrectionReceipt:
    if stored.request_sha256 != digest:
        raise IdempotencyConflict("this Idempotency-Key was used with a different correction; "
                                  "use a new key")
    return CorrectionReceipt(stored.response, replayed=True)


def _checked(cmd: CorrectParcel, target: CorrectionTarget, reader: ManifestReader,
             ctx: RuleContext) -> Parcel:
    """The corrected parcel, valid as intake would have it; else CorrectionRefused with every
    violation (schema, rules, another tracking number)."""
    try:
        outcome = reader.read_parcel(cmd.document)
    except ManifestRefused as exc:  # the document as a whole (not XML, a DOCTYPE, limits)
        raise CorrectionRefused(exc.code, exc.detail, exc.violations) from None
    violations = list(outcome.violations)
    if outcome.parcel is not None:
        violations += check_parcel(outcome.parcel, target.header, ctx, BASE)
        if outcome.parcel.tracking_number != cmd.tracking_number:
            violations.append(Violation(
                "CORRECTION_TRACKING_MISMATCH", f"a correction keeps the tracking number "
                f"{cmd.tracking_number}", f"{BASE}/TrackingNumber", outcome.line,
                outcome.parcel.tracking_number))
    if violations or outcome.parcel is None:
        raise CorrectionRefused("CORRECTION_INVALID", "the corrected parcel is invalid: "
                                + (violations[0].message if violations else "unreadable"),
                                violations)
    return outcome.parcel


def _reference(target: CorrectionTarget, parcel: Parcel, ordinal: int) -> CorrectionReference:
    assert target.registration_number is not None  # an open request names its registry
    assert target.parcel is not None  # checked by the caller
    codes = parcel_changes(target.doc_kind or "1", target.parcel, parcel)
    if not codes.any:
        raise CorrectionRefused("CORRECTION_UNCHANGED", "the corrected parcel is the same as "
                                                        "its current version")
    if ordinal > MAX_CORRECTIONS:
        raise Conflict("CORRECTIONS_EXHAUSTED", f"registry {target.registration_number} has "
                                                f"had {MAX_CORRECTIONS} corrections")
    return CorrectionReference(RegistrationNumber.parse(target.registration_number), ordinal,
                               codes, target.parcel)
