"""Use case: take in the authority's messages, pushed or polled, never blocked by one.

A message that cannot be verified, read, matched to a batch of ours or mapped is not an
error that stops intake: it is stored whole in the quarantine with the reason and the next
message is taken (a poll cursor moves past it). An operator lists the quarantine and replays a
message once its cause is fixed (a certificate rotated, a batch restored); a replay that
applies marks it REPLAYED with the outcome. Database errors are not quarantined: they are the
service's fault, not the message's, and the caller retries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from customs.domain.decisions import ApplyReport, DecisionMessage
from customs.domain.errors import AuthorityMessageError
from customs.services.decisions import apply_decisions
from customs.services.ports import Clock, QuarantineItem
from customs.services.unit_of_work import UnitOfWork

Reader = Callable[[bytes], DecisionMessage]
NOT_CONFIGURED = "AUTHORITY_NOT_CONFIGURED"  # the service's fault: nothing is kept
MAX_PAGE = 200


@dataclass(frozen=True)
class Received:
    """Applied (`report`) or set aside (`quarantine_id` with the code and detail)."""

    report: ApplyReport | None = None
    quarantine_id: int | None = None
    code: str | None = None
    detail: str | None = None


def receive(document: bytes, *, read: Reader, uow: UnitOfWork, clock: Clock, channel: str,
            origin: str | None = None) -> Received:
    try:
        return Received(report=_apply(document, read, uow, clock))
    except AuthorityMessageError as exc:
        if exc.code == NOT_CONFIGURED:
            raise
        with uow:
            item_id = uow.quarantine.add(clock.now(), channel, origin, exc.code, str(exc),
                                         document)
            uow.commit()
        return Received(quarantine_id=item_id, code=exc.code, detail=str(exc))


def replay(item_id: int, *, read: Reader, uow: UnitOfWork, clock: Clock) -> Received | None:
    """Apply a quarantined message again; None when there is no such item. Still refused: it
    stays quarantined with the new reason and one more attempt."""
    with uow:
        document = uow.quarantine.document(item_id)
    if document is None:
        return None
    try:
        report = _apply(document, read, uow, clock)
    except AuthorityMessageError as exc:
        if exc.code == NOT_CONFIGURED:
            raise
        with uow:
            uow.quarantine.failed_again(item_id, exc.code, str(exc))
            uow.commit()
        return Received(quarantine_id=item_id, code=exc.code, detail=str(exc))
    with uow:
        uow.quarantine.resolved(item_id, clock.now(), _outcome(report))
        uow.commit()
    return Received(report=report)


def quarantined(*, uow: UnitOfWork, status: str | None, after: int,
                limit: int) -> list[QuarantineItem]:
    with uow:
        return uow.quarantine.page(status, after, max(1, min(limit, MAX_PAGE)))


def quarantine_item(item_id: int, *, uow: UnitOfWork) -> QuarantineItem | None:
    with uow:
        return uow.quarantine.get(item_id)


def quarantine_counts(*, uow: UnitOfWork) -> dict[str, int]:
    with uow:
        return uow.quarantine.counts()


def _apply(document: bytes, read: Reader, uow: UnitOfWork, clock: Clock) -> ApplyReport:
    return apply_decisions(read(document), uow=uow, clock=clock, raw=document)


def _outcome(report: ApplyReport) -> str:
    if report.duplicate:
        return f"message {report.message_id}: already applied"
    return (f"message {report.message_id}: applied {report.applied}, pending {report.pending}, "
            f"set aside {report.set_aside}, noted {report.noted}, ignored {report.ignored}, "
            f"orphaned {report.orphaned}")
