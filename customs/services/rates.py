"""Use cases: operators load dated exchange rates; rates are read for duty estimates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from customs.domain.duty import Rate, RateTable
from customs.domain.errors import BadQuery
from customs.domain.money import decimal_text
from customs.services.ports import Clock
from customs.services.read_models.reference import RateView
from customs.services.unit_of_work import UnitOfWork

MAX_LIST_DAYS = 366


def load_rates(rates: Sequence[Rate], *, uow: UnitOfWork, clock: Clock, actor: str) -> int:
    """Store the rates in one transaction (all or none); a rate for a (day, currency, base)
    already held replaces it (operators correct mistakes by loading again)."""
    with uow:
        count = uow.rates.upsert(rates, clock.now(), actor)
        uow.commit()
    return count


def rate_table(day: date, *, uow: UnitOfWork, max_age: timedelta) -> RateTable:
    """The rates usable on `day` (read inside the caller's unit of work)."""
    return RateTable(uow.rates.window(day - max_age, day), max_age=max_age)


def list_rates(first: date, last: date, *, uow: UnitOfWork) -> list[RateView]:
    if last < first or (last - first).days > MAX_LIST_DAYS:
        raise BadQuery(f"give from <= to, at most {MAX_LIST_DAYS} days apart")
    with uow:
        found = uow.rates.window(first, last)
    return [RateView(r.day.isoformat(), r.currency, r.base, decimal_text(r.rate))
            for r in found]
