"""What comes back from the authority: decisions pushed or polled (or set aside in the
quarantine, never blocking the next), decisions kept until their parcel gets there, and the
log of messages exchanged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from customs.services import decisions, inbox
from customs.services.authority_ports import AuthorityInbox, DecisionSource
from customs.services.operations_ports import ExchangedMessage, OperationalReads
from customs.services.ports import Clock, QuarantineItem
from customs.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Authority:
    uow_factory: Callable[[], UnitOfWork]
    read_uow_factory: Callable[[], UnitOfWork]
    clock: Clock
    inbox: AuthorityInbox
    source: Callable[[], DecisionSource | None]  # None: no CUSTOMS_AUTHORITY_POLL_URL
    reads: OperationalReads

    def receive_decisions(self, document: bytes, channel: str = "push",
                          origin: str | None = None) -> inbox.Received:
        """Apply a decisions message, or quarantine it with the reason (never blocking)."""
        return inbox.receive(document, read=self.inbox.read, uow=self.uow_factory(),
                             clock=self.clock, channel=channel, origin=origin)

    def poll_decisions(self, max_messages: int = 100) -> int:
        """Fetch and apply decision messages in order; one set aside in the quarantine moves
        the cursor on like any other."""
        source = self.source()
        if source is None:
            return 0
        return decisions.poll(
            source, lambda document, origin: self.receive_decisions(document, "poll", origin),
            uow_factory=self.uow_factory, clock=self.clock, max_messages=max_messages)

    def apply_pending_decisions(self) -> int:
        """Kept decisions whose parcel has since got where they apply (the worker's sweep)."""
        return decisions.apply_pending(uow=self.uow_factory(), clock=self.clock)

    def quarantined(self, status: str | None = None, after: int = 0,
                    limit: int = 50) -> list[QuarantineItem]:
        return inbox.quarantined(uow=self.read_uow_factory(), status=status, after=after,
                                 limit=limit)

    def quarantine_item(self, item_id: int) -> QuarantineItem | None:
        return inbox.quarantine_item(item_id, uow=self.read_uow_factory())

    def quarantined_document(self, item_id: int) -> bytes | None:
        with self.read_uow_factory() as uow:
            return uow.quarantine.document(item_id)

    def replay_quarantined(self, item_id: int) -> inbox.Received | None:
        return inbox.replay(item_id, read=self.inbox.read, uow=self.uow_factory(),
                            clock=self.clock)

    def quarantine_counts(self) -> dict[str, int]:
        return inbox.quarantine_counts(uow=self.read_uow_factory())

    def orphan_decision_count(self) -> int:
        with self.read_uow_factory() as uow:
            return uow.decisions.orphan_count()

    def pending_decision_count(self) -> int:
        with self.read_uow_factory() as uow:
            return uow.decisions.kept_count()

    def exchanged_messages(self) -> list[ExchangedMessage]:
        """Every message kept (number, direction, kind, message id, document)."""
        return self.reads.exchanged_messages()
