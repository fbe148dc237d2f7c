"""Authority decisions, per parcel, mapped onto our lifecycle."""

from __future__ import annotations

from dataclasses import dataclass

from customs.domain.lifecycle import ParcelStatus
from customs.domain.money import Money

# The generic authority's decision codes (schemas/authority/v1) → our statuses.
DECISION_STATUS = {
    "RELEASED": ParcelStatus.RELEASED,
    "HELD": ParcelStatus.HELD,
    "DUTY_DUE": ParcelStatus.DUTY_DUE,
    "PAID": ParcelStatus.PAID,
    "REFUSED": ParcelStatus.REFUSED,
    "RETURNED": ParcelStatus.RETURNED,
}


@dataclass(frozen=True, slots=True)
class Decision:
    declaration_id: str
    tracking_number: str
    code: str
    duty: Money | None = None
    reason: str | None = None

    @property
    def status(self) -> ParcelStatus:
        return DECISION_STATUS[self.code]


@dataclass(frozen=True, slots=True)
class DecisionMessage:
    message_id: str
    initial_message_id: str
    decisions: tuple[Decision, ...]


@dataclass
class ApplyReport:
    message_id: str
    duplicate: bool = False
    applied: int = 0
    ignored: int = 0  # stale or repeated: the parcel is already past that state
    orphaned: int = 0  # unknown parcel: kept aside in orphan_decisions
