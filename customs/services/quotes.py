"""Use case: a duty quote for a basket (customs.domain.duty_quote), with the rules and rates
the parcel's estimate at intake would use on that day (services.intake.DutyContext).

Quotes are read-only and many (a checkout page asks for each basket change): the day's rate
table is kept for `fresh_for` seconds per process, so a quote reads no row in between. A rate
loaded meanwhile is used within that time (by this process at once: `forget`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date

from customs.domain.duty import RateTable
from customs.domain.duty_quote import Basket, Quote, quote
from customs.services.intake import DutyContext
from customs.services.rates import rate_table
from customs.services.unit_of_work import UnitOfWork


class RateTables:
    """The rate table of each day asked for, read at most every `fresh_for` seconds."""

    def __init__(self, fresh_for: float = 5.0, *,
                 monotonic: Callable[[], float] = time.monotonic, days: int = 8) -> None:
        self.fresh_for, self.monotonic, self.days = fresh_for, monotonic, days
        self._tables: dict[date, tuple[float, RateTable]] = {}
        self._lock = threading.Lock()

    def table(self, day: date, duty: DutyContext, uow: UnitOfWork) -> RateTable:
        now = self.monotonic()
        held = self._tables.get(day)
        if held is not None and now - held[0] < self.fresh_for:
            return held[1]
        with uow:
            table = rate_table(day, uow=uow, max_age=duty.rate_max_age)
        with self._lock:
            if len(self._tables) >= self.days:
                self._tables.clear()
            self._tables[day] = (now, table)
        return table

    def forget(self) -> None:
        with self._lock:
            self._tables.clear()


def quote_basket(basket: Basket, *, uow: UnitOfWork, duty: DutyContext,
                 tables: RateTables) -> Quote:
    return quote(basket, rules=duty.rules, rates=tables.table(basket.day, duty, uow))
