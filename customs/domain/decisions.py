"""Authority decisions, per parcel, mapped onto our lifecycle."""

from __future__ import annotations

from dataclasses import dataclass

from customs.domain.corrections import CorrectionRequest
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


# The FTS's DecisionCode in ExpressCargoDeclarationCustomMark (format album 5.23.0), per waybill,
# mapped onto our lifecycle; the code is kept on the event as its source (FTS:31). None: the
# decision is recorded on the parcel's history without moving it (a preliminary decision, an
# extended period, a suspension lifted: the final decision follows).
FTS_DECISION_STATUS: dict[str, ParcelStatus | None] = {
    "FTS:10": ParcelStatus.RELEASED,  # release
    "FTS:30": ParcelStatus.RELEASED,  # release (returned goods)
    "FTS:31": ParcelStatus.DUTY_DUE,  # payment of customs duties required
    "FTS:32": ParcelStatus.RELEASED,  # released, duties paid (DUTY_DUE → PAID → RELEASED)
    "FTS:40": ParcelStatus.CANCELLED,  # withdrawal of the declaration permitted
    "FTS:50": None,  # preliminary decision: release without payment
    "FTS:51": ParcelStatus.DUTY_DUE,  # preliminary decision: release once duties are paid
    "FTS:60": ParcelStatus.HELD,  # release suspended
    "FTS:61": ParcelStatus.HELD,  # suspension extended
    "FTS:62": None,  # suspension cancelled: the decision on release follows
    "FTS:70": None,  # release period extended
    "FTS:90": ParcelStatus.REFUSED,  # release refused (with the reason)
    "FTS:92": ParcelStatus.HELD,  # customs control (inspection) required
    "FTS:REQ-CORRECT": ParcelStatus.HELD,  # ExpressCargoReqCorrect: corrections requested
}

# The GACC's returnStatus in CEB622 (import) and CEB604 (export) receipts, per inventory, mapped
# onto our lifecycle; the code is kept on the event as its source (CEB:800). None: recorded on
# the parcel's history without a move (the receipt that carries it is itself the evidence that
# the authority holds the message: its parcels are ACKNOWLEDGED first). A code not listed here
# (a negative processing-error code, a new one) sets the parcel aside for a person.
CEB_DECISION_STATUS: dict[str, ParcelStatus | None] = {
    "CEB:1": None,  # stored by the e-port (暂存)
    "CEB:2": None,  # being declared by the e-port (申报中)
    "CEB:3": None,  # sent to customs (发送海关成功)
    "CEB:4": ParcelStatus.HELD,  # the e-port failed to send it to customs: a person looks
    "CEB:100": ParcelStatus.REFUSED,  # returned by customs (海关退单), with the reason
    "CEB:120": None,  # registered by customs (海关入库)
    "CEB:300": ParcelStatus.HELD,  # manual review (人工审核)
    "CEB:399": None,  # adjudicated (海关审结): the release follows
    "CEB:500": ParcelStatus.HELD,  # inspection (查验)
    "CEB:501": ParcelStatus.HELD,  # detained, passed to clearance (扣留移送通关)
    "CEB:502": ParcelStatus.HELD,  # detained, passed to anti-smuggling (扣留移送缉私)
    "CEB:503": ParcelStatus.HELD,  # detained, passed to legal affairs (扣留移送法规)
    "CEB:599": ParcelStatus.HELD,  # detained, other (其它扣留)
    "CEB:700": ParcelStatus.RETURNED,  # returned abroad (退运): through REFUSED
    "CEB:800": ParcelStatus.RELEASED,  # released (放行)
    "CEB:899": ParcelStatus.RELEASED,  # closed (结关): released, if it was not yet
}
_TABLES = (FTS_DECISION_STATUS, CEB_DECISION_STATUS)


@dataclass(frozen=True, slots=True)
class Decision:
    declaration_id: str
    tracking_number: str
    code: str
    duty: Money | None = None
    reason: str | None = None
    envelope_id: str | None = None  # the message this answers (FTS InitialEnvelopeID)
    request: CorrectionRequest | None = None  # what an FTS ReqCorrect asks of this waybill

    @property
    def known(self) -> bool:
        """Whether we know what the code means (the FTS album allows any 1-2 character code;
        an unknown one is set aside for a person, never guessed at)."""
        return any(self.code in table for table in _TABLES) or self.code in DECISION_STATUS

    @property
    def status(self) -> ParcelStatus | None:
        for table in _TABLES:
            if self.code in table:
                return table[self.code]
        return DECISION_STATUS.get(self.code)

    @property
    def source(self) -> str:
        """The event's source: the authority's own code (FTS:31), or AUTH:<code>."""
        return self.code if ":" in self.code else f"AUTH:{self.code}"

    def steps(self, current: ParcelStatus) -> tuple[ParcelStatus, ...]:
        """The statuses this decision moves a parcel through from `current` (empty: none, it
        is only recorded). Released with duties paid passes through PAID."""
        target = self.status
        if target is None:
            return ()
        if self.code == "FTS:32" and current is ParcelStatus.DUTY_DUE:
            return (ParcelStatus.PAID, ParcelStatus.RELEASED)
        if self.code == "CEB:700" and current is not ParcelStatus.REFUSED:
            return (ParcelStatus.REFUSED, ParcelStatus.RETURNED)
        return (target,)


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
    noted: int = 0  # recorded on the parcel's history without a move (FTS 50, 62, 70)
    orphaned: int = 0  # no parcel of the batch it answers: kept aside in orphan_decisions
    pending: int = 0  # arrived before the decision it follows: kept, applied in its turn
    set_aside: int = 0  # a code we do not know: the parcel is HELD for a person
