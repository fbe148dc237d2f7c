"""The use cases, grouped by area, each bound to its ports by customs.bootstrap: everything
the delivery layers (HTTP, CLI, worker, benchmarks) call, and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from customs.services.ports import Clock
from customs.settings import Settings
from customs.usecases.access import Access
from customs.usecases.accounts import Accounts
from customs.usecases.authority import Authority
from customs.usecases.intake import Intake
from customs.usecases.operations import Operations
from customs.usecases.outbound import Outbound
from customs.usecases.parcels import Parcels
from customs.usecases.quotes import Quotes
from customs.usecases.reference import Reference
from customs.usecases.replies import Replies
from customs.usecases.webhooks import Webhooks

__all__ = ["Access", "Accounts", "Application", "Authority", "Intake", "Operations",
           "Outbound", "Parcels", "Quotes", "Reference", "Replies", "Resources", "Webhooks"]


@dataclass(frozen=True)
class Resources:
    """The database engines behind the unit of work (None with fakes), for tests and benchmarks
    that look at the rows themselves; use cases never reach for them."""

    engine: Any = None  # sqlalchemy Engine, kept opaque: use cases know no SQL
    read_engine: Any = None

    def close(self) -> None:
        for engine in {id(e): e for e in (self.engine, self.read_engine) if e}.values():
            engine.dispose()


@dataclass
class Application:
    """The groups are frozen; the application is not, so a test may keep what it set up on it."""

    settings: Settings
    clock: Clock
    resources: Resources
    intake: Intake
    outbound: Outbound
    authority: Authority
    parcels: Parcels
    webhooks: Webhooks
    access: Access
    reference: Reference
    operations: Operations
    accounts: Accounts
    replies: Replies
    quotes: Quotes

    def close(self) -> None:
        self.resources.close()
