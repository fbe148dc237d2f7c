"""The officers' work queue: the parcels of their offices that wait for a person, oldest
first, each with why it waits (its latest event) and for how long, and the counts per state.

It is the officer search (same scope, same keyset pages) restricted to the waiting statuses
and sorted by reception, ascending."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from customs.domain.lifecycle import ParcelStatus
from customs.services.parcels import Keyset, summary
from customs.services.ports import Clock, Principal, SearchFilters
from customs.services.read_models.parcel import HistoryEvent, ParcelSummary
from customs.services.unit_of_work import UnitOfWork

S = ParcelStatus
# A decision of customs is awaited (registered, sent) or a person must act (held: inspection,
# documents, an authority's suspension or an unknown code; duty assessed and not paid; a batch
# that could not be sent).
WAITING = (S.HELD, S.ACKNOWLEDGED, S.SUBMITTED, S.DUTY_DUE, S.TRANSMISSION_FAILED)
DEFAULT_WAITING = (S.HELD, S.ACKNOWLEDGED, S.SUBMITTED)


@dataclass(frozen=True, slots=True)
class QueueItem:
    parcel: ParcelSummary
    office: str
    latest: HistoryEvent | None  # why it waits: the newest event's source and reason
    waiting_seconds: int  # since it was received


@dataclass(frozen=True, slots=True)
class QueuePage:
    items: list[QueueItem]
    after: Keyset | None
    counts: dict[str, int]  # per waiting status, in the offices shown


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def work_queue(who: Principal, statuses: tuple[str, ...], office: str | None, limit: int,
               after: Keyset | None, *, uow: UnitOfWork, clock: Clock) -> QueuePage:
    wanted = tuple(s for s in statuses if s in WAITING) or tuple(DEFAULT_WAITING)
    filters = SearchFilters(statuses=wanted, office=office, sort="received_at", after=after)
    # Counts in the office asked for, never outside the caller's own offices.
    counted = who if office is None else replace(
        who, offices=tuple(o for o in who.offices if o == office))
    now = clock.now()
    with uow:
        rows = uow.views.search(who, filters, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        latest = uow.views.latest_events([r.id for r in rows])
        counts = uow.views.status_counts(counted, [s.value for s in WAITING])
    items = [QueueItem(summary(r), r.destination.customs_office, latest.get(r.id),
                       int((now - _aware(r.created_at)).total_seconds())) for r in rows]
    next_after = (rows[-1].created_at, rows[-1].id) if more and rows else None
    return QueuePage(items, next_after, counts)
