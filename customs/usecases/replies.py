"""Idempotent POSTs: a reply kept per (tenant, Idempotency-Key), and the purge of old ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from customs.services import replies
from customs.services.ports import Clock
from customs.services.unit_of_work import UnitOfWork
from customs.settings import Settings


@dataclass(frozen=True)
class Replies:
    settings: Settings  # the reply lifetime is read per call
    uow_factory: Callable[[], UnitOfWork]
    clock: Clock

    @property
    def ttl(self) -> timedelta:
        return timedelta(hours=self.settings.idempotency_ttl_hours)

    def run_once(self, tenant_id: int, key: str, fingerprint: str,
                 action: Callable[[], replies.Reply]) -> replies.Outcome:
        return replies.run_once(tenant_id, key, fingerprint, action,
                                uow_factory=self.uow_factory, clock=self.clock, ttl=self.ttl)

    def purge_expired(self) -> int:
        return replies.purge_expired(uow_factory=self.uow_factory, clock=self.clock,
                                     ttl=self.ttl)
