"""Outbound to the authority: declare validated parcels, seal them into signed batches, send
the batches (retrying with backoff), and put a failed batch back in line."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from customs.gcpause import paused_gc
from customs.services import batching, declare, submission
from customs.services.ports import BatchBuilder, Clock, Declarer, Transport
from customs.services.unit_of_work import UnitOfWork
from customs.settings import Settings


@dataclass(frozen=True)
class Outbound:
    """Without a signer (`declarer` and `builder` None) nothing unsigned leaves: parcels wait
    VALIDATED, batches are not sealed. Without an authority (no transport) they wait SEALED.
    Caps, retries and the authority's address are read from `settings` at each pass."""

    settings: Settings
    uow_factory: Callable[[], UnitOfWork]
    clock: Clock
    new_id: Callable[[], str]
    declarer: Declarer | None
    builder: BatchBuilder | None
    transport: Callable[[], Transport | None]  # the configured authority, if any
    ack_check: Callable[[], submission.AckCheck | None]  # loaded per use: a bad cert fails here

    @property
    def can_sign(self) -> bool:
        return self.declarer is not None

    def declare_pending(self, manifest_id: str | None = None) -> declare.DeclareReport:
        """Declare VALIDATED parcels; without a configured signer they wait (nothing unsigned)."""
        if self.declarer is None:
            return declare.DeclareReport()
        with paused_gc():
            return declare.declare_pending(uow=self.uow_factory(), declarer=self.declarer,
                                           clock=self.clock, new_id=self.new_id,
                                           manifest_id=manifest_id)

    def seal_batches(self, force: bool = False) -> batching.SealReport:
        """Seal declared parcels into signed batches (size, byte and age caps from settings)."""
        if self.builder is None:
            return batching.SealReport(errors=["no signing key: batches cannot be signed"])
        return batching.seal_batches(uow=self.uow_factory(), builder=self.builder,
                                     clock=self.clock, new_id=self.new_id,
                                     policy=self.batch_policy(), force=force)

    def submit_batches(self, transport: Transport | None = None) -> submission.SubmitReport:
        """Send due batches; without a configured authority they wait SEALED."""
        transport = transport or self.transport()
        if transport is None:
            return submission.SubmitReport()
        return submission.submit_due(uow=self.uow_factory(), transport=transport,
                                     clock=self.clock, policy=self.retry_policy(),
                                     rng=random.Random(),  # noqa: S311 (backoff jitter)
                                     ack_check=self.ack_check())

    def retry_batch(self, batch_id: str) -> bool:
        return submission.retry_batch(batch_id, uow=self.uow_factory(), clock=self.clock)

    def batch_policy(self) -> batching.BatchPolicy:
        s = self.settings
        return batching.BatchPolicy(size=s.batch_size, max_bytes=s.batch_max_bytes,
                                    max_age=timedelta(seconds=s.batch_max_age_seconds))

    def retry_policy(self) -> submission.RetryPolicy:
        s = self.settings
        return submission.RetryPolicy(
            max_attempts=s.submit_max_attempts, base=timedelta(seconds=s.submit_backoff_seconds),
            cap=timedelta(seconds=s.submit_backoff_max_seconds),
            lease=timedelta(seconds=s.submit_lease_seconds))
