"""Dated exchange rates: loaded by operators (CLI or API), read for duty estimates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customs.adapters.database.tables import ExchangeRate
from customs.domain.duty import Rate
from customs.domain.money import decimal_text, parse_decimal

R = ExchangeRate.__table__  # type: ignore[attr-defined]


class SqlRateRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def upsert(self, rates: Sequence[Rate], at: datetime, actor: str) -> int:
        """Insert or replace each (day, currency, base): a corrected rate replaces the old."""
        for rate in rates:
            key = (R.c.day == rate.day, R.c.currency == rate.currency, R.c.base == rate.base)
            values = {"rate": decimal_text(rate.rate), "loaded_at": at, "loaded_by": actor}
            moved = self.session.execute(sa.update(R).where(*key).values(**values))
            if moved.rowcount == 0:
                self.session.execute(sa.insert(R).values(
                    day=rate.day, currency=rate.currency, base=rate.base, **values))
        return len(rates)

    def window(self, first: date, last: date) -> list[Rate]:
        rows = self.session.execute(
            sa.select(R.c.day, R.c.currency, R.c.base, R.c.rate)
            .where(R.c.day >= first, R.c.day <= last)
            .order_by(R.c.day, R.c.currency, R.c.base).limit(100_000))
        return [Rate(day, currency, base, parse_decimal(rate))
                for day, currency, base, rate in rows]
