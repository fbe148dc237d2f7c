"""The dashboard's figures in SQL, inside the caller's scope (scope_of), on either engine.

Clearance percentiles per day: PostgreSQL's percentile_cont grouped by day; SQLite has no
percentile aggregate, so the day's seconds are read and summarised by domain.stats (the same
linear percentile).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customs.adapters.database.search_index import P
from customs.adapters.database.tables import Batch
from customs.adapters.database.view_repository import scope_of
from customs.domain.stats import QUANTILES, clearance_summary
from customs.services.ports import Principal

B = Batch.__table__  # type: ignore[attr-defined]


class SqlDashboardRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"

    def per_office(self, who: Principal, start: datetime, end: datetime,
                   ) -> list[tuple[str, str, int]]:
        rows = self.session.execute(
            sa.select(P.c.customs_office, P.c.status, sa.func.count())
            .where(scope_of(who, P), P.c.created_at >= start, P.c.created_at < end)
            .group_by(P.c.customs_office, P.c.status)).all()
        return [(office, status, int(n)) for office, status, n in rows]

    def clearance_by_day(self, who: Principal, start: datetime, end: datetime,
                         ) -> dict[str, dict[str, Any]]:
        released = (scope_of(who, P), P.c.released_at >= start, P.c.released_at < end)
        if self.postgres:
            day = sa.func.to_char(sa.func.timezone("UTC", P.c.released_at), "YYYY-MM-DD")
            seconds = sa.func.extract("epoch", P.c.released_at - P.c.created_at)
            rows = self.session.execute(
                sa.select(day, sa.func.count(), *[
                    sa.func.percentile_cont(q).within_group(seconds)
                    for q in QUANTILES.values()]).where(*released).group_by(day)).all()
            return {row[0]: {"count": int(row[1]), **dict(zip(QUANTILES, row[2:], strict=True))}
                    for row in rows}
        day = sa.func.substr(P.c.released_at, 1, 10)
        seconds = (sa.func.julianday(P.c.released_at) - sa.func.julianday(P.c.created_at)
                   ) * 86400.0
        grouped: dict[str, list[float]] = {}
        for when, value in self.session.execute(sa.select(day, seconds).where(*released)):
            grouped.setdefault(when, []).append(value)
        return {when: clearance_summary(values) for when, values in grouped.items()}

    def batch_backlog(self, who: Principal, statuses: tuple[str, ...],
                      ) -> list[tuple[str, int, int, datetime | None]]:
        """Batches not yet acknowledged, by status: an officer's offices only (a batch is
        addressed to one office)."""
        scope = (B.c.customs_office.in_(who.offices) if who.role == "officer" else sa.false())
        rows = self.session.execute(
            sa.select(B.c.status, sa.func.count(), sa.func.coalesce(sa.func.sum(
                B.c.parcel_count), 0), sa.func.min(B.c.sealed_at))
            .where(scope, B.c.status.in_(statuses)).group_by(B.c.status)).all()
        found = {status: (int(n), int(parcels), oldest) for status, n, parcels, oldest in rows}
        return [(status, *found.get(status, (0, 0, None))) for status in statuses]

    def held_ages(self, who: Principal, now: datetime, bands_hours: tuple[int, ...],
                  ) -> list[int]:
        """HELD parcels counted by how long they have been held (since their last change):
        one count per band, bands_hours being the bands' upper bounds, the last band open."""
        bounds = [now - timedelta(hours=h) for h in bands_hours]
        band = sa.case(*[(P.c.updated_at > bound, n) for n, bound in enumerate(bounds)],
                       else_=len(bounds))
        rows = self.session.execute(
            sa.select(band, sa.func.count()).where(scope_of(who, P), P.c.status == "HELD")
            .group_by(band)).all()
        counts = dict(rows)
        return [int(counts.get(n, 0)) for n in range(len(bounds) + 1)]
