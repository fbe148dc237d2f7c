"""Parcel statuses and the transitions the lifecycle allows (see DOMAIN.md)."""

from __future__ import annotations

from enum import StrEnum


class ParcelStatus(StrEnum):
    RECEIVED = "RECEIVED"
    VALIDATED = "VALIDATED"
    REJECTED = "REJECTED"
    DECLARED = "DECLARED"
    BATCHED = "BATCHED"
    SUBMITTED = "SUBMITTED"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RELEASED = "RELEASED"
    HELD = "HELD"
    DUTY_DUE = "DUTY_DUE"
    PAID = "PAID"
    REFUSED = "REFUSED"
    RETURNED = "RETURNED"
    TRANSMISSION_FAILED = "TRANSMISSION_FAILED"
    CANCELLED = "CANCELLED"


S = ParcelStatus

# A parcel in one of these is done: its tracking number may be reused by a new parcel.
FINAL_STATUSES = frozenset({S.REJECTED, S.RELEASED, S.RETURNED, S.CANCELLED})

_ALLOWED: dict[ParcelStatus, frozenset[ParcelStatus]] = {
    S.RECEIVED: frozenset({S.VALIDATED, S.REJECTED}),
    S.VALIDATED: frozenset({S.DECLARED, S.CANCELLED}),
    S.DECLARED: frozenset({S.BATCHED, S.CANCELLED}),
    S.BATCHED: frozenset({S.SUBMITTED, S.TRANSMISSION_FAILED, S.CANCELLED}),
    S.TRANSMISSION_FAILED: frozenset({S.SUBMITTED, S.CANCELLED}),
    S.SUBMITTED: frozenset({S.ACKNOWLEDGED, S.RELEASED, S.HELD, S.DUTY_DUE, S.REFUSED}),
    S.ACKNOWLEDGED: frozenset({S.RELEASED, S.HELD, S.DUTY_DUE, S.REFUSED, S.CANCELLED}),
    S.HELD: frozenset({S.RELEASED, S.DUTY_DUE, S.REFUSED, S.HELD, S.CANCELLED}),
    S.DUTY_DUE: frozenset({S.PAID, S.HELD, S.REFUSED, S.CANCELLED}),
    S.PAID: frozenset({S.RELEASED}),
    S.REFUSED: frozenset({S.RETURNED}),
    S.RELEASED: frozenset(),
    S.RETURNED: frozenset(),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
}


def can_move(current: ParcelStatus, new: ParcelStatus) -> bool:
    return new in _ALLOWED[current]


def is_final(status: ParcelStatus) -> bool:
    return status in FINAL_STATUSES
