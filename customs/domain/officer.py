"""What customs officers decide, and how each decision moves a parcel along the lifecycle."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from customs.domain.errors import Conflict, Unprocessable
from customs.domain.lifecycle import ParcelStatus, can_move
from customs.domain.money import Money


class OfficerAction(StrEnum):
    HOLD = "hold"                            # hold for inspection
    REQUEST_DOCUMENTS = "request_documents"  # held until the documents come
    RELEASE = "release"
    REFUSE = "refuse"                        # reason required
    ASSESS_DUTY = "assess_duty"              # amount and currency required


TARGET = {
    OfficerAction.HOLD: ParcelStatus.HELD,
    OfficerAction.REQUEST_DOCUMENTS: ParcelStatus.HELD,
    OfficerAction.RELEASE: ParcelStatus.RELEASED,
    OfficerAction.REFUSE: ParcelStatus.REFUSED,
    OfficerAction.ASSESS_DUTY: ParcelStatus.DUTY_DUE,
}
SOURCE = {
    OfficerAction.HOLD: "OFFICER:INSPECTION",
    OfficerAction.REQUEST_DOCUMENTS: "OFFICER:DOCUMENTS",
    OfficerAction.RELEASE: "OFFICER:RELEASE",
    OfficerAction.REFUSE: "OFFICER:REFUSE",
    OfficerAction.ASSESS_DUTY: "OFFICER:DUTY",
}
MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class OfficerDecision:
    action: OfficerAction
    reason: str | None = None
    duty: Money | None = None

    def __post_init__(self) -> None:
        reason = (self.reason or "").strip()
        if len(reason) > MAX_REASON:
            raise Unprocessable("REASON_TOO_LONG", f"a reason has at most {MAX_REASON} "
                                                   "characters")
        if self.action in (OfficerAction.REFUSE, OfficerAction.HOLD,
                           OfficerAction.REQUEST_DOCUMENTS) and not reason:
            raise Unprocessable("REASON_REQUIRED", f"'{self.action}' needs a reason that the "
                                                   "marketplace and courier will see")
        if self.action is OfficerAction.ASSESS_DUTY:
            if self.duty is None or self.duty.amount <= 0:
                raise Unprocessable("DUTY_REQUIRED", "'assess_duty' needs a positive amount "
                                                     "and its currency")
        elif self.duty is not None:
            raise Unprocessable("DUTY_NOT_EXPECTED", f"'{self.action}' takes no duty amount")

    @property
    def status(self) -> ParcelStatus:
        return TARGET[self.action]

    @property
    def source(self) -> str:
        return SOURCE[self.action]

    def check(self, current: ParcelStatus) -> None:
        """Refuse a move the lifecycle does not allow (no release of a refused parcel)."""
        if not can_move(current, self.status):
            raise Conflict("INVALID_TRANSITION",
                           f"a {current.value} parcel cannot be moved to {self.status.value} "
                           f"('{self.action}')")
