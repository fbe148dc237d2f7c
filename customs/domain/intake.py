"""Intake's part of the lifecycle: the statuses a parcel passes through when its manifest is
received, and the reason each event gives.

The SQL repository and the test fakes both build a new parcel's history from here, so the rule
lives once: RECEIVED, then VALIDATED or REJECTED (the rule codes it broke), then DECLARED when
its declaration was signed at intake. The DECLARED event's reason and source name the
declaration, which only the writer knows, so that step carries no reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from customs.domain.lifecycle import ParcelStatus

S = ParcelStatus


@dataclass(frozen=True, slots=True)
class IntakeStep:
    status: ParcelStatus
    previous: ParcelStatus | None
    reason: str | None  # None: the writer names the declaration (DECLARED)


RECEIVED_STEP = IntakeStep(S.RECEIVED, None, "received in manifest")
VALIDATED_STEP = IntakeStep(S.VALIDATED, S.RECEIVED, "schema and business rules passed")
DECLARED_STEP = IntakeStep(S.DECLARED, S.VALIDATED, None)
_ACCEPTED = (RECEIVED_STEP, VALIDATED_STEP)
_DECLARED = (*_ACCEPTED, DECLARED_STEP)


def intake_status(accepted: bool, declared: bool) -> ParcelStatus:
    """The status a parcel is stored in: `declared` when its declaration was signed at intake."""
    if not accepted:
        return S.REJECTED
    return S.DECLARED if declared else S.VALIDATED


def intake_steps(accepted: bool, violation_codes: Iterable[str],
                 declared: bool) -> tuple[IntakeStep, ...]:
    """The events of a new parcel, oldest first; the last one's status is `intake_status`.
    A rejected parcel's reason is the codes of the rules it broke, sorted, each once."""
    if accepted:
        return _DECLARED if declared else _ACCEPTED
    reason = "; ".join(sorted(set(violation_codes)))
    return (RECEIVED_STEP, IntakeStep(S.REJECTED, S.RECEIVED, reason))

