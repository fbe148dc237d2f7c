"""The supervisor's dashboard: what the offices in scope hold now and how fast they cleared.

Every figure is read inside the caller's scope (the offices of its principal), as every other
read. Percentiles per day are linear (domain.stats, PostgreSQL's percentile_cont), as in the
stats endpoint; held parcels are counted in age bands of their time in HELD.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from customs.domain.errors import Invalid
from customs.domain.stats import clearance_summary
from customs.services.ports import Principal
from customs.services.unit_of_work import UnitOfWork

MAX_DAYS = 31
# Upper bounds (exclusive) of the held-age bands, in hours; the last band is open.
HELD_BANDS_HOURS = (24, 72, 168, 336)
BACKLOG_STATUSES = ("SEALED", "RETRY", "SUBMITTED", "FAILED")


@dataclass(frozen=True, slots=True)
class DayClearance:
    day: str  # ISO date (UTC)
    count: int
    p50: float | None
    p90: float | None
    p99: float | None


@dataclass(frozen=True, slots=True)
class BatchBacklog:
    status: str
    batches: int
    parcels: int
    oldest: datetime | None


@dataclass(frozen=True, slots=True)
class HeldBand:
    low_hours: int
    high_hours: int | None  # None: and older
    parcels: int


@dataclass(frozen=True, slots=True)
class DashboardView:
    start: datetime
    end: datetime
    by_office: dict[str, dict[str, int]]  # office -> status -> parcels received in the period
    clearance: list[DayClearance]
    backlog: list[BatchBacklog]
    held: list[HeldBand]


def dashboard(who: Principal, days: int, now: datetime, *, uow: UnitOfWork) -> DashboardView:
    """The last `days` whole days (1..MAX_DAYS, today included), in `who`'s scope."""
    if not 1 <= days <= MAX_DAYS:
        raise Invalid("INVALID_PERIOD", f"the dashboard shows 1 to {MAX_DAYS} days")
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start, end = today - timedelta(days=days - 1), today + timedelta(days=1)  # whole days
    with uow:
        reads = uow.dashboard
        per_office = reads.per_office(who, start, end)
        by_day = reads.clearance_by_day(who, start, end)
        backlog = reads.batch_backlog(who, BACKLOG_STATUSES)
        held = reads.held_ages(who, now, HELD_BANDS_HOURS)
    by_office: dict[str, dict[str, int]] = {}
    for office, status, count in per_office:
        by_office.setdefault(office, {})[status] = count
    return DashboardView(start, end, by_office, _days(start, days, by_day),
                         [BatchBacklog(*row) for row in backlog], _bands(held))


def _days(start: datetime, days: int, by_day: dict[str, dict[str, float | int | None]],
          ) -> list[DayClearance]:
    """One entry per day of the period, an empty day included (count 0, no percentiles)."""
    found = []
    for n in range(days):
        day = (start + timedelta(days=n)).date().isoformat()
        summary = by_day.get(day) or clearance_summary([])
        found.append(DayClearance(day, int(summary["count"] or 0), _seconds(summary["p50"]),
                                  _seconds(summary["p90"]), _seconds(summary["p99"])))
    return found


def _seconds(value: float | int | None) -> float | None:
    return None if value is None else round(float(value), 3)


def _bands(counts: list[int]) -> list[HeldBand]:
    lows = (0, *HELD_BANDS_HOURS)
    highs: tuple[int | None, ...] = (*HELD_BANDS_HOURS, None)
    return [HeldBand(low, high, n) for low, high, n in zip(lows, highs, counts, strict=True)]
