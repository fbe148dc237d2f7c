"""Use case: send sealed batches to the authority, reliably.

Each batch is leased to one sender, sent outside any transaction (its message id was fixed
when it was sealed, so a resend is the same message), and every attempt is logged verbatim.
Failures are retried with exponential backoff and jitter up to `max_attempts`, then the batch
and its parcels are TRANSMISSION_FAILED (visible, never dropped) until an operator retries it
or evidence from the authority shows it had the batch after all. The default schedule spans
at least a day (`RetryPolicy.span`), so an authority outage of hours needs no person.
While the authority fails, a pass stops at the first failure: the request rate falls to about
one per pass instead of one per waiting batch.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from customs.domain.events import FailedBatch, batch_failed
from customs.services.ports import Clock, DueBatch, Transport
from customs.services.unit_of_work import UnitOfWork

ACTOR = "system:submitter"


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 60
    base: timedelta = timedelta(seconds=5)
    cap: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(minutes=2)

    def ceiling(self, attempt: int) -> timedelta:
        return min(self.cap, self.base * (2 ** min(max(0, attempt - 1), 40)))

    def backoff(self, attempt: int, rng: random.Random) -> timedelta:
        """Equal jitter: uniform in [c/2, c], c = min(cap, base * 2^(attempt-1)); senders
        spread out, and the schedule still has a known shortest span."""
        ceiling = self.ceiling(attempt)
        return ceiling / 2 + ceiling / 2 * rng.random()

    def span(self) -> tuple[timedelta, timedelta]:
        """The shortest and longest time from the first attempt to giving up."""
        total = sum((self.ceiling(n) for n in range(1, self.max_attempts)), timedelta(0))
        return total / 2, total


@dataclass
class SubmitReport:
    submitted: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


# Reads a reply for a message id: "registered", "already registered" (the authority had it:
# an earlier reply was lost), or None when it is not the authority's verified Ack for it.
AckCheck = Callable[[bytes, str], str | None]


def submit_due(*, uow: UnitOfWork, transport: Transport, clock: Clock, policy: RetryPolicy,
               rng: random.Random, ack_check: AckCheck | None = None,
               max_batches: int = 100) -> SubmitReport:
    """`ack_check` says whether a reply is the authority's verified acknowledgement (then the
    parcels are ACKNOWLEDGED, else SUBMITTED); "already registered" is evidence of an earlier
    receipt whose reply was lost, recorded as such."""
    report = SubmitReport()
    for _ in range(max_batches):
        now = clock.now()
        with uow:
            batch = uow.outbox.claim_due(now, now + policy.lease)
            uow.commit()
        if batch is None:
            break
        if not _send(batch, report, uow=uow, transport=transport, clock=clock, policy=policy,
                     rng=rng, ack_check=ack_check):
            break  # the authority is failing: do not hammer it with the rest of the queue
    return report


def _send(batch: DueBatch, report: SubmitReport, *, uow: UnitOfWork, transport: Transport,
          clock: Clock, policy: RetryPolicy, rng: random.Random,
          ack_check: AckCheck | None) -> bool:
    result = transport.send(batch.message_id, batch.document)
    verdict = ack_check(result.body, batch.message_id) if (
        result.accepted and result.body and ack_check) else None
    now = clock.now()
    with uow:
        uow.outbox.record("out", "batch", batch.message_id, batch.id, result.status,
                          result.error, batch.document, now)
        if result.body:
            uow.outbox.record("in", "ack", batch.message_id, batch.id, result.status, None,
                              result.body, now)
        if verdict == "already registered":
            uow.outbox.received(batch.id, now, "AUTH:ALREADY-REGISTERED",
                                "it answered that it already had the message")
            report.submitted.append(batch.id)
        elif result.accepted:
            uow.outbox.submitted(batch.id, now, ACTOR, verdict is not None)
            report.submitted.append(batch.id)
        elif result.retryable and batch.attempts < policy.max_attempts:
            uow.outbox.retry_later(batch.id, now + policy.backoff(batch.attempts, rng),
                                   result.error or "failed")
            report.retrying.append(batch.id)
        else:
            reason = (f"after {batch.attempts} attempts: " if result.retryable else
                      "refused by the authority: ") + (result.error or "failed")
            if uow.outbox.failed(batch.id, now, reason, ACTOR):
                _tell_failed(batch, reason, now, uow)
            report.failed.append(batch.id)
        uow.commit()
    return result.accepted


def _tell_failed(batch: DueBatch, reason: str, at: datetime, uow: UnitOfWork) -> None:
    """`batch.failed` to the marketplaces with parcels in it and to its office's officers."""
    office, shares = uow.events.batch_audience(batch.id)
    uow.events.add(batch_failed(FailedBatch(batch.id, batch.message_id, office, reason),
                                shares, at))


def retry_batch(batch_id: str, *, uow: UnitOfWork, clock: Clock) -> bool:
    """An operator sends a TRANSMISSION_FAILED batch again (same message id)."""
    with uow:
        done = uow.outbox.reopen(batch_id, clock.now())
        uow.commit()
    return done
