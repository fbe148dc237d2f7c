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


# Moves that evidence from the authority allows beyond the table above: an Ack, a decision or
# an "already registered" reply naming a batch proves the authority has it, whatever the service
# had recorded (the reply was cut, the sender was killed, the batch was given up as failed).
_ON_EVIDENCE: dict[ParcelStatus, frozenset[ParcelStatus]] = {
    S.BATCHED: frozenset({S.SUBMITTED, S.ACKNOWLEDGED}),
    S.TRANSMISSION_FAILED: frozenset({S.SUBMITTED, S.ACKNOWLEDGED}),
    S.SUBMITTED: frozenset({S.ACKNOWLEDGED}),
}


def can_move(current: ParcelStatus, new: ParcelStatus, *, evidence: bool = False) -> bool:
    """`evidence`: the authority has shown it holds the parcel's batch."""
    return new in _ALLOWED[current] or (evidence and new in _ON_EVIDENCE.get(current, ()))


def received_from(new: ParcelStatus) -> tuple[ParcelStatus, ...]:
    """The statuses that evidence of receipt moves to `new` (SUBMITTED or ACKNOWLEDGED)."""
    return tuple(s for s, targets in _ON_EVIDENCE.items() if new in targets)


def reachable(current: ParcelStatus, target: ParcelStatus) -> bool:
    """Whether some later moves could take a parcel from `current` to `target`: a decision
    that cannot apply now but is reachable waits for its turn (it arrived early); one that is
    not reachable is stale."""
    seen, todo = {current}, [current]
    while todo:
        for following in _ALLOWED[todo.pop()]:
            if following is target:
                return True
            if following not in seen:
                seen.add(following)
                todo.append(following)
    return False


def is_final(status: ParcelStatus) -> bool:
    return status in FINAL_STATUSES
