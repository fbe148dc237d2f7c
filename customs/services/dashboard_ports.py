"""The dashboard's read port (apart from services.dashboard, which the unit of work's
protocol would otherwise import in a cycle)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from customs.services.ports import Principal


class DashboardReads(Protocol):
    """Figures in the caller's scope: parcels per (office, status); per UTC day (ISO date)
    the released parcels' clearance summary {count, p50, p90, p99} in seconds; batches not
    yet acknowledged (status, batches, parcels, oldest seal); HELD parcels per age band."""

    def per_office(self, who: Principal, start: datetime, end: datetime,
                   ) -> list[tuple[str, str, int]]: ...
    def clearance_by_day(self, who: Principal, start: datetime, end: datetime,
                         ) -> dict[str, dict[str, Any]]: ...
    def batch_backlog(self, who: Principal, statuses: tuple[str, ...],
                      ) -> list[tuple[str, int, int, datetime | None]]: ...
    def held_ages(self, who: Principal, now: datetime, bands_hours: tuple[int, ...],
                  ) -> list[int]: ...
