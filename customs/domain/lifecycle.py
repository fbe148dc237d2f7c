"""Parcel statuses and the transitions the lifecycle allows (see DOMAIN.md)."""

from __future__ import annotations

from enum import StrEnum
from functools import cache


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


# The move a marketplace's correction makes (customs.domain.corrections): a parcel HELD for a
# correction the authority requested is declared again, corrected, and goes round once more.
# Apart from the table above, so that no authority decision can ever move a parcel back.
_ON_CORRECTION: dict[ParcelStatus, frozenset[ParcelStatus]] = {
    S.HELD: frozenset({S.DECLARED}),
}


# The move that starts a parcel's next leg (customs.domain.legs): released for export at its
# origin, it is declared again for import at its destination. Apart from the table above: only
# the hand-over of a two-leg parcel makes it, never a decision.
_ON_HANDOVER: dict[ParcelStatus, frozenset[ParcelStatus]] = {
    S.RELEASED: frozenset({S.VALIDATED}),
}


def can_move(current: ParcelStatus, new: ParcelStatus, *, evidence: bool = False,
             correction: bool = False, handover: bool = False) -> bool:
    """`evidence`: the authority has shown it holds the parcel's batch; `correction`: the
    move is a marketplace's correction of a parcel that awaits one; `handover`: the parcel's
    export leg is over and its import leg starts."""
    return (new in _ALLOWED[current] or (evidence and new in _ON_EVIDENCE.get(current, ()))
            or (correction and new in _ON_CORRECTION.get(current, ()))
            or (handover and new in _ON_HANDOVER.get(current, ())))


def received_from(new: ParcelStatus) -> tuple[ParcelStatus, ...]:
    """The statuses that evidence of receipt moves to `new` (SUBMITTED or ACKNOWLEDGED)."""
    return tuple(s for s, targets in _ON_EVIDENCE.items() if new in targets)


@cache
def sources(new: ParcelStatus, *, evidence: bool = False, correction: bool = False,
            handover: bool = False) -> tuple[ParcelStatus, ...]:
    """The statuses a parcel may move to `new` from, sorted: what the SQL writers put in their
    guards (`status IN (...)`), so that the database refuses what this table refuses. Sorted, so
    that a statement's text, and so the statement cache, stays the same."""
    found = {s for s, targets in _ALLOWED.items() if new in targets}
    if evidence:
        found.update(received_from(new))
    if correction:
        found.update(s for s, targets in _ON_CORRECTION.items() if new in targets)
    if handover:
        found.update(s for s, targets in _ON_HANDOVER.items() if new in targets)
    return tuple(sorted(found))


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
