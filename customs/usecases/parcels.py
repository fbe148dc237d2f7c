"""Parcels for every role: in scope, officer search, dossiers, decisions, statistics, feed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from customs.domain.money import Money
from customs.domain.officer import OfficerAction, OfficerDecision
from customs.services import dashboard, feed, parcels, queue
from customs.services.dashboard import DashboardView
from customs.services.parcels import Keyset
from customs.services.ports import Clock, Principal, SearchFilters
from customs.services.queue import QueuePage
from customs.services.read_models.dossier import Dossier
from customs.services.read_models.feed import FeedPage, StatsView
from customs.services.read_models.parcel import (
    CourierParcel,
    ParcelSummary,
    ParcelView,
)
from customs.services.unit_of_work import UnitOfWork


class DeclarationVerifier(Protocol):
    def __call__(self, document: bytes) -> dict[str, Any]:
        """Verify a stored declaration now: {valid, reason} or {valid, signature_method, ...}."""
        ...


@dataclass(frozen=True)
class Parcels:
    uow_factory: Callable[[], UnitOfWork]
    read_uow_factory: Callable[[], UnitOfWork]
    clock: Clock
    verify_declaration: DeclarationVerifier
    feed_cursor_max_age: timedelta

    def parcel(self, who: Principal, tracking_number: str,
               marketplace: str | None = None) -> ParcelView:
        return parcels.get_parcel(who, tracking_number, uow=self.read_uow_factory(),
                                  marketplace=marketplace)

    def get_parcel(self, tenant_id: int, tracking_number: str) -> ParcelView:
        """A marketplace's parcel as its own key would read it (CLI, tests)."""
        return self.parcel(Principal("internal", tenant_id, "", "marketplace"), tracking_number)

    def search_parcels(self, who: Principal, filters: SearchFilters,
                       limit: int) -> tuple[list[ParcelSummary | CourierParcel], Keyset | None]:
        return parcels.search(who, filters, limit, uow=self.read_uow_factory())

    def declaration(self, who: Principal, tracking_number: str,
                    marketplace: str | None = None) -> bytes:
        return parcels.declaration(who, tracking_number, uow=self.read_uow_factory(),
                                   marketplace=marketplace)

    def dossier(self, who: Principal, tracking_number: str,
                marketplace: str | None = None) -> Dossier:
        return parcels.dossier(who, tracking_number, uow=self.read_uow_factory(),
                               verify=self.verify_declaration, marketplace=marketplace)

    def decide(self, who: Principal, tracking_number: str, action: str, reason: str | None,
               duty: tuple[str, str] | None, marketplace: str | None = None,
               expected: str | None = None,
               if_match: tuple[str, ...] | None = None) -> ParcelView:
        money = None if duty is None else Money.of(duty[0], duty[1]).quantized()
        decision = OfficerDecision(OfficerAction(action), reason, money)
        return parcels.decide(who, tracking_number, decision, uow=self.uow_factory(),
                              clock=self.clock, marketplace=marketplace, expected=expected,
                              if_match=if_match)

    def work_queue(self, who: Principal, statuses: tuple[str, ...], office: str | None,
                   limit: int, after: Keyset | None = None) -> QueuePage:
        return queue.work_queue(who, statuses, office, limit, after,
                                uow=self.read_uow_factory(), clock=self.clock)

    def message_document(self, who: Principal, tracking_number: str, message_id: int,
                         marketplace: str | None = None) -> bytes:
        return parcels.message_document(who, tracking_number, message_id,
                                        uow=self.read_uow_factory(), marketplace=marketplace)

    @staticmethod
    def version(view: ParcelView) -> str:
        """The parcel's version, for its ETag (If-Match on decisions)."""
        return parcels.version_of(view)

    def stats(self, who: Principal, start: datetime, end: datetime) -> StatsView:
        return parcels.stats(who, start, end, uow=self.read_uow_factory())

    def dashboard(self, who: Principal, days: int) -> DashboardView:
        """The supervisor's dashboard over the last `days` days, in `who`'s scope."""
        return dashboard.dashboard(who, days, self.clock.now(), uow=self.read_uow_factory())

    def feed(self, who: Principal, cursor: str | None, limit: int) -> FeedPage:
        return feed.feed_page(who, cursor, limit, uow=self.read_uow_factory(), clock=self.clock,
                              max_age=self.feed_cursor_max_age)
